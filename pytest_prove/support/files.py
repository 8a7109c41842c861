"""Files a run reads or leaves behind: whole writes (history aside), reads, and digests."""

from __future__ import annotations

import errno
import os
import stat
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from pytest_prove.errors import ProveError

__all__ = [
    "NotAFileError",
    "digest_file",
    "open_regular",
    "read_if_present",
    "read_up_to",
    "write_atomic",
]

_NEW_FILE_MODE = 0o644
_CHUNK = 1 << 20
# Opening a FIFO without a writer blocks until one comes; with O_NONBLOCK it does not.
_NO_WAIT = getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)


class NotAFileError(ProveError, OSError):
    """The path names a FIFO, a socket or a device, not a regular file."""


def open_regular(path: str | os.PathLike[str]) -> BinaryIO:
    """Open ``path`` for reading in binary, never waiting on what is not a regular file.

    A repository may hold a FIFO where a file was (``mkfifo``): a plain ``open`` would
    wait for a writer forever.  Reading a regular file is unaffected by ``O_NONBLOCK``.

    :raises IsADirectoryError: ``path`` is a directory, as with ``open``
    :raises NotAFileError: ``path`` is a FIFO, a socket or a device
    :raises OSError: as ``open`` (missing, unreadable, a symlink loop)
    """
    fd = os.open(path, os.O_RDONLY | _NO_WAIT)
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), os.fspath(path))
        if not stat.S_ISREG(mode):
            raise NotAFileError(errno.EINVAL, "not a regular file", os.fspath(path))
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def read_up_to(path: str | os.PathLike[str], limit: int, size: int | None = None) -> bytes:
    """Up to ``limit`` bytes of ``path``, a regular file as far as the caller knows.

    Three system calls (``open``, one ``read``, ``close``) where a file object makes
    nine, among them a buffer of ``limit`` bytes mapped and unmapped.  Opened as
    :func:`open_regular` opens, so a FIFO that took the file's place does not make it wait.

    :param size: the file's size, when the caller has it: the one read asks for one byte
        more, so a file that grew since is still read to ``limit``
    :raises OSError: as ``open`` and ``read``
    """
    fd = os.open(path, os.O_RDONLY | _NO_WAIT)
    try:
        asked = limit if size is None else min(limit, size + 1)
        data = os.read(fd, asked)
        # A regular file's read is short only at its end.
        if len(data) < asked or len(data) >= limit:
            return data
        pieces, total = [data], len(data)
        while total < limit and (more := os.read(fd, min(limit - total, _CHUNK))):
            pieces.append(more)
            total += len(more)
        return b"".join(pieces)
    finally:
        os.close(fd)


def read_if_present(path: str | os.PathLike[str]) -> bytes | None:
    """``path``'s bytes through :func:`open_regular`; ``None`` when there is no such file.

    :raises OSError: anything else that keeps it from being read (a FIFO, a directory,
        permissions)
    """
    try:
        with open_regular(path) as stream:
            return stream.read()
    except FileNotFoundError:
        return None


def digest_file(update: Callable[[bytes], None], path: str) -> None:
    """Feed ``path``'s bytes (a symlink's target; an error's name) to a digest's ``update``."""
    try:
        if os.path.islink(path):  # git stores a symlink as its target
            update(os.fsencode(os.readlink(path)))
            return
        with open_regular(path) as stream:
            while chunk := stream.read(_CHUNK):
                update(chunk)
    except OSError as err:
        # Vanished or unreadable since it was listed: still a state, just a different one.
        update(f"<{type(err).__name__}>".encode())


def write_atomic(path: Path, text: str) -> None:
    """Replace ``path`` with ``text`` so no reader ever sees half a file.

    An existing file keeps its permission bits; a new one is readable by all
    (mkstemp's 0600 would hide a config file or a dashboard from the other users
    of a shared checkout or web server).  Parent directories are created.

    :raises OSError: the file cannot be written (nothing is left behind)
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        mode = path.stat().st_mode & 0o777
    except OSError:
        mode = _NEW_FILE_MODE
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
