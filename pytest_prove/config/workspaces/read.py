"""Reading a workspace's files: text, JSON, TOML and go.mod/go.work syntax, the one error.

Every failure becomes a :class:`WorkspaceError` naming the file relative to the workspace
root, with the line where the parser tells it (JSON, TOML, go.work) or where the value is
written (found by its text, as ``json`` and ``tomllib`` give no places).
"""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path
from typing import Any, Final

from pytest_prove.errors import ProveError

from ...readers.errors import os_problem
from ...readers.yamlfile import MAX_FILE_BYTES
from ...support.files import NotAFileError, open_regular

_TOML_PLACE: Final = re.compile(r"\s*\(at (?:line (\d+), column \d+|end of document)\)$")


class WorkspaceError(ProveError, ValueError):
    """A workspace manifest that cannot be read or is malformed: the message names the
    file (relative to the workspace root), the line where known, and what is wrong."""


def normalise_name(name: str) -> str:
    """PEP 503: ``Foo_Bar.baz`` and ``foo-bar-baz`` name one Python package."""
    return re.sub(r"[-_.]+", "-", name).lower()


def read_text(root: Path, relpath: str) -> str | None:
    """``relpath``'s text, or None when there is no such file.

    :raises WorkspaceError: it exists but cannot be read as UTF-8 text
    """
    try:
        with open_regular(root / relpath) as stream:
            raw = stream.read(MAX_FILE_BYTES + 1)
    except (FileNotFoundError, NotADirectoryError):
        return None
    except NotAFileError:
        raise WorkspaceError(f"{relpath}: not a regular file") from None
    except OSError as exc:
        raise WorkspaceError(f"{relpath}: {os_problem(exc)}") from None
    if len(raw) > MAX_FILE_BYTES:
        raise WorkspaceError(f"{relpath}: larger than {MAX_FILE_BYTES // 1_000_000} MB")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise WorkspaceError(f"{relpath}: not valid UTF-8 (byte {exc.start})") from None


def parse_json(text: str, file: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise WorkspaceError(f"{file}:{exc.lineno}: JSON syntax error: {exc.msg}") from None
    except (ValueError, RecursionError) as exc:  # 5,000-digit numbers, deep nesting
        raise WorkspaceError(f"{file}: invalid JSON: {exc}") from None


def parse_toml(text: str, file: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        place = _TOML_PLACE.search(message)
        # "at end of document": an array or string never closed, shown at the last line
        where = file if place is None else f"{file}:{place[1] or text.count(chr(10)) + 1}"
        problem = message[: place.start()] if place else message
        raise WorkspaceError(f"{where}: TOML syntax error: {problem}") from None
    except (ValueError, RecursionError) as exc:
        raise WorkspaceError(f"{file}: invalid TOML: {exc}") from None


def line_of(text: str, *needles: str) -> int | None:
    """The first line holding one of ``needles``: JSON and TOML parsers give no places."""
    for number, line in enumerate(text.splitlines(), 1):
        if any(needle in line for needle in needles):
            return number
    return None


def quoted(value: str) -> tuple[str, ...]:
    return (json.dumps(value), json.dumps(value, ensure_ascii=False), f"'{value}'")


def strings(value: object, what: str, where: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise WorkspaceError(f"{where}: {what} must be a list of strings, not {kind(value)}")
    return [v for v in value if isinstance(v, str)]


def kind(value: object) -> str:
    if isinstance(value, list):
        return "a list holding " + ", ".join(
            sorted({kind(v) for v in value if not isinstance(v, str)})
        )
    names = {dict: "a table", bool: "a boolean", int: "a number", float: "a number"}
    return names.get(type(value), "null" if value is None else type(value).__name__)


def at(file: str, line: int | None) -> str:
    return f"{file}:{line}" if line is not None else file


def go_directives(text: str, file: str) -> list[tuple[str, list[str], int]]:
    """``(verb, arguments, line)`` of a go.mod or go.work, blocks unfolded, ``//``
    comments dropped (golang.org/x/mod/modfile's line-oriented syntax)."""
    out: list[tuple[str, list[str], int]] = []
    block: tuple[str, int] | None = None
    for number, line in enumerate(text.splitlines(), 1):
        tokens = go_tokens(line, file, number)
        if not tokens:
            continue
        if block is not None:
            if tokens == [")"]:
                block = None
            else:
                out.append((block[0], tokens, number))
        elif tokens[1:] == ["("]:
            block = (tokens[0], number)
        elif tokens[1:] == ["(", ")"]:
            continue
        else:
            out.append((tokens[0], tokens[1:], number))
    if block is not None:
        raise WorkspaceError(f"{file}:{block[1]}: '{block[0]} (' is never closed by ')'")
    return out


_GO_TOKEN: Final = re.compile(r'\s*(?:(//.*)|"((?:[^"\\]|\\.)*)"|`([^`]*)`|([()])|([^\s()"`]+))')


def go_tokens(line: str, file: str, number: int) -> list[str]:
    tokens: list[str] = []
    position = 0
    while position < len(line.rstrip()):
        match = _GO_TOKEN.match(line, position)
        if match is None or match.end() == position:
            raise WorkspaceError(f"{file}:{number}: unterminated quoted string")
        position = match.end()
        if match[1] is not None:
            break
        if match[2] is not None:
            tokens.append(re.sub(r"\\(.)", r"\1", match[2]))
        else:
            tokens.append(next(g for g in match.groups()[2:] if g is not None))
    return tokens
