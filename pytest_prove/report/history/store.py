"""The run history: every run and gate result in an embedded SQLite file.

One file (default ``.prove/history.db`` under the fleet's base directory) may be
written by several CI jobs at once: each write is one ``BEGIN IMMEDIATE`` transaction,
the journal is in WAL mode (readers never wait for a writer) and a busy timeout makes
a second writer wait its turn instead of failing.  The file's format and its upgrades
are :mod:`.schema`'s job.

Every problem (locked beyond the timeout, not a database, newer schema, unwritable
directory) is a :class:`HistoryError` with a message naming the file.
"""

from __future__ import annotations

import contextlib
import datetime
import random
import sqlite3
import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any, Final

from ..run_record import OUTCOMES, GateRecord, Outcome, RunHeader, RunOutline, RunRecord
from .liveness import ProcessMark
from .schema import (
    FINISHED,
    GATE_COLUMNS,
    MIGRATIONS,
    RUN_COLUMNS,
    HistoryError,
    connect,
    gate_from_row,
    gate_row,
    is_busy,
    outcome,
    run_fields,
    run_row,
    timestamp,
    translated,
)

__all__ = [
    "DEFAULT_HISTORY",
    "DEFAULT_TIMEOUT",
    "MIGRATIONS",
    "History",
    "HistoryError",
    "history_path",
    "open_history",
]

DEFAULT_HISTORY: Final = Path(".prove/history.db")
DEFAULT_TIMEOUT: Final = 30.0
"""Seconds a writer waits for another one: far longer than a run's transaction takes."""

# Run ids bound per query, below SQLite's limit on bound parameters.
_CHUNK_IDS: Final = 500
_INSERT_RUN: Final = f"INSERT INTO runs ({RUN_COLUMNS}) VALUES ({', '.join('?' * 10)})"
_INSERT_GATE: Final = f"INSERT INTO gates ({GATE_COLUMNS}) VALUES ({', '.join('?' * 16)})"


def history_path(configured: str | None, base_dir: Path) -> Path:
    """Where ``reporting.history`` (relative to the fleet's base directory) puts the file."""
    path = Path(configured) if configured else DEFAULT_HISTORY
    return path if path.is_absolute() else base_dir / path


