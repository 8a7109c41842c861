"""Commits in a range: the record and the parser of ``git log -z`` with :data:`LOG_FORMAT`."""

from __future__ import annotations

import datetime
from typing import Final, NamedTuple

__all__ = ["LOG_FORMAT", "Commit", "parse_log"]

# NUL between fields and (with -z) after each commit: a message may contain
# anything but NUL, which git refuses in commit messages.
LOG_FORMAT: Final = "--format=%H%x00%P%x00%an%x00%ae%x00%aI%x00%cI%x00%B"
_FIELDS: Final = 7


class Commit(NamedTuple):
    """One commit between the merge base and ``HEAD``.

    A NamedTuple rather than a frozen dataclass: a range may hold 10,000 commits,
    and building a tuple costs a fraction of a dataclass's ``__init__``.

    :param sha: the full commit id
    :param parents: parent ids, first parent first
    :param authored_at: timezone-aware author date
    :param committed_at: timezone-aware committer date
    :param message: the raw message, body and trailers included
    """

    sha: str
    parents: tuple[str, ...]
    author_name: str
    author_email: str
    authored_at: datetime.datetime
    committed_at: datetime.datetime
    message: str

    @property
    def subject(self) -> str:
        """The first line of the message."""
        return self.message.split("\n", 1)[0]

    @property
    def is_merge(self) -> bool:
        return len(self.parents) > 1


def parse_log(output: bytes) -> tuple[Commit, ...]:
    """Parse ``git log -z`` output produced with :data:`LOG_FORMAT`.

    Names and messages that are not UTF-8 are decoded with replacement
    characters: they are shown to people, never used to find files.
    """
    fields = output.decode("utf-8", "replace").split("\0")
    return tuple(
        _commit(fields[i : i + _FIELDS]) for i in range(0, len(fields) - _FIELDS + 1, _FIELDS)
    )


def _commit(fields: list[str]) -> Commit:
    sha, parents, author_name, author_email, authored, committed, message = fields
    return Commit(
        sha,
        tuple(parents.split()),
        author_name,
        author_email,
        datetime.datetime.fromisoformat(authored),
        datetime.datetime.fromisoformat(committed),
        message,
    )
