"""Writes each run to the history file (``reporting.history``), unless ``--prove-no-history``.

Runs on the controlling process only. The run is stored as it starts, each gate soon after
it finishes (see :mod:`pytest_prove.report.history.writer`), and its end last, so a run that
is killed keeps the gates it finished and reads as interrupted. The history is never a
reason to lose a run: a file that cannot be written becomes a terminal-summary note, and the
exit status stays the gates' own.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from ..history.liveness import this_process
from ..history.store import HistoryError, history_path, open_history
from ..history.writer import RunWriter
from ..run_record import RECORDER_KEY, GateRecord, RunRecord

if TYPE_CHECKING:
    from ...config.fleet import Fleet


class HistorySink:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._writer: RunWriter | None = None
        self._problem = ""

    def pytest_sessionstart(self, session: pytest.Session) -> None:
        recorder = session.config.stash[RECORDER_KEY]
        try:
            history = open_history(self.path)
            try:
                history.begin(recorder.header(), this_process())
            except BaseException:
                history.close()
                raise
        except HistoryError as exc:
            self._problem = str(exc)
            return
        self._writer = RunWriter(history, recorder.id)

    def pytest_prove_gate_finished(self, config: pytest.Config, gate: GateRecord) -> None:
        if self._writer is not None:
            self._writer.add(gate)

    def pytest_prove_run_finished(self, config: pytest.Config, run: RunRecord) -> None:
        recorder = config.stash[RECORDER_KEY]
        writer, self._writer = self._writer, None
        if writer is None:
            recorder.note(f"history not written: {self._problem}")
            return
        try:
            writer.finish(run)
        except HistoryError as exc:
            recorder.note(
                f"history incomplete: {writer.written} of {len(run.gates)} gates recorded, "
                f"and not the run's end: {exc}"
            )

    def pytest_unconfigure(self, config: pytest.Config) -> None:
        # The run ended without its run_finished hook (an internal error): keep its gates.
        writer, self._writer = self._writer, None
        if writer is not None:
            writer.abandon()


def plugin(config: pytest.Config, fleet: Fleet) -> HistorySink | None:
    if config.getoption("prove_no_history"):
        return None
    return HistorySink(history_path(fleet.settings.reporting.history, fleet.base_dir))
