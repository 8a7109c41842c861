"""The ``trunk`` check on real repositories built with the shared builder."""

from __future__ import annotations

import datetime
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pydantic
import pytest

from pytest_prove.api import CheckResult, Severity
from pytest_prove.checks.trunk import (
    DEFAULT_BRANCH_PATTERN,
    NOW_VARIABLE,
    TRUNK,
    TrunkSettings,
    check_trunk,
)
from pytest_prove.git import RepoContext, RepoContextError
from tests.repo_builder import DEFAULT_EPOCH, MakeRepo, RepoBuilder

# Trunk commit 0 is at DEFAULT_EPOCH; the branch's first commit is explicitly dated.
BRANCHED_AT = DEFAULT_EPOCH + datetime.timedelta(days=10)


def env(now: datetime.datetime | None = None, **variables: str) -> Mapping[str, str]:
    """os.environ plus CI variables and a fixed clock (one day after branching by default)."""
    now = now or BRANCHED_AT + datetime.timedelta(days=1)
    return {**os.environ, NOW_VARIABLE: now.isoformat(), **variables}


def run(
    repo: RepoBuilder,
    variables: Mapping[str, str] | None = None,
    *,
    base: str | None = None,
    **settings: Any,
) -> CheckResult:
    context = RepoContext(repo.path, base=base, env=env() if variables is None else variables)
    return check_trunk(context, TrunkSettings(**settings))


def rules(result: CheckResult) -> list[tuple[str, Severity]]:
    return [(f.rule, f.severity) for f in result.findings]


def make_branch(repo: RepoBuilder, name: str, *, commits: int = 1, trunk_commits: int = 0) -> None:
    """Branch ``name`` off main with ``commits`` commits; main moves on by ``trunk_commits``."""
    repo.branch(name)
    for n in range(trunk_commits):
        repo.commit(f"Trunk {n}")
    repo.checkout(name)
    for n in range(commits):
        date = (BRANCHED_AT + datetime.timedelta(minutes=n)).isoformat()
        repo.commit(f"Branch {n}", files={f"b{n}.txt": f"{n}\n"}, date=date)


# --- on the trunk -----------------------------------------------------------------


def test_on_trunk(make_repo: MakeRepo) -> None:
    repo = make_repo()
    repo.commit("More", files={"a.txt": "a\n"})
    result = run(repo, max_commits_ahead=0)
    assert result.passed
    assert result.findings == ()
    assert result.summary == "on trunk main"
    assert result.metrics == {"branch": "main"}


def test_on_the_branch_the_base_names(make_repo: MakeRepo, tmp_path: Path) -> None:
    origin = make_repo("origin")
    origin.branch("stable")
    clone = origin.clone(tmp_path / "clone", branch="stable")
    result = run(clone, env(GITHUB_BASE_REF="stable"))
    assert result.summary == "on trunk stable"
    assert run(clone, base="refs/remotes/origin/stable").summary == "on trunk stable"


def test_ci_target_branch_beats_the_trunk_fallback(make_repo: MakeRepo, tmp_path: Path) -> None:
    # A single-branch clone of a PR branch: the context's trunk falls back to
    # that branch, but GITHUB_BASE_REF says the change targets `release`.
    origin = make_repo("origin")
    origin.branch("release")
    make_branch(origin, "feat/x")
    clone = origin.clone(tmp_path / "clone", branch="feat/x")
    clone.git("fetch", "--quiet", "origin", "release:refs/remotes/origin/release")
    result = run(clone, env(GITHUB_BASE_REF="release"))
    assert result.passed
    assert result.summary is not None
    assert result.summary.startswith("branch feat/x is short-lived")


# --- a short-lived branch ---------------------------------------------------------


def test_good_short_branch(make_repo: MakeRepo) -> None:
    repo = make_repo()
    make_branch(repo, "feat/login-form", commits=2, trunk_commits=1)
    result = run(repo)
    assert result.passed
    assert result.findings == ()
    assert result.metrics == {"branch": "feat/login-form", "ahead": 2, "behind": 1, "age_days": 1}
    assert result.summary == (
        "branch feat/login-form is short-lived: 1 days, 2 ahead of and 1 behind main"
    )


