"""The run history: every run and gate result in an embedded SQLite file.

One file (default ``.prove/history.db`` under the fleet's base directory) may be
written by several CI jobs at once: each run is one ``BEGIN IMMEDIATE`` transaction,
the journal is in WAL mode (readers never wait for a writer) and a busy timeout makes
a second writer wait its turn instead of failing.  The schema version is SQLite's
``PRAGMA user_version``; :data:`MIGRATIONS` lists the steps from one version to the
next, so an old file is upgraded in place and a file from a newer prove is refused.

Every problem (locked beyond the timeout, not a database, newer schema, unwritable
directory) is a :class:`HistoryError` with a message naming the file.
"""

from __future__ import annotations

import contextlib
import datetime
import json
import random
import sqlite3
import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any, Final

from .run_record import OUTCOMES, GateRecord, Outcome, RunOutline, RunRecord

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

# Step i takes the schema from version i to i + 1.  Never edit a released step: append one.
MIGRATIONS: Final[tuple[str, ...]] = (
    """
    CREATE TABLE runs (
        id TEXT PRIMARY KEY,
        started TEXT NOT NULL,
        finished TEXT NOT NULL,
        host TEXT NOT NULL,
        command TEXT NOT NULL,
        config_digest TEXT NOT NULL,
        exit_status INTEGER NOT NULL
    );
    CREATE INDEX runs_started ON runs (started);
    CREATE TABLE gates (
        run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        seq INTEGER NOT NULL,
        nodeid TEXT NOT NULL,
        repo TEXT NOT NULL,
        check_name TEXT NOT NULL,
        outcome TEXT NOT NULL,
        duration REAL NOT NULL,
        summary TEXT NOT NULL,
        reason TEXT NOT NULL,
        mode TEXT NOT NULL,
        base TEXT NOT NULL,
        head TEXT NOT NULL,
        findings TEXT NOT NULL,
        metrics TEXT NOT NULL,
        waivers TEXT NOT NULL,
        PRIMARY KEY (run_id, seq)
    );
    CREATE INDEX gates_repo_check ON gates (repo, check_name);
    """,
)

# Run ids bound per query, below SQLite's limit on bound parameters.
_CHUNK_IDS: Final = 500
_GATE_COLUMNS: Final = (
    "run_id, seq, nodeid, repo, check_name, outcome, duration, summary, reason, "
    "mode, base, head, findings, metrics, waivers"
)


def history_path(configured: str | None, base_dir: Path) -> Path:
    """Where ``reporting.history`` (relative to the fleet's base directory) puts the file."""
    path = Path(configured) if configured else DEFAULT_HISTORY
    return path if path.is_absolute() else base_dir / path


class HistoryError(Exception):
    """The history file cannot be used; the message names the file and why."""


