"""Plugin behaviour through pytester: items, ids, markers, outcomes and reports, under xdist too."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests.repo_builder import MakeRepo, RepoBuilder

XDIST_MODES = {"no-xdist": ["-p", "no:xdist"], "xdist-inactive": [], "n2": ["-n", "2"]}
PASS = "[python3, -c, 'pass']"
FAIL = "[python3, -c, 'import sys; print(\"lint: 3 problems\"); sys.exit(2)']"


def feature_branch(repo: RepoBuilder, *messages: str) -> None:
    repo.git("checkout", "-q", "-b", "feat/x")
    for i, message in enumerate(messages):
        repo.commit(message, files={f"src/f{i}.py": f"x = {i}\n"})


@pytest.fixture
def fleet(pytester: pytest.Pytester, make_repo: MakeRepo) -> pytest.Pytester:
    """Two repositories: api-service (all gates pass), web (commit-msg and lint fail)."""
    api = make_repo("api-service")
    feature_branch(api, "feat(api): add endpoint")
    api.write("tests/test_own.py", "def test_own_suite(): pass\n")
    web = make_repo("web")
    feature_branch(web, "feat: fine", "Added stuff.")
    pytester.makefile(
        ".yaml",
        multi=f"""
version: "1.0"
repositories:
  - name: api-service
    path: {api.path}
    checks: [commit-msg, lint, unit]
  - name: web
    path: {web.path}
    checks: [commit-msg, lint]
    overrides:
      commands:
        lint: {{argv: {FAIL}}}
global:
  commands:
    lint: {{argv: {PASS}, quick: true}}
    unit: {{argv: {PASS}}}
