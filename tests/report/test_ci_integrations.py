"""GitHub Actions annotations and job summary, GitLab Code Quality JSON."""

from __future__ import annotations

import dataclasses
import json
import re
import textwrap
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from pytest_prove.config.load import load_fleet
from pytest_prove.report.locate import Locator
from pytest_prove.report.sinks.github import (
    MAX_ANNOTATIONS,
    escape_data,
    escape_property,
    step_summary,
    workflow_commands,
)
from pytest_prove.report.sinks.gitlab import codequality_issues
from tests.run_records import gate, run_of

HOSTILE = "evil\r\n::error file=x.py::injected, 100% <script>alert(1)</script> | `x` *y*"


def finding(message: str = "bad", **place: Any) -> dict[str, Any]:
    return {"check": "lint", "rule": "E1", "severity": "error", "message": message, **place}


def with_findings(base: Any, *findings: dict[str, Any]) -> Any:
    return dataclasses.replace(base, findings=tuple(findings))


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """A checkout holding multi.yaml and two repositories; `far` lies outside it."""
    root = tmp_path / "checkout"
    for directory in (root / "services" / "api", root / "web", tmp_path / "far"):
        directory.mkdir(parents=True)
    (root / "multi.yaml").write_text(
        textwrap.dedent("""\
        repositories:
          - {name: api, path: services/api, checks: [trunk]}
          - {name: web, path: web, checks: [trunk]}
          - {name: far, path: ../far, checks: [trunk]}
        """)
    )
    return root


@pytest.fixture
def locator(workspace: Path) -> Locator:
    return Locator(load_fleet(workspace / "multi.yaml", workspace), workspace)


# -- escaping --------------------------------------------------------------------------


def test_escaping_follows_the_actions_toolkit() -> None:
    assert escape_data("a%b\r\nc") == "a%25b%0D%0Ac"
    assert escape_data("x: y, z") == "x: y, z"
    assert escape_property("src/a,b:c.py") == "src/a%2Cb%3Ac.py"
    assert escape_property("%\n") == "%25%0A"


def _unescape(text: str) -> str:
    # What the runner does (actions/runner ActionCommand.Unescape), % last.
    for escaped, plain in (("%0D", "\r"), ("%0A", "\n"), ("%3A", ":"), ("%2C", ","), ("%25", "%")):
        text = text.replace(escaped, plain)
    return text


@given(st.text())
def test_escaped_text_is_one_line_and_comes_back_intact(text: str) -> None:
    for escaped in (escape_data(text), escape_property(text)):
        assert "\n" not in escaped
        assert "\r" not in escaped
        assert _unescape(escaped) == text
    assert not re.search("[,:]", escape_property(text))


# -- annotations ------------------------------------------------------------------------


def test_findings_become_annotations_at_workspace_paths(locator: Locator) -> None:
    failed = with_findings(
        gate("api", "lint", "failed"),
        finding("bad", file="src/a,b.py", line=3, end_line=4),
        {**finding("meh", file="src/b.py", line=9), "severity": "warning"},
        {**finding("fyi", file="src/b.py"), "severity": "info"},
        finding("no place at all"),
    )
    assert workflow_commands(run_of(failed), locator) == [
        "::error file=services/api/src/a%2Cb.py,line=3,endLine=4,title=api lint::bad [E1]",
        "::error title=api lint::no place at all [E1]",
        "::warning file=services/api/src/b.py,line=9,title=api lint::meh [E1]",
    ]


def test_a_hostile_message_cannot_inject_a_command(locator: Locator) -> None:
    failed = with_findings(gate("web", "lint", "failed"), finding(HOSTILE, file="a.py", line=1))
    [command] = workflow_commands(run_of(failed), locator)
    assert command == (
        "::error file=web/a.py,line=1,title=web lint::evil%0D%0A::error file=x.py::injected, "
        "100%25 <script>alert(1)</script> | `x` *y* [E1]"
    )


