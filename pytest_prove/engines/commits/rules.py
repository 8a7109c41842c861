"""The ``commit-msg`` rules: @commitlint/rules as @commitlint/config-conventional sets them.

Each rule reads the parts :func:`~pytest_prove.engines.commits.parser.parse_lint_message`
finds, as commitlint's rule of the same name reads its parser's, so that both give the
same verdict on the same message.  The rules config-conventional leaves out
(``scope-case``, ``scope-enum``, ``scope-empty``) run only when their setting is given.
"""

from __future__ import annotations

import re
import string
import unicodedata
from collections.abc import Callable, Iterator
from typing import Final, NamedTuple

from ...api import Severity
from .parser import JS_SPACE, LintMessage, js_length
from .settings import Case, CommitMsgSettings

__all__ = ["Violation", "violations"]


class Violation(NamedTuple):
    rule: str
    message: str
    severity: Severity = Severity.ERROR


# commitlint checks each part of "api/auth" or "api, auth" on its own.
_SCOPE_DELIMITERS: Final = re.compile(r"/|\\|, ?")
# Quoted text may hold proper names ("fix: `Eslint` config"), so case rules skip it.
_QUOTED: Final = re.compile(r"`.*?`|\".*?\"|'.*?'")
# A URL cannot be wrapped, so a line holding one is exempt from line lengths.
_URL: Final = re.compile(rf"\bhttps?://[^{JS_SPACE}]", re.ASCII)
_LINE_BREAK: Final = re.compile(r"\r?\n")


def violations(parsed: LintMessage, s: CommitMsgSettings) -> Iterator[Violation]:
    """What is wrong with ``parsed`` under the settings ``s``, in a fixed rule order."""
    if parsed.header is None and parsed.body is None and parsed.footer is None:
        return  # commitlint skips a message with nothing left (only "gpg:" lines)
    yield from _header_violations(parsed, s)
    yield from _type_and_scope_violations(parsed, s)
    yield from _subject_violations(parsed, s)
    if parsed.body:
        lines = _LINE_BREAK.split(parsed.raw)
        # commitlint compares the raw message's second line, comments and all.
        if len(lines) > 1 and lines[1] != "":
            yield Violation(
                "body-leading-blank", "body must have leading blank line", Severity.WARNING
            )
        if _too_long(parsed.body, s.body_max_line_length):
            yield Violation(
                "body-max-line-length",
                f"body's lines must not be longer than {s.body_max_line_length} characters",
            )
    if parsed.footer:
        if _footer_glued(parsed.raw, parsed.footer):
            yield Violation(
                "footer-leading-blank", "footer must have leading blank line", Severity.WARNING
            )
        if _too_long(parsed.footer, s.footer_max_line_length):
            yield Violation(
                "footer-max-line-length",
                f"footer's lines must not be longer than {s.footer_max_line_length} characters",
            )


def _header_violations(parsed: LintMessage, s: CommitMsgSettings) -> Iterator[Violation]:
    header = parsed.header
    if header and header.strip(JS_SPACE) != header:
        where = (header[0] in JS_SPACE, header[-1] in JS_SPACE)
        what = {(True, True): "be surrounded by", (True, False): "start with"}
        yield Violation("header-trim", f"header must not {what.get(where, 'end with')} whitespace")
    length = None if header is None else js_length(header)
    if s.header_max_length is not None and (length is None or length > s.header_max_length):
        yield Violation(
            "header-max-length",
            f"header must not be longer than {s.header_max_length} characters, "
            f"current length is {length}",
        )


def _type_and_scope_violations(parsed: LintMessage, s: CommitMsgSettings) -> Iterator[Violation]:
    type_, scope = parsed.type, parsed.scope
    if not type_:
        yield Violation("type-empty", "type may not be empty")
    else:
        if not ensure_case(type_, "lower-case"):
            yield Violation("type-case", "type must be lower-case")
        if s.types and type_ not in s.types:
            yield Violation("type-enum", f"type must be one of {', '.join(s.types)}")
    if s.require_scope and not scope:
        yield Violation("scope-empty", "scope may not be empty")
    if scope:
        segments = _SCOPE_DELIMITERS.split(scope)
        if s.scope_case and not all(ensure_case(part, s.scope_case) for part in segments):
            yield Violation("scope-case", f"scope must be {s.scope_case}")
        if s.scopes and scope not in s.scopes and not all(p in s.scopes for p in segments):
            yield Violation("scope-enum", f"scope must be one of {', '.join(s.scopes)}")


