"""The ``coverage`` gate: verdicts, missing and bad data, and runs through the plugin."""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from pytest_prove.api import CheckResult, Severity
from pytest_prove.checks.coverage import CoverageSettings, check_coverage
from pytest_prove.git import RepoContext
from tests.fleet_file import entry, write_fleet
from tests.repo_builder import MakeRepo, RepoBuilder

DATA = Path(__file__).resolve().parents[1] / "data" / "coverage"
MODULE = """\
def covered(n):
    return n + 1


def uncovered(n):
    if n:
        return 1
    return 2
"""


def python_repo(make_repo: MakeRepo, name: str = "app", *, run: bool = True) -> RepoBuilder:
    """A branch adding mod.py (lines 6-8 never run) and main.py; coverage.py's data and XML."""
    repo = make_repo(name)
    repo.commit("base", files={".gitignore": ".coverage\ncoverage.xml\n"})
    repo.git("checkout", "-q", "-b", "feat/mod")
    repo.commit("feat: mod", files={"mod.py": MODULE, "main.py": "import mod\nmod.covered(1)\n"})
    if run:
        coverage(repo, "run", "main.py")
        coverage(repo, "xml", "-o", "coverage.xml")
    return repo


def coverage(repo: RepoBuilder, *args: str) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("COVERAGE_")}
    subprocess.run(
        [sys.executable, "-m", "coverage", *args],
        cwd=repo.path,
        env=env,
        check=True,
        capture_output=True,
    )


def check(repo: RepoBuilder, **settings: Any) -> CheckResult:
    return check_coverage(RepoContext(repo.path, base="main"), CoverageSettings(**settings))


def rules(result: CheckResult) -> list[tuple[str, Severity]]:
    return [(f.rule, f.severity) for f in result.findings]


def test_passes_at_the_threshold_and_fails_below(make_repo: MakeRepo) -> None:
    repo = python_repo(make_repo)
    # 5 of 8 measurable lines: mod.py 3 of 6 (lines 6-8 missed), main.py 2 of 2.
    result = check(repo, threshold=62.5)
    assert result.passed
    assert result.metrics["coverage_percent"] == 62.5
    assert (result.metrics["covered"], result.metrics["measurable"]) == (5, 8)
    assert rules(result) == [("uncovered", Severity.INFO)]
    failed = check(repo)
    assert not failed.passed
    assert rules(failed) == [("threshold", Severity.ERROR), ("uncovered", Severity.ERROR)]
    assert failed.findings[1].message == "mod.py:6-8 not covered (3 of 6 changed lines)"
    assert failed.summary == (
        "diff coverage 62.5% (5 of 8 changed lines) is below the threshold 80%"
    )


def test_exact_threshold_is_not_lost_to_rounding(make_repo: MakeRepo) -> None:
    repo = python_repo(make_repo)
    assert check(repo, threshold=5 * 100 / 8).passed
    assert not check(repo, threshold=62.51).passed


def test_branch_metric_from_coverage_data(make_repo: MakeRepo) -> None:
    repo = python_repo(make_repo, run=False)
    coverage(repo, "run", "--branch", "main.py")
    result = check(repo, reports=[".coverage"], threshold=0)
    assert (result.metrics["branches_covered"], result.metrics["branches_total"]) == (0, 2)


def test_no_measurable_changes_pass(make_repo: MakeRepo) -> None:
    repo = python_repo(make_repo)
    repo.git("checkout", "-q", "-b", "docs/readme")
    repo.commit("docs", files={"README.md": "# Changed\n", "notes.txt": "x\n"})
    result = check_coverage(RepoContext(repo.path, base="feat/mod"), CoverageSettings())
    assert result.passed
    assert result.summary is not None
    assert result.summary.startswith("no measurable changes: 2 changed lines")


