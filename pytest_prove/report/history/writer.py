"""Records one run in the history while it goes on, so a run that dies keeps what it did.

The run's row is written as it starts (no end yet); its gates follow in batches, one
transaction each, from a background thread: at most every :data:`FLUSH_INTERVAL`
seconds, or sooner once :data:`BATCH_GATES` are waiting.  The gates' own thread only
appends to a list, so a fleet of cheap gates pays almost nothing per gate, and a gate
that runs for minutes does not hold back the ones that finished before it.  The end
(exit status, end time, the last gates) is one more transaction.
"""

from __future__ import annotations

import datetime
import threading
from typing import TYPE_CHECKING, Final

from .schema import HistoryError, HistoryLockedError

if TYPE_CHECKING:
    from ..run_record import GateRecord, RunRecord
    from .store import History

__all__ = ["BATCH_GATES", "FLUSH_INTERVAL", "RunWriter"]

FLUSH_INTERVAL: Final = 0.5
BATCH_GATES: Final = 256


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


class RunWriter:
    """Writes a begun run's gates (:meth:`.store.History.begin`) to ``history``, which it closes.

    Only :meth:`add` runs on the caller's hot path.  A write that fails because another
    process holds the file is tried again at the next flush; any other failure stops the
    writer, and :meth:`finish` raises it.
    """

    def __init__(self, history: History, run_id: str) -> None:
        self._history = history
        self._run_id = run_id
        self._lock = threading.Lock()
        self._pending: list[GateRecord] = []
        self._written = 0
        self._taken = 0
        self._error: HistoryError | None = None
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="prove-history", daemon=True)
        self._thread.start()

    def add(self, gate: GateRecord) -> None:
        with self._lock:
            self._pending.append(gate)
            self._taken += 1
            if len(self._pending) >= BATCH_GATES:
                self._wake.set()

    def finish(self, run: RunRecord) -> None:
        """Write what is left and the run's end, then close the history.

        ``run.gates`` is authoritative: gates it has beyond those given to :meth:`add`
        are written too.
        """
        self._halt()
        try:
            with self._lock:
                extra = list(run.gates[self._taken :])
                self._pending.extend(extra)
                self._taken += len(extra)
            self._flush(end=run)
        finally:
            self._history.close()

    def abandon(self) -> None:
        """Write the gates so far without an end (the run stops short), then close."""
        self._halt()
        try:
            self._flush(end=None)
        except HistoryError:
            pass  # the run reads as interrupted either way
        finally:
            self._history.close()

    @property
    def written(self) -> int:
        """Gates stored so far."""
        return self._written

    def _halt(self) -> None:
        self._stop.set()
        self._wake.set()
        self._thread.join()

    def _loop(self) -> None:
        while not self._stop.is_set():
            self._wake.wait(FLUSH_INTERVAL)
            self._wake.clear()
            if self._stop.is_set() or self._error is not None:
                return
            try:
                self._flush(end=None)
            except HistoryLockedError:
                pass  # the gates stay pending for the next flush
            except HistoryError as exc:
                self._error = exc

    def _flush(self, *, end: RunRecord | None) -> None:
        if self._error is not None:
            raise self._error
        with self._lock:
            batch = self._pending
            self._pending = []
        if not batch and end is None:
            return
        try:
            self._history.record(
                self._run_id,
                self._written,
                batch,
                until=end.finished if end is not None else _now(),
                end=end.exit_status if end is not None else None,
            )
        except HistoryError:
            with self._lock:  # kept, in order, for the next try
                self._pending[:0] = batch
            raise
        self._written += len(batch)