""",
    )
    return pytester


def junit_cases(path: Path) -> dict[str, ET.Element]:
    root = ET.parse(path).getroot()
    return {f"{c.get('classname')}::{c.get('name')}": c for c in root.iter("testcase")}


def test_one_item_per_repo_and_check(fleet: pytest.Pytester) -> None:
    result = fleet.runpytest(
        "--prove-config", "multi.yaml", "--collect-only", "-q", "--strict-markers"
    )
    ids = sorted(line for line in result.outlines if "::" in line)
    assert ids == [
        "multi.yaml::api-service::commit-msg",
        "multi.yaml::api-service::lint",
        "multi.yaml::api-service::unit",
        "multi.yaml::web::commit-msg",
        "multi.yaml::web::lint",
    ]


@pytest.mark.parametrize(
    ("selection", "expected"),
    [
        (["-k", "api-service"], 3),
        (["-k", "web and not lint"], 1),
        (["-m", "quick"], 4),  # commit-msg is quick, and lint is declared quick
        (["-m", "prove and not quick"], 1),
        (["--prove-quick"], 4),
        (["--prove-repo", "web"], 2),
    ],
)
def test_selection(fleet: pytest.Pytester, selection: list[str], expected: int) -> None:
    result = fleet.runpytest("--prove-config", "multi.yaml", "--collect-only", "-q", *selection)
    assert len([line for line in result.outlines if "::" in line]) == expected


def test_repositories_own_tests_are_not_collected(fleet: pytest.Pytester) -> None:
    result = fleet.runpytest("--prove-config", "multi.yaml", "--collect-only", "-q")
    assert not [line for line in result.outlines if "test_own" in line]


@pytest.mark.parametrize("mode", sorted(XDIST_MODES))
def test_outcomes_and_junit_are_identical_with_and_without_xdist(
    fleet: pytest.Pytester, mode: str
) -> None:
    result = fleet.runpytest_subprocess(
        "--prove-config", "multi.yaml", "--junitxml=out.xml", *XDIST_MODES[mode]
    )
    result.assert_outcomes(passed=3, failed=2)
    cases = junit_cases(fleet.path / "out.xml")
    assert sorted(cases) == [
        "multi.yaml.api-service::commit-msg",
        "multi.yaml.api-service::lint",
        "multi.yaml.api-service::unit",
        "multi.yaml.web::commit-msg",
        "multi.yaml.web::lint",
    ]
    for case in cases.values():
        props = {p.get("name"): p.get("value") for p in case.iter("property")}
        assert set(props) == {
            *("repo", "check", "mode", "base", "head", "findings", "base_sha", "judged")
        }
        assert props["mode"] == "pr"
        assert props["base"] == "main"
        assert len(props["head"] or "") == 40
        assert len(props["base_sha"] or "") == 40
    judged = {
        name: {p.get("name"): p.get("value") for p in case.iter("property")}["judged"]
        for name, case in cases.items()
    }
    assert judged["multi.yaml.web::commit-msg"] in ("2 commits", "")  # lint: a command judges none
    assert judged["multi.yaml.web::lint"] == ""
    failure = cases["multi.yaml.web::commit-msg"].find("failure")
    assert failure is not None
    message = failure.get("message") or ""
    assert "\n" not in message
    assert message.startswith("web::commit-msg: ")
    assert '"Added stuff."' in (failure.text or "")
    props = {p.get("name"): p.get("value") for p in cases["multi.yaml.web::lint"].iter("property")}
    assert props["findings"] == "2"  # the exit code and the output tail


def test_failure_report_lists_findings(fleet: pytest.Pytester) -> None:
    result = fleet.runpytest("--prove-config", "multi.yaml", "-k", "web and lint")
    result.stdout.fnmatch_lines(
        [
            "web::lint: *exited with 2",
            "exit-code *exited with 2 (accepted: 0)",
            "output lint: 3 problems [info]",
            "FAILED multi.yaml::web::lint - web::lint: *",
        ]
    )


def test_json_report_carries_findings(fleet: pytest.Pytester) -> None:
    fleet.runpytest_subprocess(
        "--prove-config", "multi.yaml", "-n", "2", "--json-report", "--json-report-file=r.json"
    )
    report = json.loads((fleet.path / "r.json").read_text())
    meta = {t["nodeid"]: t["metadata"]["prove"] for t in report["tests"]}
    web = meta["multi.yaml::web::commit-msg"]
    assert web["repo"] == "web"
    assert web["passed"] is False
    assert [f["rule"] for f in web["findings"]] == ["subject-full-stop"] or web["findings"]
    assert all(
        f["check"] == "commit-msg" and f["severity"] in {"error", "warning", "info"}
        for f in web["findings"]
    )
    assert meta["multi.yaml::api-service::unit"]["metrics"]["exit_code"] == 0


def test_fail_fast_stops_after_first_failure(fleet: pytest.Pytester) -> None:
    multi = fleet.path / "multi.yaml"
    multi.write_text(multi.read_text().replace("global:\n", "global:\n  failFast: true\n"))
    result = fleet.runpytest("--prove-config", "multi.yaml", "-p", "no:randomly")
    outcomes = result.parseoutcomes()
    assert outcomes["failed"] == 1
    assert outcomes.get("passed", 0) + outcomes["failed"] < 5


def test_prove_set_is_the_top_layer(fleet: pytest.Pytester) -> None:
    result = fleet.runpytest(
        "--prove-config",
        "multi.yaml",
        "-k",
        "api-service and commit",
        "--prove-set",
        "commit-msg.header_max_length=10",
    )
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*header-max-length*"])


def test_broken_repository_fails_only_its_own_items(
    pytester: pytest.Pytester, make_repo: MakeRepo, tmp_path: Path
) -> None:
    good = make_repo("good")
    (tmp_path / "plain").mkdir()
    pytester.makefile(
        ".yaml",
        multi=f"""
repositories:
  - {{name: plain, path: {tmp_path / "plain"}, checks: [commit-msg]}}
  - {{name: good, path: {good.path}, checks: [commit-msg]}}