def test_changes_outside_statements_are_not_measurable(make_repo: MakeRepo) -> None:
    repo = python_repo(make_repo)
    repo.git("checkout", "-q", "-b", "docs/comment")
    repo.commit("docs", files={"mod.py": MODULE.replace("\n\ndef unc", "\n# why\ndef unc")})
    result = check_coverage(RepoContext(repo.path, base="feat/mod"), CoverageSettings())
    assert result.passed
    assert result.metrics["measurable"] == 0


@pytest.mark.parametrize(
    ("missing", "passed", "skipped"), [("fail", False, False), ("skip", True, True)]
)
def test_missing_data(make_repo: MakeRepo, missing: str, passed: bool, skipped: bool) -> None:
    repo = python_repo(make_repo, run=False)
    result = check(repo, missing=missing)
    assert result.passed is passed
    assert (result.skipped is not None) is skipped
    if not passed:
        assert rules(result) == [("no-coverage-data", Severity.ERROR)]
        message = result.findings[0].message
        assert "looked for .coverage, coverage.xml" in message
        assert "`coverage run -m pytest`" in message
        assert "`vitest run --coverage --coverage.reporter=lcov`" in message


def test_named_report_missing(make_repo: MakeRepo) -> None:
    repo = python_repo(make_repo)
    result = check(repo, reports=["coverage.xml", "build/lcov.info"])
    assert rules(result) == [("no-coverage-data", Severity.ERROR)]
    assert result.findings[0].message.startswith("coverage file build/lcov.info not found")


def _xml(repo: RepoBuilder) -> str:
    return (repo.path / "coverage.xml").read_text()


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda xml: "", "coverage.xml is empty"),
        (lambda xml: xml[: len(xml) // 2], "coverage.xml is truncated"),
        (
            lambda xml: xml.replace('<line number="6"', '<line number="6" <<'),
            "coverage.xml: malformed XML in the class of mod.py",
        ),
        (
            lambda xml: xml.replace('number="7"', 'number="seven"'),
            "coverage.xml: a <line> of mod.py has a bad number or hits",
        ),
        (lambda xml: "<report name='x'></report>\n", "coverage.xml is not a Cobertura report"),
        (
            lambda xml: "<coverage clover='4.4'><project/></coverage>",
            "coverage.xml is a Clover report",
        ),
        (lambda xml: "\x00\x01 not xml at all", "coverage.xml is not an LCOV tracefile: line 1"),
    ],
    ids=["empty", "truncated", "malformed", "bad-number", "jacoco", "clover", "binary"],
)
def test_bad_cobertura(make_repo: MakeRepo, damage: Any, message: str) -> None:
    repo = python_repo(make_repo)
    (repo.path / "coverage.xml").write_text(damage(_xml(repo)))
    result = check(repo, reports=["coverage.xml"])
    assert rules(result) == [("bad-report", Severity.ERROR)]
    assert result.findings[0].message.startswith(message)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "SF:mod.py\nDA:1,1\n",
            "lcov.info is truncated: the record of mod.py (line 1) has no end_of_record",
        ),
        ("SF:mod.py\nDA:x,1\nend_of_record\n", "lcov.info:2: not an LCOV line: 'DA:x,1'"),
        ("SF:mod.py\nWHAT:1\nend_of_record\n", "lcov.info:2: not an LCOV line"),
        ("SF:a.py\nend_of_record\nDA:1,1\n", "lcov.info:3: DA outside a record"),
        ("hello\n", "lcov.info is not an LCOV tracefile: line 1 is 'hello'"),
        ("TN:\n", "lcov.info is not an LCOV tracefile: it has no SF: line"),
    ],
)
def test_bad_lcov(make_repo: MakeRepo, text: str, message: str) -> None:
    repo = python_repo(make_repo, run=False)
    (repo.path / "lcov.info").write_text(text)
    result = check(repo)
    assert rules(result) == [("bad-report", Severity.ERROR)]
    assert result.findings[0].message.startswith(message)


