"""Writes the run's findings as SARIF 2.1.0 (``--prove-sarif FILE``), on the controller.

Paths are relative to ``GITHUB_WORKSPACE`` (the checkout GitHub code scanning
resolves them against), else to the directory pytest was started in.  A file
that cannot be written is a terminal-summary note, never a failed run.
"""

from __future__ import annotations

import os
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import TYPE_CHECKING

from .json_file_sink import JsonFileWriter
from .locate import Locator
from .sarif import sarif_log

if TYPE_CHECKING:
    import pytest

    from ..config.fleet import Fleet

__all__ = ["plugin"]


def _tool_version() -> str:
    try:
        return version("pytest-prove")
    except PackageNotFoundError:  # running from a source tree
        return "0"


def plugin(config: pytest.Config, fleet: Fleet) -> JsonFileWriter | None:
    """The SARIF writer, when ``--prove-sarif`` names a file."""
    target = config.getoption("prove_sarif", None)
    if not target:
        return None
    path = config.invocation_params.dir / target
    workspace = os.environ.get("GITHUB_WORKSPACE") or str(config.invocation_params.dir)
    locator = Locator(fleet, Path(workspace))
    return JsonFileWriter(path, "SARIF", lambda run: sarif_log(run, locator, _tool_version()))
