"""Monorepos through pytest: entries whose ``path`` is a folder of one repository are
projects, each gated on its own subtree, under ``-n 0`` and ``-n 2``.

The repository has the shape of a JS workspace with Python packages (``packages/a``,
``packages/b``, each with ``src/`` and ``tests/``); the branch changes ``packages/b`` only.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.fleet_file import entry, write_fleet
from tests.monorepo_builder import make_monorepo, run_gates
from tests.repo_builder import RepoBuilder

XDIST = {"n0": [], "n2": ["-n", "2"]}
CHECKS = ["commit-msg", "trunk", "tdd", "security"]
GLOBAL = {"security": {"dependencies": {"enabled": False}}}


@pytest.fixture(autouse=True)
def _young_branches(monkeypatch: pytest.MonkeyPatch) -> None:
    # The builder dates commits from 2024-01-01: judged then, the branches are young.
    monkeypatch.setenv("PROVE_NOW", "2024-01-03T00:00:00+00:00")


@pytest.fixture
def mono(pytester: pytest.Pytester) -> RepoBuilder:
    repo = make_monorepo(pytester.path / "mono")
    repo.commit("feat(b): b2 without a test", files={"packages/b/src/b2.py": "B2 = 2\n"})
    return repo


def _run(pytester: pytest.Pytester, *args: str) -> tuple[pytest.RunResult, dict[str, Any]]:
    return run_gates(pytester, "-rA", *args)


@pytest.mark.parametrize("xdist", XDIST.values(), ids=XDIST.keys())
def test_each_project_is_gated_on_its_own_folder(
    pytester: pytest.Pytester, mono: RepoBuilder, xdist: list[str]
) -> None:
    write_fleet(
        pytester,
        entry("pkg-a", mono.path / "packages" / "a", CHECKS),
        entry("pkg-b", mono.path / "packages" / "b", CHECKS),
        global_=GLOBAL,
    )
    result, gates = _run(pytester, *xdist)
    outcomes = {name: gate["outcome"] for name, gate in gates.items()}
    assert outcomes == {
        "pkg-a::commit-msg": "passed",
        "pkg-a::trunk": "passed",
        "pkg-a::tdd": "passed",
        "pkg-a::security": "passed",
        "pkg-b::commit-msg": "passed",
        "pkg-b::trunk": "passed",
        "pkg-b::tdd": "failed",
        "pkg-b::security": "passed",
    }
    # b's test is expected in b's own tests/, named relative to the project
    result.stdout.fnmatch_lines(
        ["*src/b2.py missing-test src/b2.py changed without a matching test change: "
         "expected one of tests/test_b2.py*"]
    )  # fmt: skip
    prove = {name: gate["metadata"]["prove"] for name, gate in gates.items()}
    # a judged nothing of its own (and says so); b judged its one file and one commit
    assert prove["pkg-a::tdd"]["judged"] == {"changed source files": 0}
    assert prove["pkg-b::tdd"]["judged"] == {"changed source files": 1}
    assert prove["pkg-a::commit-msg"]["judged"] == {"commits": 0}
    assert prove["pkg-b::commit-msg"]["judged"] == {"commits": 1}
    # the branch's facts are the repository's, the same for both projects
    assert prove["pkg-a::trunk"]["head"] == prove["pkg-b::trunk"]["head"] == mono.head


def test_all_commits_judges_every_commit_in_range(
    pytester: pytest.Pytester, mono: RepoBuilder
) -> None:
    mono.commit("Updated the readme.", files={"README.md": "# mono\n"})
    write_fleet(
        pytester,
        entry("pkg-a", mono.path / "packages" / "a", ["commit-msg"]),
        entry(
            "pkg-a-strict",
            mono.path / "packages" / "a",
            ["commit-msg"],
            overrides={"commit-msg": {"all_commits": True}},
        ),
    )
    _, gates = _run(pytester)
    assert gates["pkg-a::commit-msg"]["outcome"] == "passed"
    assert gates["pkg-a-strict::commit-msg"]["outcome"] == "failed"
    assert gates["pkg-a-strict::commit-msg"]["metadata"]["prove"]["judged"] == {"commits": 2}


def test_a_project_inside_another_entry_fails_alone(
    pytester: pytest.Pytester, mono: RepoBuilder
) -> None:
    write_fleet(
        pytester,
        entry("whole", mono.path, ["commit-msg"]),
        entry("pkg-b", mono.path / "packages" / "b", ["commit-msg", "trunk"]),
        entry("other", pytester.path, ["commit-msg"]),
    )
    result, gates = _run(pytester)
    assert {n: g["outcome"] for n, g in gates.items()} == {
        "whole::commit-msg": "passed",
        "pkg-b::commit-msg": "failed",
        "pkg-b::trunk": "failed",
        "other::commit-msg": "failed",  # not a repository: its own message, as before
    }
    result.stdout.fnmatch_lines(
        ["*pkg-b::commit-msg: project *packages/b lies inside whole (*mono), so its files "
         "would be judged twice: point whole at a folder that does not hold *"]
    )  # fmt: skip


def test_a_path_through_a_symlink_is_the_project_it_points_at(
    pytester: pytest.Pytester, mono: RepoBuilder, tmp_path: Path
) -> None:
    link = tmp_path / "b-link"
    link.symlink_to(mono.path / "packages" / "b")
    write_fleet(pytester, entry("pkg-b", link, ["tdd"]))
    _, gates = _run(pytester)
    assert gates["pkg-b::tdd"]["outcome"] == "failed"
    assert gates["pkg-b::tdd"]["metadata"]["prove"]["judged"] == {"changed source files": 1}


@pytest.mark.parametrize("xdist", XDIST.values(), ids=XDIST.keys())
def test_workspace_discovery_makes_a_project_per_member(
    pytester: pytest.Pytester, mono: RepoBuilder, xdist: list[str]
) -> None:
    mono.write("package.json", '{"private": true, "workspaces": ["packages/*", "apps/*"]}\n')
    mono.write("packages/a/package.json", '{"name": "@shop/a"}\n')
    mono.write("packages/b/package.json", '{"name": "@shop/b", "dependencies": {"@shop/a": "*"}}\n')
    mono.commit("chore: package manifests")
    write_fleet(
        pytester,
        {"discover": {"root": str(mono.path), "workspaces": True}, "checks": ["tdd"]},
    )
    result, gates = _run(pytester, *xdist)
    assert {n: g["outcome"] for n, g in gates.items()} == {
        "packages-a::tdd": "passed",
        "packages-b::tdd": "failed",
    }
    # `apps/*` matches no package: the run says so in its header, the members still run
    result.stdout.fnmatch_lines(["prove: *mono: package.json*apps/*"])


def test_a_workspace_manifest_that_cannot_be_read_names_the_file(
    pytester: pytest.Pytester, mono: RepoBuilder
) -> None:
    mono.write("package.json", '{"workspaces": ["packages/*",]}\n')
    write_fleet(pytester, {"discover": {"root": str(mono.path), "workspaces": True}})
    result = pytester.runpytest_subprocess("--prove-config", "multi.yaml", "-p", "no:cacheprovider")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*multi.yaml*discover*package.json:1*JSON*"])
    assert "Traceback" not in result.stderr.str()


def test_pytest_prove_inside_a_project_with_its_own_config_gates_that_project(
    pytester: pytest.Pytester, mono: RepoBuilder, monkeypatch: pytest.MonkeyPatch
) -> None:
    mono.write("prove.yaml", "checks: [commit-msg]\n")
    mono.write("packages/b/prove.yaml", "checks: [tdd, commit-msg]\n")
    mono.commit("chore: configs")
    monkeypatch.chdir(mono.path / "packages" / "b" / "src")
    # -v: a pass says what it judged on its own line (pytest before 9 has no evidence in -rA)
    result = pytester.runpytest_subprocess(
        "--prove", "--prove-only", "-p", "no:cacheprovider", "-v"
    )
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(
        [
            "prove.yaml::b::tdd FAILED*",
            "prove.yaml::b::commit-msg PASSED (*: 2 commits)*",  # b2, and its config
            "*src/b2.py missing-test src/b2.py changed without a matching test change*",
        ]
    )
    # a folder without its own config takes the nearest one upward: the top's, for the whole
    monkeypatch.chdir(mono.path / "packages" / "a")
    whole = pytester.runpytest_subprocess("--prove", "--prove-only", "-p", "no:cacheprovider", "-v")
    whole.assert_outcomes(passed=1)
    whole.stdout.fnmatch_lines(["*::mono::commit-msg PASSED (*: 2 commits)*"])
