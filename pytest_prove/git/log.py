"""Commits in a range: the record and the parser of ``git log -z`` with :data:`LOG_FORMAT`."""

from __future__ import annotations

import datetime
import os
from typing import Final, NamedTuple

__all__ = ["LOG_FORMAT", "PATHS_LOG_FORMAT", "Commit", "parse_log", "parse_log_with_paths"]

# NUL between fields and (with -z) after each commit: a message may contain
# anything but NUL, which git refuses in commit messages.  Only what the checks
# read: each author field or formatted date asked of git costs it time on every
# commit (the committer's ISO date with its offset: 12% of the whole log).
LOG_FORMAT: Final = "--format=%H%x00%P%x00%ct%x00%B"
_FIELDS: Final = 4


class Commit(NamedTuple):
    """One commit in range, as git printed it.

    A NamedTuple of the raw strings: a range may hold 10,000 commits, and most
    checks read only the message, so the rest is converted when it is asked for.

    :param sha: the full commit id
    :param parent_ids: parent ids separated by spaces, first parent first
    :param committed: the committer date in seconds since the epoch, as text
    :param message: the raw message, body and trailers included
    """

    sha: str
    parent_ids: str
    committed: str
    message: str

    @property
    def parents(self) -> tuple[str, ...]:
        """Parent ids, first parent first."""
        return tuple(self.parent_ids.split())

    @property
    def committed_at(self) -> datetime.datetime:
        """The committer date, in UTC."""
        return datetime.datetime.fromtimestamp(int(self.committed), datetime.UTC)

    @property
    def subject(self) -> str:
        """The first line of the message."""
        return self.message.split("\n", 1)[0]

    @property
    def is_merge(self) -> bool:
        return " " in self.parent_ids


def parse_log(output: bytes) -> tuple[Commit, ...]:
    """Parse ``git log -z`` output produced with :data:`LOG_FORMAT`.

    Messages that are not UTF-8 are decoded with replacement characters: they
    are shown to people, never used to find files.
    """
    fields = output.decode("utf-8", "replace").split("\0")
    count = len(fields) // _FIELDS
    columns = (fields[i : count * _FIELDS : _FIELDS] for i in range(_FIELDS))
    # Slices and map keep the per-commit work in C: this runs on every commit in range.
    return tuple(map(Commit, *columns))


# The log with each commit's changed paths (``--name-only``), for a repository that serves
# monorepo projects: a record marker the message cannot hold (it has no NUL), then the
# fields of LOG_FORMAT, then the paths.
PATHS_LOG_FORMAT: Final = "--format=%x01%x02C%x00%H%x00%P%x00%ct%x00%B"
_RECORD: Final = b"\x01\x02C\0"


def parse_log_with_paths(output: bytes) -> tuple[tuple[Commit, ...], dict[str, tuple[str, ...]]]:
    """The commits of ``git log -z --name-only`` output produced with
    :data:`PATHS_LOG_FORMAT`, and each one's changed paths by sha.

    A record is the marker, ``sha\0parents\0time\0message\0``, then (when the commit
    changed anything) ``\n`` and the paths, each ended by ``\0``.
    """
    commits = []
    paths: dict[str, tuple[str, ...]] = {}
    for record in output.split(_RECORD):
        fields = record.split(b"\0")
        if len(fields) < _FIELDS:
            continue
        sha, parents, committed, message = (f.decode("utf-8", "replace") for f in fields[:4])
        commits.append(Commit(sha, parents, committed, message))
        changed = fields[_FIELDS:]
        if changed:
            changed[0] = changed[0].removeprefix(b"\n")
        paths[sha] = tuple(os.fsdecode(p) for p in changed if p)
    return tuple(commits), paths
