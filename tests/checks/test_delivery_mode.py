"""Delivery mode: resolution rules, the ``delivery-mode`` gate, and per-mode settings."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from pytest_prove.checks.delivery_mode import DeliveryModeSettings, check_delivery_mode
from pytest_prove.git.context import RepoContext
from pytest_prove.git.mode import ModeDecision, ModeOptions, resolve_mode
from tests.repo_builder import MakeRepo, RepoBuilder

NO_ENV: dict[str, str] = {}


@pytest.mark.parametrize(
    ("env", "branch", "tags", "expected"),
    [
        ({}, "main", (), ModeDecision("trunk", "on trunk branch main")),
        ({}, "feat/x", (), ModeDecision("pr", "branch feat/x")),
        ({}, "release/2.0", (), ModeDecision("release", "release branch release/2.0")),
        ({}, "hotfix/crash", (), ModeDecision("release", "release branch hotfix/crash")),
        ({}, "main", ("v1.2.3",), ModeDecision("release", "tag v1.2.3 at HEAD")),
        ({}, "main", ("nightly",), ModeDecision("trunk", "on trunk branch main")),
        ({}, None, (), ModeDecision("trunk", "detached HEAD without a branch")),
        (
            {"GITHUB_EVENT_NAME": "pull_request"},
            "main",
            (),
            ModeDecision("pr", "GITHUB_EVENT_NAME=pull_request"),
        ),
        ({"GITHUB_EVENT_NAME": "push"}, "main", (), ModeDecision("trunk", "on trunk branch main")),
        (
            {"GITHUB_EVENT_NAME": "push", "GITHUB_REF": "refs/tags/v2.0.0"},
            "main",
            (),
            ModeDecision("release", "GITHUB_REF=refs/tags/v2.0.0"),
        ),
        ({"CI_MERGE_REQUEST_IID": "42"}, "main", (), ModeDecision("pr", "CI_MERGE_REQUEST_IID=42")),
        (
            {"CI_PIPELINE_SOURCE": "merge_request_event"},
            "x",
            (),
            ModeDecision("pr", "CI_PIPELINE_SOURCE=merge_request_event"),
        ),
        ({"CI_PIPELINE_SOURCE": "push"}, "main", (), ModeDecision("trunk", "on trunk branch main")),
        ({"CI_COMMIT_TAG": "v3.0.0"}, "main", (), ModeDecision("release", "CI_COMMIT_TAG=v3.0.0")),
        ({"CHANGE_ID": "17"}, "main", (), ModeDecision("pr", "CHANGE_ID=17")),
        ({"TAG_NAME": "v1.0.0"}, "main", (), ModeDecision("release", "TAG_NAME=v1.0.0")),
        ({"CHANGE_ID": ""}, "main", (), ModeDecision("trunk", "on trunk branch main")),
    ],
)
def test_resolution_rules(
    env: dict[str, str], branch: str | None, tags: tuple[str, ...], expected: ModeDecision
) -> None:
    decision = resolve_mode(ModeOptions(), env=env, branch=branch, trunk="main", tags_at_head=tags)
    assert decision == expected


def test_explicit_mode_wins_over_everything() -> None:
    options = ModeOptions(explicit="release")
    env = {"GITHUB_EVENT_NAME": "pull_request"}
    decision = resolve_mode(options, env=env, branch="feat/x", trunk="main", tags_at_head=())
    assert decision == ModeDecision("release", "configured")


def test_custom_patterns() -> None:
    options = ModeOptions(release_tag=r"^rel-\d+$", release_branch=r"^stable-")
    assert (
        resolve_mode(options, env={}, branch="main", trunk="main", tags_at_head=("rel-7",)).mode
        == "release"
    )
    assert (
        resolve_mode(options, env={}, branch="stable-2", trunk="main", tags_at_head=()).mode
        == "release"
    )
    assert (
        resolve_mode(options, env={}, branch="release/1", trunk="main", tags_at_head=()).mode
        == "pr"
    )


def test_invalid_pattern_is_a_settings_error() -> None:
    with pytest.raises(ValueError, match="not a valid regular expression"):
        DeliveryModeSettings(release_tag="(")


def test_check_on_real_repositories(make_repo: MakeRepo) -> None:
    repo = make_repo()
    on_trunk = RepoContext(repo.path, env=NO_ENV)
    assert on_trunk.mode == ModeDecision("trunk", "on trunk branch main")
    only_pr = DeliveryModeSettings(allowed_modes=("pr",))
    result = check_delivery_mode(on_trunk, only_pr)
    assert not result.passed
    assert [f.rule for f in result.findings] == ["mode-not-allowed"]
    assert result.findings[0].message == (
        "delivery mode trunk (on trunk branch main) is not allowed here (allowed: pr)"
    )
    repo.git("checkout", "-q", "-b", "feat/y")
    repo.commit("feat: y")
    on_branch = RepoContext(repo.path, env=NO_ENV)
    assert check_delivery_mode(on_branch, only_pr).passed
    assert check_delivery_mode(on_branch, only_pr).metrics == {
        "mode": "pr",
        "reason": "branch feat/y",
    }


def test_annotated_tag_at_head_is_a_release(make_repo: MakeRepo) -> None:
    repo = make_repo()
    repo.git("tag", "-a", "v1.4.0", "-m", "release 1.4.0")
    context = RepoContext(repo.path, env=NO_ENV)
    assert context.mode == ModeDecision("release", "tag v1.4.0 at HEAD")
    assert context.tags_at_head == ("v1.4.0",)


def test_detached_head_uses_ci_branch(detached_repo: RepoBuilder) -> None:
    context = RepoContext(detached_repo.path, env={"GITHUB_HEAD_REF": "feat/z"})
    assert context.mode == ModeDecision("pr", "branch feat/z")


def test_mode_of_a_repo_without_commits(empty_repo: RepoBuilder) -> None:
    context = RepoContext(empty_repo.path, env=NO_ENV)
    with pytest.raises(Exception, match="no commits"):
        _ = context.mode


def _fleet(pytester: pytest.Pytester, repo: RepoBuilder, extra: str = "") -> None:
    pytester.makefile(
        ".yaml",
        multi=f"""
