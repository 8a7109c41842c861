"""The ``coverage`` check agrees with diff-cover, run for real on the same repository.

The fixture branch holds every kind of change diff-cover distinguishes: an
added file, a modified file, a file with deleted lines only, a renamed and
edited file, a changed file no report lists, changed lines that are not
statements (comments, blank lines, a docstring is a statement), a staged-only
and an unstaged-only change, and an untracked file.  Coverage comes from
coverage.py itself (``coverage run --branch``, then ``coverage xml`` and
``coverage lcov``).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from pytest_prove.checks.coverage import (
    CoverageSettings,
    DiffCoverage,
    check_coverage,
    diff_coverage,
)
from pytest_prove.git import RepoContext
from tests.peers import peer_executable
from tests.repo_builder import MakeRepo, RepoBuilder

CALC = """\
def add(a, b):
    return a + b


def sub(a, b):
    return a - b
"""
CALC_CHANGED = """\
def add(a, b):
    # a comment is not a statement
    return a + b


def sub(a, b):
    if a < 0:
        return 0
    return a - b


def mul(a, b):
    return a * b


def div(a, b):
    if b == 0:
        raise ZeroDivisionError("b")
    return a / b
"""
TRIM = "def f():\n    x = 1\n    y = 2\n    z = 3\n    return x\n\n\nf()\n"
TRIM_CHANGED = "def f():\n    x = 1\n    return x\n\n\nf()\n"
OLD = "def greet(name):\n    return 'hello ' + name\n\n\ndef unused():\n    return 1\n"
MOVED = "def greet(name):\n    return 'hi ' + name\n\n\ndef unused():\n    return 1\n"
NEW = '''\
"""A new module."""


def used(n):
    total = 0
    for i in range(n):
        total += i
    return total


def never():
    return "never"
'''
EXTRA = "def extra(flag):\n    if flag:\n        return 1\n    return 2\n"
RUN = """\
import pkg.calc as calc
import pkg.trim
import pkg.old as old

calc.add(1, 2)
calc.sub(3, 1)
old.greet("x")
"""
RUN_CHANGED = """\
import pkg.calc as calc
import pkg.trim
import pkg.moved as moved
import pkg.new as new
import pkg.extra as extra

