"""Where the peer tools the tests compare against (diff-cover, cz) are installed."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest


def peer_executable(name: str) -> str:
    """``name`` installed beside this Python (the dev extra), else on ``PATH``.

    The venv's ``bin`` is not on ``PATH`` when the tests run as ``.venv/bin/python -m
    pytest`` without activating it; a missing peer fails the test, as the extra has it.
    """
    beside = Path(sys.executable).with_name(name)
    found = str(beside) if beside.exists() else shutil.which(name)
    if found is None:
        pytest.fail(f"{name} is not installed: pip install -e '.[dev]'")
    return found