def test_places_outside_the_workspace_or_the_repository_are_named_in_the_text(
    locator: Locator,
) -> None:
    far = with_findings(gate("far", "lint", "failed"), finding("bad", file="src/a.py", line=2))
    escaping = with_findings(gate("web", "lint", "failed"), finding("up", file="../../x", line=1))
    assert workflow_commands(run_of(far, escaping), locator) == [
        "::error title=far lint::far/src/a.py:2: bad [E1]",
        "::error title=web lint::web/../../x:1: up [E1]",
    ]


def test_waived_errors_are_warnings_and_a_gate_without_findings_shows_its_summary(
    locator: Locator,
) -> None:
    waived = with_findings(gate("api", "lint", "waived"), finding("old", file="a.py", line=1))
    broken = gate("web", "lint", "error", "setup failed: no git")
    timeout = gate("web", "slow", "failed", "timed out after 100 ms")
    skipped = with_findings(gate("api", "x", "skipped"), finding("never shown"))
    assert workflow_commands(run_of(waived, broken, timeout, skipped), locator) == [
        "::error title=web lint::setup failed: no git",
        "::error title=web slow::timed out after 100 ms",
        "::warning file=services/api/a.py,line=1,title=api lint::old [E1]",
    ]


def test_annotations_are_capped_errors_first(locator: Locator) -> None:
    warnings = [{**finding("meh", file="w.py", line=1), "severity": "warning"}] * 3
    many = [finding(f"bad {i}", file="a.py", line=i + 1) for i in range(MAX_ANNOTATIONS + 4)]
    failed = with_findings(gate("api", "lint", "failed"), *warnings, *many)
    commands = workflow_commands(run_of(failed), locator)
    assert len(commands) == MAX_ANNOTATIONS + 1
    assert all(c.startswith("::error") for c in commands[:MAX_ANNOTATIONS])
    assert commands[-1] == "::notice::7 more findings: see the job summary or the JUnit report"


# -- job summary --------------------------------------------------------------------------


def test_the_job_summary_has_the_matrix_and_the_failed_gates() -> None:
    failed = with_findings(
        gate("api", "lint", "failed", HOSTILE), finding(HOSTILE, file="src/a|b.py", line=3)
    )
    run = run_of(failed, gate("api", "ok", "passed"), gate("web", "ok", "skipped"))
    assert step_summary(run) == (
        "## pytest-prove: 1 of 3 gates failed\n\n"
        "1 passed, 1 failed, 1 skipped\n\n"
        "| repository | lint | ok |\n"
        "| --- | --- | --- |\n"
        "| api | ❌ failed 0.5 s | ✅ passed 0.5 s |\n"
        "| web | — | ⏭️ skipped 0.5 s |\n\n"
        "### Failed gates\n\n"
        "- **api · lint** (failed): evil ::error file=x.py::injected, 100% "
        "&lt;script&gt;alert(1)&lt;/script&gt; \\| \\`x\\` \\*y\\*\n"
        "  - src/a\\|b.py:3: evil ::error file=x.py::injected, 100% "
        "&lt;script&gt;alert(1)&lt;/script&gt; \\| \\`x\\` \\*y\\*\n\n"
    )


def test_a_large_fleet_lists_only_failing_repositories() -> None:
    gates = [gate(f"r{i:03}", "ok", "passed") for i in range(150)]
    summary = step_summary(run_of(*gates, gate("zz", "ok", "failed", "no")))
    assert "| zz | ❌ failed 0.5 s |" in summary
    assert "| r000 |" not in summary
    assert "150 repositories whose gates all passed are not listed." in summary


def test_an_empty_run_summary() -> None:
    assert step_summary(run_of()) == "## pytest-prove: all 0 gates passed\n\nno gates ran\n\n"


# -- GitLab Code Quality ------------------------------------------------------------------

# The fields GitLab reads (docs.gitlab.com/ci/testing/code_quality, "Code Quality report format").
CODEQUALITY_SCHEMA = {
    "type": "array",
    "items": {
        "type": "object",
        "required": ["description", "check_name", "fingerprint", "severity", "location"],
        "properties": {
            "description": {"type": "string", "minLength": 1},
            "check_name": {"type": "string", "minLength": 1},
            "fingerprint": {"type": "string", "pattern": "^[0-9a-f]{32}$"},
            "severity": {"enum": ["info", "minor", "major", "critical", "blocker"]},
            "location": {
                "type": "object",
                "required": ["path", "lines"],
                "properties": {
                    "path": {"type": "string", "minLength": 1},
                    "lines": {
                        "type": "object",
                        "required": ["begin"],
                        "properties": {
                            "begin": {"type": "integer", "minimum": 1},
                            "end": {"type": "integer", "minimum": 1},
                        },
                    },
                },
            },
        },
    },
}


