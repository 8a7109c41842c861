"""The one error type every configuration problem is funnelled into."""

from __future__ import annotations

import contextlib
import errno
import os
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from pytest_prove.errors import ProveError

from ..support.wording import printable

KeyPath = tuple[str | int, ...]
Locate = Callable[[str, KeyPath], "ConfigError"]
"""Builds the error for a problem at a key path (of one file, or below a prefix)."""


def format_key_path(parts: Sequence[str | int]) -> str:
    """``("repositories", 2, "checks", 0)`` -> ``repositories[2].checks[0]``."""
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            shown = printable(part)  # a key is the user's text: no escape sequences
            out += f".{shown}" if out else shown
    return out


def display_path(path: Path) -> str:
    """A path as the user most likely typed it: relative to the cwd when below it."""
    try:
        return os.path.relpath(path)
    except ValueError:  # another drive on Windows
        return str(path)


_OS_PROBLEMS = {
    errno.ENOENT: "file not found",
    errno.ENOTDIR: "file not found (a parent is not a directory)",
    errno.EISDIR: "is a directory, not a file",
    errno.ELOOP: "symbolic link loop",
    errno.ENAMETOOLONG: "file name too long",
    errno.EACCES: "permission denied",
}


def os_problem(exc: OSError) -> str:
    """What an OSError about a configured path means, in words (the path is shown apart)."""
    known = _OS_PROBLEMS.get(exc.errno or 0)
    return known if known is not None else f"cannot read: {exc.strerror or exc}"


class ConfigError(ProveError):
    """A configuration that cannot be run.

    The message names the file (and line when known), the key path and the problem,
    e.g. ``multi.yaml:12: repositories[2] (name='api').checks[0]: unknown check 'secuirty'``.
    """

    def __init__(
        self,
        problem: str,
        *,
        file: Path | None = None,
        key_path: str = "",
        line: int | None = None,
    ) -> None:
        self.problem = problem
        self.file = file
        self.key_path = key_path
        self.line = line
        super().__init__(str(self))

    def __str__(self) -> str:
        where = ""
        if self.file is not None:
            where = display_path(self.file)
            if self.line is not None:
                where += f":{self.line}"
        parts = [p for p in (where, self.key_path) if p]
        return ": ".join([*parts, self.problem])


MAX_SHOWN = 20
"""Problems listed in one message; past these, a count (a file broken throughout, a
shared ``global`` mistake met by every repository, would otherwise fill the screen)."""


class ConfigErrors(ConfigError):
    """Several problems found in one load, reported together.

    It reads as the first problem (``problem``, ``file``, ``line``... are the first's),
    then every other one on a line of its own, ``... and N more`` past :data:`MAX_SHOWN`.
    """

    def __init__(self, errors: Sequence[ConfigError]) -> None:
        self.errors = tuple(errors)
        first = self.errors[0]
        super().__init__(first.problem, file=first.file, key_path=first.key_path, line=first.line)

    def __str__(self) -> str:
        lines = [ConfigError.__str__(e) for e in self.errors[:MAX_SHOWN]]
        if len(self.errors) > MAX_SHOWN:
            lines.append(f"... and {len(self.errors) - MAX_SHOWN} more")
        return "\n".join(lines)


def combined(errors: Sequence[ConfigError]) -> ConfigError:
    """One error for ``errors`` (at least one): each problem once, in file order, by line."""
    flat: dict[str, ConfigError] = {}
    for error in errors:
        for one in error.errors if isinstance(error, ConfigErrors) else (error,):
            # A mistake in a shared layer (``global``) is met once per repository.
            flat.setdefault(ConfigError.__str__(one), one)
    files = list(dict.fromkeys(e.file for e in flat.values()))
    ordered = sorted(
        flat.values(), key=lambda e: (files.index(e.file), e.line if e.line is not None else 0)
    )
    return ordered[0] if len(ordered) == 1 else ConfigErrors(ordered)


class Problems:
    """The problems of one load, gathered so that a run reports all of them (#20)."""

    def __init__(self) -> None:
        self.found: list[ConfigError] = []

    @contextlib.contextmanager
    def collecting(self) -> Iterator[None]:
        """Record a :class:`ConfigError` raised inside, and go on after the block."""
        try:
            yield
        except ConfigError as exc:
            self.found.append(exc)

    def raise_any(self) -> None:
        """:raises ConfigError: every problem recorded so far, as one"""
        if self.found:
            raise combined(self.found)


def prefixed(locate: Locate, prefix: KeyPath) -> Locate:
    """``locate`` for key paths below ``prefix`` (a list entry, a section)."""

    def located(problem: str, path: KeyPath) -> ConfigError:
        return locate(problem, (*prefix, *path))

    return located