calc.add(1, 2)
calc.sub(3, 1)
calc.mul(2, 3)
moved.greet("x")
new.used(3)
extra.extra(True)
"""


def _coverage(repo: Path, *args: str) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("COVERAGE_")}
    subprocess.run(
        [sys.executable, "-m", "coverage", *args],
        cwd=repo,
        env=env,
        check=True,
        capture_output=True,
    )


def build(make_repo: MakeRepo) -> RepoBuilder:
    """The fixture branch, with .coverage, coverage.xml and lcov.info written by coverage.py."""
    repo = make_repo("app")
    repo.commit(
        "base",
        files={
            ".gitignore": ".coverage\ncoverage.xml\nlcov.info\n*.json\n",
            "pkg/__init__.py": "",
            "pkg/calc.py": CALC,
            "pkg/trim.py": TRIM,
            "pkg/old.py": OLD,
            "run.py": RUN,
        },
    )
    repo.git("checkout", "-q", "-b", "feat/change")
    repo.git("mv", "pkg/old.py", "pkg/moved.py")
    repo.commit(
        "change",
        files={
            "pkg/calc.py": CALC_CHANGED,
            "pkg/trim.py": TRIM_CHANGED,
            "pkg/moved.py": MOVED,
            "tools/absent.py": "def tool():\n    return 1\n",
        },
    )
    repo.write("pkg/new.py", NEW)
    repo.stage("pkg/new.py")  # staged, never committed
    repo.write("run.py", RUN_CHANGED)  # unstaged
    repo.write("pkg/extra.py", EXTRA)  # untracked
    _coverage(repo.path, "run", "--branch", "run.py")
    _coverage(repo.path, "xml", "-o", "coverage.xml")
    _coverage(repo.path, "lcov", "-o", "lcov.info")
    return repo


@pytest.fixture(scope="module")
def fixture_repo(tmp_path_factory: pytest.TempPathFactory) -> RepoBuilder:
    root = tmp_path_factory.mktemp("agreement")

    def make(name: str = "repo") -> RepoBuilder:
        repo = RepoBuilder(root / name).init()
        repo.commit("Initial commit", files={"README.md": "# Example\n"})
        return repo

    return build(make)


def diff_cover(repo: RepoBuilder, report: str, *flags: str) -> dict[str, Any]:
    out = repo.path / f"diff-cover-{len(flags)}-{report.replace('.', '-')}.json"
    subprocess.run(
        [
            peer_executable("diff-cover"),
            report,
            "--compare-branch=main",
            "--total-percent-float",
            f"--format=json:{out}",
            "-q",
            *flags,
        ],
        cwd=repo.path,
        check=True,
        capture_output=True,
    )
    data: dict[str, Any] = json.loads(out.read_text())
    out.unlink()
    return data


def ours(repo: RepoBuilder, report: str, **settings: Any) -> DiffCoverage:
    outcome = diff_coverage(
        RepoContext(repo.path, base="main"), CoverageSettings(reports=[report], **settings)
    )
    assert isinstance(outcome, DiffCoverage), outcome
    return outcome


def assert_agree(peer: dict[str, Any], outcome: DiffCoverage) -> None:
    result = outcome.measurement
    assert {f.path: list(f.missed) for f in result.files} == {
        path: stats["violation_lines"] for path, stats in peer["src_stats"].items()
    }
    assert {f.path: f.percent for f in result.files} == pytest.approx(
        {path: stats["percent_covered"] for path, stats in peer["src_stats"].items()}
    )
    assert result.measurable == peer["total_num_lines"]
    assert result.measurable - result.covered == peer["total_num_violations"]
    assert result.changed_lines == peer["num_changed_lines"]
    assert result.percent is not None
    assert round(result.percent, 2) == peer["total_percent_covered"]


# diff-cover's --branch-coverage applies to XML reports only.
@pytest.mark.parametrize(
    ("report", "flags", "settings"),
    [
        ("coverage.xml", (), {}),
        ("lcov.info", (), {}),
        ("coverage.xml", ("--include-untracked",), {"include_untracked": True}),
        ("lcov.info", ("--include-untracked",), {"include_untracked": True}),
        ("coverage.xml", ("--branch-coverage",), {"branch": True}),
    ],
    ids=["xml", "lcov", "xml-untracked", "lcov-untracked", "xml-branch"],
)
def test_agrees_with_diff_cover(
    fixture_repo: RepoBuilder, report: str, flags: tuple[str, ...], settings: dict[str, Any]
) -> None:
    assert_agree(diff_cover(fixture_repo, report, *flags), ours(fixture_repo, report, **settings))


def test_fixture_covers_every_kind_of_change(fixture_repo: RepoBuilder) -> None:
    """Guards the agreement test: each case is present and lands where it should."""
    peer = diff_cover(fixture_repo, "coverage.xml")
    stats = peer["src_stats"]
    assert set(stats) == {"pkg/calc.py", "pkg/moved.py", "pkg/new.py", "run.py"}
    # Comments and blank lines changed but not measured; div()'s body never ran.
    assert stats["pkg/calc.py"]["violation_lines"] == [8, 17, 18, 19]
    assert stats["pkg/calc.py"]["covered_lines"] == [7, 12, 13, 16]
    assert stats["pkg/moved.py"]["covered_lines"] == [2]  # the renamed file's one edit
    assert stats["pkg/new.py"]["violation_lines"] == [12]  # never()
    assert "pkg/trim.py" not in stats  # deleted lines only
    assert "tools/absent.py" not in stats  # changed, never imported: not in the report
    assert "pkg/extra.py" not in stats  # untracked, not counted by default
    untracked = diff_cover(fixture_repo, "coverage.xml", "--include-untracked")["src_stats"]
    assert untracked["pkg/extra.py"]["violation_lines"] == [4]
    branch = diff_cover(fixture_repo, "coverage.xml", "--branch-coverage")["src_stats"]
    # `if a < 0:` ran but never took its true branch.
    assert branch["pkg/calc.py"]["violation_lines"] == [7, 8, 17, 18, 19]


def test_coverage_data_file_agrees_with_its_xml(fixture_repo: RepoBuilder) -> None:
    from_data = ours(fixture_repo, ".coverage").measurement
    from_xml = ours(fixture_repo, "coverage.xml").measurement
    assert from_data.files == from_xml.files
    assert (from_data.branches_taken, from_data.branches_total) == (
        from_xml.branches_taken,
        from_xml.branches_total,
    )
    assert from_data.branches_total > 0


def test_check_verdict_and_findings(fixture_repo: RepoBuilder) -> None:
    context = RepoContext(fixture_repo.path, base="main")
    failing = check_coverage(context, CoverageSettings(reports=["coverage.xml"]))
    peer = diff_cover(fixture_repo, "coverage.xml")
    assert failing.metrics["coverage_percent"] == peer["total_percent_covered"]
    assert failing.metrics["measurable"] == peer["total_num_lines"]
    assert not failing.passed
    assert [f.rule for f in failing.findings][:1] == ["threshold"]
    messages = {f.file: f.message for f in failing.findings if f.rule == "uncovered"}
    assert messages["pkg/calc.py"] == "pkg/calc.py:8,17-19 not covered (4 of 8 changed lines)"
    calc = next(f for f in failing.findings if f.file == "pkg/calc.py")
    assert (calc.line, calc.end_line) == (8, 8)
    lenient = check_coverage(context, CoverageSettings(reports=["coverage.xml"], threshold=50))
    assert lenient.passed
    assert {f.severity for f in lenient.findings} == {"info"}
