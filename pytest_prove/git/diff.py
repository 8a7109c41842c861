"""Parse ``git diff --patch-with-raw -z -U0`` output into :class:`ChangedFile` records.

Pure: no git, no file system.  The raw part (NUL-separated, paths unquoted)
is the source of truth for paths, statuses and modes; the patch part that
follows only contributes line numbers and the binary flag.  Patches are
paired with raw entries by their ``diff --git`` header, because a type change
(file <-> symlink) yields one raw entry but two patches.
"""

from __future__ import annotations

import dataclasses
import os
import re
from typing import Final, Literal

__all__ = ["ChangedFile", "FileStatus", "parse_diff"]

FileStatus = Literal["added", "modified", "deleted", "renamed", "copied", "type-changed"]

_STATUSES: Final[dict[bytes, FileStatus]] = {
    b"A": "added",
    b"C": "copied",
    b"D": "deleted",
    b"M": "modified",
    b"R": "renamed",
    b"T": "type-changed",
}
_GITLINK: Final = b"160000"
_ABSENT: Final = b"000000"
# Digits are capped so hostile input cannot build a huge int (or trip
# Python's int-from-string limit); no real file has 10**15 lines.
_HUNK: Final = re.compile(rb"@@ -(\d{1,15})(?:,(\d{1,15}))? \+(\d{1,15})(?:,(\d{1,15}))? @@")
_C_ESCAPES: Final = {
    7: b"\\a",
    8: b"\\b",
    9: b"\\t",
    10: b"\\n",
    11: b"\\v",
    12: b"\\f",
    13: b"\\r",
}


@dataclasses.dataclass(frozen=True, kw_only=True)
class ChangedFile:
    """One file that differs between the merge base and the work tree.

    :param path: the new path, repository-relative with ``/`` separators
        (for a deleted file, the path it had)
    :param old_path: the source path of a rename or copy, else ``None``
    :param status: how the file changed
    :param added_lines: 1-based line numbers in the new file
    :param removed_lines: 1-based line numbers in the old file
    :param binary: git considers the content binary; no line numbers then
    :param untracked: the file is not known to git (not ignored, never added)
    :param submodule: the path is a submodule (gitlink); no line numbers then
    """

    path: str
    old_path: str | None = None
    status: FileStatus
    added_lines: frozenset[int] = frozenset()
    removed_lines: frozenset[int] = frozenset()
    binary: bool = False
    untracked: bool = False
    submodule: bool = False


@dataclasses.dataclass
class _Entry:
    old_path: bytes
    new_path: bytes
    status: FileStatus
    submodule: bool
    added: set[int] = dataclasses.field(default_factory=set)
    removed: set[int] = dataclasses.field(default_factory=set)
    binary: bool = False
    patches: int = 0
    _headers: frozenset[bytes] | None = None

    def matches(self, header: bytes) -> bool:
        if self._headers is None:
            # Accept both quoting styles so diffs produced without our pinned
            # core.quotepath=off (a saved diff file, a test) still pair up.
            olds = {_c_quote(b"a/" + self.old_path, full=f) for f in (False, True)}
            news = {_c_quote(b"b/" + self.new_path, full=f) for f in (False, True)}
            self._headers = frozenset(a + b" " + b for a in olds for b in news)
        return header in self._headers

    def freeze(self) -> ChangedFile:
        renamed = self.status in ("renamed", "copied")
        has_lines = not (self.binary or self.submodule)
        return ChangedFile(
            path=os.fsdecode(self.new_path),
            old_path=os.fsdecode(self.old_path) if renamed else None,
            status=self.status,
            added_lines=frozenset(self.added) if has_lines else frozenset(),
            removed_lines=frozenset(self.removed) if has_lines else frozenset(),
            binary=self.binary,
            submodule=self.submodule,
        )


def parse_diff(output: bytes | str) -> list[ChangedFile]:
    """Parse the output of ``git diff --patch-with-raw -z -M -U0 --no-color --no-ext-diff``.

    Never raises on malformed input: unrecognised bytes are skipped.  Paths
    that are not valid UTF-8 are decoded like the file system does
    (:func:`os.fsdecode`), so they still open the right file.

    :param output: git's stdout; ``str`` is accepted for convenience in tests
    :returns: one record per raw entry, in git's order
    """
    data = output.encode("utf-8", "surrogateescape") if isinstance(output, str) else output
    entries, end = _parse_raw(data)
    _apply_patches(entries, data[end:])
    return [entry.freeze() for entry in entries]


