"""Writes each run to the history file (``reporting.history``), unless ``--prove-no-history``.

Runs on the controlling process only, once per run.  The history is never a reason
to lose a run: a file that cannot be written becomes a terminal-summary note, and the
exit status stays the gates' own.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from .history import HistoryError, history_path, open_history
from .run_record import RECORDER_KEY, RunRecord

if TYPE_CHECKING:
    from ..config.fleet import Fleet


class HistorySink:
    def __init__(self, path: Path) -> None:
        self.path = path

    def pytest_prove_run_finished(self, config: pytest.Config, run: RunRecord) -> None:
        recorder = config.stash[RECORDER_KEY]
        try:
            with open_history(self.path) as history:
                history.add(run)
        except HistoryError as exc:
            recorder.note(f"history not written: {exc}")


def plugin(config: pytest.Config, fleet: Fleet) -> HistorySink | None:
    if config.getoption("prove_no_history"):
        return None
    return HistorySink(history_path(fleet.settings.reporting.history, fleet.base_dir))
