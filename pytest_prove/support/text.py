"""Reading repository files as text for checks that scan content.

Scanners (flags, secrets, tests-for-changes, specs) must survive what real
repositories hold: binary files, other encodings, huge generated files,
symlinks pointing out of the tree, files that vanished since git listed them,
a FIFO where a file was.  Each of those is "not text" here, never an exception
nor a wait.
"""

from __future__ import annotations

import dataclasses
import functools
import os
import stat
from pathlib import Path
from typing import Final, Literal

from pytest_prove.support.files import NotAFileError, open_regular, read_up_to

__all__ = ["DEFAULT_MAX_BYTES", "TextFile", "read_head", "read_text", "text_of"]

DEFAULT_MAX_BYTES: Final = 2 * 1024 * 1024
# git's own heuristic: a NUL in the first 8000 bytes means binary.
_BINARY_SNIFF: Final = 8000

Unreadable = Literal["missing", "binary", "not-utf-8", "too-large", "outside", "not-a-file"]


@dataclasses.dataclass(frozen=True)
class TextFile:
    """The outcome of :func:`read_text`: ``text`` or the reason there is none."""

    path: str
    text: str | None = None
    skipped: Unreadable | None = None


def read_text(root: Path, path: str, *, max_bytes: int = DEFAULT_MAX_BYTES) -> TextFile:
    """The UTF-8 text of ``root / path`` (``path`` repository-relative, ``/``-separated).

    A BOM is dropped; ``\\r\\n`` is kept (line numbers do not change).  Files that are
    missing (or a directory), binary, not UTF-8, larger than ``max_bytes``, that resolve
    outside ``root``, or that are no regular file (a FIFO, a socket, a device) come back
    with ``skipped`` set instead of raising or waiting.
    """
    data = _read_bytes(root, root / path, max_bytes)
    if isinstance(data, str):
        return TextFile(path, skipped=data)
    return text_of(path, data, max_bytes=max_bytes)


def text_of(path: str, data: bytes, *, max_bytes: int = DEFAULT_MAX_BYTES) -> TextFile:
    """``data`` (the content of ``path``, from disk or a git blob) as :func:`read_text`
    gives it: too large, binary and undecodable content come back ``skipped``."""
    if len(data) > max_bytes:
        return TextFile(path, skipped="too-large")
    if b"\0" in data[:_BINARY_SNIFF]:
        return TextFile(path, skipped="binary")
    try:
        return TextFile(path, text=data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        return TextFile(path, skipped="not-utf-8")


def read_head(root: Path, path: str, max_bytes: int) -> str | None:
    """The first ``max_bytes`` bytes of ``root / path`` as text, however long the file is;
    None when :func:`read_text` would skip it for another reason than its size."""
    data = _read_bytes(root, root / path, max_bytes)
    if isinstance(data, str) or b"\0" in data[:_BINARY_SNIFF]:
        return None
    # a multi-byte character may be cut at the end
    return data[:max_bytes].decode("utf-8-sig", errors="replace")


def _read_bytes(root: Path, target: Path, max_bytes: int) -> bytes | Unreadable:
    """Up to ``max_bytes + 1`` bytes of ``target``, or why there are none.

    A plain file (the usual case) costs four system calls: ``lstat``, then
    :func:`.files.read_up_to`'s three.  Through a file object it was twelve, among them a
    2 MiB buffer mapped and unmapped; a gate reads files while prefetching threads run, and
    its thread gives the GIL up at every call and may wait up to 5 ms to get it back.
    """
    try:
        found = os.lstat(target)
        link = stat.S_ISLNK(found.st_mode)
        if not (link or stat.S_ISREG(found.st_mode)):
            return "missing" if stat.S_ISDIR(found.st_mode) else "not-a-file"
        if not _inside(root, target, link=link):
            return "outside"
        if not link:
            return read_up_to(target, max_bytes + 1, found.st_size)
        with open_regular(target) as stream:  # what the link names is told by opening it
            return stream.read(max_bytes + 1)
    except NotAFileError:
        return "not-a-file"
    except (OSError, RuntimeError):  # RuntimeError: a symlink loop
        return "missing"


@functools.lru_cache(maxsize=4096)
def _real(directory: str) -> str:
    return os.path.realpath(directory)


def _inside(root: Path, target: Path, *, link: bool | None = None) -> bool:
    """Whether ``target`` really lies in ``root``, following symlinks.

    Resolving each file costs a system call per path component; a tree scan reads
    thousands of files in few directories, so directories are resolved once each and
    only a file that is itself a symlink is resolved in full.

    :param link: whether ``target`` is a symlink, when the caller knows already
    """
    top = _real(os.fspath(root))
    if os.path.islink(target) if link is None else link:
        real = os.path.realpath(target)
    else:
        real = os.path.join(_real(os.fspath(target.parent)), target.name)
    return real == top or real.startswith(top.rstrip(os.sep) + os.sep)
