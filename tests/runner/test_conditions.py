"""``when:`` conditions skip a repository's gates, with the reason, when they do not hold."""

from __future__ import annotations

import pytest

from tests.repo_builder import MakeRepo, RepoBuilder


@pytest.fixture
def branch_repo(make_repo: MakeRepo) -> RepoBuilder:
    repo = make_repo("app")
    repo.git("checkout", "-q", "-b", "feat/x")
    repo.commit("feat: x", files={"src/a.py": "a = 1\n"})
    return repo


def run(pytester: pytest.Pytester, repo: RepoBuilder, when: str, *args: str) -> pytest.RunResult:
    pytester.makefile(
        ".yaml",
        multi=f"""
repositories:
  - name: app
    path: {repo.path}
    checks: [ok]
    when: {when}
global:
  commands:
    ok: [python3, -c, pass]
""",
    )
    return pytester.runpytest("--prove-config", "multi.yaml", "-rs", *args)


@pytest.mark.parametrize(
    ("when", "reason"),
    [
        (
            "{branches: [main, release/*]}",
            "when.branches: branch feat/x matches none of main, release/*",
        ),
        ("{paths: ['docs/**']}", "when.paths: no changed file matches docs/**"),
        ("{modes: [release]}", "when.modes: delivery mode pr is not one of release"),
        ("{env: {PROVE_TEST_FLAG: true}}", "when.env: PROVE_TEST_FLAG is not set"),
        ("{env: {HOME: false}}", "when.env: HOME is set"),
        ("{env: {PROVE_TEST_FLAG: 'on'}}", "when.env: PROVE_TEST_FLAG is not 'on'"),
        # every condition must hold: the branch does, the paths do not
        (
            "{branches: ['feat/*'], paths: ['docs/**']}",
            "when.paths: no changed file matches docs/**",
        ),
    ],
)
@pytest.mark.parametrize("xdist", [[], ["-n", "2"]])
def test_unmet_condition_skips_with_the_reason(
    pytester: pytest.Pytester, branch_repo: RepoBuilder, when: str, reason: str, xdist: list[str]
) -> None:
    result = run(pytester, branch_repo, when, *xdist)
    result.assert_outcomes(skipped=1)
    result.stdout.fnmatch_lines([f"SKIPPED * condition not met: {reason}"])


@pytest.mark.parametrize(
    "when",
    [
        "{branches: ['feat/*']}",
        "{paths: ['src/**']}",
        "{modes: [pr, trunk]}",
        "{env: {PROVE_TEST_FLAG: true, PROVE_UNSET_FLAG: false}}",
        "{env: {PROVE_TEST_FLAG: 'on'}}",
        "{branches: ['feat/*'], paths: ['**/*.py'], modes: [pr]}",
    ],
)
def test_met_condition_runs_the_gate(
    pytester: pytest.Pytester,
    branch_repo: RepoBuilder,
    when: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PROVE_TEST_FLAG", "on")
    monkeypatch.delenv("PROVE_UNSET_FLAG", raising=False)
    run(pytester, branch_repo, when).assert_outcomes(passed=1)


def test_a_renamed_file_matches_by_its_old_path(
    pytester: pytest.Pytester, make_repo: MakeRepo
) -> None:
    repo = make_repo("app")
    repo.commit("chore: add", files={"legacy/a.py": "a = 1\n"})
    repo.git("checkout", "-q", "-b", "feat/move")
    (repo.path / "src").mkdir()
    repo.git("mv", "legacy/a.py", "src/a.py")
    repo.commit("refactor: move")
    run(pytester, repo, "{paths: ['legacy/**']}").assert_outcomes(passed=1)


def test_repository_file_and_entry_conditions_merge(
    pytester: pytest.Pytester, branch_repo: RepoBuilder
) -> None:
    branch_repo.write("prove.yaml", "when: {paths: ['docs/**'], branches: ['feat/*']}\n")
    # The entry's paths replace the file's; the file's branches still apply.
    run(pytester, branch_repo, "{paths: ['src/**']}").assert_outcomes(passed=1)
    run(pytester, branch_repo, "{paths: ['src/**'], branches: [main]}").assert_outcomes(skipped=1)


def test_condition_on_a_broken_repository_fails_clearly(
    pytester: pytest.Pytester, empty_repo: RepoBuilder
) -> None:
    result = run(pytester, empty_repo, "{paths: ['src/**']}")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["repository the repository has no commits yet: commit first"])


@pytest.mark.parametrize(
    ("when", "message"),
    [
        (
            "{path: ['src/**']}",
            "repositories[0] (name='app').when.path: unknown key (did you mean 'paths'?)",
        ),
        (
            "{modes: [beta]}",
            "repositories[0] (name='app').when.modes[0]:"
            " Input should be 'trunk', 'pr' or 'release' (got 'beta')",
        ),
        (
            "{branches: main}",
            "repositories[0] (name='app').when.branches: Input should be a valid list",
        ),
    ],
)
def test_bad_conditions_are_config_errors(
    pytester: pytest.Pytester, branch_repo: RepoBuilder, when: str, message: str
) -> None:
    result = run(pytester, branch_repo, when)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    errors = [line for line in result.errlines if line.startswith("ERROR:")]
    assert errors == [f"ERROR: pytest-prove: multi.yaml:5: {message}"]