""",
    )
    result = pytester.runpytest("--prove-config", "multi.yaml")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(
        ["repository *plain is not a git repository: fix the path or `git init` it"]
    )
    assert "Traceback" not in result.stdout.str()


def test_inherited_git_dir_does_not_redirect(
    fleet: pytest.Pytester, make_repo: MakeRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    # As when pytest runs from another repository's git hook.
    other = make_repo("other")
    monkeypatch.setenv("GIT_DIR", str(other.path / ".git"))
    monkeypatch.setenv("GIT_INDEX_FILE", str(other.path / ".git" / "index"))
    result = fleet.runpytest_subprocess("--prove-config", "multi.yaml", "-k", "commit-msg")
    result.assert_outcomes(passed=1, failed=1)


def test_prove_in_a_fresh_repo_without_config(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The builder dates commits from 2024-01-01: a day later the branch is young.
    monkeypatch.setenv("PROVE_NOW", "2024-01-02T00:00:00+00:00")
    repo = RepoBuilder(pytester.path).init()
    repo.commit("chore: start", files={"README.md": "x\n"})
    feature_branch(repo, "fix: a bug")
    pytester.makepyfile(test_app="def test_app(): pass\n")
    result = pytester.runpytest("--prove", "-v")
    result.assert_outcomes(passed=4)
    name = pytester.path.name
    result.stdout.fnmatch_lines(
        [
            f"prove.yaml::{name}::trunk PASSED*",
            f"prove.yaml::{name}::delivery-mode PASSED*",
            f"prove.yaml::{name}::commit-msg PASSED*",
            "test_app.py::test_app PASSED*",
        ]
    )
    gates_only = pytester.runpytest("--prove", "-m", "prove", "-q", "--prove-no-cache")
    gates_only.assert_outcomes(passed=3, deselected=1)


def test_prove_only_and_repo_config_file(pytester: pytest.Pytester) -> None:
    repo = RepoBuilder(pytester.path).init()
    repo.commit("chore: start", files={"README.md": "x\n"})
    pytester.makepyfile(test_app="def test_app(): pass\n")
    pytester.makefile(".yaml", prove=f"checks: [hello]\ncommands:\n  hello: {{argv: {PASS}}}\n")
    result = pytester.runpytest("--prove", "--prove-only", "--collect-only", "-q")
    ids = [line for line in result.outlines if "::" in line]
    assert ids == [f"prove.yaml::{pytester.path.name}::hello"]
    custom = pytester.makefile(
        ".yml", custom=f"checks: [other]\ncommands:\n  other: {{argv: {FAIL}}}\n"
    )
    result = pytester.runpytest("--prove-config", str(custom))
    result.assert_outcomes(failed=1)


def test_pyproject_tool_prove(pytester: pytest.Pytester) -> None:
    repo = RepoBuilder(pytester.path).init()
    repo.commit("chore: start", files={"README.md": "x\n"})
    pytester.makepyprojecttoml(
        "[tool.prove]\nchecks = ['hello']\n[tool.prove.commands.hello]\n"
        "argv = ['python3', '-c', 'pass']\n"
    )
    result = pytester.runpytest("--prove", "--prove-only", "-q")
    result.assert_outcomes(passed=1)


def test_prove_next_to_the_repository_tests_under_xdist(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PROVE_NOW", "2024-01-02T00:00:00+00:00")
    repo = RepoBuilder(pytester.path).init()
    repo.commit("chore: start", files={"README.md": "x\n"})
    pytester.makepyfile(test_app="def test_app(): pass\ndef test_more(): pass\n")
    result = pytester.runpytest_subprocess("--prove", "-n", "2")
    result.assert_outcomes(passed=5)


def test_orchestrator_file_next_to_named_test_paths(fleet: pytest.Pytester) -> None:
    # The file lies outside the paths given: it is added to them, and collected once.
    fleet.mkdir("own_tests")
    fleet.makepyfile(**{"own_tests/test_mine": "def test_mine(): pass\n"})
    for xdist in ([], ["-n", "2"]):
        result = fleet.runpytest_subprocess(
            "--prove-config", "multi.yaml", "own_tests", "--collect-only", "-q", *xdist
        )
        ids = sorted(line for line in result.outlines if "::" in line)
        assert len(ids) == 6, result.stdout.str()
        assert ids[-1] == "own_tests/test_mine.py::test_mine"
