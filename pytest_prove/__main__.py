"""``python -m pytest_prove``: the ``prove`` command when its script is not on PATH."""

from __future__ import annotations

import sys

from .cli.main import main

sys.exit(main())