class History:
    """An open history file.  Use :func:`open_history`; safe to share between threads."""

    def __init__(self, path: Path, connection: sqlite3.Connection, timeout: float) -> None:
        self.path = path
        self._db = connection
        self._timeout = timeout
        self._lock = threading.Lock()

    def __enter__(self) -> History:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def add(self, run: RunRecord) -> None:
        """Store the run and its gates in one transaction (all or nothing)."""
        with self._lock, self._errors("write to"):
            row = run_row(run, None)
            gates = [gate_row(run.id, seq, g) for seq, g in enumerate(run.gates)]
            with self._transaction():
                self._insert_run(row)
                self._db.executemany(_INSERT_GATE, gates)

    def begin(self, run: RunHeader, mark: ProcessMark) -> None:
        """Store a run as it starts: no end yet, so it reads as running while ``mark`` runs."""
        with self._lock, self._errors("write to"), self._transaction():
            self._insert_run(run_row(run, mark))

    def record(
        self,
        run_id: str,
        first_seq: int,
        gates: Sequence[GateRecord],
        *,
        until: datetime.datetime,
        end: int | None = None,
    ) -> None:
        """Add a begun run's next gates, numbered from ``first_seq``, in one transaction.

        :param until: the run's ``finished``: its end, or how far it has got
        :param end: the exit status, when this ends the run
        """
        with self._lock, self._errors("write to"):
            rows = [gate_row(run_id, first_seq + i, g) for i, g in enumerate(gates)]
            with self._transaction():
                self._db.executemany(_INSERT_GATE, rows)
                if end is None:
                    self._db.execute(
                        "UPDATE runs SET finished = ? WHERE id = ?", (timestamp(until), run_id)
                    )
                else:
                    self._db.execute(
                        "UPDATE runs SET finished = ?, exit_status = ?, status = ? WHERE id = ?",
                        (timestamp(until), int(end), FINISHED, run_id),
                    )

    def _insert_run(self, row: Sequence[object]) -> None:
        try:
            self._db.execute(_INSERT_RUN, row)
        except sqlite3.IntegrityError:
            raise HistoryError(f"history {self.path}: run {row[0]} is already in it") from None

    def runs(
        self,
        *,
        since: datetime.datetime | None = None,
        repo: str | None = None,
        limit: int | None = None,
    ) -> list[RunRecord]:
        """Runs, oldest first.

        :param since: only runs started at or after this moment (naive means UTC)
        :param repo: only this repository's gates, and only runs that gated it
        :param limit: only the newest ``limit`` of those runs
        """
        with self._lock, self._errors("read"):
            rows = self._run_rows(since, repo, limit)
            gates = self._gates([str(r[0]) for r in rows], repo)
        return [
            RunRecord(**run_fields(row), gates=tuple(gates.get(str(row[0]), ())))
            for row in reversed(rows)
        ]

    def outlines(self, *, limit: int) -> list[RunOutline]:
        """The newest ``limit`` runs, oldest first, with their gates counted by outcome only.

        What a trend needs, counted by SQLite: a fleet of 1,000 repositories makes 9,000
        gate rows a run, too many to read back for every point of a trend.
        """
        with self._lock, self._errors("read"):
            rows = self._run_rows(None, None, limit)
            tallies: dict[str, dict[Outcome, int]] = {}
            for chunk, marks in _chunks([str(r[0]) for r in rows]):
                sql = (
                    f"SELECT run_id, outcome, COUNT(*) FROM gates WHERE run_id IN ({marks}) "
                    "GROUP BY run_id, outcome"
                )
                for run_id, name, number in self._db.execute(sql, chunk):
                    tally = tallies.setdefault(str(run_id), dict.fromkeys(OUTCOMES, 0))
                    tally[outcome(str(name))] += int(number)
        return [
            RunOutline(
                **run_fields(row),
                tally=tallies.get(str(row[0]), dict.fromkeys(OUTCOMES, 0)),
            )
            for row in reversed(rows)
        ]

    def gate_outcomes(self, run_ids: Sequence[str]) -> dict[str, dict[tuple[str, str], Outcome]]:
        """Each of these runs' gates by (repository, check), outcome only.

        The dashboard's per-gate history: a few runs of 9,000 gates are read as four short
        columns, not as whole records with their findings.
        """
        found: dict[str, dict[tuple[str, str], Outcome]] = {}
        with self._lock, self._errors("read"):
            for chunk, marks in _chunks(run_ids):
                sql = (
                    f"SELECT run_id, repo, check_name, outcome FROM gates WHERE run_id IN ({marks})"
                )
                for run_id, repo, check, name in self._db.execute(sql, chunk):
                    found.setdefault(str(run_id), {})[(str(repo), str(check))] = outcome(str(name))
        return found

    def _run_rows(
        self, since: datetime.datetime | None, repo: str | None, limit: int | None
    ) -> list[Any]:
        where: list[str] = []
        params: list[object] = []
        if since is not None:
            where.append("started >= ?")
            params.append(timestamp(since))
        if repo is not None:
            where.append("id IN (SELECT run_id FROM gates WHERE repo = ?)")
            params.append(repo)
        sql = f"SELECT {RUN_COLUMNS} FROM runs"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY started DESC, id DESC"
        if limit is not None:
            sql += " LIMIT ?"
            params.append(max(0, int(limit)))
        return self._db.execute(sql, params).fetchall()

    def _gates(self, run_ids: Sequence[str], repo: str | None) -> dict[str, list[GateRecord]]:
        found: dict[str, list[GateRecord]] = {}
        for ids, marks in _chunks(run_ids):
            sql = f"SELECT {GATE_COLUMNS} FROM gates WHERE run_id IN ({marks})"
            params: list[object] = list(ids)
            if repo is not None:
                sql += " AND repo = ?"
                params.append(repo)
            for row in self._db.execute(sql + " ORDER BY run_id, seq", params):
                found.setdefault(str(row[0]), []).append(gate_from_row(row))
        return found

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[None]:
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            if self._db.in_transaction:
                self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    def _errors(self, doing: str) -> contextlib.AbstractContextManager[None]:
        return translated(self.path, doing, self._timeout)


def _chunks(run_ids: Sequence[str]) -> Iterator[tuple[Sequence[str], str]]:
    """``run_ids`` in slices SQLite can bind at once, each with its ``?, ?, ...``."""
    for start in range(0, len(run_ids), _CHUNK_IDS):
        chunk = run_ids[start : start + _CHUNK_IDS]
        yield chunk, ", ".join("?" * len(chunk))


def open_history(path: Path, *, timeout: float = DEFAULT_TIMEOUT) -> History:
    """Open (creating the directories and the file if needed) and migrate a history file.

    :param timeout: seconds to wait for another process holding the file's lock
    :raises HistoryError: locked beyond the timeout, not an SQLite file, newer schema, ...
    """
    deadline = time.monotonic() + timeout
    with translated(path, "open", timeout):
        path.parent.mkdir(parents=True, exist_ok=True)
        while True:
            try:
                return History(path, connect(path, timeout), timeout)
            except sqlite3.OperationalError as exc:
                # Switching a new file to WAL, and the first migration, can be refused at
                # once (SQLite skips the busy handler where waiting could deadlock): retry.
                if not is_busy(exc) or time.monotonic() >= deadline:
                    raise
                time.sleep(random.uniform(0.01, 0.05))
