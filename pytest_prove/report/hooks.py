"""pytest hooks through which finished gates and runs reach their consumers.

Added with ``pytest_addhooks`` by the plugin; they are called on the controlling
process only (never on xdist workers), so an implementation may write files
without racing other processes.  See :mod:`.run_record` for the records.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from .run_record import GateRecord, RunRecord


def pytest_prove_gate_finished(config: pytest.Config, gate: GateRecord) -> None:
    """A gate's phases are over (live views: the dashboard server, progress)."""


def pytest_prove_run_finished(config: pytest.Config, run: RunRecord) -> None:
    """Every gate of the session has finished; called before the terminal summary."""