@pytest.mark.parametrize("name", ["my-branch", "feat/Login", "feature/login", "feat/_x", "fix/-x"])
def test_bad_branch_name(make_repo: MakeRepo, name: str) -> None:
    repo = make_repo()
    make_branch(repo, name)
    result = run(repo)
    assert rules(result) == [("branch-name", Severity.ERROR)]
    assert result.findings[0].message == (
        f"branch {name!r} does not match branch_pattern {DEFAULT_BRANCH_PATTERN!r}"
    )
    assert result.summary == f"branch {name} breaks trunk-based limits: branch-name"


def test_configured_branch_pattern(make_repo: MakeRepo) -> None:
    repo = make_repo()
    make_branch(repo, "JIRA-12-login")
    assert run(repo, branch_pattern=r"^[A-Z]+-\d+-").passed
    assert not run(repo).passed


# --- age --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("elapsed", "limit", "passed"),
    [
        (datetime.timedelta(days=2), 2, True),
        (datetime.timedelta(days=2, seconds=1), 2, False),
        (datetime.timedelta(hours=12), 0.5, True),
        (datetime.timedelta(hours=13), 0.5, False),
    ],
)
def test_branch_age(
    make_repo: MakeRepo, elapsed: datetime.timedelta, limit: float, passed: bool
) -> None:
    repo = make_repo()
    make_branch(repo, "fix/old", commits=3)
    result = run(repo, env(BRANCHED_AT + elapsed), max_age_days=limit)
    assert result.passed is passed
    assert result.metrics["age_days"] == round(elapsed / datetime.timedelta(days=1), 3)
    if not passed:
        (finding,) = result.findings
        assert finding.rule == "branch-age"
        first = repo.git("rev-parse", "HEAD~2")
        assert finding.message.startswith(f"branch is {result.metrics['age_days']:g} days old")
        assert f"commit {first[:10]} committed 2024-01-11T00:00:00+00:00" in finding.message
        assert finding.message.endswith(f"max_age_days is {limit:g}")


def test_age_uses_the_committer_date(make_repo: MakeRepo) -> None:
    repo = make_repo()
    make_branch(repo, "fix/rebased")
    # Authored long ago, committed (as a rebase does) at BRANCHED_AT.
    old = (BRANCHED_AT - datetime.timedelta(days=30)).isoformat()
    repo.git(
        "commit", "--quiet", "--amend", "--no-edit", "--date", old,
        env={"GIT_COMMITTER_DATE": BRANCHED_AT.isoformat()},
    )  # fmt: skip
    assert run(repo).metrics["age_days"] == 1


def test_the_real_clock_by_default(make_repo: MakeRepo) -> None:
    repo = make_repo()
    make_branch(repo, "fix/ancient")
    result = run(repo, {k: v for k, v in os.environ.items() if k != NOW_VARIABLE})
    assert rules(result) == [("branch-age", Severity.ERROR)]
    assert float(result.metrics["age_days"]) > 365


def test_offset_less_clock_is_utc(make_repo: MakeRepo) -> None:
    repo = make_repo()
    make_branch(repo, "fix/x")
    variables = {**os.environ, NOW_VARIABLE: "2024-01-12T00:00:00"}
    assert run(repo, variables).metrics["age_days"] == 1


def test_invalid_clock(make_repo: MakeRepo) -> None:
    repo = make_repo()
    make_branch(repo, "fix/x")
    result = run(repo, {**os.environ, NOW_VARIABLE: "yesterday"})
    assert rules(result) == [("clock", Severity.ERROR)]
    assert "PROVE_NOW='yesterday' is not an ISO 8601 date" in result.findings[0].message
    assert "age_days" not in result.metrics


# --- ahead and behind -------------------------------------------------------------


