"""Whether a changed test names the source it would test: its import, require or class.

A test named after another source often tests this one too: pytest's
``testing/code/test_excinfo.py`` imports ``_pytest._code.code``, gson's ``GsonTest``
builds a ``GsonBuilder``.  A changed test that imports the source's module (Python),
requires or imports its path (JS/TS), or names its class (JVM, .NET) counts as the
source's test.  Names only, never what the code does: a test that reaches a module
without naming it (through the pytester fixture, a package's root) still needs a
test of its own.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Final

from .tdd_layout import language_of
from .text import read_text

__all__ = ["TestTexts", "reference_pattern"]

_PY_ROOTS: Final = frozenset({"src", "lib"})
_JS_EXT: Final = r"(?:\.[cm]?[jt]sx?)?"
_INDEX_STEMS: Final = frozenset({"index", "__init__", "mod"})


@functools.lru_cache(maxsize=4096)
def reference_pattern(source: str) -> re.Pattern[str] | None:
    """How a test names ``source`` in its text, or None where names say nothing."""
    language = language_of(source)
    directory, _, name = source.rpartition("/")
    stem = name.rpartition(".")[0] or name
    parts = [p for p in directory.split("/") if p]
    if language == "python":
        if parts and parts[0] in _PY_ROOTS:
            parts = parts[1:]
        modules = [*parts] if stem == "__init__" else [*parts, stem]
        if not modules:
            return None
        dotted = re.escape(".".join(modules))
        parent = re.escape(".".join(modules[:-1]))
        last = re.escape(modules[-1])
        from_parent = rf"|^\s*from\s+{parent}\s+import\b[^\n]*\b{last}\b" if parent else ""
        return re.compile(rf"(?<![\w.]){dotted}(?![\w]){from_parent}", re.M)
    if language == "javascript":
        # A module specifier ending in the file's name (`./view.js`, `../lib/router`, a
        # folder for its index file); the folder above is not asked for, as `./view` has none.
        tail = (parts[-1] if parts else "") if stem in _INDEX_STEMS else stem
        if not tail:
            return None
        return re.compile(rf"""['"`](?:[^'"`\n]*/)?{re.escape(tail)}(?:/index)?{_JS_EXT}['"`]""")
    if language in ("jvm", "dotnet") and stem[:1].isupper():
        return re.compile(rf"(?<![\w.]){re.escape(stem)}(?!\w)")
    return None


class TestTexts:
    """The changed tests' texts, each read once, to look for names of sources."""

    __test__ = False  # not a pytest test class, whatever its name says

    def __init__(self, root: Path) -> None:
        self._root = root
        self._texts: dict[str, str] = {}

    def names(self, test: str, source: str) -> bool:
        """Whether the test at ``test`` names ``source`` (its module, path or class)."""
        pattern = reference_pattern(source)
        if pattern is None:
            return False
        text = self._texts.get(test)
        if text is None:
            text = self._texts[test] = read_text(self._root, test).text or ""
        return pattern.search(text) is not None
