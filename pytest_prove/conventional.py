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


def _header_of(message: str, comment_char: str | None) -> str:
    """The first line :func:`clean_message_lines` would keep, without cleaning the rest."""
    if comment_char:
        lines = clean_message_lines(message, comment_char=comment_char)
        return lines[0] if lines else ""
    for line in message.split("\n"):
        header = line.rstrip(_WHITESPACE)
        if header:
            return header
    return ""


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


# commitlint's default ignores (@commitlint/is-ignored, defaults.ts), matched on
# the header only: commitlint's multiline flag also lets a *body* line such as
# "Merge branch x" exempt a whole commit, which comment stripping makes needless.
_MERGE: Final = re.compile(
    r"Merge pull request"  # GitHub, Bitbucket Server
    r"|Merge .*? into "  # git with a destination, GitLab
    r"|Merge (?:branch|tag|remote-tracking branch)"  # git (also the plural forms)
    r"|Merged (?:.*?)(?:in|into) |Merged PR .*: "  # Bitbucket Cloud, Azure DevOps
    r"|Automatic merge|Auto-merged .*? into "
    # Added to commitlint's list: the rest of git's fmt-merge-msg titles
    # ("Merge commit 'abc'", "Merge HEAD, branch ...", "Merge https://host/repo"),
    # and Gerrit's ('Merge "subject"', "Merge changes I12,I34").
    r"|Merge (?:commits? |HEAD|changes |\")"
    r"|Merge (?:[A-Za-z][A-Za-z0-9+.-]*://|[^\s@]+@[^\s:]+:)"
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


def is_ignored(
    message: str,
    *,
    ignore_fixup: bool,
    ignore_merges: bool = True,
    ignore_reverts: bool = True,
    comment_char: str | None = "#",
) -> IgnoreReason | None:
    """Why ``message`` is exempt from the convention, as commitlint's defaults decide.

    Merge commits in the forms git, GitHub, GitLab, Bitbucket, Azure DevOps and
    Gerrit write; ``Revert "..."``/``Reapply "..."``; ``fixup!``, ``squash!``
    and ``amend!`` when ``ignore_fixup``; and release commits whose header is
    only a version (``1.2.0``, ``chore(release): v1.2.0``).

    :returns: the reason (a ``str``), or ``None`` when the message must be linted
    """
    header = _header_of(message, comment_char)
    if ignore_merges and _MERGE.match(header):
        return IgnoreReason.MERGE
    if ignore_reverts and _REVERT.match(header):
        return IgnoreReason.REVERT
    if ignore_fixup and _FIXUP.match(header):
        return IgnoreReason.FIXUP
    version = _RELEASE_PREFIX.sub("", header, count=1).strip()
    if len(version) <= 256 and _SEMVER.fullmatch(version):
        return IgnoreReason.RELEASE
    return None
