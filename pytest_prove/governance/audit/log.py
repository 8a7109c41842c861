"""The audit log: append-only JSON lines, each chained to the one before by SHA-256.

Every entry holds ``seq`` (its 1-based line number), ``prev`` (the previous entry's
``hash``; 64 zeros for the first) and ``hash``, the SHA-256 of its own canonical JSON
without ``hash``.  So an edited line fails its own hash, and a removed, inserted or
reordered line breaks ``prev``/``seq`` at the first line after the change.  Removing
lines from the *end* leaves a valid, shorter chain: keep the head hash that
``prove audit verify`` prints somewhere else to detect that.

Writers take an exclusive ``flock`` on the file for read-last-entry + append, so
concurrent runs and syncs never fork the chain.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime
import fcntl
import hashlib
import json
import os
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import IO, Any, Final

from pytest_prove.errors import ProveError

from ...engines.command.reports import ReportError, load_json

DEFAULT_AUDIT_LOG: Final = ".prove/audit.jsonl"
GENESIS: Final = "0" * 64
_TAIL_CHUNK: Final = 64 * 1024
_EDITED: Final = "edited: the entry does not match its own hash"


class AuditError(ProveError):
    """The log cannot be appended to (unwritable, or its last entry is damaged)."""


def _canonical(entry: Mapping[str, Any]) -> bytes:
    body = {k: v for k, v in entry.items() if k != "hash"}
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def entry_hash(entry: Mapping[str, Any]) -> str:
    return hashlib.sha256(_canonical(entry)).hexdigest()


def _last_line(handle: IO[bytes]) -> bytes | None:
    """The file's last line (without its newline), None when the file is empty."""
    end = handle.seek(0, os.SEEK_END)
    if end == 0:
        return None
    handle.seek(end - 1)
    if handle.read(1) != b"\n":
        raise AuditError("the last entry is incomplete (no final newline)")
    position = end - 1
    tail = b""
    while position > 0:
        start = max(0, position - _TAIL_CHUNK)
        handle.seek(start)
        tail = handle.read(position - start) + tail
        newline = tail.rfind(b"\n")
        if newline >= 0:
            return tail[newline + 1 :]
        position = start
    return tail


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[IO[bytes]]:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o644)
    with os.fdopen(fd, "r+b") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield handle
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


@dataclasses.dataclass(frozen=True)
class AuditLog:
    """The log at ``path`` (created with its directory on the first append)."""

    path: Path

    def append(self, kind: str, actor: str | None, data: Mapping[str, Any]) -> dict[str, Any]:
        """Add one entry; returns it as written.

        :param kind: ``run``, ``waiver-refused``, ``sync``, ``rollback``, ``refused``
        :raises AuditError: the log cannot be written or its last entry is unreadable
        """
        try:
            with _locked(self.path) as handle:
                last = _last_line(handle)
                prev, seq = GENESIS, 1
                if last is not None:
                    try:
                        previous = load_json(last.decode("utf-8"))
                        prev, seq = str(previous["hash"]), int(previous["seq"]) + 1
                    except (ValueError, KeyError, TypeError):  # ReportError is a ValueError
                        raise AuditError(
                            "its last entry is damaged: run `prove audit verify`"
                        ) from None
                entry: dict[str, Any] = {
                    "seq": seq,
                    "time": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
                    "kind": kind,
                    "actor": actor,
                    "data": dict(data),
                    "prev": prev,
                }
                entry["hash"] = entry_hash(entry)
                line = json.dumps(entry, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
                handle.write(line.encode() + b"\n")
                handle.flush()
                os.fsync(handle.fileno())
                return entry
        except OSError as exc:
            raise AuditError(f"cannot write {self.path}: {exc.strerror or exc}") from None
        except AuditError as exc:
            raise AuditError(f"{self.path}: {exc}") from None


@dataclasses.dataclass(frozen=True)
class Verification:
    """The outcome of :func:`verify_log`: ``bad_line`` (1-based) and why, or the head."""

    entries: int
    head: str
    bad_line: int | None = None
    problem: str = ""


def _entry(raw: bytes) -> dict[str, Any] | str:
    """The intact entry of one line of the log, or what is wrong with the line."""
    if not raw.endswith(b"\n"):
        return "incomplete line (no final newline)"
    try:
        entry = load_json(raw.decode("utf-8"))
        # json parses depths its (recursive) encoder cannot take again: entry_hash may fail
        if isinstance(entry, dict) and {"seq", "prev", "hash"} <= entry.keys():
            return entry if entry["hash"] == entry_hash(entry) else _EDITED
    except UnicodeDecodeError:
        return "not a JSON entry (not UTF-8)"
    except ReportError as exc:
        return f"not a JSON entry ({exc})"
    except RecursionError:
        return "not an audit entry: nested too deeply"
    return "not an audit entry (seq/prev/hash)"


def verify_log(path: Path) -> Verification:
    """Check every entry's hash and its link to the one before; stop at the first bad line."""
    prev, count = GENESIS, 0
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            entry = _entry(raw)
            if isinstance(entry, str):
                return Verification(count, prev, number, entry)
            if entry["prev"] != prev or entry["seq"] != number:
                return Verification(
                    count,
                    prev,
                    number,
                    f"chain broken: it does not follow line {number - 1} (an entry was edited,"
                    " removed, inserted or reordered)"
                    if number > 1
                    else "chain broken: the first entry does not start the chain",
                )
            prev, count = entry["hash"], number
    return Verification(count, prev)
