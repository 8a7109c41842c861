"""Where each key of a TOML document stands, for errors in ``[tool.prove]``.

``tomllib`` gives values, not places.  This reads the text once more, line by line, for
what places need: table headers (``[tool.prove.settings]``, ``[[tool.prove.repos]]``,
whose entries count up) and the keys that start a line (``timeout = 30``, dotted
``settings.tdd.mode = "lenient"``).  Keys inside inline tables and values that run over
several lines (arrays, multi-line strings) are stepped over: their errors get the line of
the key that holds them.  The document has been parsed by ``tomllib`` first, so only
valid TOML reaches this reader; at a line it does not follow it stops, and the caller
keeps only the places of keys the parsed document holds.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Final

__all__ = ["KeyPlace", "key_lines"]

KeyPlace = tuple[tuple[str | int, ...], int]

_BARE: Final = re.compile(r"[A-Za-z0-9_-]+")
_BASIC: Final = re.compile(r'"((?:[^"\\]|\\.)*)"')
_LITERAL: Final = re.compile(r"'([^']*)'")
_ESCAPES: Final = {"b": "\b", "t": "\t", "n": "\n", "f": "\f", "r": "\r", '"': '"', "\\": "\\"}


def key_lines(text: str) -> list[KeyPlace]:
    """Each key path (from the document's root; an array of tables' entry as its index)
    with the 1-based line where it is written."""
    places: list[KeyPlace] = []
    table: tuple[str | int, ...] = ()
    entries: dict[tuple[str | int, ...], int] = {}
    lines = text.splitlines()
    number = 0
    while number < len(lines):
        line = lines[number].strip()
        number += 1
        if not line or line.startswith("#"):
            continue
        if line.startswith("["):
            array = line.startswith("[[")
            keys = _dotted(line[2 if array else 1 :], "]]" if array else "]")
            if keys is None:
                return places
            # a header names its parents too: the first header to name one is its place
            places.extend((keys[:depth], number) for depth in range(1, len(keys) + 1))
            if array:
                index = entries[keys] = entries.get(keys, -1) + 1
                table = (*keys, index)
                places.append((table, number))
            else:
                table = keys
            continue
        parsed = _key_value(line)
        if parsed is None:
            return places  # something this reader does not follow: stop, never guess
        keys, value = parsed
        for depth in range(1, len(keys) + 1):
            places.append(((*table, *keys[:depth]), number))
        number += _continuation(value, lines, number)
    return places


def _dotted(text: str, end: str) -> tuple[str, ...] | None:
    """The dotted key of a table header (``a."b.c".d]``), up to ``end``."""
    found = _keys(text.lstrip())
    return found[0] if found is not None and found[1].startswith(end) else None


def _key_value(line: str) -> tuple[tuple[str, ...], str] | None:
    """The dotted key of ``key = value``, and the value's text."""
    found = _keys(line)
    if found is None or not found[1].startswith("="):
        return None
    return found[0], found[1][1:].strip()


def _keys(text: str) -> tuple[tuple[str, ...], str] | None:
    """The dotted key at the start of ``text``, and what follows it (stripped on the left)."""
    keys: list[str] = []
    rest = text
    while True:
        found = _one_key(rest)
        if found is None:
            return None
        key, rest = found
        keys.append(key)
        rest = rest.lstrip()
        if not rest.startswith("."):
            return tuple(keys), rest
        rest = rest[1:].lstrip()


def _one_key(text: str) -> tuple[str, str] | None:
    for pattern in (_BARE, _BASIC, _LITERAL):
        match = pattern.match(text)
        if match is not None:
            key = match.group(1) if pattern is not _BARE else match.group()
            if pattern is _BASIC:
                key = re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group()), key)
                if "\\" in key:
                    return None  # \uXXXX and the like: rare in keys, not followed
            return key, text[match.end() :]
    return None


def _continuation(value: str, lines: list[str], start: int) -> int:
    """How many lines after the current one belong to its value."""
    for quote in ('"""', "'''"):
        if value.startswith(quote) and value.count(quote) == 1:
            for offset, line in enumerate(lines[start:], 1):
                if quote in line:
                    return offset
            return len(lines) - start
    depth = _depth(value)
    offset = 0
    while depth > 0 and start + offset < len(lines):
        depth += _depth(lines[start + offset])
        offset += 1
    return offset


def _depth(text: str) -> int:
    """Brackets opened minus closed on one line, outside strings and comments."""
    depth = 0
    for token in _tokens(text):
        if token in "[{":
            depth += 1
        elif token in "]}":
            depth -= 1
    return depth


def _tokens(text: str) -> Iterator[str]:
    quote = ""
    escaped = False
    for char in text:
        if quote:
            if escaped:
                escaped = False
            elif char == "\\" and quote == '"':
                escaped = True
            elif char == quote:
                quote = ""
        elif char in "\"'":
            quote = char
        elif char == "#":
            return
        elif char in "[]{}":
            yield char
