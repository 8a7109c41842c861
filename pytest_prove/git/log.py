"""Commits in a range: the record and the parser of ``git log -z`` with :data:`LOG_FORMAT`."""

from __future__ import annotations

import datetime
import os
from typing import Final, NamedTuple

__all__ = ["LOG_FORMAT", "Commit", "parse_changed_paths", "parse_log"]

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


def parse_changed_paths(out: bytes) -> dict[str, tuple[str, ...]]:
    """Each commit's changed paths by sha, from ``git log -z --format=%x01%H --name-only``.

    A record is ``\x01<sha>\0``, then (when it changed anything) ``\n`` and the paths,
    each ended by ``\0``.
    """
    found: dict[str, tuple[str, ...]] = {}
    for record in out.split(b"\x01"):
        if not record:
            continue
        sha, _, rest = record.partition(b"\0")
        paths = rest.removeprefix(b"\n").split(b"\0")
        found[sha.decode("ascii", "replace")] = tuple(os.fsdecode(p) for p in paths if p)
    return found
