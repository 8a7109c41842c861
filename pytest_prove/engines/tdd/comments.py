"""Whether a change to a source touched only comments, docstrings and blank lines.

Such a change (a typo fixed across forty files, a licence header) alters no behaviour, so
``tdd`` treats it as it treats a pure move: the file needs an existing test, not a
changed one.  The reading is deliberately conservative: a line is a comment only when
it starts with one (``#``, ``//``, ``/*``), lies inside a block comment that began at
the start of a line, or, for Python, inside a docstring; a line that mixes
code and a comment is code.  Lines that look like comments but steer the build stay
code: a shebang, Go's ``//go:`` and ``// +build`` directives, TypeScript's ``///
<reference>``.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Collection
from pathlib import Path
from typing import TYPE_CHECKING, Final

from ...support.text import read_text, text_of
from .layout import language_of

if TYPE_CHECKING:
    from pytest_prove.git.diff import ChangedFile

__all__ = ["changes_code", "only_comments"]

_DIRECTIVE: Final = re.compile(r"^\s*(?://go:|//\s*\+build|///\s*<)")
_C_FAMILY: Final = frozenset({"javascript", "go", "jvm", "dotnet", "rust"})


def changes_code(
    root: Path, changed: ChangedFile, read_at_base: Callable[[str], bytes | None]
) -> bool:
    """Whether ``changed`` added or removed a line that is code (not a comment, docstring
    or blank line); a file that cannot be read either side counts as changed code."""
    if not (changed.added_lines or changed.removed_lines):
        return False
    language = language_of(changed.path)
    if changed.added_lines:
        text = read_text(root, changed.path).text
        if text is None or not only_comments(text, changed.added_lines, language):
            return True
    if changed.removed_lines:
        base_path = changed.old_path or changed.path
        old = read_at_base(base_path)
        old_text = None if old is None else text_of(base_path, old).text
        return old_text is None or not only_comments(old_text, changed.removed_lines, language)
    return False


def only_comments(text: str, lines: Collection[int], language: str | None) -> bool:
    """Whether every one of ``lines`` (1-based) of ``text`` is blank or a comment.

    False for a language this module does not read, and for Python that does not parse:
    when in doubt, the change is code.
    """
    if not lines:
        return True
    source_lines = text.splitlines()
    if max(lines) > len(source_lines) + 1:
        return False  # the text is not the one the line numbers were taken from
    if language == "python":
        comments = _python_comment_lines(text, source_lines)
    elif language in _C_FAMILY:
        comments = _c_comment_lines(source_lines)
    else:
        return False
    if comments is None:
        return False
    return all(n in comments or _blank(source_lines, n) for n in lines)


def _blank(source_lines: list[str], number: int) -> bool:
    return number > len(source_lines) or not source_lines[number - 1].strip()


def _python_comment_lines(text: str, source_lines: list[str]) -> set[int] | None:
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return None
    comments = {
        n
        for n, line in enumerate(source_lines, 1)
        if line.lstrip().startswith("#") and not (n == 1 and line.startswith("#!"))
    }
    for node in ast.walk(tree):
        if not isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        first = node.body[0] if node.body else None
        if (
            isinstance(first, ast.Expr)
            and isinstance(first.value, ast.Constant)
            and isinstance(first.value.value, str)
            and first.end_lineno is not None
        ):
            comments.update(range(first.lineno, first.end_lineno + 1))
    return comments


def _c_comment_lines(source_lines: list[str]) -> set[int]:
    comments: set[int] = set()
    in_block = False
    for n, line in enumerate(source_lines, 1):
        stripped = line.strip()
        if in_block:
            comments.add(n)
            if "*/" in stripped:
                in_block = False
                # code after the end of the block makes the line code
                if stripped.split("*/", 1)[1].strip():
                    comments.discard(n)
            continue
        if _DIRECTIVE.match(line):
            continue
        if stripped.startswith("//"):
            comments.add(n)
        elif stripped.startswith("/*"):
            rest = stripped[2:]
            if "*/" in rest:
                if not rest.split("*/", 1)[1].strip():
                    comments.add(n)
            else:
                comments.add(n)
                in_block = True
    return comments