def _parse_raw(data: bytes) -> tuple[list[_Entry], int]:
    entries: list[_Entry] = []
    pos = 0
    while data.startswith(b":", pos):
        end = data.find(b"\0", pos)
        fields = data[pos + 1 : end].split() if end >= 0 else []
        if len(fields) < 5:
            break
        old_mode, new_mode, status = fields[0], fields[1], fields[4][:1]
        pos = end + 1
        paths = []
        for _ in range(2 if status in (b"R", b"C") else 1):
            end = data.find(b"\0", pos)
            end = len(data) if end < 0 else end
            paths.append(data[pos:end])
            pos = end + 1
        submodule = new_mode == _GITLINK or (new_mode == _ABSENT and old_mode == _GITLINK)
        entries.append(
            _Entry(
                old_path=paths[0],
                new_path=paths[-1],
                # Unmerged (U) and unknown (X) entries are, for a reader of the
                # work tree, files whose content differs.
                status=_STATUSES.get(status, "modified"),
                submodule=submodule,
            )
        )
    # An empty field separates the raw part from the patches.
    if entries and data.startswith(b"\0", pos):
        pos += 1
    return entries, min(pos, len(data))


def _apply_patches(entries: list[_Entry], patch: bytes) -> None:
    current: _Entry | None = None
    expected = 0
    # A hunk ends when the line counts of its header are used up, not at the first line
    # without a known prefix: diff.suppressBlankEmpty prints an empty context line as "".
    old_left = new_left = 0
    old_line = new_line = 0
    added: set[int] = set()
    removed: set[int] = set()
    for line in patch.split(b"\n"):
        if line.startswith(b"diff --git "):  # no hunk line can start so: it has a prefix
            current, expected = _pair(entries, expected, line[len(b"diff --git ") :])
            old_left = new_left = 0
        elif old_left > 0 or new_left > 0:
            if line.startswith(b"+"):
                added.add(new_line)
                new_line, new_left = new_line + 1, new_left - 1
            elif line.startswith(b"-"):
                removed.add(old_line)
                old_line, old_left = old_line + 1, old_left - 1
            elif not line.startswith(b"\\"):  # "\ No newline at end of file"
                # context, which -U0 leaves out unless hunks were merged (interHunkContext)
                old_line, new_line = old_line + 1, new_line + 1
                old_left, new_left = old_left - 1, new_left - 1
        elif current is None:
            continue
        elif line.startswith(b"@@ "):
            hunk = _HUNK.match(line)
            if hunk is not None:
                added, removed = current.added, current.removed
                old_line, new_line = int(hunk[1]), int(hunk[3])
                old_left = 1 if hunk[2] is None else int(hunk[2])
                new_left = 1 if hunk[4] is None else int(hunk[4])
        elif line.startswith(b"Binary files ") or line == b"GIT binary patch":
            current.binary = True


def _pair(entries: list[_Entry], expected: int, header: bytes) -> tuple[_Entry | None, int]:
    for index in range(expected, len(entries)):
        if entries[index].matches(header):
            entries[index].patches += 1
            return entries[index], index
    # A header we cannot match (an unusual prefix or quoting): fall back to
    # git's order, in which patches always follow the raw entries.
    for index in (expected, expected + 1):
        if index < len(entries) and entries[index].patches == 0:
            entries[index].patches += 1
            return entries[index], index
    return None, expected


def _c_quote(name: bytes, *, full: bool) -> bytes:
    """Quote a path as git does in patch headers (``quote_c_style``)."""
    if not any(_needs_quote(byte, full) for byte in name):
        return name
    return b'"' + b"".join(_escape(byte, full) for byte in name) + b'"'


def _needs_quote(byte: int, full: bool) -> bool:
    return byte < 0x20 or byte in (0x22, 0x5C, 0x7F) or (full and byte >= 0x80)


def _escape(byte: int, full: bool) -> bytes:
    if byte in _C_ESCAPES:
        return _C_ESCAPES[byte]
    if byte in (0x22, 0x5C):
        return b"\\" + bytes([byte])
    if _needs_quote(byte, full):
        return b"\\%03o" % byte
    return bytes([byte])