def test_code_quality_issues(locator: Locator) -> None:
    failed = with_findings(
        gate("api", "lint", "failed"),
        finding(HOSTILE, file="src/a.py", line=3, end_line=5),
        finding("same", file="src/a.py", line=7),
        finding("same", file="src/a.py", line=9),
        {**finding("meh", file="src/a.py", line=1), "severity": "warning"},
        finding("no place"),
    )
    waived = with_findings(gate("web", "lint", "waived"), finding("old", file="w.py", line=2))
    far = with_findings(gate("far", "lint", "failed"), finding("far away", file="f.py", line=4))
    broken = gate("web", "ok", "error", "setup failed")
    issues = codequality_issues(run_of(failed, waived, far, broken), locator)
    jsonschema.validate(issues, CODEQUALITY_SCHEMA)
    assert len({i["fingerprint"] for i in issues}) == len(issues)
    brief = [
        (i["severity"], i["check_name"], loc["path"], loc["lines"], i["description"])
        for i in issues
        for loc in [i["location"]]
    ]
    assert brief == [
        ("major", "lint/E1", "services/api/src/a.py", {"begin": 3, "end": 5}, f"api: {HOSTILE}"),
        ("major", "lint/E1", "services/api/src/a.py", {"begin": 7}, "api: same"),
        ("major", "lint/E1", "services/api/src/a.py", {"begin": 9}, "api: same"),
        ("minor", "lint/E1", "services/api/src/a.py", {"begin": 1}, "api: meh"),
        ("major", "lint/E1", "multi.yaml", {"begin": 2}, "api: no place"),
        ("major", "lint/E1", "multi.yaml", {"begin": 4}, "far: f.py:4: far away"),
        ("minor", "lint/E1", "web/w.py", {"begin": 2}, "web: old"),
        ("critical", "ok", "multi.yaml", {"begin": 3}, "web: setup failed"),
    ]


def test_fingerprints_do_not_move_with_lines(locator: Locator) -> None:
    def issues_at(line: int) -> list[dict[str, Any]]:
        failed = with_findings(gate("api", "lint", "failed"), finding("x", file="a.py", line=line))
        return codequality_issues(run_of(failed), locator)

    assert issues_at(3)[0]["fingerprint"] == issues_at(30)[0]["fingerprint"]


# -- through the plugin -------------------------------------------------------------------

LINT = """
import json, os, sys
print(json.dumps([{"filePath": os.path.join(os.getcwd(), "src/a.py"), "messages": [
    {"ruleId": "no-evil", "severity": 2, "message": "bad, very: bad", "line": 3},
    {"ruleId": "style", "severity": 1, "message": "meh", "line": 7}]}]))
sys.exit(1)
"""
MULTI = """
repositories:
  - {name: api, path: services/api, checks: [lint, ok]}
global:
  commands:
    lint: {argv: [python3, ../../lint.py], parse: eslint-json}
    ok: [python3, -c, pass]
"""


