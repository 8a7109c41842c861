"""A commit message split the way commitlint splits it before its rules run.

commitlint (``@commitlint/parse``) reads a message with conventional-commits-parser and
the conventionalcommits preset.  Its rules judge those parts, so the ``commit-msg`` gate
parses the same way to reach the same verdicts: the header is the first line as written
(whitespace kept), the footer starts at the first line that holds an issue reference
(``#12``) or opens a ``BREAKING CHANGE`` note, and everything between is body.  The
spec-level parse other checks use
(:func:`pytest_prove.engines.commits.conventional.parse_commit_message`) is left as it is.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from typing import Final

from pytest_prove.engines.commits.conventional import SCISSORS

__all__ = ["JS_SPACE", "LintMessage", "js_length", "parse_lint_message"]

# What `\s` matches in a JavaScript regex and String.prototype.trim() removes; Python's
# `\s` differs (it takes \x1c-\x1f, not U+FEFF).
JS_SPACE: Final = (
    "\t\n\v\f\r \u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009"
    "\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
)
_S: Final = f"[{JS_SPACE}]"
# A JavaScript `.`: anything but its line terminators.
_DOT: Final = r"[^\n\r\u2028\u2029]"
_LINE_BREAK: Final = re.compile(r"\r?\n")
# The conventionalcommits preset's headerPattern; \w is ASCII in a JavaScript regex.
_HEADER: Final = re.compile(rf"(\w*)(?:\(({_DOT}*)\))?!?: ({_DOT}*)", re.ASCII)
# conventional-commits-parser's notes regex for the keywords BREAKING CHANGE and
# BREAKING-CHANGE (case-insensitive, so "Breaking change:" opens a note too).
_NOTE: Final = re.compile(
    rf"[{JS_SPACE}|*]*(?:BREAKING CHANGE|BREAKING-CHANGE)[:{JS_SPACE}]+", re.IGNORECASE | re.ASCII
)
_GPG: Final = re.compile(rf"{_S}*gpg:")
_ACTIONS: Final = "close|closes|closed|fix|fixes|fixed|resolve|resolves|resolved"
# The parser's reference regexes: an action keyword and the text up to the next one; an
# issue "#id"; a URL, whose text never holds a reference.  Keywords match inside words
# ("prefix") and only ASCII folds (a JavaScript regex without the u flag).
_ACTION: Final = re.compile(
    rf"(?:{_ACTIONS})(?:{_S}+({_DOT}*?))(?=(?:{_ACTIONS})|\Z)", re.IGNORECASE | re.ASCII
)
_SENTENCE: Final = re.compile(rf"{_DOT}+")
_ISSUE: Final = re.compile(rf"#[\w-]+(?={_S}|\Z|[,;)\]])", re.ASCII)
_URL: Final = re.compile(r"\bhttps?://(?:www\.)?[-a-zA-Z0-9@:%_+.~#?&/=]+\b", re.ASCII)


@dataclasses.dataclass(frozen=True, kw_only=True)
class LintMessage:
    """The parts commitlint's rules read.

    :param raw: the message as given, every line of it (comments too)
    :param header: the first kept line as written; ``None`` when there is none or it is empty
    :param type: ``feat`` in ``feat(api)!: x``; ``None`` when the header does not match
    :param scope: ``api``; ``None`` when absent or empty
    :param subject: the text after ``": "``, leading whitespace kept; ``None`` if empty
    :param body: the lines between header and footer; ``None`` or ``""`` when there are none
    :param footer: from the first reference or ``BREAKING CHANGE`` line on; ``None`` if absent
    """

    raw: str
    header: str | None
    type: str | None
    scope: str | None
    subject: str | None
    body: str | None
    footer: str | None


def js_length(text: str) -> int:
    """Length in UTF-16 code units, as JavaScript counts: an emoji is 2."""
    if text.isascii():
        return len(text)
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def parse_lint_message(raw: str, *, comment_char: str | None = None) -> LintMessage:
    """Split ``raw`` as commitlint does; never raises.

    :param comment_char: drop lines starting with it and everything from git's scissors
        line on, as ``commitlint --edit`` does; ``None`` for messages read from history
    """
    lines = _LINE_BREAK.split(_trim_newlines(raw))
    if comment_char:
        scissors = f"{comment_char} {SCISSORS}"
        if scissors in lines:
            del lines[lines.index(scissors) :]
        lines = [line for line in lines if not line.startswith(comment_char)]
    lines = [line for line in lines if not _GPG.match(line)]
    header = (lines[0] if lines else "") or None
    match = _HEADER.fullmatch(header) if header else None
    body, footer = _body_and_footer(lines)
    return LintMessage(
        raw=raw,
        header=header,
        type=(match[1] or None) if match else None,
        scope=(match[2] or None) if match else None,
        subject=(match[3] or None) if match else None,
        body=_trim_newlines(body) if body else body,
        footer=_trim_newlines(footer) if footer else footer,
    )


def _body_and_footer(lines: Sequence[str]) -> tuple[str | None, str | None]:
    """The parser's loop over the lines after the header, without what it collects for
    changelogs: once a line opens the footer, every later line belongs to it; the body
    drops its leading blank lines (``""`` when all of it is blank)."""
    count = len(lines)
    end = next(
        (i for i in range(1, count) if _NOTE.match(lines[i]) or _has_reference(lines[i])), count
    )
    footer = "\n".join(lines[end:]) if end < count else None
    if end <= 1:  # no line after the header
        return None, footer
    start = next((i for i in range(1, end) if lines[i]), end)
    return "\n".join(lines[start:end]), footer


def _has_reference(line: str) -> bool:
    if "#" not in line:  # the only issue prefix
        return False
    found = list(_ACTION.finditer(line))
    sentences = [m[1] for m in found] if found else _SENTENCE.findall(line)
    return any(not _URL.search(s) and _ISSUE.search(s) for s in sentences)


def _trim_newlines(text: str) -> str:
    return text.strip("\r\n")