@pytest.mark.parametrize(("commits", "passed"), [(20, True), (21, False)])
def test_commits_ahead(make_repo: MakeRepo, commits: int, passed: bool) -> None:
    repo = make_repo()
    make_branch(repo, "feat/big", commits=commits)
    result = run(repo)
    assert result.metrics["ahead"] == commits
    assert result.passed is passed
    if not passed:
        assert rules(result) == [("commits-ahead", Severity.ERROR)]
        assert result.findings[0].message == "21 commits ahead of main, max_commits_ahead is 20"


@pytest.mark.parametrize(("trunk_commits", "passed"), [(50, True), (51, False)])
def test_commits_behind(make_repo: MakeRepo, trunk_commits: int, passed: bool) -> None:
    repo = make_repo()
    make_branch(repo, "feat/stale", trunk_commits=trunk_commits)
    result = run(repo)
    assert result.metrics["behind"] == trunk_commits
    assert result.passed is passed
    if not passed:
        assert rules(result) == [("commits-behind", Severity.ERROR)]
        assert result.findings[0].message == "51 commits behind main, max_commits_behind is 50"


def test_every_broken_limit_is_a_finding(make_repo: MakeRepo) -> None:
    repo = make_repo()
    make_branch(repo, "wip", commits=3, trunk_commits=2)
    result = run(
        repo,
        env(BRANCHED_AT + datetime.timedelta(days=3)),
        max_age_days=1,
        max_commits_ahead=2,
        max_commits_behind=1,
    )
    assert [r for r, _ in rules(result)] == [
        "branch-name",
        "branch-age",
        "commits-ahead",
        "commits-behind",
    ]
    assert result.summary == (
        "branch wip breaks trunk-based limits: "
        "branch-age, branch-name, commits-ahead, commits-behind"
    )


# --- merges from the trunk ----------------------------------------------------------


def later(hours: int) -> str:
    return (BRANCHED_AT + datetime.timedelta(hours=hours)).isoformat()


@pytest.fixture
def merged_repo(make_repo: MakeRepo) -> RepoBuilder:
    """`feat/merge` with a topic branch merged in, then main merged in."""
    repo = make_repo()
    make_branch(repo, "feat/merge", trunk_commits=1)
    repo.branch("topic")
    repo.checkout("topic")
    repo.commit("Topic", files={"topic.txt": "t\n"}, date=later(1))
    repo.checkout("feat/merge")
    repo.merge("topic", "Merge topic", date=later(2))
    repo.merge("main", "Merge main into feat/merge", date=later(3))
    return repo


def test_merge_from_trunk(merged_repo: RepoBuilder) -> None:
    result = run(merged_repo, no_merge_from_trunk=True)
    (finding,) = result.findings
    assert finding.rule == "merge-from-trunk"
    assert finding.message == (
        f"merge commit {merged_repo.head[:10]} 'Merge main into feat/merge' merges main "
        "into the branch: rebase onto main instead"
    )
    assert result.metrics["behind"] == 0


def test_merge_from_trunk_is_allowed_by_default(merged_repo: RepoBuilder) -> None:
    assert run(merged_repo).findings == ()


def test_merging_a_topic_branch_is_no_merge_from_trunk(make_repo: MakeRepo) -> None:
    repo = make_repo()
    make_branch(repo, "feat/merge", trunk_commits=1)
    repo.branch("topic")
    repo.checkout("topic")
    repo.commit("Topic", files={"topic.txt": "t\n"}, date=later(1))
    repo.checkout("feat/merge")
    repo.merge("topic", "Merge topic", date=later(2))
    assert run(repo, no_merge_from_trunk=True).findings == ()


# --- detached HEAD and CI ---------------------------------------------------------


@pytest.fixture
def detached_branch(make_repo: MakeRepo) -> RepoBuilder:
    """Three commits on `any-name`, checked out detached at its tip (as CI does)."""
    repo = make_repo()
    make_branch(repo, "any-name", commits=3)
    repo.checkout(repo.head)
    return repo


