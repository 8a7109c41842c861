"""The ``commit-msg`` check: every commit in range follows Conventional Commits 1.0.0.

Rules, ids, wording, defaults and severities are @commitlint/config-conventional's,
so a team moving from commitlint gets the same verdicts; exemptions are
commitlint's default ignores (see :func:`pytest_prove.conventional.is_ignored`).
"""

from __future__ import annotations

import itertools
import re
import string
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Final, Literal, NamedTuple

from pydantic import Field

from pytest_prove.conventional import IgnoreReason, ParsedMessage, is_ignored, parse_commit_message

from .api import MAX_COUNT, Check, CheckResult, CheckSettings, Finding, Severity

if TYPE_CHECKING:
    from pytest_prove.git.context import RepoContext

__all__ = ["COMMIT_MSG", "CommitMsgSettings", "check_commit_messages", "check_message_file"]

Case = Literal[
    "lower-case",
    "upper-case",
    "camel-case",
    "kebab-case",
    "pascal-case",
    "sentence-case",
    "snake-case",
    "start-case",
]

_TYPES: Final = (
    *("build", "chore", "ci", "docs", "feat", "fix"),
    *("perf", "refactor", "revert", "style", "test"),
)
_FORBIDDEN_SUBJECT_CASES: Final[tuple[Case, ...]] = (
    "sentence-case",
    "start-case",
    "pascal-case",
    "upper-case",
)
_LABEL_CHARS: Final = 60
# commitlint checks each part of "api/auth" or "api, auth" on its own.
_SCOPE_DELIMITERS: Final = re.compile(r"/|\\|, ?")
# Quoted text may hold proper names ("fix: `Eslint` config"), so case rules skip it.
_QUOTED: Final = re.compile(r"`.*?`|\".*?\"|'.*?'")
# A URL cannot be wrapped, so commitlint (#4486) exempts its line from line lengths.
_URL: Final = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://\S")


class CommitMsgSettings(CheckSettings):
    """``commit-msg`` settings; the defaults are @commitlint/config-conventional's."""

    types: list[str] = Field(
        default_factory=lambda: list(_TYPES), description="Allowed commit types"
    )
    scopes: list[str] | None = Field(
        default=None, description="Allowed scopes; none or empty allows any"
    )
    require_scope: bool = Field(default=False, description="Every header needs a (scope)")
    header_max_length: int | None = Field(
        default=100, ge=1, le=MAX_COUNT, strict=True, description="None: no limit"
    )
    body_max_line_length: int | None = Field(
        default=100, ge=1, le=MAX_COUNT, strict=True, description="None: no limit"
    )
    footer_max_line_length: int | None = Field(
        default=100, ge=1, le=MAX_COUNT, strict=True, description="None: no limit"
    )
    subject_case: list[Case] = Field(
        default_factory=lambda: list(_FORBIDDEN_SUBJECT_CASES),
        description="Cases a subject must not be in",
    )
    subject_full_stop: str | None = Field(
        default=".", description="What a subject must not end with"
    )
    scope_case: Case | None = Field(default="lower-case", description="The case scopes must be in")
    # Off by default because `git rebase --autosquash` exists to fold these in:
    # a branch that reaches the gate still carrying one was not cleaned up, and
    # merging it would put "fixup! ..." into trunk's history for good.
    allow_fixup: bool = Field(default=False, description="Accept fixup!/squash!/amend! commits")
    ignore_merges: bool = Field(default=True, description="Skip merge commits")
    ignore_reverts: bool = Field(default=True, description='Skip git\'s Revert "..." commits')
    max_commits: int = Field(
        default=500, ge=1, le=MAX_COUNT, strict=True, description="Check at most this many (newest)"
    )


class _Violation(NamedTuple):
    rule: str
    message: str
    severity: Severity = Severity.ERROR


_FIXUP_VIOLATION: Final = _Violation(
    "fixup-commit",
    "fixup!/squash!/amend! commits must be squashed before merging (git rebase -i --autosquash)",
)


