"""Paths the configuration names, looked at without letting the file system raise.

A configured path may be a symbolic link loop (``RuntimeError`` from ``Path.resolve``
on Python 3.11), a name longer than the system allows (``ENAMETOOLONG`` from
``Path.is_dir``), a FIFO or a device: each becomes a :class:`PathProblem` with words
the caller puts into a located :class:`~pytest_prove.readers.errors.ConfigError`.
"""

from __future__ import annotations

import errno
import stat
from pathlib import Path
from typing import Literal

from pytest_prove.errors import ProveError

from ..readers.errors import display_path, os_problem

Kind = Literal["file", "directory", "missing", "other"]


class PathProblem(ProveError, ValueError):
    """A path that cannot be used; the message says why and names it."""

    def __init__(self, problem: str, path: Path) -> None:
        self.problem = problem
        self.path = path
        super().__init__(f"{problem}: {display_path(path)}")


def resolved(path: Path) -> Path:
    """``path`` made absolute, links followed as far as they lead.

    :raises PathProblem: a symbolic link loop, a name too long
    """
    try:
        return path.resolve()
    except RuntimeError:  # Python 3.11 reports a symlink loop so; later versions do not
        raise PathProblem("symbolic link loop", path) from None
    except OSError as exc:
        raise PathProblem(os_problem(exc), path) from None


def kind_of(path: Path) -> Kind:
    """What ``path`` is: a regular file, a directory, nothing, or something else (FIFO...).

    :raises PathProblem: it cannot be looked at (a loop, a name too long, no permission)
    """
    try:
        mode = path.stat().st_mode
    except (FileNotFoundError, NotADirectoryError):
        return "missing"
    except OSError as exc:
        if exc.errno == errno.ENOENT:
            return "missing"
        raise PathProblem(os_problem(exc), path) from None
    if stat.S_ISREG(mode):
        return "file"
    if stat.S_ISDIR(mode):
        return "directory"
    return "other"


def file_problem(path: Path, what: str) -> str | None:
    """Why ``path`` cannot be read as ``what`` (``extends file``), or None if it is a file."""
    try:
        kind = kind_of(path)
    except PathProblem as exc:
        return f"{what}: {exc}"
    if kind == "file":
        return None
    shown = display_path(path)
    if kind == "missing":
        return f"{what} not found: {shown}"
    if kind == "directory":
        return f"{what} is a directory: {shown}"
    return f"{what} is not a regular file (a FIFO, socket or device?): {shown}"


def work_tree_top(start: Path) -> Path:
    """The top of the git work tree holding ``start`` (a ``.git`` directory or a submodule's
    ``.git`` file marks it), else ``start`` itself: a folder that is no repository."""
    for folder in (start, *start.parents):
        try:
            if kind_of(folder / ".git") in ("directory", "file"):
                return folder
        except PathProblem:
            continue
    return start
