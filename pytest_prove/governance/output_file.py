"""Writing a command's output file: one clear usage error when it cannot be written."""

from __future__ import annotations

from pathlib import Path

from ..errors import UsageError
from ..support.files import write_atomic


def write_new_file(target: Path, text: str, *, force: bool, who: str) -> None:
    """Write ``text`` to ``target`` atomically; an existing file needs ``force``.

    :raises UsageError: the file exists (without ``force``) or cannot be written
    """
    if target.exists() and not force:
        raise UsageError(f"{who}: {target} already exists; use --force to overwrite it")
    if target.is_dir():
        raise UsageError(f"{who}: {target} is a directory")
    try:
        write_atomic(target, text)
    except OSError as exc:
        raise UsageError(f"{who}: cannot write {target}: {exc.strerror or exc}") from None


def write_output(target: Path, text: str, *, who: str) -> None:
    """Write ``text`` to ``target`` (replacing it) in place: ``-o /dev/stdout`` must work.

    :raises UsageError: ``target`` is a directory or cannot be written
    """
    try:
        target.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"{who}: cannot write {target}: {exc.strerror or exc}") from None