def test_a_report_linking_out_of_the_repository_is_not_read(
    make_repo: MakeRepo, tmp_path: Path
) -> None:
    outside = tmp_path / "credentials"
    outside.write_text("https://x-access-token:hunter2hunter2@github.com\n")
    repo = python_repo(make_repo, run=False)
    (repo.path / "lcov.info").symlink_to(outside)
    result = check(repo)
    assert rules(result) == [("bad-report", Severity.ERROR)]
    assert (
        result.findings[0].message == "lcov.info is a link leading out of the repository: not read"
    )
    assert "hunter2" not in repr(result)


def test_a_report_linking_inside_the_repository_is_read(make_repo: MakeRepo) -> None:
    repo = python_repo(make_repo, run=False)
    (repo.path / "reports").mkdir()
    (repo.path / "reports" / "lcov.info").write_text("SF:mod.py\nDA:2,1\nend_of_record\n")
    (repo.path / "lcov.info").symlink_to("reports/lcov.info")
    assert check(repo).passed


def test_damage_in_an_unchanged_lcov_record_is_skipped(make_repo: MakeRepo) -> None:
    repo = python_repo(make_repo, run=False)
    (repo.path / "lcov.info").write_text(
        "SF:other.py\nGARBAGE\nend_of_record\nSF:mod.py\nDA:2,1\nDA:6,0\nend_of_record\n"
    )
    result = check(repo, threshold=50)
    assert result.passed
    assert result.metrics["measurable"] == 2


def test_bad_coverage_data(make_repo: MakeRepo) -> None:
    repo = python_repo(make_repo)
    data = repo.path / ".coverage"
    good = data.read_bytes()
    data.write_bytes(good[: len(good) // 3])
    truncated = check(repo, reports=[".coverage"])
    assert rules(truncated) == [("bad-report", Severity.ERROR)]
    assert truncated.findings[0].message.startswith(".coverage is not readable coverage.py data")
    data.write_bytes(b"garbage" * 100)
    garbage = check(repo, reports=[".coverage"])
    assert garbage.findings[0].message.startswith(".coverage is not coverage.py data")
    data.write_bytes(
        b'!coverage.py: This is a private format, don\'t read it directly!{"lines":{}}'
    )
    old = check(repo, reports=[".coverage"])
    assert "older than 5.0" in old.findings[0].message
    data.unlink()
    with contextlib.closing(sqlite3.connect(data)) as db:
        db.execute("create table other (x)")
        db.commit()
    before = data.read_bytes()
    other = check(repo, reports=[".coverage"])
    assert rules(other) == [("bad-report", Severity.ERROR)]
    assert "without coverage.py's tables" in other.findings[0].message
    assert data.read_bytes() == before  # never written to


def test_report_for_another_repository(make_repo: MakeRepo) -> None:
    repo = python_repo(make_repo, run=False)
    shutil.copyfile(DATA / "cobertura-coverage.xml", repo.path / "coverage.xml")
    result = check(repo)
    assert rules(result) == [("foreign-report", Severity.ERROR)]
    assert result.findings[0].message.startswith(
        "coverage.xml lists 3 files and none is in this repository (e.g. src/cart.ts)"
    )


def test_report_older_than_the_source_warns(make_repo: MakeRepo) -> None:
    repo = python_repo(make_repo)
    report = repo.path / "coverage.xml"
    os.utime(report, (1_700_000_000, 1_700_000_000))
    result = check(repo, reports=["coverage.xml"], threshold=50)
    assert result.passed  # a warning only
    stale = [f for f in result.findings if f.rule == "stale-report"]
    assert [f.severity for f in stale] == [Severity.WARNING]
    assert stale[0].message.startswith("coverage.xml (written 2023-11-14T22:13:20+00:00) is older")


def test_coverage_data_recorded_in_another_checkout(make_repo: MakeRepo, tmp_path: Path) -> None:
    """A .coverage from CI names files by the runner's paths: they map by their tails."""
    repo = python_repo(make_repo)
    moved = tmp_path / "elsewhere"
    shutil.copytree(repo.path, moved)
    shutil.rmtree(repo.path / ".git")
    shutil.copytree(moved / ".git", repo.path / ".git")
    copy = RepoBuilder(moved)
    (repo.path / ".coverage").unlink()
    coverage(copy, "run", "main.py")
    shutil.copyfile(moved / ".coverage", repo.path / ".coverage")
    shutil.rmtree(moved)
    result = check(repo, reports=[".coverage"], threshold=0)
    assert (result.metrics["covered"], result.metrics["measurable"]) == (5, 8)


def test_bad_setting_is_a_config_error(pytester: pytest.Pytester, make_repo: MakeRepo) -> None:
    repo = python_repo(make_repo)
    pytester.makefile(
        ".yaml",
        multi=f"repositories:\n  - name: app\n    path: {repo.path}\n    checks: [coverage]\n"
        "global:\n  coverage: {threshold: 150}\n",
    )
    result = pytester.runpytest("--prove-config", "multi.yaml")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["ERROR: pytest-prove: multi.yaml:6: *threshold*100*"])


def _fleet(pytester: pytest.Pytester, repos: dict[str, Path]) -> None:
    write_fleet(pytester, *(entry(name, path, ["diffCoverage"]) for name, path in repos.items()))


@pytest.mark.parametrize("workers", [[], ["-n", "2"]], ids=["n0", "n2"])
def test_gate_through_the_plugin(
    pytester: pytest.Pytester, make_repo: MakeRepo, workers: list[str]
) -> None:
    low = python_repo(make_repo, "low")
    high = python_repo(make_repo, "high", run=False)
    hits = "".join(f"DA:{n},1\n" for n in (1, 2, 5, 6, 7, 8))
    (high.path / "lcov.info").write_text(f"SF:mod.py\n{hits}end_of_record\n")
    _fleet(pytester, {"low": low.path, "high": high.path})
    result = pytester.runpytest("--prove-config", "multi.yaml", "--junitxml=out.xml", *workers)
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["*mod.py:6-8 not covered (3 of 6 changed lines)*"])
    root = ET.parse(pytester.path / "out.xml").getroot()
    failed = [c.get("classname") for c in root.iter("testcase") if c.find("failure") is not None]
    assert failed == ["multi.yaml.low"]


