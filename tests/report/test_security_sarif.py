"""SARIF 2.1.0 output: the pure converter and ``--prove-sarif`` through the plugin.

``tests/data/sarif-schema-2.1.0.json`` is the OASIS SARIF TC's
``sarif-2.1/schema/sarif-schema-2.1.0.json`` (2.1.0 errata 01), copied unchanged.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from pytest_prove.config.load import load_fleet
from pytest_prove.report.locate import Locator
from pytest_prove.report.run_record import GateRecord
from pytest_prove.report.sinks.sarif import sarif_log
from tests.repo_builder import RepoBuilder
from tests.run_records import run_of
from tests.security_samples import SAMPLES

SCHEMA = json.loads(
    (Path(__file__).resolve().parents[1] / "data" / "sarif-schema-2.1.0.json").read_text()
)


def _validate(log: dict[str, Any]) -> None:
    jsonschema.Draft4Validator(SCHEMA).validate(log)


def _gate(repo: str, check: str, *findings: dict[str, Any], outcome: str = "failed") -> GateRecord:
    return GateRecord(
        nodeid=f"multi.yaml::{repo}::{check}",
        repo=repo,
        check=check,
        outcome=outcome,  # type: ignore[arg-type]
        duration=0.1,
        findings=tuple({"check": check, **f} for f in findings),
    )


def test_converter(tmp_path: Path) -> None:
    for name in ("api", "web"):
        (tmp_path / "services" / name).mkdir(parents=True)
    (tmp_path / "multi.yaml").write_text(
        "repositories:\n  - {name: api, path: services/api}\n  - {name: web, path: services/web}\n"
    )
    fleet = load_fleet(tmp_path / "multi.yaml", tmp_path)
    run = run_of(
        _gate(
            "api",
            "security",
            {
                "rule": "github-token",
                "severity": "error",
                "message": "GitHub: ghp_****",
                "file": "src/a.py",
                "line": 3,
            },
            {"rule": "advisories-not-configured", "severity": "warning", "message": "nc"},
            {"rule": "not-scanned", "severity": "info", "message": "x", "file": "../out"},
        ),
        _gate(
            "web",
            "tdd",
            {
                "rule": "missing-test",
                "severity": "error",
                "message": "m",
                "file": "b.py",
                "line": 2,
                "end_line": 5,
            },
        ),
        _gate("web", "trunk", {"rule": "branch-age", "severity": "error", "message": "old"}),
    )
    log = sarif_log(run, Locator(fleet, tmp_path), "1.2.3")
    _validate(log)
    (sarif_run,) = log["runs"]
    placed = [
        (
            r["ruleId"],
            r["level"],
            r["message"]["text"],
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            r["locations"][0]["physicalLocation"]["region"],
        )
        for r in sarif_run["results"]
    ]
    assert placed == [
        (
            "security/github-token",
            "error",
            "api: GitHub: ghp_****",
            "services/api/src/a.py",
            {"startLine": 3},
        ),
        # No file: put at the repository's entry in the orchestrator file.
        (
            "security/advisories-not-configured",
            "warning",
            "api: nc",
            "multi.yaml",
            {"startLine": 2},
        ),
        ("security/not-scanned", "note", "api: ../out: x", "multi.yaml", {"startLine": 2}),
        (
            "tdd/missing-test",
            "error",
            "web: m",
            "services/web/b.py",
            {"startLine": 2, "endLine": 5},
        ),
        # trunk's finding has no file: not code scanning material.
    ]
    rule_ids = [rule["id"] for rule in sarif_run["tool"]["driver"]["rules"]]
    assert [rule_ids[r["ruleIndex"]] for r in sarif_run["results"]] == [
        r["ruleId"] for r in sarif_run["results"]
    ]
    assert sarif_run["tool"]["driver"]["version"] == "1.2.3"


def test_empty_run_is_valid(tmp_path: Path) -> None:
    (tmp_path / "prove.yaml").write_text("checks: [trunk]\n")
    fleet = load_fleet(tmp_path / "prove.yaml", tmp_path)
    log = sarif_log(run_of(), Locator(fleet, tmp_path), "0")
    _validate(log)
    assert log["runs"][0]["results"] == []


@pytest.mark.parametrize("xdist", [[], ["-n", "2"]], ids=["n0", "n2"])
def test_prove_sarif_option(pytester: pytest.Pytester, xdist: list[str]) -> None:
    repo = RepoBuilder(pytester.path / "app").init()
    repo.commit("Initial commit", files={"README.md": "# app\n"})
    repo.git("checkout", "-q", "-b", "feat/x")
    lines = "\n".join(line for line, _, _ in SAMPLES.values())
    repo.commit("feat: planted", files={"src/planted.py": f"{lines}\n"})
    pytester.makefile(
        ".yaml", multi="repositories:\n  - {name: app, path: app, checks: [security]}\n"
    )
    result = pytester.runpytest(
        "--prove-config", "multi.yaml", "--prove-sarif=out/prove.sarif", *xdist
    )
    result.assert_outcomes(failed=1)
    text = (pytester.path / "out" / "prove.sarif").read_text()
    for _, secret, _ in SAMPLES.values():
        assert secret not in text
    log = json.loads(text)
    _validate(log)
    results = log["runs"][0]["results"]
    located = {
        (r["ruleId"], r["locations"][0]["physicalLocation"]["region"]["startLine"])
        for r in results
        if r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "app/src/planted.py"
    }
    assert located == {(f"security/{rule}", n) for n, rule in enumerate(SAMPLES, 1)}


def test_unwritable_sarif_is_a_note_not_a_failure(pytester: pytest.Pytester) -> None:
    repo = RepoBuilder(pytester.path / "app").init()
    repo.commit("Initial commit", files={"README.md": "# app\n"})
    pytester.makefile(
        ".yaml", multi="repositories:\n  - {name: app, path: app, checks: [security]}\n"
    )
    (pytester.path / "blocked").write_text("a file, not a directory")
    result = pytester.runpytest("--prove-config", "multi.yaml", "--prove-sarif=blocked/x.sarif")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["*SARIF not written to *x.sarif*"])
