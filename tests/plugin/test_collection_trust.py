"""The gates are collected whatever the repository's own pytest set-up says (#16).

Each case is a repository in a real project's shape: pytest's own keeps its tests in
``testing/`` named by ``testpaths``, with conftest files that import its test
dependencies; a gates-only run must neither lose the gates nor import those files.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tests.repo_builder import RepoBuilder

XDIST = {"n0": [], "n2": ["-n", "2"]}
BROKEN_CONFTEST = "import a_test_dependency_not_installed\n"


def pytest_like_repository(root: Path, *, broken_conftest: bool = False) -> RepoBuilder:
    """pytest's layout: ``testing/`` in ``testpaths``, a ``src`` package, ``tox.ini`` style
    options in ``pyproject.toml``, and a feature branch whose commit breaks the convention."""
    repo = RepoBuilder(root).init()
    repo.commit(
        "chore: initial layout",
        files={
            "pyproject.toml": (
                "[tool.pytest.ini_options]\n"
                'testpaths = ["testing"]\n'
                'python_files = ["test_*.py", "*_test.py", "testing/python/*.py"]\n'
                'addopts = "-rfEX -p pytester --strict-markers"\n'
            ),
            "src/pkg/__init__.py": "",
            "src/pkg/approx.py": "def approx(x: float) -> float:\n    return x\n",
            "testing/test_approx.py": "def test_approx():\n    assert True\n",
            "testing/conftest.py": BROKEN_CONFTEST if broken_conftest else "",
            "conftest.py": BROKEN_CONFTEST if broken_conftest else "",
            "prove.yaml": "checks: [commit-msg]\n",
        },
    )
    repo.git("checkout", "-q", "-b", "feat/approx")
    repo.commit("Tweak approx.", files={"src/pkg/approx.py": "def approx(x):\n    return x\n"})
    return repo


@pytest.mark.parametrize("xdist", XDIST.values(), ids=XDIST.keys())
def test_gates_are_collected_beside_testpaths(pytester: pytest.Pytester, xdist: list[str]) -> None:
    pytest_like_repository(pytester.path)
    result = pytester.runpytest_subprocess("--prove", "-p", "no:cacheprovider", *xdist)
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["*::commit-msg: 1 of 1 commits break*"])
    result.stdout.fnmatch_lines(["FAILED prove.yaml::*::commit-msg*"])


@pytest.mark.parametrize("xdist", XDIST.values(), ids=XDIST.keys())
@pytest.mark.parametrize(
    "selection",
    [["-m", "prove"], ["testing/test_approx.py"], ["-k", "commit"]],
    ids=["marker", "positional", "keyword"],
)
def test_gates_are_collected_whatever_the_selection(
    pytester: pytest.Pytester, xdist: list[str], selection: list[str]
) -> None:
    pytest_like_repository(pytester.path)
    result = pytester.runpytest_subprocess("--prove", "-p", "no:cacheprovider", *selection, *xdist)
    assert result.ret == pytest.ExitCode.TESTS_FAILED, result.stdout.str()
    result.stdout.fnmatch_lines(["FAILED prove.yaml::*::commit-msg*"])


@pytest.mark.parametrize("xdist", XDIST.values(), ids=XDIST.keys())
@pytest.mark.parametrize(
    "argv",
    [["--prove", "--prove-only"], ["--prove-config", "prove.yaml"]],
    ids=["prove-only", "prove-config"],
)
def test_gates_only_runs_never_import_the_repositorys_conftest_files(
    pytester: pytest.Pytester, xdist: list[str], argv: list[str]
) -> None:
    pytest_like_repository(pytester.path, broken_conftest=True)
    result = pytester.runpytest_subprocess(*argv, "-p", "no:cacheprovider", *xdist)
    assert "a_test_dependency_not_installed" not in result.stdout.str() + result.stderr.str()
    result.assert_outcomes(failed=1)


def test_the_prove_command_never_imports_the_repositorys_conftest_files(
    pytester: pytest.Pytester,
) -> None:
    pytest_like_repository(pytester.path, broken_conftest=True)
    for argv in (["-p", "no:cacheprovider"], ["--quick", "-p", "no:cacheprovider"]):
        result = pytester.run(sys.executable, "-m", "pytest_prove", *argv)
        assert "a_test_dependency_not_installed" not in result.stdout.str() + result.stderr.str()
        result.assert_outcomes(failed=1)


def test_a_run_with_the_tests_still_imports_their_conftest(pytester: pytest.Pytester) -> None:
    # Only gates-only runs leave conftest files alone: the tests need theirs.
    pytest_like_repository(pytester.path, broken_conftest=True)
    result = pytester.runpytest_subprocess("--prove", "-p", "no:cacheprovider")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert "a_test_dependency_not_installed" in result.stderr.str()


def test_an_orchestrator_keeps_the_conftest_beside_it_not_the_checkouts_tests(
    pytester: pytest.Pytester,
) -> None:
    # The fleet file of a platform team's repository: its consumer hooks sit beside it.
    checkout = pytest_like_repository(pytester.path / "platform", broken_conftest=True)
    gated = pytest_like_repository(pytester.path / "svc")
    fleet = checkout.path / "fleet"
    fleet.mkdir()
    (fleet / "multi.yaml").write_text(
        f"repositories:\n  - {{name: svc, path: '{gated.path}', checks: [commit-msg]}}\n"
    )
    (fleet / "conftest.py").write_text(
        "def pytest_prove_gate_finished(config, gate):\n"
        "    print('CONSUMER', gate.repo, gate.check, gate.outcome)\n"
    )
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(checkout.path)
        result = pytester.run(
            sys.executable, "-m", "pytest", "--prove-config", "fleet/multi.yaml", "-s",
            "-p", "no:cacheprovider",
        )  # fmt: skip
    assert "a_test_dependency_not_installed" not in result.stdout.str() + result.stderr.str()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*CONSUMER svc commit-msg failed*"])


@pytest.mark.parametrize("xdist", XDIST.values(), ids=XDIST.keys())
def test_from_a_subdirectory_the_repository_and_its_config_apply(
    pytester: pytest.Pytester, xdist: list[str]
) -> None:
    # No pytest ini anywhere: pytest's rootdir is the folder it runs in.
    repo = RepoBuilder(pytester.path / "service").init()
    repo.commit(
        "chore: start",
        files={
            "prove.yaml": "checks: [commit-msg, security]\n"
            "security: {dependencies: {enabled: false}}\n",
            "src/pkg/__init__.py": "",
        },
    )
    repo.git("checkout", "-q", "-b", "feat/key")
    key = "AKIA" + "Q7XZ2M4B8N3K5J6H"
    repo.commit("feat: client", files={"src/pkg/client.py": f"KEY = '{key}'\n"})
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(repo.path / "src" / "pkg")
        result = pytester.run(
            sys.executable, "-m", "pytest", "--prove", "-p", "no:cacheprovider", "-rA", *xdist
        )
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["*prove.yaml::service::security*"])
    result.stdout.fnmatch_lines(["*src/pkg/client.py:1 aws-access-key*"])
    assert key not in result.stdout.str()


@pytest.mark.parametrize("xdist", XDIST.values(), ids=XDIST.keys())
@pytest.mark.parametrize("kind", ["orchestrator", "repository"])
def test_a_config_file_elsewhere_gates_from_inside_a_repository(
    pytester: pytest.Pytester, xdist: list[str], kind: str
) -> None:
    repo = pytest_like_repository(pytester.path / "svc")
    elsewhere = pytester.path / "elsewhere"
    elsewhere.mkdir()
    team = elsewhere / "team.yaml"
    team.write_text(
        f"repositories:\n  - {{name: svc, path: '{repo.path}', checks: [commit-msg]}}\n"
        if kind == "orchestrator"
        else "checks: [commit-msg]\n"
    )
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(repo.path)
        result = pytester.run(
            sys.executable, "-m", "pytest", "--prove", "--prove-config", str(team),
            "-p", "no:cacheprovider", *xdist,
        )  # fmt: skip
    # An orchestrator's run collects only the gates unless test paths are named; with a
    # repository's config, --prove runs the gate next to testing/test_approx.py.
    result.assert_outcomes(failed=1, passed=0 if kind == "orchestrator" else 1)
    result.stdout.fnmatch_lines(["*svc::commit-msg: 1 of 1 commits break*"])


def test_prove_repo_without_an_orchestrator_file_is_a_usage_error(
    pytester: pytest.Pytester,
) -> None:
    repo = pytest_like_repository(pytester.path)
    result = pytester.runpytest_subprocess("--prove", "--prove-repo", "api")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert result.stderr.lines == [
        "ERROR: pytest-prove: --prove-repo names repositories of an orchestrator file, and "
        f"this run gates one repository ({repo.path}) by its own config: drop --prove-repo, "
        "or pass --prove-config FILE naming the orchestrator file",
        "",
    ]
