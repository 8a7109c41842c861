"""What a changed file's own content says to ``tdd``: generated, or holding its tests.

Two facts only a file's text gives: a generator's ``Code generated ... DO NOT EDIT.``
line (golang.org/s/generatedcode), which makes it no source, and Rust's in-file test
module, whose change is a test change.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from pathlib import Path
from typing import Final

from ...support.text import read_head, read_text

__all__ = ["is_generated", "touches_test_module"]

_HEAD_BYTES: Final = 4096
# Go's rule; the same words behind `#` or `/*` mark other generators' output too.
_GENERATED: Final = re.compile(r"^(?://|#|/\*|--)\s*Code generated .* DO NOT EDIT\.?")
_COMMENT: Final = re.compile(r"^\s*(?://|#|/\*|\*|--|$)")
_TEST_MODULE: Final = re.compile(r"^\s*#\[cfg\(test\)\]", re.M)


def is_generated(root: Path, path: str) -> bool:
    """Whether a ``Code generated ... DO NOT EDIT.`` line comes before the first code line."""
    head = read_head(root, path, _HEAD_BYTES)
    if head is None:
        return False
    for line in head.splitlines():
        if _GENERATED.match(line):
            return True
        if not _COMMENT.match(line):
            return False  # the package clause, an import: past the header
    return False


def touches_test_module(root: Path, path: str, added_lines: Collection[int]) -> bool:
    """Whether ``added_lines`` of a Rust file fall in its ``#[cfg(test)]`` module.

    Rust's convention keeps that module at the end of the file, so every line from the
    first ``#[cfg(test)]`` on counts as test code: a test module in the middle of a file
    makes the code after it count too (a simplification the docs state).
    """
    if not added_lines:
        return False
    text = read_text(root, path).text
    if text is None:
        return False
    found = _TEST_MODULE.search(text)
    if found is None:
        return False
    first = text.count("\n", 0, found.start()) + 1
    return max(added_lines) >= first