def _timestamp(moment: datetime.datetime) -> str:
    """Fixed-width UTC, so that text order is time order in SQL comparisons."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.UTC)
    return moment.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _moment(text: str) -> datetime.datetime:
    return datetime.datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=datetime.UTC)


def _json(value: object) -> str:
    # default=str: a check's metric of an odd type must not cost the run its history.
    return json.dumps(value, default=str)


def _text(value: str) -> str:
    """Lone surrogates (git output of non-UTF-8 names) as ``\\udcxx``: SQLite takes UTF-8 only."""
    return value.encode("utf-8", "backslashreplace").decode("utf-8")


def _gate_row(run_id: str, seq: int, g: GateRecord) -> tuple[object, ...]:
    return (
        run_id,
        seq,
        _text(g.nodeid),
        _text(g.repo),
        _text(g.check),
        g.outcome,
        float(g.duration),
        _text(g.summary),
        _text(g.reason),
        _text(g.mode),
        _text(g.base),
        _text(g.head),
        _json([dict(f) for f in g.findings]),
        _json(dict(g.metrics)),
        _json(list(g.waivers)),
    )


def _outcome(text: str) -> Outcome:
    return text if text in OUTCOMES else "error"


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
            row = (
                run.id,
                _timestamp(run.started),
                _timestamp(run.finished),
                _text(run.host),
                _json(list(run.command)),
                run.config_digest,
                int(run.exit_status),
            )
            gates = [_gate_row(run.id, seq, g) for seq, g in enumerate(run.gates)]
            with self._transaction():
                try:
                    self._db.execute("INSERT INTO runs VALUES (?, ?, ?, ?, ?, ?, ?)", row)
                except sqlite3.IntegrityError:
                    raise HistoryError(
                        f"history {self.path}: run {run.id} is already in it"
                    ) from None
                self._db.executemany(
                    f"INSERT INTO gates ({_GATE_COLUMNS}) VALUES ({', '.join('?' * 15)})", gates
                )

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
            RunRecord(**_run_fields(row), gates=tuple(gates.get(str(row[0]), ())))
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
                for run_id, outcome, number in self._db.execute(sql, chunk):
                    tally = tallies.setdefault(str(run_id), dict.fromkeys(OUTCOMES, 0))
                    tally[_outcome(str(outcome))] += int(number)
        return [
            RunOutline(
                **_run_fields(row),
                tally=tallies.get(str(row[0]), dict.fromkeys(OUTCOMES, 0)),
            )
            for row in reversed(rows)
        ]

    def _run_rows(
        self, since: datetime.datetime | None, repo: str | None, limit: int | None
    ) -> list[Any]:
        where: list[str] = []
        params: list[object] = []
        if since is not None:
            where.append("started >= ?")
            params.append(_timestamp(since))
        if repo is not None:
            where.append("id IN (SELECT run_id FROM gates WHERE repo = ?)")
            params.append(repo)
        sql = "SELECT id, started, finished, host, command, config_digest, exit_status FROM runs"
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
            sql = f"SELECT {_GATE_COLUMNS} FROM gates WHERE run_id IN ({marks})"
            params: list[object] = list(ids)
            if repo is not None:
                sql += " AND repo = ?"
                params.append(repo)
            for row in self._db.execute(sql + " ORDER BY run_id, seq", params):
                found.setdefault(str(row[0]), []).append(_gate(row))
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
        return _translated(self.path, doing, self._timeout)


def _chunks(run_ids: Sequence[str]) -> Iterator[tuple[Sequence[str], str]]:
    """``run_ids`` in slices SQLite can bind at once, each with its ``?, ?, ...``."""
    for start in range(0, len(run_ids), _CHUNK_IDS):
        chunk = run_ids[start : start + _CHUNK_IDS]
        yield chunk, ", ".join("?" * len(chunk))


def _run_fields(row: Sequence[Any]) -> dict[str, Any]:
    run_id, started, finished, host, command, digest, status = row
    return {
        "id": str(run_id),
        "started": _moment(started),
        "finished": _moment(finished),
        "host": str(host),
        "command": tuple(str(word) for word in json.loads(command)),
        "config_digest": str(digest),
        "exit_status": int(status),
    }


def _gate(row: Sequence[Any]) -> GateRecord:
    (_, _, nodeid, repo, check, outcome, duration, summary, reason, mode, base, head,
     findings, metrics, waivers) = row  # fmt: skip
    return GateRecord(
        nodeid=str(nodeid),
        repo=str(repo),
        check=str(check),
        outcome=_outcome(str(outcome)),
        duration=float(duration),
        summary=str(summary),
        reason=str(reason),
        mode=str(mode),
        base=str(base),
        head=str(head),
        findings=tuple(json.loads(findings)),
        metrics=json.loads(metrics),
        waivers=tuple(str(w) for w in json.loads(waivers)),
    )


@contextlib.contextmanager
def _translated(path: Path, doing: str, timeout: float) -> Iterator[None]:
    """sqlite3's and the file system's errors as one :class:`HistoryError` naming the file."""
    try:
        yield
    except HistoryError:
        raise
    except sqlite3.OperationalError as exc:
        text = str(exc)
        if _is_busy(exc):
            raise HistoryError(
                f"history {path}: cannot {doing} it: still locked by another process "
                f"after waiting {timeout:g}s ({text})"
            ) from None
        raise HistoryError(f"history {path}: cannot {doing} it: {text}") from None
    except sqlite3.DatabaseError as exc:
        # "file is not a database", "database disk image is malformed"
        raise HistoryError(
            f"history {path}: cannot {doing} it: {exc}; move the file aside to start a new history"
        ) from None
    except (sqlite3.Error, OSError, ValueError, TypeError) as exc:
        # ValueError: a row whose JSON or timestamp another program wrote badly;
        # TypeError: a finding that is not JSON (a dict with tuple keys).
        raise HistoryError(f"history {path}: cannot {doing} it: {exc}") from None


def _migrate(db: sqlite3.Connection, path: Path) -> None:
    version = int(db.execute("PRAGMA user_version").fetchone()[0])
    if version > len(MIGRATIONS):
        raise HistoryError(
            f"history {path}: schema version {version} is newer than this prove knows "
            f"({len(MIGRATIONS)}); upgrade pytest-prove or use another history file"
        )
    if version == len(MIGRATIONS):
        return
    db.execute("BEGIN IMMEDIATE")
    try:
        # Another process may have migrated while this one waited for the lock.
        version = int(db.execute("PRAGMA user_version").fetchone()[0])
        for step in range(version, len(MIGRATIONS)):
            for statement in MIGRATIONS[step].split(";"):
                if statement.strip():
                    db.execute(statement)
            db.execute(f"PRAGMA user_version = {step + 1}")
    except BaseException:
        if db.in_transaction:
            db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")


def _connect(path: Path, timeout: float) -> sqlite3.Connection:
    # isolation_level=None: transactions are begun explicitly (BEGIN IMMEDIATE).
    db = sqlite3.connect(path, timeout=timeout, isolation_level=None, check_same_thread=False)
    try:
        db.execute("PRAGMA foreign_keys = ON")
        mode = str(db.execute("PRAGMA journal_mode").fetchone()[0]).lower()
        if mode != "wal":
            mode = str(db.execute("PRAGMA journal_mode = WAL").fetchone()[0]).lower()
        if mode != "wal":
            raise HistoryError(f"history {path}: cannot use WAL journal mode (got {mode})")
        _migrate(db, path)
    except BaseException:
        db.close()
        raise
    return db


def _is_busy(exc: sqlite3.OperationalError) -> bool:
    return "locked" in str(exc) or "busy" in str(exc)


def open_history(path: Path, *, timeout: float = DEFAULT_TIMEOUT) -> History:
    """Open (creating the directories and the file if needed) and migrate a history file.

    :param timeout: seconds to wait for another process holding the file's lock
    :raises HistoryError: locked beyond the timeout, not an SQLite file, newer schema, ...
    """
    deadline = time.monotonic() + timeout
    with _translated(path, "open", timeout):
        path.parent.mkdir(parents=True, exist_ok=True)
        while True:
            try:
                return History(path, _connect(path, timeout), timeout)
            except sqlite3.OperationalError as exc:
                # Switching a new file to WAL, and the first migration, can be refused at
                # once (SQLite skips the busy handler where waiting could deadlock): retry.
                if not _is_busy(exc) or time.monotonic() >= deadline:
                    raise
                time.sleep(random.uniform(0.01, 0.05))