def check_commit_messages(context: RepoContext, settings: CommitMsgSettings) -> CheckResult:
    """Lint every commit between the merge base and ``HEAD``.

    Metrics: ``commits`` looked at, ``ignored`` (merges, reverts, ...),
    ``violations`` (error findings) and ``warnings``.
    """
    commits = context.commits
    if not commits:
        return CheckResult(
            summary="no commits to check",
            metrics={"commits": 0, "ignored": 0, "violations": 0, "warnings": 0},
        )
    # Oldest first: the newest are the branch's own work, the likeliest to be wrong.
    checked = commits[-settings.max_commits :]
    findings: list[Finding] = []
    ignored = bad = 0
    accepted = _obviously_valid(settings, [c.message for c in checked])
    for commit, fine in zip(checked, accepted, strict=True):
        if settings.ignore_merges and commit.is_merge:
            reason: IgnoreReason | None = IgnoreReason.MERGE
        elif fine:
            continue
        else:
            # comment_char=None: a "#" line that survived git's cleanup is content
            reason = _exemption(commit.message, settings, comment_char=None)
        lint_fixup = reason is IgnoreReason.FIXUP and not settings.allow_fixup
        if reason is not None and not lint_fixup:
            ignored += 1
            continue
        parsed = parse_commit_message(commit.message, comment_char=None)
        violations = [_FIXUP_VIOLATION] if lint_fixup else list(_violations(parsed, settings))
        label = f"{commit.sha[:10]} {_quote(parsed.header)}"
        findings.extend(
            Finding(rule=v.rule, message=f"{label}: {v.message}", severity=v.severity)
            for v in violations
        )
        bad += any(v.severity is Severity.ERROR for v in violations)
    errors = sum(f.severity is Severity.ERROR for f in findings)
    if len(commits) > len(checked):
        findings.append(
            Finding(
                rule="max-commits",
                message=f"checked the newest {len(checked)} of {len(commits)} commits in range "
                f"(max_commits={settings.max_commits})",
                severity=Severity.INFO,
            )
        )
    linted = len(checked) - ignored
    summary = (
        f"{bad} of {linted} commits break Conventional Commits"
        if bad
        else f"{linted} commits follow Conventional Commits"
    )
    return CheckResult(
        findings=tuple(findings),
        summary=f"{summary} ({ignored} ignored)",
        metrics={
            "commits": len(checked),
            "ignored": ignored,
            "violations": errors,
            "warnings": sum(f.severity is Severity.WARNING for f in findings),
        },
    )


def check_message_file(
    path: Path, settings: CommitMsgSettings, *, comment_char: str | None = "#"
) -> list[Finding]:
    """Lint the message file a git ``commit-msg`` hook is given.

    git runs the hook before its own cleanup, so comments and everything below
    the scissors line are dropped here.  ``fixup!``/``squash!``/``amend!`` pass
    whatever ``allow_fixup`` says: ``git commit --fixup`` is how they are made,
    and the range check stops them from reaching trunk.

    :param comment_char: git's ``core.commentChar``
    :raises OSError: when the file cannot be read
    """
    message = path.read_bytes().decode("utf-8", "replace")
    if _exemption(message, settings, comment_char=comment_char) is not None:
        return []
    parsed = parse_commit_message(message, comment_char=comment_char)
    label = _quote(parsed.header)
    return [
        Finding(rule=v.rule, message=f"{label}: {v.message}", severity=v.severity)
        for v in _violations(parsed, settings)
    ]


# What the fast path below accepts: plain lower-case types and scopes.
_PLAIN_TYPE: Final = re.compile(r"[a-z0-9_]+")
_PLAIN_SCOPE: Final = re.compile(r"[a-z0-9-]+")
# Headers starting "amend!" are fixups, whatever the allowed types say.
_FIXUP_TYPES: Final = frozenset({"amend", "fixup", "squash"})
_TRAILING: Final = " \t\r\v\f\n"


def _obviously_valid(s: CommitMsgSettings, messages: Sequence[str]) -> Iterable[object]:
    """Per message, truthy only if the full rules accept it without a finding.

    Most commits in a long range are one-line headers like ``feat(api): add x``; one
    regex built from the settings accepts those, and everything else (bodies, upper
    case, odd scopes, exemptions) takes the full parse.  All falsy when the settings
    use rules this shortcut cannot stand in for.  A Hypothesis test checks that it
    never accepts what the full path would report or exempt.
    """
    pattern = _shortcut_pattern(s)
    if pattern is None:
        return itertools.repeat(None, len(messages))
    # map() keeps the loop over 10,000 messages in C.
    return map(pattern.fullmatch, map(str.rstrip, messages, itertools.repeat(_TRAILING)))


def _shortcut_pattern(s: CommitMsgSettings) -> re.Pattern[str] | None:
    """The regex of :func:`_obviously_valid`, matched against the stripped message."""
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
    # commitlint's; lines with others take the full path.
    char = r"[^\r\n\U00010000-\U0010ffff]"
    length = rf"(?={char}{{1,{_limit(s.header_max_length)}}}(?:\n|\Z))"
    # A chore whose subject is a version may be a release commit, which is ignored.
    release = r"(?!chore(?:\([^)]*\))?!?: [0-9v])"
    stop = rf"(?<!{re.escape(s.subject_full_stop)})" if s.subject_full_stop else ""
    # git keeps a header's trailing blanks when a body follows; the rules judge it without.
    stop = rf"(?<![ \t\v\f]){stop}"
    header = (
        rf"{length}{release}(?:{'|'.join(map(re.escape, types))})"
        rf"{f'(?:{scope}){optional}' if scope else ''}!?: [a-z0-9][^\r\n]*{stop}"
    )
    # A body after a blank line, none of whose lines can open a footer (no ":" or "#").
    line = rf"[^\r\n:#\U00010000-\U0010ffff]{{0,{_limit(s.body_max_line_length)}}}"
    return re.compile(rf"{header}(?:\n\n{line}(?:\n{line})*)?")


def _limit(limit: int | None) -> str:
    return "" if limit is None else str(limit)


