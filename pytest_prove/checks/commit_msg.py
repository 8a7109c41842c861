"""The ``commit-msg`` check: every commit in range follows Conventional Commits 1.0.0.

With its defaults it gives the verdicts of ``commitlint`` with @commitlint/config-conventional:
the same rules, ids, defaults and severities (:mod:`pytest_prove.engines.commits.rules`), on
the message split as commitlint's parser splits it (:mod:`pytest_prove.engines.commits.parser`),
with commitlint's default ignores (:func:`pytest_prove.engines.commits.conventional.is_ignored`).
Stricter rules of its own are settings.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Final

from pytest_prove.engines.commits.conventional import IgnoreReason, is_ignored

from ..api import Check, CheckResult, Finding, Severity
from ..engines.commits.parser import JS_SPACE, parse_lint_message
from ..engines.commits.rules import Violation, violations
from ..engines.commits.settings import CommitMsgSettings

if TYPE_CHECKING:
    from pytest_prove.git.context import RepoContext

__all__ = ["COMMIT_MSG", "CommitMsgSettings", "check_commit_messages", "check_message_file"]

_LABEL_CHARS: Final = 60


_FIXUP_VIOLATION: Final = Violation(
    "fixup-commit",
    "fixup!/squash!/amend! commits must be squashed before merging (git rebase -i --autosquash)",
)

_EMPTY_VIOLATIONS: Final = (
    Violation("type-empty", "type may not be empty"),
    Violation("subject-empty", "subject may not be empty"),
)


def check_commit_messages(context: RepoContext, settings: CommitMsgSettings) -> CheckResult:
    """Lint every commit between the merge base and ``HEAD``.

    Metrics: ``commits`` judged, ``ignored`` (merges, reverts, ...), ``violations``
    (error findings) and ``warnings``, all counted before ``max_findings`` cuts the list.
    """
    # A monorepo's project judges the commits that touch its folder, unless told otherwise.
    commits = context.range_commits if settings.all_commits else context.commits
    if not commits:
        return CheckResult(
            summary="no commits to check",
            metrics={"commits": 0, "ignored": 0, "violations": 0, "warnings": 0},
            judged={"commits": 0},
        )
    checked = commits[-settings.max_commits :] if settings.max_commits else commits
    findings: list[Finding] = []
    ignored = bad = 0
    accepted = _obviously_valid(settings, [c.message for c in checked])
    for commit, fine in zip(checked, accepted, strict=True):
        if settings.ignore_merge_commits and commit.is_merge:
            ignored += 1
            continue
        if fine:
            continue
        judged = _judge(commit.message, settings)
        if judged is None:
            ignored += 1
            continue
        header, found = judged
        label = f"{commit.sha[:10]} {_quote(header)}"
        findings.extend(_finding(label, v) for v in found)
        bad += any(v.severity is Severity.ERROR for v in found)
    errors = sum(f.severity is Severity.ERROR for f in findings)
    warnings = len(findings) - errors
    shown = _shown(findings, settings.max_findings)
    if len(shown) < len(findings):
        shown.append(
            Finding(
                rule="max-findings",
                message=f"showing {len(shown):,} of {len(findings):,} findings, the newest "
                f"(max_findings={settings.max_findings})",
                severity=Severity.INFO,
            )
        )
    if len(commits) > len(checked):
        shown.append(
            Finding(
                rule="max-commits",
                message=f"checked the newest {len(checked)} of {len(commits)} commits in range "
                f"(max_commits={settings.max_commits})",
                severity=Severity.INFO,
            )
        )
    linted = len(checked) - ignored
    summary = (
        f"{bad:,} of {linted:,} commits break Conventional Commits"
        if bad
        else f"{linted:,} commits follow Conventional Commits"
    )
    return CheckResult(
        findings=tuple(shown),
        judged={"commits": len(checked)},
        summary=f"{summary} ({ignored:,} ignored)",
        metrics={
            "commits": len(checked),
            "ignored": ignored,
            "violations": errors,
            "warnings": warnings,
        },
    )


def _judge(message: str, s: CommitMsgSettings) -> tuple[str, list[Violation]] | None:
    """The header and what is wrong with one message in range; ``None`` when exempt."""
    # `commitlint --from/--to` drops blank messages unread.
    if not message.strip(JS_SPACE):
        return None if s.allow_empty else ("", list(_EMPTY_VIOLATIONS))
    reason = _exemption(message, s)
    if reason is IgnoreReason.FIXUP and not s.allow_fixup:
        return message.strip("\r\n").split("\n", 1)[0], [_FIXUP_VIOLATION]
    if reason is not None:
        return None
    # It reads each message as git log's "%B%n", and without a comment character: a
    # "#" line that survived git's cleanup is content.
    parsed = parse_lint_message(message + "\n")
    return parsed.header or "", list(violations(parsed, s))


def _shown(findings: Sequence[Finding], limit: int) -> list[Finding]:
    """At most ``limit`` findings in their order, the newest first chosen and errors
    before warnings, so a cut list still fails the gate when the whole one does."""
    if len(findings) <= limit:
        return list(findings)
    newest_first = range(len(findings) - 1, -1, -1)
    errors = [i for i in newest_first if findings[i].severity is Severity.ERROR]
    others = [i for i in newest_first if findings[i].severity is not Severity.ERROR]
    return [findings[i] for i in sorted((errors + others)[:limit])]


def check_message_file(
    path: Path, settings: CommitMsgSettings, *, comment_char: str | None = "#"
) -> list[Finding]:
    """Lint the message file a git ``commit-msg`` hook is given, as ``commitlint --edit``.

    git runs the hook before its own cleanup, so comments and everything below
    the scissors line are dropped here.  ``fixup!``/``squash!``/``amend!`` pass
    whatever ``allow_fixup`` says: ``git commit --fixup`` is how they are made,
    and the range check stops them from reaching trunk.

    :param comment_char: git's ``core.commentChar``
    :raises OSError: when the file cannot be read
    """
    message = path.read_bytes().decode("utf-8", "replace")
    # commitlint drops a blank message unread; git refuses to commit one anyway.
    if not message.strip(JS_SPACE):
        return [] if settings.allow_empty else [_finding('""', v) for v in _EMPTY_VIOLATIONS]
    if _exemption(message, settings) is not None:
        return []
    parsed = parse_lint_message(message + "\n", comment_char=comment_char)
    label = _quote(parsed.header or "")
    return [_finding(label, v) for v in violations(parsed, settings)]


# What the fast path below accepts: plain lower-case types and scopes.
_PLAIN_TYPE: Final = re.compile(r"[a-z0-9_]+")
_PLAIN_SCOPE: Final = re.compile(r"[a-z0-9-]+")
# Headers starting "amend!" are fixups, whatever the allowed types say.
_FIXUP_TYPES: Final = frozenset({"amend", "fixup", "squash"})


def _obviously_valid(s: CommitMsgSettings, messages: Sequence[str]) -> Iterable[object]:
    """Per message, truthy only if the full rules accept it without a finding.

    Most commits in a long range are one-line headers like ``feat(api): add x``; one
    regex built from the settings accepts those (and plain bodies, and footers that open
    with a reference such as ``Fixes: #12``), and everything else (upper case, odd scopes,
    notes, exemptions) takes the full parse.  All falsy when the settings
    use rules this shortcut cannot stand in for.  A Hypothesis test checks that it
    never accepts what the full path would report or exempt.
    """
    pattern = _shortcut_pattern(s)
    if pattern is None:
        return itertools.repeat(None, len(messages))
    # map() keeps the loop over 10,000 messages in C; git ends every message with "\n".
    return map(pattern.fullmatch, map(str.rstrip, messages, itertools.repeat("\n")))


def _shortcut_pattern(s: CommitMsgSettings) -> re.Pattern[str] | None:
    """The regex of :func:`_obviously_valid`, matched against the message without its
    trailing newlines."""
    types = [t for t in s.types if _PLAIN_TYPE.fullmatch(t) and t not in _FIXUP_TYPES]
    if not types or not set(s.subject_case) <= _UPPER_FIRST_CASES:
        return None
    scope = ""
    if s.scope_case in (None, "lower-case"):
        allowed = [x for x in s.scopes if _PLAIN_SCOPE.fullmatch(x)] if s.scopes else None
        if allowed is None:
            scope = r"\([a-z0-9-]+\)"
        elif allowed:
            scope = rf"\((?:{'|'.join(map(re.escape, allowed))})\)"
    if s.require_scope and not scope:
        return None
    optional = "" if s.require_scope else "?"
    # Characters that UTF-16 counts once each, so a length in code points is
    # commitlint's; no JavaScript line terminator; lines with others take the full path.
    char = r"[^\r\n\u2028\u2029\U00010000-\U0010ffff]"
    length = rf"(?={char}{{1,{_limit(s.header_max_length)}}}(?:\n|\Z))"
    # A chore whose subject is a version may be a release commit, which is ignored.
    release = r"(?!chore(?:\([^)]*\))?!?: [0-9v])"
    stop = rf"(?<!{re.escape(s.subject_full_stop)})" if s.subject_full_stop else ""
    # header-trim: no whitespace at the end, as JavaScript's trimEnd() sees it.
    stop = rf"(?<![{JS_SPACE}]){stop}"
    # commitlint's scope is greedy: in "fix(a): b(c): d" it is "a): b(c".
    greedy = rf"(?!{char}*\)!?: )"
    header = (
        rf"{length}{release}(?:{'|'.join(map(re.escape, types))})"
        rf"{f'(?:{scope}{greedy}){optional}' if scope else ''}!?: [a-z0-9]{char}*{stop}"
    )
    # A body after a blank line, none of whose lines can open a footer (no "#" for an
    # issue, no BREAKING CHANGE note) or make the commit a merge (a "Merge ..." line).
    note = rf"[{JS_SPACE}|*]*(?i:breaking[ -]change)"
    line = (
        rf"(?!{note}|Merge )[^\r\n\u2028\u2029:#\U00010000-\U0010ffff]"
        rf"{{0,{_limit(s.body_max_line_length)}}}"
    )
    # A footer after a blank line: a first line that is only a reference ("Fixes: #12",
    # "Refs #3": it opens the footer), then lines with no "#", note, merge or gpg line.
    footer_max = _limit(s.footer_max_line_length)
    reference = (
        rf"(?={char}{{0,{footer_max}}}(?:\n|\Z))(?!{note}|Merge )"
        r"[A-Z][a-z]+(?:-[a-z]+)*:? #[0-9]{1,9}"
    )
    footer_line = (
        rf"(?![{JS_SPACE}]*gpg:)(?!{note}|Merge )[^\r\n\u2028\u2029#\U00010000-\U0010ffff]"
        rf"{{0,{footer_max}}}"
    )
    body = rf"\n\n{line}(?:\n{line})*"
    return re.compile(rf"{header}(?:{body})?(?:\n\n{reference}(?:\n{footer_line})*)?")


def _limit(limit: int | None) -> str:
    return "" if limit is None else str(limit)


_UPPER_FIRST_CASES: Final = frozenset({"sentence-case", "start-case", "pascal-case", "upper-case"})


def _exemption(message: str, settings: CommitMsgSettings) -> IgnoreReason | None:
    return is_ignored(
        message,
        ignore_fixup=True,  # the caller decides what a fixup means where it runs
        ignore_merges=settings.ignore_merges,
        ignore_reverts=settings.ignore_reverts,
    )


def _finding(label: str, violation: Violation) -> Finding:
    return Finding(
        rule=violation.rule, message=f"{label}: {violation.message}", severity=violation.severity
    )


def _quote(header: str) -> str:
    if len(header) > _LABEL_CHARS:
        header = header[: _LABEL_CHARS - 1] + "…"
    return f'"{header}"'


COMMIT_MSG: Final = Check(
    name="commit-msg",
    run=check_commit_messages,
    settings_model=CommitMsgSettings,
    quick=True,
    aliases=("commit-msg-convention",),
    description="Commits in range follow Conventional Commits 1.0.0 (commitlint's rules)",
    prefetch=("commits",),
)
