"""Commit messages as Conventional Commits 1.0.0 sees them: parsing, and exemptions.

Pure functions of the message text, shared by the checks that read commits
(``commit-msg`` lints them, ``killswitch`` looks for ``feat``, ``contracts`` for
breaking changes).  The parser never raises: a message that is not
conventional parses with ``is_conventional=False`` and whatever could be found.
"""

from __future__ import annotations

import dataclasses
import enum
import re
from collections.abc import Sequence
from typing import Final

__all__ = [
    "BREAKING_TOKENS",
    "SCISSORS",
    "IgnoreReason",
    "ParsedMessage",
    "clean_message_lines",
    "is_ignored",
    "parse_commit_message",
]

SCISSORS: Final = "------------------------ >8 ------------------------"
BREAKING_TOKENS: Final = frozenset({"BREAKING CHANGE", "BREAKING-CHANGE"})

# git's own notion of trailing whitespace (its isspace), not Python's, which
# would also eat U+2028, U+0085 and the ASCII separators \x1c-\x1f.
_WHITESPACE: Final = " \t\r\v\f"
# Types are ASCII word characters, as commitlint's `^(\w*)` (a JS regex without
# the u flag).  The subject may be missing ("feat:") so the check can say that
# the subject is empty instead of that the whole header is unreadable.
_HEADER: Final = re.compile(
    r"(?P<type>\w+)(?:\((?P<scope>[^()\n]*)\))?(?P<bang>!)?:(?: (?P<subject>.*)|$)",
    re.ASCII,
)
# A footer is `token: value` or `token #value` (spec items 8-9, from git's trailers).
_FOOTER: Final = re.compile(
    r"(?P<token>BREAKING CHANGE|[\w-]+)(?P<sep>: | #)(?P<value>.*)", re.ASCII
)


@dataclasses.dataclass(frozen=True, kw_only=True)
class ParsedMessage:
    """One commit message, cleaned and split into its parts.

    :param header: the first line (trailing whitespace removed, leading kept)
    :param type: ``feat`` in ``feat(api)!: x``; ``None`` when the header has no ``type:``
    :param scope: ``api``; ``None`` when absent or empty
    :param breaking: ``!`` before the colon, or a ``BREAKING CHANGE``/``BREAKING-CHANGE`` footer
    :param subject: the description after ``: `` (``""`` for ``feat:``); ``None`` without a type
    :param body: the text between header and footers, blank lines trimmed; ``None`` if empty
    :param footers: ``(token, value)`` pairs in order; ``Refs #12`` gives ``("Refs", "#12")``
    :param is_conventional: the header is ``type(scope)!: subject`` with a non-empty subject
    :param footer: the footer section as written, for line-length rules; ``None`` if absent
    :param body_leading_blank: no body, or a blank line separates it from the header
    :param footer_leading_blank: no footers, or a blank line comes before them
    """

    header: str
    type: str | None
    scope: str | None
    breaking: bool
    subject: str | None
    body: str | None
    footers: tuple[tuple[str, str], ...]
    is_conventional: bool
    footer: str | None
    body_leading_blank: bool
    footer_leading_blank: bool


class IgnoreReason(enum.StrEnum):
    """Why a message is exempt from the convention (commitlint's default ignores)."""

    MERGE = "merge commit"
    REVERT = "revert commit"
    FIXUP = "fixup commit"
    RELEASE = "release commit"


def clean_message_lines(message: str, *, comment_char: str | None = "#") -> list[str]:
    """The lines of ``message`` as git would store them.

    CRLF becomes LF; with a ``comment_char``, everything from git's scissors line
    on is dropped and so are comment lines (``git commit`` does this after the
    editor, but a ``commit-msg`` hook reads the file before); trailing
    whitespace and leading/trailing blank lines go.

    :param comment_char: ``None`` for messages read from history, where a
        ``#`` line survived git's cleanup and is therefore content (``## Summary``
        in a GitHub squash body, ``#123`` from ``git commit -m``)
    """
    lines = message.replace("\r\n", "\n").split("\n")
    if comment_char:
        scissors = f"{comment_char} {SCISSORS}"
        for index, line in enumerate(lines):
            if line.rstrip(_WHITESPACE) == scissors:
                del lines[index:]
                break
        lines = [line for line in lines if not line.startswith(comment_char)]
    lines = [line.rstrip(_WHITESPACE) for line in lines]
    start, end = 0, len(lines)
    while start < end and not lines[start]:
        start += 1
    while end > start and not lines[end - 1]:
        end -= 1
    return lines[start:end]