def _exemption(
    message: str, settings: CommitMsgSettings, *, comment_char: str | None
) -> IgnoreReason | None:
    return is_ignored(
        message,
        ignore_fixup=True,  # the caller decides what a fixup means where it runs
        ignore_merges=settings.ignore_merges,
        ignore_reverts=settings.ignore_reverts,
        comment_char=comment_char,
    )


def _violations(parsed: ParsedMessage, s: CommitMsgSettings) -> Iterator[_Violation]:
    header = parsed.header
    # Trailing whitespace never reaches a commit (git strips it), so only the start matters.
    if header != header.lstrip():
        yield _Violation("header-trim", "header must not start with whitespace")
    if s.header_max_length is not None and _js_length(header) > s.header_max_length:
        yield _Violation(
            "header-max-length",
            f"header must not be longer than {s.header_max_length} characters, "
            f"current length is {_js_length(header)}",
        )
    if not parsed.type:
        yield _Violation("type-empty", "type may not be empty")
        yield _Violation("subject-empty", "subject may not be empty")
    else:
        yield from _header_violations(parsed, parsed.type, s)
    if parsed.body:
        if not parsed.body_leading_blank:
            yield _Violation(
                "body-leading-blank", "body must have leading blank line", Severity.WARNING
            )
        if _too_long(parsed.body, s.body_max_line_length):
            yield _Violation(
                "body-max-line-length",
                f"body's lines must not be longer than {s.body_max_line_length} characters",
            )
    if parsed.footer:
        if not parsed.footer_leading_blank:
            yield _Violation(
                "footer-leading-blank", "footer must have leading blank line", Severity.WARNING
            )
        if _too_long(parsed.footer, s.footer_max_line_length):
            yield _Violation(
                "footer-max-line-length",
                f"footer's lines must not be longer than {s.footer_max_line_length} characters",
            )


def _header_violations(
    parsed: ParsedMessage, type_: str, s: CommitMsgSettings
) -> Iterator[_Violation]:
    if not _ensure_case(type_, "lower-case"):
        yield _Violation("type-case", "type must be lower-case")
    if s.types and type_ not in s.types:
        yield _Violation("type-enum", f"type must be one of {', '.join(s.types)}")
    scope = parsed.scope
    if s.require_scope and not scope:
        yield _Violation("scope-empty", "scope may not be empty")
    if scope:
        segments = _SCOPE_DELIMITERS.split(scope)
        if s.scope_case and not all(_ensure_case(part, s.scope_case) for part in segments):
            yield _Violation("scope-case", f"scope must be {s.scope_case}")
        if s.scopes and scope not in s.scopes and not all(p in s.scopes for p in segments):
            yield _Violation("scope-enum", f"scope must be one of {', '.join(s.scopes)}")
    subject = parsed.subject
    if not subject:
        yield _Violation("subject-empty", "subject may not be empty")
        return
    # commitlint only judges the case of a subject that starts with a letter.
    if re.match(r"[a-z]", subject, re.IGNORECASE) and any(
        _ensure_case(subject, case) for case in s.subject_case
    ):
        yield _Violation("subject-case", f"subject must not be {', '.join(s.subject_case)}")
    stop = s.subject_full_stop
    if stop and parsed.header.endswith(stop) and not parsed.header.endswith("..."):
        yield _Violation("subject-full-stop", "subject may not end with full stop")


def _quote(header: str) -> str:
    if len(header) > _LABEL_CHARS:
        header = header[: _LABEL_CHARS - 1] + "…"
    return f'"{header}"'


def _js_length(text: str) -> int:
    """Length in UTF-16 code units, as commitlint counts: an emoji is 2."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def _too_long(text: str, limit: int | None) -> bool:
    return limit is not None and any(
        _js_length(line) > limit and not _URL.search(line) for line in text.split("\n")
    )


_UPPER_FIRST_CASES: Final = frozenset({"sentence-case", "start-case", "pascal-case", "upper-case"})


def _ensure_case(raw: str, case: Case) -> bool:
    """commitlint's ``ensureCase``: does ``raw`` (quotes aside) already have ``case``?"""
    # Fast answers that the full transformation below would also give; they keep a
    # range of 10,000 commits cheap.  A lower-case string stays lower-case whatever
    # quotes are removed, and the other cases upper-case a leading letter.
    if case == "lower-case" and raw == raw.lower():
        return True
    if case in _UPPER_FIRST_CASES and raw[:1] in string.ascii_lowercase:
        return False
    text = _QUOTED.sub("", raw).strip()
    transformed = _to_case(text, case)
    return transformed == "" or transformed[0] in "0123456789" or transformed == text


def _to_case(text: str, case: Case) -> str:
    """lodash's case functions, as commitlint uses them."""
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

COMMIT_MSG: Final = Check(
    name="commit-msg",
    run=check_commit_messages,
    settings_model=CommitMsgSettings,
    quick=True,
    aliases=("commit-msg-convention",),
    description="Commits in range follow Conventional Commits 1.0.0 (commitlint's rules)",
    prefetch=("commits",),
)