def _subject_violations(parsed: LintMessage, s: CommitMsgSettings) -> Iterator[Violation]:
    header, subject = parsed.header, parsed.subject
    if not subject:
        yield Violation("subject-empty", "subject may not be empty")
    # commitlint judges the case only of a subject that starts with a cased letter, so
    # "fix:  Add x" (two spaces) has none.
    elif _starts_with_cased_letter(subject) and any(
        ensure_case(subject, case) for case in s.subject_case
    ):
        yield Violation("subject-case", f"subject must not be {', '.join(s.subject_case)}")
    stop = s.subject_full_stop
    # The whole header is judged, with or without a type; "feat:" has no subject to end.
    if (
        stop
        and header
        and header.endswith(stop)
        and not header.endswith("...")
        and header.find(":") != len(header) - 1
    ):
        yield Violation("subject-full-stop", "subject may not end with full stop")


def _starts_with_cased_letter(text: str) -> bool:
    return unicodedata.category(text[0]) in ("Ll", "Lu", "Lt")


def _too_long(text: str, limit: int | None) -> bool:
    return limit is not None and any(
        js_length(line) > limit and not _URL.search(line) for line in _LINE_BREAK.split(text)
    )


def _footer_glued(raw: str, footer: str) -> bool:
    """commitlint's footer-leading-blank: the raw line before the first raw line equal to
    the footer's first line is not empty (the index arithmetic is its own, edge cases too)."""
    raw_lines = _LINE_BREAK.split(raw)
    first = _LINE_BREAK.split(footer)[0]
    offset = raw_lines.index(first) if first in raw_lines else -1
    # Array.prototype.slice(offset - 1)[0]: a negative start counts from the end.
    start = offset - 1 if offset >= 1 else max(len(raw_lines) + offset - 1, 0)
    return raw_lines[start] != ""


_UPPER_FIRST_CASES: Final = frozenset({"sentence-case", "start-case", "pascal-case", "upper-case"})


def ensure_case(raw: str, case: Case) -> bool:
    """commitlint's ``ensureCase``: does ``raw`` (quotes aside) already have ``case``?"""
    # Fast answers that the full transformation below would also give; they keep a
    # range of 10,000 commits cheap.  A lower-case string stays lower-case whatever
    # quotes are removed, and the other cases upper-case a leading letter.
    if case == "lower-case" and raw == raw.lower():
        return True
    if case in _UPPER_FIRST_CASES and raw[:1] in string.ascii_lowercase:
        return False
    text = _QUOTED.sub("", raw).strip(JS_SPACE)
    transformed = _to_case(text, case)
    return transformed == "" or transformed[0] in "0123456789" or transformed == text


def _to_case(text: str, case: Case) -> str:
    """The case functions commitlint uses (lodash's, now es-toolkit's compatible ones)."""
    if case == "lower-case":
        return text.lower()
    if case == "upper-case":
        return text.upper()
    if case == "sentence-case":
        return _upper_first(text)
    return _WORD_CASES[case](_words(text))


def _upper_first(text: str) -> str:
    return text[:1].upper() + text[1:]


def _words(text: str) -> list[str]:
    """lodash's ``words`` after ``deburr``: alphanumeric runs split at humps and digits."""
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    words: list[str] = []
    for run in re.findall(r"[^\W_]+", text.replace("'", "").replace("\u2019", "")):
        start = 0
        for i in range(1, len(run)):
            prev, cur, nxt = run[i - 1], run[i], run[i + 1 : i + 2]
            if (
                prev.isdigit() != cur.isdigit()
                or (cur.isupper() and not prev.isupper())  # fooBar
                or (prev.isupper() and cur.isupper() and nxt.islower())  # HTTPServer
            ):
                words.append(run[start:i])
                start = i
        words.append(run[start:])
    return words


_WORD_CASES: Final[dict[str, Callable[[list[str]], str]]] = {
    "start-case": lambda words: " ".join(_upper_first(w) for w in words),
    "pascal-case": lambda words: "".join(_upper_first(w.lower()) for w in words),
    "camel-case": lambda words: "".join(
        _upper_first(w.lower()) if i else w.lower() for i, w in enumerate(words)
    ),
    "kebab-case": lambda words: "-".join(w.lower() for w in words),
    "snake-case": lambda words: "_".join(w.lower() for w in words),
}
