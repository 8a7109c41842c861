"""The history file's format: its schema and upgrades, and records as rows and back.

The schema version is SQLite's ``PRAGMA user_version``; :data:`MIGRATIONS` lists the
steps from one version to the next, so an old file is upgraded in place and a file
from a newer prove is refused.  sqlite3's and the file system's errors all become one
:class:`HistoryError` naming the file (:func:`translated`).
"""

from __future__ import annotations

import contextlib
import datetime
import json
import sqlite3
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, Final

from pytest_prove.errors import ProveError

from ..run_record import OUTCOMES, GateRecord, Outcome, RunHeader, RunStatus
from .liveness import ProcessMark, process_state

__all__ = [
    "FINISHED",
    "GATE_COLUMNS",
    "MIGRATIONS",
    "RUNNING",
    "RUN_COLUMNS",
    "HistoryError",
    "HistoryLockedError",
    "connect",
    "gate_from_row",
    "gate_row",
    "is_busy",
    "json_text",
    "moment",
    "outcome",
    "run_fields",
    "run_row",
    "text",
    "timestamp",
    "translated",
]

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
    # A run's row is written as it starts and its gates as they finish: 'running' until
    # its end is recorded; pid and process_start tell whether its process is still there.
    """
    ALTER TABLE runs ADD COLUMN status TEXT NOT NULL DEFAULT 'finished';
    ALTER TABLE runs ADD COLUMN pid INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE runs ADD COLUMN process_start TEXT NOT NULL DEFAULT '';
    """,
    # The repository's page on its forge, so the dashboard links a finding to its line.
    """
    ALTER TABLE gates ADD COLUMN forge TEXT NOT NULL DEFAULT '';
    """,
)

GATE_COLUMNS: Final = (
    "run_id, seq, nodeid, repo, check_name, outcome, duration, summary, reason, "
    "mode, base, head, findings, metrics, waivers, forge"
)
RUN_COLUMNS: Final = (
    "id, started, finished, host, command, config_digest, exit_status, status, pid, process_start"
)
# The values of runs.status; what a reader makes of 'running' is :func:`run_fields`' job.
RUNNING: Final = "running"
FINISHED: Final = "finished"


class HistoryError(ProveError):
    """The history file cannot be used; the message names the file and why."""


class HistoryLockedError(HistoryError):
    """Another process held the file's lock for longer than the timeout: try again later."""


def timestamp(moment: datetime.datetime) -> str:
    """Fixed-width UTC, so that text order is time order in SQL comparisons."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.UTC)
    return moment.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def moment(text: str) -> datetime.datetime:
    return datetime.datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=datetime.UTC)


def json_text(value: object) -> str:
    # default=str: a check's metric of an odd type must not cost the run its history.
    return json.dumps(value, default=str)


def text(value: str) -> str:
    """Lone surrogates (git output of non-UTF-8 names) as ``\\udcxx``: SQLite takes UTF-8 only."""
    return value.encode("utf-8", "backslashreplace").decode("utf-8")


def outcome(name: str) -> Outcome:
    return name if name in OUTCOMES else "error"


def gate_row(run_id: str, seq: int, g: GateRecord) -> tuple[object, ...]:
    return (
        run_id,
        seq,
        text(g.nodeid),
        text(g.repo),
        text(g.check),
        g.outcome,
        float(g.duration),
        text(g.summary),
        text(g.reason),
        text(g.mode),
        text(g.base),
        text(g.head),
        json_text([dict(f) for f in g.findings]),
        json_text(dict(g.metrics)),
        json_text(list(g.waivers)),
        text(g.forge),
    )


def run_row(run: RunHeader, mark: ProcessMark | None) -> tuple[object, ...]:
    """The ``runs`` row (:data:`RUN_COLUMNS`); ``mark``: where a run without its end runs."""
    return (
        run.id,
        timestamp(run.started),
        timestamp(run.finished),
        text(run.host),
        json_text(list(run.command)),
        run.config_digest,
        int(run.exit_status),
        FINISHED if run.status == "finished" else RUNNING,
        mark.pid if mark else 0,
        mark.start if mark else "",
    )


def run_fields(row: Sequence[Any]) -> dict[str, Any]:
    """The :class:`RunHeader` fields of a ``runs`` row (:data:`RUN_COLUMNS`)."""
    run_id, started, finished, host, command, digest, exit_status, status, pid, start = row
    state: RunStatus = "finished"
    if status != FINISHED:
        mark = ProcessMark(host=str(host), pid=int(pid), start=str(start))
        state = "running" if process_state(mark) == "running" else "interrupted"
    return {
        "id": str(run_id),
        "started": moment(started),
        "finished": moment(finished),
        "host": str(host),
        "command": tuple(str(word) for word in json.loads(command)),
        "config_digest": str(digest),
        "exit_status": int(exit_status),
        "status": state,
    }


def gate_from_row(row: Sequence[Any]) -> GateRecord:
    (_, _, nodeid, repo, check, result, duration, summary, reason, mode, base, head,
     findings, metrics, waivers, forge) = row  # fmt: skip
    return GateRecord(
        nodeid=str(nodeid),
        repo=str(repo),
        check=str(check),
        outcome=outcome(str(result)),
        duration=float(duration),
        summary=str(summary),
        reason=str(reason),
        mode=str(mode),
        base=str(base),
        head=str(head),
        findings=tuple(json.loads(findings)),
        metrics=json.loads(metrics),
        waivers=tuple(str(w) for w in json.loads(waivers)),
        forge=str(forge),
    )


@contextlib.contextmanager
def translated(path: Path, doing: str, timeout: float) -> Iterator[None]:
    """sqlite3's and the file system's errors as one :class:`HistoryError` naming the file."""
    try:
        yield
    except HistoryError:
        raise
    except sqlite3.OperationalError as exc:
        message = str(exc)
        if is_busy(exc):
            raise HistoryLockedError(
                f"history {path}: cannot {doing} it: still locked by another process "
                f"after waiting {timeout:g}s ({message})"
            ) from None
        raise HistoryError(f"history {path}: cannot {doing} it: {message}") from None
    except sqlite3.DatabaseError as exc:
        # "file is not a database", "database disk image is malformed"
        raise HistoryError(
            f"history {path}: cannot {doing} it: {exc}; move the file aside to start a new history"
        ) from None
    except (sqlite3.Error, OSError, ValueError, TypeError) as exc:
        # ValueError: a row whose JSON or timestamp another program wrote badly;
        # TypeError: a finding that is not JSON (a dict with tuple keys).
        raise HistoryError(f"history {path}: cannot {doing} it: {exc}") from None


def is_busy(exc: sqlite3.OperationalError) -> bool:
    return "locked" in str(exc) or "busy" in str(exc)


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


def connect(path: Path, timeout: float) -> sqlite3.Connection:
    """A connection in WAL mode to the file at the current schema version."""
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
