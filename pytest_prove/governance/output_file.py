"""Writing a generated config file: never over an existing one unless forced."""

from __future__ import annotations

from pathlib import Path

from ..files import write_atomic
from ..usage import UsageError


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
