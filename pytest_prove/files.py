"""Writing the files a run leaves behind (history aside): whole or not at all."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

__all__ = ["write_atomic"]

_NEW_FILE_MODE = 0o644


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