def test_detached_head_without_ci_variable(detached_branch: RepoBuilder) -> None:
    result = run(detached_branch)
    assert result.passed
    assert rules(result) == [("detached-head", Severity.WARNING)]
    assert "no CI variable (GITHUB_HEAD_REF" in result.findings[0].message
    assert result.metrics == {"ahead": 3, "behind": 0, "age_days": 1}
    assert result.summary == "detached HEAD is short-lived: 1 days, 3 ahead of and 0 behind main"


def test_detached_head_still_checks_the_limits(detached_branch: RepoBuilder) -> None:
    result = run(detached_branch, max_commits_ahead=2)
    assert rules(result) == [
        ("detached-head", Severity.WARNING),
        ("commits-ahead", Severity.ERROR),
    ]


@pytest.mark.parametrize(("name", "passed"), [("feat/ci", True), ("any-name", False)])
def test_detached_head_named_by_ci(detached_branch: RepoBuilder, name: str, passed: bool) -> None:
    result = run(detached_branch, env(GITHUB_HEAD_REF=name, GITHUB_BASE_REF="main"))
    assert result.passed is passed
    assert [r for r, _ in rules(result)] == ([] if passed else ["branch-name"])
    assert result.metrics["branch"] == name


def test_detached_on_the_trunk_named_by_ci(make_repo: MakeRepo) -> None:
    repo = make_repo()
    repo.checkout(repo.head)
    assert run(repo, env(CI_COMMIT_REF_NAME="main")).summary == "on trunk main"


# --- repositories that cannot answer ----------------------------------------------


def test_shallow_clone_without_the_base(shallow_clone: RepoBuilder) -> None:
    context = RepoContext(shallow_clone.path, env=env(GITHUB_BASE_REF="main"))
    with pytest.raises(RepoContextError) as info:
        check_trunk(context, TrunkSettings())
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith("base ref 'main' (from GITHUB_BASE_REF) not found in shallow")
    assert "fetch-depth: 0" in message


# --- settings and declaration -------------------------------------------------------


def test_settings_defaults_and_camel_case() -> None:
    defaults = TrunkSettings()
    assert (defaults.max_age_days, defaults.max_commits_ahead, defaults.max_commits_behind) == (
        2,
        20,
        50,
    )
    assert defaults.no_merge_from_trunk is False
    settings = TrunkSettings.model_validate(
        {"maxAgeDays": 1.5, "maxCommitsAhead": 5, "max_commits_behind": 0, "noMergeFromTrunk": True}
    )
    assert (settings.max_age_days, settings.max_commits_ahead, settings.max_commits_behind) == (
        1.5,
        5,
        0,
    )
    assert all(field.description for field in TrunkSettings.model_fields.values())


@pytest.mark.parametrize(
    "bad",
    [{"branch_pattern": "("}, {"max_age_days": -1}, {"max_commits_ahead": -1}, {"other": 1}],
)
def test_invalid_settings(bad: dict[str, Any]) -> None:
    with pytest.raises(pydantic.ValidationError):
        TrunkSettings.model_validate(bad)


def test_check_declaration() -> None:
    assert TRUNK.name == "trunk"
    assert TRUNK.run is check_trunk
    assert TRUNK.settings_model is TrunkSettings
    assert TRUNK.quick is True
    assert TRUNK.description


def test_a_trunk_that_cannot_be_told_is_never_guessed(tmp_path: Path) -> None:
    # The trunk itself, named unusually: without the setting nothing says it is the trunk.
    repo = RepoBuilder(tmp_path / "odd").init(branch="mainline")
    repo.commit("chore: start")
    with pytest.raises(RepoContextError, match=r"set `trunk_branch: NAME` in prove\.yaml"):
        check_trunk(RepoContext(repo.path, env={}), TrunkSettings())
    configured = RepoContext(repo.path, env={}, trunk="mainline")
    assert check_trunk(configured, TrunkSettings()).findings == ()
