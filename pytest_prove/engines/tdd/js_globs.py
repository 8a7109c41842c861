"""The globs Jest and Vitest write test patterns in, as regular expressions.

Both hand ``testMatch`` / ``include`` to micromatch (Jest) or picomatch-style
matchers (Vitest), whose patterns go beyond :mod:`pytest_prove.support.globs`: braces
(``{js,ts}``, nested), extglobs (``?(x)``, ``*(x)``, ``+(x)``, ``@(x)``, ``!(x)``)
and ``<rootDir>``.  This translates that subset; a pattern it cannot read (an
unclosed brace or group) is matched literally, as micromatch does, never raised.
"""

from __future__ import annotations

import functools
import re
from typing import Final

from pytest_prove.support.globs import char_class

__all__ = ["compile_js_glob"]

_EXTGLOB_SUFFIX: Final = {"?": "?", "*": "*", "+": "+", "@": "", "!": ""}
_ROOT_DIR: Final = "<rootDir>/"


@functools.lru_cache(maxsize=256)
def compile_js_glob(pattern: str) -> re.Pattern[str]:
    """A regex matching the whole of a repository-relative path against ``pattern``.

    Jest matches its globs against absolute paths, so a pattern that does not start
    at ``<rootDir>`` or with ``**/`` only matches from the repository root here: the
    patterns people write (``test/**/*.test.js``) mean that.
    """
    if pattern.startswith(_ROOT_DIR):
        pattern = pattern[len(_ROOT_DIR) :]
    pattern = pattern.removeprefix("./").lstrip("/")
    return re.compile(_translate(pattern), re.DOTALL)


def _translate(pattern: str) -> str:
    out: list[str] = []
    i = 0
    while i < len(pattern):
        regex, i = _token(pattern, i)
        out.append(regex)
    return "".join(out)


def _token(pattern: str, i: int) -> tuple[str, int]:
    """The regex for the token of ``pattern`` at ``i``, and where the next one starts."""
    char, at_segment = pattern[i], i == 0 or pattern[i - 1] == "/"
    if at_segment and pattern.startswith("**/", i):
        return "(?:[^/]*/)*", i + 3
    if at_segment and pattern.startswith("**", i) and i + 2 == len(pattern):
        return ".*", i + 2
    if char in _EXTGLOB_SUFFIX and pattern.startswith("(", i + 1):
        return _extglob(pattern, i)
    if char == "{":
        return _braces(pattern, i)
    if char == "*":
        while pattern.startswith("*", i):
            i += 1  # `**` inside a segment is a plain `*`
        return "[^/]*", i
    return _single(pattern, i)


def _braces(pattern: str, i: int) -> tuple[str, int]:
    end = _closing(pattern, i, "{", "}")
    parts = _split(pattern[i + 1 : end], ",") if end is not None else []
    if end is None or len(parts) < 2:  # `{a}` and an unclosed `{` are literal
        return re.escape("{"), i + 1
    return "(?:" + "|".join(_translate(p) for p in parts) + ")", end + 1


def _single(pattern: str, i: int) -> tuple[str, int]:
    char = pattern[i]
    if char == "?":
        return "[^/]", i + 1
    if char == "[" and (close := pattern.find("]", i + 2)) != -1:
        return char_class(pattern[i + 1 : close]) or re.escape(pattern[i : close + 1]), close + 1
    if char == "\\" and i + 1 < len(pattern):
        return re.escape(pattern[i + 1]), i + 2
    return re.escape(char), i + 1


def _extglob(pattern: str, i: int) -> tuple[str, int]:
    end = _closing(pattern, i + 1, "(", ")")
    if end is None:
        return re.escape(pattern[i:]), len(pattern)
    alternatives = "|".join(_translate(a) for a in _split(pattern[i + 2 : end], "|"))
    if pattern[i] == "!":
        # Not the alternatives followed by the rest of the pattern, as micromatch means it.
        rest = _translate(pattern[end + 1 :])
        return f"(?:(?!(?:{alternatives}){rest}\\Z)[^/]*)", end + 1
    return f"(?:{alternatives}){_EXTGLOB_SUFFIX[pattern[i]]}", end + 1


def _closing(pattern: str, start: int, opening: str, closing: str) -> int | None:
    """The index of the bracket closing the one at ``start``, nesting counted."""
    depth, index = 0, start
    while index < len(pattern):
        if pattern[index] == "\\":
            index += 2  # an escaped bracket neither opens nor closes
            continue
        if pattern[index] == opening:
            depth += 1
        elif pattern[index] == closing:
            depth -= 1
            if depth == 0:
                return index
        index += 1
    return None


def _split(body: str, separator: str) -> list[str]:
    """``body`` split at ``separator`` outside nested braces and groups."""
    parts: list[str] = []
    current: list[str] = []
    depth = 0
    for char in body:
        if char in "({":
            depth += 1
        elif char in ")}":
            depth -= 1
        if char == separator and depth == 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return parts