def parse_commit_message(message: str, *, comment_char: str | None = "#") -> ParsedMessage:
    """Parse ``message`` per Conventional Commits 1.0.0; never raises.

    :param comment_char: as for :func:`clean_message_lines`
    """
    lines = clean_message_lines(message, comment_char=comment_char)
    header = lines[0] if lines else ""
    match = _HEADER.fullmatch(header)
    type_ = scope = subject = None
    bang = False
    if match:
        type_, scope, bang = match["type"], match["scope"] or None, bool(match["bang"])
        subject = (match["subject"] or "").strip(_WHITESPACE)
    footer_at = _footer_start(lines)
    body_lines = lines[1:footer_at]
    while body_lines and not body_lines[0]:
        del body_lines[0]
    while body_lines and not body_lines[-1]:
        del body_lines[-1]
    footers = _footers(lines[footer_at:])
    return ParsedMessage(
        header=header,
        type=type_,
        scope=scope,
        breaking=bang or any(token in BREAKING_TOKENS for token, _ in footers),
        subject=subject,
        body="\n".join(body_lines) or None,
        footers=footers,
        is_conventional=bool(subject),
        footer="\n".join(lines[footer_at:]) or None,
        body_leading_blank=not body_lines or lines[1] == "",
        footer_leading_blank=footer_at == len(lines) or lines[footer_at - 1] == "",
    )


def _paragraphs(lines: Sequence[str]) -> list[tuple[int, int]]:
    """``(start, end)`` of each run of non-blank lines after the header."""
    spans: list[tuple[int, int]] = []
    start = None
    for index in range(1, len(lines) + 1):
        blank = index == len(lines) or not lines[index]
        if blank and start is not None:
            spans.append((start, index))
            start = None
        elif not blank and start is None:
            start = index
    return spans


def _footer_start(lines: Sequence[str]) -> int:
    """Where the footer section starts; ``len(lines)`` when there is none.

    The spec lets a body paragraph begin like a footer (``Note: ...``), so only
    a trailing run of paragraphs that each open with a footer counts (git's
    trailer rule, generalised), plus any paragraph opening with ``BREAKING
    CHANGE:``, whose value may run over several paragraphs (spec item 10).
    Footers glued to the end of the last paragraph count too: commitlint
    reports those as ``footer-leading-blank`` rather than not seeing them.
    """
    spans = _paragraphs(lines)
    start = len(lines)
    for first, _ in reversed(spans):
        if not _FOOTER.fullmatch(lines[first]):
            break
        start = first
    for first, _ in spans:
        found = _FOOTER.fullmatch(lines[first])
        if found and found["token"] in BREAKING_TOKENS:
            return min(start, first)
    if start == len(lines) and spans:
        first, end = spans[-1]
        for index in range(end - 1, first, -1):
            line = lines[index]
            if _FOOTER.fullmatch(line):
                start = index
            elif not line.startswith((" ", "\t")):  # a trailer's continuation is indented
                break
    return start


def _footers(lines: Sequence[str]) -> tuple[tuple[str, str], ...]:
    """``(token, value)`` pairs; a value runs until the next footer token (spec item 10)."""
    pairs: list[tuple[str, list[str]]] = []
    for line in lines:
        found = _FOOTER.fullmatch(line)
        if found:
            # "Refs #12" and "Refs: #12" mean the same; keep the "#" in both values.
            value = found["value"] if found["sep"] == ": " else "#" + found["value"]
            pairs.append((found["token"], [value]))
        else:
            pairs[-1][1].append(line)
    return tuple((token, "\n".join(value).strip()) for token, value in pairs)


