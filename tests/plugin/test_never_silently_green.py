"""A gate passes only when it judged something, and every result says what it compared (#16).

Each case is a real repository in the shape users have: a trunk named ``mainline``,
a clone made from a developer's checkout (``origin/HEAD`` naming the feature branch),
a local ``main`` left 45 commits behind ``origin/main``, a spec renamed away from its
default name; each run under ``-n 0`` and ``-n 2``.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests.fleet_file import entry, write_fleet
from tests.repo_builder import RepoBuilder

XDIST = {"n0": [], "n2": ["-n", "2"]}
# An AWS access key id of the documented shape, built so this file holds none.
AWS_KEY = "AKIA" + "Q7XZ2M4B8N3K5J6H"
GATES = "checks: [trunk, commit-msg, security]\nsecurity: {dependencies: {enabled: false}}\n"


@pytest.fixture(autouse=True)
def _young_branches(monkeypatch: pytest.MonkeyPatch) -> None:
    # The builder dates commits from 2024-01-01: judged then, the branches are young.
    monkeypatch.setenv("PROVE_NOW", "2024-01-03T00:00:00+00:00")


def _fleet(pytester: pytest.Pytester, repo: RepoBuilder, **more: str) -> None:
    write_fleet(
        pytester,
        entry("svc", repo.path, ["trunk", "commit-msg", "security"], **more),
        global_={"security": {"dependencies": {"enabled": False}}},
    )


def _run(pytester: pytest.Pytester, xdist: list[str], *args: str) -> pytest.RunResult:
    return pytester.runpytest_subprocess(
        "--prove-config", "multi.yaml", "-p", "no:cacheprovider", "--junitxml=gates.xml",
        "--json-report", "--json-report-file=gates.json", *args, *xdist,
    )  # fmt: skip


def _mainline_repository(root: Path) -> RepoBuilder:
    repo = RepoBuilder(root).init(branch="mainline")
    repo.commit("chore: start", files={"README.md": "# svc\n"})
    repo.git("checkout", "-q", "-b", "feat/client")
    repo.commit("feat: client", files={"client.py": f"KEY = '{AWS_KEY}'\n"})
    return repo


@pytest.mark.parametrize("xdist", XDIST.values(), ids=XDIST.keys())
def test_a_trunk_named_mainline_fails_the_diff_gates_with_the_fix(
    pytester: pytest.Pytester, xdist: list[str]
) -> None:
    repo = _mainline_repository(pytester.path / "svc")
    _fleet(pytester, repo)
    result = _run(pytester, xdist)
    result.assert_outcomes(failed=3)
    result.stdout.fnmatch_lines(
        ["*svc::security: cannot tell the trunk branch (no origin/HEAD, no main/master/trunk/"
         "develop; the current branch is 'feat/client'): set `trunk_branch: NAME` in prove.yaml "
         "(or the orchestrator entry), or pass --prove-base REF*"]
    )  # fmt: skip
    assert AWS_KEY not in result.stdout.str()
    # Named, the trunk is compared with and the key is found.
    _fleet(pytester, repo, trunk_branch="mainline")
    named = _run(pytester, xdist)
    named.assert_outcomes(passed=2, failed=1)
    named.stdout.fnmatch_lines(["*svc::security: security 1 problem: 1 secret in added lines*"])


@pytest.mark.parametrize("xdist", XDIST.values(), ids=XDIST.keys())
def test_a_clone_whose_origin_head_names_the_branch_is_not_compared_with_itself(
    pytester: pytest.Pytester, xdist: list[str]
) -> None:
    developer = _mainline_repository(pytester.path / "developer")
    clone = pytester.path / "svc"
    uri = developer.path.absolute().as_uri()
    developer.git("clone", "-q", "--depth", "5", "--no-single-branch", uri, str(clone))
    _fleet(pytester, RepoBuilder(clone))
    result = _run(pytester, xdist)
    result.assert_outcomes(failed=3)
    result.stdout.fnmatch_lines(
        ["*svc::security: origin/HEAD names the current branch 'feat/client', which cannot be "
         "its own trunk*set `trunk_branch: NAME`*"]
    )  # fmt: skip


@pytest.mark.parametrize("xdist", XDIST.values(), ids=XDIST.keys())
def test_a_stale_local_main_does_not_blame_the_branch_for_other_peoples_commits(
    pytester: pytest.Pytester, xdist: list[str]
) -> None:
    origin = RepoBuilder(pytester.path / "origin").init()
    origin.commit("chore: start", files={"README.md": "x\n"})
    clone = origin.clone(pytester.path / "svc")
    for i in range(45):  # colleagues' work, some of it not conventional
        origin.commit(f"Quick fix {i}" if i % 9 == 0 else f"fix: {i}", files={f"o/{i}.txt": "x\n"})
    clone.git("fetch", "-q", "origin")
    clone.git("checkout", "-q", "-b", "feat/mine", "origin/main")
    clone.commit("feat: mine", files={"mine.txt": "mine\n"})
    _fleet(pytester, clone)
    result = _run(pytester, xdist, "-v")
    result.assert_outcomes(passed=3)
    (trunk,) = [line for line in result.outlines if "PASSED" in line and "::trunk" in line]
    assert re.search(r"PASSED \(origin/main@[0-9a-f]{10}\.\.[0-9a-f]{10}: 1 commit\)", trunk)
    cases = {c.get("name"): c for c in ET.parse(pytester.path / "gates.xml").iter("testcase")}
    props = {p.get("name"): p.get("value") for p in cases["trunk"].iter("property")}
    assert props["base"] == "origin/main"
    assert props["base_sha"] == origin.head
    assert props["head"] == clone.head
    assert props["judged"] == "1 commit"
    assert props["base_note"] == "local main is 45 behind origin/main: compared with origin/main"
    report = json.loads((pytester.path / "gates.json").read_text())
    security = next(t for t in report["tests"] if t["nodeid"].endswith("::security"))
    meta = security["metadata"]["prove"]
    assert (meta["base"], meta["base_sha"], meta["head"]) == (
        "origin/main",
        origin.head,
        clone.head,
    )
    assert meta["judged"] == {"files": 1, "added lines": 1}


@pytest.mark.parametrize("xdist", XDIST.values(), ids=XDIST.keys())
def test_a_pass_that_judged_nothing_on_a_branch_carries_a_warning(
    pytester: pytest.Pytester, xdist: list[str]
) -> None:
    repo = RepoBuilder(pytester.path / "svc").init()
    repo.commit("chore: start", files={"README.md": "x\n"})
    repo.git("checkout", "-q", "-b", "feat/new")  # cut, nothing on it yet
    _fleet(pytester, repo)
    result = _run(pytester, xdist)
    result.assert_outcomes(passed=3)
    report = json.loads((pytester.path / "gates.json").read_text())
    warned = {
        t["nodeid"].rsplit("::", 1)[1]: [f["message"] for f in t["metadata"]["prove"]["findings"]]
        for t in report["tests"]
    }
    assert warned["security"] == [
        "nothing was judged against main (0 files, 0 added lines): the branch has no change "
        "this gate looks at yet"
    ]
    assert [m.split(" (")[0] for m in warned["trunk"]] == ["nothing was judged against main"]
    # On the trunk itself, judging nothing is the normal case.
    repo.checkout("main")
    on_trunk = _run(pytester, xdist)
    on_trunk.assert_outcomes(passed=3)
    report = json.loads((pytester.path / "gates.json").read_text())
    assert all(not t["metadata"]["prove"]["findings"] for t in report["tests"])


@pytest.mark.parametrize("xdist", XDIST.values(), ids=XDIST.keys())
def test_contracts_with_its_spec_renamed_still_sees_the_breaking_change(
    pytester: pytest.Pytester, xdist: list[str]
) -> None:
    from tests.contracts_samples import dump, pet_store

    repo = RepoBuilder(pytester.path / "svc").init()
    spec = pet_store()
    repo.commit("feat: api", files={"openapi.yaml": dump(spec)})
    repo.git("checkout", "-q", "-b", "refactor/rename")
    repo.git("mv", "openapi.yaml", "petstore-api.yaml")
    spec["paths"].pop("/pets/{id}")
    repo.commit("refactor: rename the spec", files={"petstore-api.yaml": dump(spec)})
    pytester.makefile(
        ".yaml",
        multi=f"repositories:\n  - {{name: svc, path: '{repo.path}', checks: [contracts]}}\n",
    )
    result = _run(pytester, xdist)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["petstore-api.yaml:5 path-removed paths./pets/{id}: path removed"])
    # With no spec at all, the gate says what it searched instead of passing.
    bare = RepoBuilder(pytester.path / "bare").init()
    bare.commit("chore: start", files={"README.md": "x\n"})
    pytester.makefile(
        ".yaml",
        multi=f"repositories:\n  - {{name: bare, path: '{bare.path}', checks: [contracts]}}\n",
    )
    nothing = _run(pytester, xdist)
    nothing.assert_outcomes(failed=1)
    nothing.stdout.fnmatch_lines(["*bare::contracts: no OpenAPI spec found: nothing was judged*"])