@pytest.fixture
def fleet(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> pytest.Pytester:
    (pytester.path / "services" / "api").mkdir(parents=True)
    (pytester.path / "lint.py").write_text(LINT)
    pytester.makefile(".yaml", multi=MULTI)
    for name in ("GITHUB_ACTIONS", "GITHUB_STEP_SUMMARY", "GITHUB_WORKSPACE", "CI_PROJECT_DIR"):
        monkeypatch.delenv(name, raising=False)
    return pytester


@pytest.mark.parametrize("xdist", [[], ["-n", "2"]])
def test_on_github_actions_a_run_annotates_and_writes_the_job_summary(
    fleet: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, xdist: list[str]
) -> None:
    summary = fleet.path / "summary.md"
    summary.write_text("earlier step\n")
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_WORKSPACE", str(fleet.path))
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    result = fleet.runpytest("--prove-config", "multi.yaml", "-p", "no:cacheprovider", *xdist)
    assert result.ret == 1
    result.stdout.fnmatch_lines(
        [
            "::error file=services/api/src/a.py,line=3,title=api lint::bad, very: bad [no-evil]",
            "::warning file=services/api/src/a.py,line=7,title=api lint::meh [style]",
        ]
    )
    text = summary.read_text()
    assert text.startswith("earlier step\n## pytest-prove: 1 of 2 gates failed\n")
    assert "| api | ❌ failed " in text
    assert "  - src/a.py:3: bad, very: bad\n" in text


def test_off_github_actions_nothing_is_annotated(fleet: pytest.Pytester) -> None:
    result = fleet.runpytest("--prove-config", "multi.yaml", "-p", "no:cacheprovider")
    assert result.ret == 1
    assert "::error" not in result.stdout.str()


def test_an_unwritable_job_summary_is_a_note(
    fleet: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(fleet.path / "missing" / "summary.md"))
    result = fleet.runpytest("--prove-config", "multi.yaml", "-p", "no:cacheprovider")
    assert result.ret == 1
    result.stdout.fnmatch_lines(["GitHub job summary not written to */missing/summary.md: *"])


@pytest.mark.parametrize("xdist", [[], ["-n", "2"]])
def test_gitlab_code_quality_report(
    fleet: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, xdist: list[str]
) -> None:
    monkeypatch.setenv("CI_PROJECT_DIR", str(fleet.path))
    args = ("--prove-config", "multi.yaml", "--prove-gitlab-codequality", "out/cq.json", *xdist)
    assert fleet.runpytest(*args, "-p", "no:cacheprovider").ret == 1
    issues = json.loads((fleet.path / "out" / "cq.json").read_text())
    jsonschema.validate(issues, CODEQUALITY_SCHEMA)
    assert [(i["severity"], i["location"]["path"], i["location"]["lines"]) for i in issues] == [
        ("major", "multi.yaml", {"begin": 2}),  # the exit code: no place
        ("major", "services/api/src/a.py", {"begin": 3}),
        ("minor", "services/api/src/a.py", {"begin": 7}),
        ("info", "multi.yaml", {"begin": 2}),  # the tail of the output
    ]
    assert fleet.runpytest(*args, "-p", "no:cacheprovider").ret == 1
    assert json.loads((fleet.path / "out" / "cq.json").read_text()) == issues


def test_a_passing_run_writes_an_empty_code_quality_report(fleet: pytest.Pytester) -> None:
    args = ("--prove-config", "multi.yaml", "-k", "ok", "--prove-gitlab-codequality", "cq.json")
    assert fleet.runpytest(*args).ret == 0
    assert json.loads((fleet.path / "cq.json").read_text()) == []


def test_an_unwritable_code_quality_report_is_a_note(fleet: pytest.Pytester) -> None:
    (fleet.path / "blocker").write_text("a file, not a directory")
    args = ("--prove-config", "multi.yaml", "--prove-gitlab-codequality", "blocker/cq.json")
    result = fleet.runpytest(*args, "-p", "no:cacheprovider")
    assert result.ret == 1
    result.stdout.fnmatch_lines(["GitLab Code Quality report not written to */blocker/cq.json: *"])


EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "ci"


def test_the_example_pipelines_use_the_ci_outputs() -> None:
    gitlab = yaml.safe_load((EXAMPLES / "gitlab-ci.yml").read_text())["prove-gates"]
    script = " ".join(gitlab["script"])
    report = gitlab["artifacts"]["reports"]["codequality"]
    assert f"--prove-gitlab-codequality {report}" in script
    github = yaml.safe_load((EXAMPLES / "github-actions-sharded.yml").read_text())
    step = next(
        s for s in github["jobs"]["gates"]["steps"] if "prove orchestrate" in s.get("run", "")
    )
    assert step["env"]["PROVE_SLACK_WEBHOOK"] == "${{ secrets.PROVE_SLACK_WEBHOOK }}"
    jenkins = (EXAMPLES / "Jenkinsfile").read_text()
    assert "--junitxml" in jenkins
    assert "junit 'prove-junit.xml'" in jenkins
