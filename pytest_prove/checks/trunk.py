"""The ``trunk`` check: work happens on the trunk or on a short-lived branch.

A branch other than the trunk must be named by convention, young, small and
close to the trunk: each limit it breaks is one error finding with the
measured value and the limit.

Branch age is measured against the current time, or against the ISO 8601
instant in ``PROVE_NOW`` in the repository context's environment (an instant
without an offset is UTC).  The variable lets tests, and a rerun of an old
build, judge age at a fixed moment without patching the clock.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Final

from pydantic import Field

from pytest_prove.git.refs import BASE_VARIABLES, BRANCH_VARIABLES, branch_of
from pytest_prove.support import clock
from pytest_prove.support.clock import NOW_VARIABLE, ClockError

from ..api import (
    MAX_COUNT,
    MAX_DAYS,
    Check,
    CheckResult,
    CheckSettings,
    Finding,
    MetricValue,
    Regex,
    Severity,
)

if TYPE_CHECKING:
    from pytest_prove.git.context import Commit, RepoContext

__all__ = ["DEFAULT_BRANCH_PATTERN", "NOW_VARIABLE", "TRUNK", "TrunkSettings", "check_trunk"]

DEFAULT_BRANCH_PATTERN: Final = (
    r"^(feat|fix|chore|docs|refactor|perf|test|build|ci|revert|hotfix|release)"
    r"/[a-z0-9][a-z0-9._-]*$"
)
_DAY_SECONDS: Final = 86400.0


class TrunkSettings(CheckSettings):
    """``trunk`` settings; the defaults are the usual trunk-based development limits."""

    branch_pattern: Regex = Field(
        default=DEFAULT_BRANCH_PATTERN,
        description="Regex a branch name must match (re.search: anchor it yourself)",
    )
    max_age_days: float = Field(
        default=2,
        ge=0,
        le=MAX_DAYS,
        strict=True,
        description="Days since the branch's first commit left the trunk",
    )
    max_commits_ahead: int = Field(
        default=20,
        ge=0,
        le=MAX_COUNT,
        strict=True,
        description="Commits on the branch that the base lacks",
    )
    max_commits_behind: int = Field(
        default=50,
        ge=0,
        le=MAX_COUNT,
        strict=True,
        description="Commits on the base that the branch lacks",
    )
    no_merge_from_trunk: bool = Field(
        default=False, description="Forbid merging the base into the branch (rebase instead)"
    )


def check_trunk(context: RepoContext, settings: TrunkSettings) -> CheckResult:
    """Pass on the trunk; on a branch, report every trunk-based limit it breaks.

    Metrics on a branch: ``age_days`` (since the earliest committer date in
    range), ``ahead`` and ``behind`` (commits relative to the base ref).
    """
    branch = context.branch
    if branch is not None and _is_trunk(branch, context):
        return CheckResult(summary=f"on trunk {branch}", metrics={"branch": branch})
    findings: list[Finding] = []
    if branch is None:
        findings.append(
            Finding(
                rule="detached-head",
                message="HEAD is detached and no CI variable "
                f"({', '.join(BRANCH_VARIABLES)}) names the branch: its name is not checked",
                severity=Severity.WARNING,
            )
        )
    elif not re.search(settings.branch_pattern, branch):
        findings.append(
            Finding(
                rule="branch-name",
                message=f"branch {branch!r} does not match "
                f"branch_pattern {settings.branch_pattern!r}",
            )
        )
    # The branch's facts, the same for each project of a monorepo: every commit in range.
    base_ref, commits, behind = context.base_ref, context.range_commits, context.behind
    metrics: dict[str, MetricValue] = {"ahead": len(commits), "behind": behind}
    if branch is not None:
        metrics["branch"] = branch
    now = _now(context.env)
    valid_until = None
    if isinstance(now, Finding):
        findings.append(now)
    else:
        age, oldest = _age(commits, now)
        if oldest is not None:
            # The same branch turns too old by the clock alone: a cached pass ends then.
            valid_until = oldest.committed_at + datetime.timedelta(days=settings.max_age_days)
        metrics["age_days"] = round(age / datetime.timedelta(days=1), 3)
        # Compared as timedeltas, so a branch exactly max_age_days old passes.
        if oldest is not None and age > datetime.timedelta(days=settings.max_age_days):
            findings.append(
                Finding(
                    rule="branch-age",
                    message=f"branch is {metrics['age_days']:g} days old (commit "
                    f"{oldest.sha[:10]} committed {oldest.committed_at.isoformat()}), "
                    f"max_age_days is {settings.max_age_days:g}",
                )
            )
    if len(commits) > settings.max_commits_ahead:
        findings.append(
            Finding(
                rule="commits-ahead",
                message=f"{len(commits)} commits ahead of {base_ref}, "
                f"max_commits_ahead is {settings.max_commits_ahead}",
            )
        )
    if behind > settings.max_commits_behind:
        findings.append(
            Finding(
                rule="commits-behind",
                message=f"{behind} commits behind {base_ref}, "
                f"max_commits_behind is {settings.max_commits_behind}",
            )
        )
    if settings.no_merge_from_trunk:
        findings.extend(_merges_from_base(commits, base_ref))
    return CheckResult(
        findings=tuple(findings),
        metrics=metrics,
        summary=_summary(branch, base_ref, metrics, findings),
        valid_until=valid_until,
        judged={"commits": len(commits)},
    )


def _is_trunk(branch: str, context: RepoContext) -> bool:
    if branch == branch_of(context.base_ref):
        return True
    # A CI's target branch is this change's trunk, whatever the repository's own.
    return context.base_source not in BASE_VARIABLES and branch == context.trunk


def _now(env: Mapping[str, str]) -> datetime.datetime | Finding:
    try:
        return clock.now(env)
    except ClockError as exc:
        return Finding(rule="clock", message=str(exc))


def _age(
    commits: tuple[Commit, ...], now: datetime.datetime
) -> tuple[datetime.timedelta, Commit | None]:
    """Time since the branch's first commit, and that commit (``None`` with no commits).

    The earliest committer date rather than the first in topological order:
    after a merge the range has several roots.  Committer, not author, dates,
    because a rebase onto the trunk is what keeps a branch current.
    """
    if not commits:
        return datetime.timedelta(0), None
    oldest = min(commits, key=lambda c: c.committed_at)
    return now - oldest.committed_at, oldest


def _merges_from_base(commits: tuple[Commit, ...], base_ref: str) -> list[Finding]:
    # A parent outside merge_base..HEAD is reachable from the merge-base, hence
    # from the base: no git call is needed to tell a trunk merge from a merge
    # of another topic branch, whose commits are all in range.
    in_range = {c.sha for c in commits}
    return [
        Finding(
            rule="merge-from-trunk",
            message=f"merge commit {c.sha[:10]} {c.subject!r} merges {base_ref} into the "
            f"branch: rebase onto {base_ref} instead",
        )
        for c in commits
        if c.is_merge and any(p not in in_range for p in c.parents[1:])
    ]


def _summary(
    branch: str | None,
    base_ref: str,
    metrics: Mapping[str, MetricValue],
    findings: list[Finding],
) -> str:
    label = f"branch {branch}" if branch is not None else "detached HEAD"
    broken = sorted({f.rule for f in findings if f.severity is Severity.ERROR})
    if broken:
        return f"{label} breaks trunk-based limits: {', '.join(broken)}"
    age = f"{metrics['age_days']:g} days, " if "age_days" in metrics else ""
    return (
        f"{label} is short-lived: {age}{metrics['ahead']} ahead of and "
        f"{metrics['behind']} behind {base_ref}"
    )


TRUNK: Final = Check(
    name="trunk",
    run=check_trunk,
    settings_model=TrunkSettings,
    quick=True,
    description="Trunk or a short-lived, well-named branch close to the trunk",
    prefetch=("commits", "behind"),
)
