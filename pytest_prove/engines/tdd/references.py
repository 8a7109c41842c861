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

import collections
import functools
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Final

from ...support.text import read_text
from .layout import language_of

__all__ = ["TestTexts", "reference_pattern"]

_PY_ROOTS: Final = frozenset({"src", "lib"})
_JS_EXT: Final = r"(?:\.[cm]?[jt]sx?)?"
_INDEX_STEMS: Final = frozenset({"index", "__init__", "mod"})
_WORD: Final = re.compile(r"\w+")


def reference_pattern(source: str) -> re.Pattern[str] | None:
    """How a test names ``source`` in its text, or None where names say nothing."""
    found = _reference(source)
    return _compiled(*found[:2]) if found else None


@functools.lru_cache(maxsize=4096)
def _reference(source: str) -> tuple[str, int, str] | None:
    """The pattern and its flags, and a word every match holds whole (each pattern bounds
    the name it ends in by non-word characters), so texts without that word need no
    search and the pattern no compiling."""
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
        return _with_key(rf"(?<![\w.]){dotted}(?![\w]){from_parent}", modules[-1], re.M)
    if language == "javascript":
        # A module specifier ending in the file's name (`./view.js`, `../lib/router`, a
        # folder for its index file); the folder above is not asked for, as `./view` has none.
        tail = (parts[-1] if parts else "") if stem in _INDEX_STEMS else stem
        if not tail:
            return None
        specifier = rf"""['"`](?:[^'"`\n]*/)?{re.escape(tail)}(?:/index)?{_JS_EXT}['"`]"""
        return _with_key(specifier, tail)
    if language in ("jvm", "dotnet") and stem[:1].isupper():
        return _with_key(rf"(?<![\w.]){re.escape(stem)}(?!\w)", stem)
    return None


def _with_key(pattern: str, name: str, flags: int = 0) -> tuple[str, int, str] | None:
    words = _WORD.findall(name)
    return (pattern, flags, words[-1]) if words else None


@functools.lru_cache(maxsize=4096)
def _compiled(pattern: str, flags: int) -> re.Pattern[str]:
    return re.compile(pattern, flags)


class TestTexts:
    """The changed tests' texts, each read once, to look for names of sources.

    Each text's words are indexed once, so a source is searched for only in the tests that
    hold its key word: 2,000 sources against 1,000 changed tests cost a lookup each, not
    two million regular-expression searches.
    """

    __test__ = False  # not a pytest test class, whatever its name says

    def __init__(self, root: Path, tests: Mapping[str, Sequence[str]]) -> None:
        self._root = root
        self._tests = tests
        self._by_word: dict[str, dict[str, list[str]]] = {}
        self._texts: dict[str, str] = {}

    def named_by_any(self, language: str, source: str) -> bool:
        """Whether a changed test of ``language`` names ``source`` (its module, path or class)."""
        found = _reference(source)
        if found is None:
            return False
        pattern, flags, key = found
        candidates = self._index(language).get(key, ())
        if not candidates:
            return False
        compiled = _compiled(pattern, flags)
        return any(compiled.search(self._texts[test]) is not None for test in candidates)

    def _index(self, language: str) -> dict[str, list[str]]:
        index = self._by_word.get(language)
        if index is None:
            index = self._by_word[language] = collections.defaultdict(list)
            for test in self._tests.get(language, ()):
                text = self._texts[test] = read_text(self._root, test).text or ""
                for word in set(_WORD.findall(text)):
                    index[word].append(test)
        return index