# commitlint's default ignores (@commitlint/is-ignored, defaults.ts), with their JavaScript
# semantics: the merge and tag patterns carry the multiline flag, so a line of the body
# ("Merge branch 'x'") exempts the whole message too; the rest look at its start.  A
# JavaScript `.` stops at \r, U+2028 and U+2029 as well as at \n.
_DOT: Final = r"[^\n\r\u2028\u2029]"
_MERGE_LINE: Final = re.compile(
    rf"Merge pull request|Merge {_DOT}*? into {_DOT}*?\Z|Merge branch |Merge tag "
)
_LINE_STARTS: Final = re.compile(r"(?:\A|(?<=[\n\r\u2028\u2029]))Merge ")
_MERGE: Final = re.compile(
    rf"Merged {_DOT}*?(?:in|into) |Merged PR {_DOT}*: |Merge remote-tracking branch"
    rf"|Automatic merge|Auto-merged {_DOT}*? into "
)
_REVERT: Final = re.compile(r"[Rr]evert |[Rr]eapply ")  # git writes Reapply for a revert's revert
_FIXUP: Final = re.compile(r"(?:amend|fixup|squash)!")
_NUMBER: Final = r"(?:0|[1-9][0-9]*)"
_PRE_ID: Final = rf"(?:{_NUMBER}|[0-9]*[A-Za-z-][A-Za-z0-9-]*)"
# node-semver's strict `valid()`, which commitlint applies to release commits.
_SEMVER: Final = re.compile(
    rf"v?{_NUMBER}\.{_NUMBER}\.{_NUMBER}(?:-{_PRE_ID}(?:\.{_PRE_ID})*)?"
    r"(?:\+[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*)?"
)
_RELEASE_PREFIX: Final = re.compile(r"^chore(?:\([^)]+\))?:")
# What JavaScript's String.prototype.trim() removes and its regex `\s` matches.
_JS_TRIM: Final = (
    "\t\n\v\f\r \u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009"
    "\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
)
_SKIP_CI: Final = (
    re.compile(rf"\[(?:skip|ci)(?:-|[{_JS_TRIM}])(?:ci|skip)\]", re.IGNORECASE | re.ASCII),
    re.compile(rf"\((?:skip|ci)(?:-|[{_JS_TRIM}])(?:ci|skip)\)", re.IGNORECASE | re.ASCII),
)
# node-semver refuses numbers JavaScript cannot hold exactly.
_MAX_SAFE_INTEGER: Final = 2**53 - 1


def is_ignored(
    message: str,
    *,
    ignore_fixup: bool,
    ignore_merges: bool = True,
    ignore_reverts: bool = True,
) -> IgnoreReason | None:
    """Why ``message`` is exempt from the convention, as commitlint's defaults decide.

    The raw message is matched as commitlint matches it: a merge message (git's
    ``Merge branch``/``Merge tag``/``Merge X into Y`` on any line, GitHub's ``Merge pull
    request``, Bitbucket's, Azure DevOps' and git's remote-tracking ones at the start);
    ``Revert ...``/``Reapply ...``; ``fixup!``, ``squash!`` and ``amend!`` when
    ``ignore_fixup``; and release commits whose first line is only a version
    (``1.2.0``, ``chore(release): v1.2.0 [skip ci]``).

    :returns: the reason (a ``str``), or ``None`` when the message must be linted
    """
    if ignore_merges and _is_merge_message(message):
        return IgnoreReason.MERGE
    if ignore_reverts and _REVERT.match(message):
        return IgnoreReason.REVERT
    if ignore_fixup and _FIXUP.match(message):
        return IgnoreReason.FIXUP
    version = _RELEASE_PREFIX.sub("", message.split("\n", 1)[0], count=1)
    for skip in _SKIP_CI:
        version = skip.sub("", version, count=1)
    version = version.strip(_JS_TRIM)
    if len(version) <= 256 and _SEMVER.fullmatch(version):
        numbers = re.findall(r"[0-9]+", version.split("-", 1)[0].split("+", 1)[0])
        if all(int(n) <= _MAX_SAFE_INTEGER for n in numbers):
            return IgnoreReason.RELEASE
    return None


def _is_merge_message(message: str) -> bool:
    if _MERGE.match(message):
        return True
    # Most messages have no line starting "Merge ": look at those only.
    return any(
        _MERGE_LINE.match(message, found.start(), _line_end(message, found.start()))
        for found in _LINE_STARTS.finditer(message)
    )


def _line_end(text: str, start: int) -> int:
    ends = (text.find(c, start) for c in "\n\r\u2028\u2029")
    return min((end for end in ends if end != -1), default=len(text))
