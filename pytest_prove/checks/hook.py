"""The marker third-party packages use to implement pytest-prove hooks."""

from __future__ import annotations

from typing import Final

import pluggy

PROJECT_NAME: Final = "pytest_prove"

hookimpl: Final = pluggy.HookimplMarker(PROJECT_NAME)
hookspec: Final = pluggy.HookspecMarker(PROJECT_NAME)