repositories:
  - name: app
    path: {repo.path}
    checks: [delivery-mode, commit-msg, lint]
global:
  commands:
    lint: {{argv: [python3, -c, "import sys; sys.exit(1)"]}}
  modes:
    pr:
      commands:
        lint: {{ok_exit_codes: [0, 1]}}
      commit-msg: {{allow_fixup: true}}
{extra}""",
    )


def test_per_mode_settings_apply_on_a_branch_only(
    pytester: pytest.Pytester, make_repo: MakeRepo
) -> None:
    repo = make_repo("app")
    _fleet(pytester, repo)
    on_trunk = pytester.runpytest("--prove-config", "multi.yaml", "--junitxml=trunk.xml")
    on_trunk.assert_outcomes(passed=2, failed=1)  # lint exits 1 outside pr mode
    repo.git("checkout", "-q", "-b", "feat/a")
    repo.commit("feat: a", files={"a.py": "a = 1\n"})
    repo.commit("fixup! feat: a", files={"a.py": "a = 2\n"})
    on_branch = pytester.runpytest("--prove-config", "multi.yaml", "--junitxml=pr.xml", "-n", "2")
    on_branch.assert_outcomes(passed=3)
    for name, mode in (("trunk.xml", "trunk"), ("pr.xml", "pr")):
        root = ET.parse(pytester.path / name).getroot()
        modes = {p.get("value") for p in root.iter("property") if p.get("name") == "mode"}
        assert modes == {mode}


def test_per_mode_settings_are_validated_at_load(
    pytester: pytest.Pytester, make_repo: MakeRepo
) -> None:
    repo = make_repo("app")
    _fleet(pytester, repo, "    release:\n      commit-msg: {header_max_length: many}\n")
    result = pytester.runpytest("--prove-config", "multi.yaml")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        ["ERROR: pytest-prove: multi.yaml:14: global.modes.release.commit-msg.header_max_length:*"]
    )


@pytest.mark.parametrize(
    ("modes", "message"),
    [
        (
            "    beta: {}\n",
            "global.modes.beta: unknown delivery mode 'beta' (modes: trunk, pr, release)",
        ),
        (
            "    pr: {delivery-mode: {allowed_modes: [pr]}}\n",
            "global.modes.pr.delivery-mode: 'delivery-mode' cannot depend on the mode",
        ),
        (
            "    pr: {coverge: {}}\n",
            "global.modes.pr.coverge: unknown key 'coverge' (did you mean 'coverage'?)",
        ),
    ],
)
def test_bad_modes_sections(
    pytester: pytest.Pytester, make_repo: MakeRepo, modes: str, message: str
) -> None:
    repo = make_repo("app")
    pytester.makefile(
        ".yaml",
        multi=f"repositories:\n  - {{name: app, path: {repo.path}}}\nglobal:\n  modes:\n{modes}",
    )
    result = pytester.runpytest("--prove-config", "multi.yaml")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([f"ERROR: pytest-prove: multi.yaml:*: {message}"])
