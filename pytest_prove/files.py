"""Files a run reads or leaves behind: whole writes (history aside), and digests."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

__all__ = ["digest_file", "write_atomic"]

_NEW_FILE_MODE = 0o644
_CHUNK = 1 << 20


def digest_file(update: Callable[[bytes], None], path: str) -> None:
    """Feed ``path``'s bytes (a symlink's target; an error's name) to a digest's ``update``."""
    try:
        if os.path.islink(path):  # git stores a symlink as its target
            update(os.fsencode(os.readlink(path)))
            return
        with open(path, "rb") as stream:
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
