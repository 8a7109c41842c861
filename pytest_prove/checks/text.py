"""Reading repository files as text for checks that scan content.

Scanners (flags, secrets, tests-for-changes, specs) must survive what real
repositories hold: binary files, other encodings, huge generated files,
symlinks pointing out of the tree, files that vanished since git listed them.
Each of those is "not text" here, never an exception.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Final, Literal

__all__ = ["DEFAULT_MAX_BYTES", "TextFile", "read_text"]

DEFAULT_MAX_BYTES: Final = 2 * 1024 * 1024
# git's own heuristic: a NUL in the first 8000 bytes means binary.
_BINARY_SNIFF: Final = 8000

Unreadable = Literal["missing", "binary", "not-utf-8", "too-large", "outside"]


@dataclasses.dataclass(frozen=True)
class TextFile:
    """The outcome of :func:`read_text`: ``text`` or the reason there is none."""

    path: str
    text: str | None = None
    skipped: Unreadable | None = None


def read_text(root: Path, path: str, *, max_bytes: int = DEFAULT_MAX_BYTES) -> TextFile:
    """The UTF-8 text of ``root / path`` (``path`` repository-relative, ``/``-separated).

    A BOM is dropped; ``\\r\\n`` is kept (line numbers do not change).  Files that are
    missing, binary, not UTF-8, larger than ``max_bytes`` or that resolve outside
    ``root`` come back with ``skipped`` set instead of raising.
    """
    target = root / path
    try:
        if not target.resolve().is_relative_to(root.resolve()):
            return TextFile(path, skipped="outside")
        with target.open("rb") as stream:
            data = stream.read(max_bytes + 1)
    except (OSError, RuntimeError):  # RuntimeError: a symlink loop
        return TextFile(path, skipped="missing")
    if len(data) > max_bytes:
        return TextFile(path, skipped="too-large")
    if b"\0" in data[:_BINARY_SNIFF]:
        return TextFile(path, skipped="binary")
    try:
        return TextFile(path, text=data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        return TextFile(path, skipped="not-utf-8")