def test_huge_reports_keep_only_the_changed_files(make_repo: MakeRepo) -> None:
    """20,000 unchanged files around the changed one: read, not rejected, same numbers."""
    repo = python_repo(make_repo, run=False)
    others = range(20_000)
    lcov = "".join(f"SF:gen/m{i}.py\nDA:1,0\nDA:2,1\nend_of_record\n" for i in others)
    mod = "SF:mod.py\n" + "".join(f"DA:{n},{int(n < 6)}\n" for n in (1, 2, 5, 6, 7, 8))
    (repo.path / "lcov.info").write_text(lcov + mod + "end_of_record\n")
    classes = "".join(
        f'<class filename="gen/m{i}.py"><lines><line number="1" hits="0"/></lines></class>'
        for i in others
    )
    lines = "".join(f'<line number="{n}" hits="{int(n < 6)}"/>' for n in (1, 2, 5, 6, 7, 8))
    (repo.path / "coverage.xml").write_text(
        f'<?xml version="1.0" ?>\n<coverage><packages><package name="p"><classes>{classes}'
        f'<class filename="mod.py"><lines>{lines}</lines></class>'
        "</classes></package></packages></coverage>\n"
    )
    for report in ("lcov.info", "coverage.xml"):
        result = check(repo, reports=[report], threshold=0)
        assert (result.metrics["covered"], result.metrics["measurable"]) == (3, 6), report
        assert [f.message for f in result.findings] == [
            "mod.py:6-8 not covered (3 of 6 changed lines)"
        ]
