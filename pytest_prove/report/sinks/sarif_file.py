"""Writes the run's findings as SARIF 2.1.0 (``--prove-sarif FILE``), on the controller.

Paths are relative to ``GITHUB_WORKSPACE`` (the checkout GitHub code scanning
resolves them against), else to the directory pytest was started in.  A file
that cannot be written is a terminal-summary note, never a failed run.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING

from .json_file import report_file_plugin
from .sarif import sarif_log

if TYPE_CHECKING:
    import pytest

    from ...config.fleet import Fleet

__all__ = ["plugin"]


def _tool_version() -> str:
    try:
        return version("pytest-prove")
    except PackageNotFoundError:  # running from a source tree
        return "0"


def plugin(config: pytest.Config, fleet: Fleet) -> object | None:
    """The SARIF writer, when ``--prove-sarif`` names a file."""
    return report_file_plugin(
        config,
        fleet,
        option="prove_sarif",
        workspace_variable="GITHUB_WORKSPACE",
        label="SARIF",
        build=lambda run, locator: sarif_log(run, locator, _tool_version()),
    )
