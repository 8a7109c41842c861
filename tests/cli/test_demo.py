"""``prove demo DIR``: a fleet of real git repositories, gated with ``-n 2``, reports beside it.

The demo runs pytest, so it runs in a subprocess.  The full run is done once per
module (``demo`` fixture) and its reports are read by several tests.
"""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
import yaml

from pytest_prove.cli.commands.demo import MARKER
from pytest_prove.report.history.store import open_history

PROVE = (sys.executable, "-m", "pytest_prove.cli.main")
REPOS = ["legacy-batch", "payments-api", "web-frontend"]
# What demo.py sets up to fail: a non-conventional commit message on web-frontend, a branch
# named against the convention and a failing unit test on legacy-batch.
FAILING = {
    ("legacy-batch", "trunk"),
    ("legacy-batch", "unit-tests"),
    ("legacy-batch", "security"),
    ("web-frontend", "commit-msg"),
    ("web-frontend", "tdd"),
}


def prove(cwd: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*PROVE, *argv], cwd=cwd, capture_output=True, text=True, check=False)


def git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=repo, capture_output=True, text=True, check=True
    ).stdout.strip()


def snapshot(directory: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(directory)): p.read_bytes() for p in directory.rglob("*") if p.is_file()
    }


@dataclasses.dataclass(frozen=True)
class Case:
    repo: str
    check: str
    properties: dict[str, str]
    failure: str | None


def junit_cases(report: Path) -> list[Case]:
    cases = []
    for case in ET.parse(report).getroot().iter("testcase"):
        props = {str(p.get("name")): str(p.get("value")) for p in case.iter("property")}
        failure = case.find("failure")
        cases.append(
            Case(
                repo=props["repo"],
                check=props["check"],
                properties=props,
                failure=None if failure is None else str(failure.get("message")),
            )
        )
    return cases


def planned_gates(multi: Path) -> set[tuple[str, str]]:
    data = yaml.safe_load(multi.read_text())
    return {(r["name"], c) for r in data["repositories"] for c in r["checks"]}


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, subprocess.CompletedProcess[str]]:
    """``prove demo DIR`` run once; DIR and the finished process."""
    target = tmp_path_factory.mktemp("demo") / "fleet"
    return target, prove(target.parent, "demo", str(target))


def test_demo_exits_0_and_writes_both_reports(
    demo: tuple[Path, subprocess.CompletedProcess[str]],
) -> None:
    target, run = demo
    assert run.returncode == 0, run.stdout + run.stderr
    assert "Traceback" not in run.stderr
    assert f"prove demo: built 3 repositories and {target / 'multi.yaml'}" in run.stdout
    assert "created: 2/2 workers" in run.stdout  # -n 2
    assert (target / "report.xml").is_file()
    assert (target / "report.json").is_file()
    with open_history(target / ".prove" / "history.db") as history:
        assert {len(past.gates) for past in history.runs()} == {20}
    assert "prove demo: gates ran (the failures are on purpose)" in run.stdout


def test_demo_builds_real_repositories_and_an_orchestrator(
    demo: tuple[Path, subprocess.CompletedProcess[str]],
) -> None:
    target, _ = demo
    repos = sorted(p.name for p in target.iterdir() if (p / ".git").is_dir())
    assert repos == REPOS
    multi = target / "multi.yaml"
    assert multi.read_text().startswith(MARKER)
    assert yaml.safe_load(multi.read_text())["global"]["concurrency"] == 2
    assert {name for name, _ in planned_gates(multi)} == set(REPOS)
    for name in REPOS:
        # The gates leave __pycache__ (untracked) behind; everything built is committed.
        assert git(target / name, "status", "--porcelain", "--untracked-files=no") == ""
        assert int(git(target / name, "rev-list", "--count", "HEAD")) >= 2
    assert git(target / "payments-api", "branch", "--show-current") == "main"
    assert git(target / "web-frontend", "log", "-1", "--format=%s") == "Added checkout page."
    assert git(target / "legacy-batch", "branch", "--show-current") == "legacy-fixes"


def test_junit_has_one_testcase_per_repo_and_check_with_properties(
    demo: tuple[Path, subprocess.CompletedProcess[str]],
) -> None:
    target, _ = demo
    cases = junit_cases(target / "report.xml")
    gates = [(c.repo, c.check) for c in cases]
    assert len(gates) == len(set(gates))
    assert set(gates) == planned_gates(target / "multi.yaml")
    assert len(gates) == 20
    heads = {name: git(target / name, "rev-parse", "HEAD") for name in REPOS}
    for case in cases:
        props = case.properties
        assert {"repo", "check", "mode", "base", "head", "findings"} <= set(props)
        assert props["head"] == heads[case.repo]
        assert props["base"] == "main"
        assert props["mode"] == ("trunk" if case.repo == "payments-api" else "pr")
        findings = int(props["findings"])
        if case.failure is not None:
            assert findings > 0, case
        else:  # a pass on a branch that judged nothing carries its judged-nothing warning
            counts = [int(w) for w in props["judged"].split() if w.isdigit()]
            warned = bool(counts) and not any(counts) and props["mode"] != "trunk"
            assert findings == int(warned), case
        assert len(props["base_sha"]) == 40


def test_the_failures_are_the_ones_set_up_on_purpose(
    demo: tuple[Path, subprocess.CompletedProcess[str]],
) -> None:
    target, _ = demo
    cases = junit_cases(target / "report.xml")
    assert {(c.repo, c.check) for c in cases if c.failure is not None} == FAILING
    failures = {(c.repo, c.check): c.failure for c in cases}
    assert "branch-name" in str(failures["legacy-batch", "trunk"])
    assert "exited with 1" in str(failures["legacy-batch", "unit-tests"])
    assert "Conventional Commits" in str(failures["web-frontend", "commit-msg"])
    assert "lack a test" in str(failures["web-frontend", "tdd"])
    assert "1 secret in added lines" in str(failures["legacy-batch", "security"])
    passing = {(c.repo, c.check) for c in cases if c.failure is None}
    assert {("payments-api", check) for check in ("trunk", "commit-msg", "unit-tests")} <= passing


def test_json_report_matches_the_junit_report(
    demo: tuple[Path, subprocess.CompletedProcess[str]],
) -> None:
    target, _ = demo
    report: dict[str, Any] = json.loads((target / "report.json").read_text())
    assert report["summary"] == {"passed": 15, "failed": 5, "total": 20, "collected": 20}
    failed = {t["nodeid"] for t in report["tests"] if t["outcome"] == "failed"}
    assert failed == {f"multi.yaml::{repo}::{check}" for repo, check in FAILING}


def test_running_the_demo_twice_in_the_same_directory_works(
    demo: tuple[Path, subprocess.CompletedProcess[str]],
) -> None:
    target, first = demo
    assert first.returncode == 0
    (target / "report.xml").write_text("stale")
    again = prove(target.parent, "demo", str(target))
    assert again.returncode == 0, again.stdout + again.stderr
    cases = junit_cases(target / "report.xml")
    assert {(c.repo, c.check) for c in cases if c.failure is not None} == FAILING
    assert sorted(p.name for p in target.iterdir() if (p / ".git").is_dir()) == REPOS


def test_no_run_only_builds_the_fleet(tmp_path: Path) -> None:
    target = tmp_path / "fleet"
    run = prove(tmp_path, "demo", str(target), "--no-run")
    assert run.returncode == 0, run.stdout + run.stderr
    assert sorted(p.name for p in target.iterdir() if (p / ".git").is_dir()) == REPOS
    assert not (target / "report.xml").exists()
    assert "test session starts" not in run.stdout
    rebuilt = prove(tmp_path, "demo", str(target), "--no-run")
    assert rebuilt.returncode == 0, rebuilt.stdout + rebuilt.stderr


def test_default_directory_and_an_empty_one_are_accepted(tmp_path: Path) -> None:
    assert prove(tmp_path, "demo", "--no-run").returncode == 0
    assert (tmp_path / "prove-demo" / "multi.yaml").read_text().startswith(MARKER)
    (tmp_path / "empty").mkdir()
    assert prove(tmp_path, "demo", "empty", "--no-run").returncode == 0
    assert (tmp_path / "empty" / "multi.yaml").is_file()


@pytest.mark.parametrize(
    "files",
    [
        pytest.param({"notes.txt": "keep me"}, id="any-file"),
        pytest.param({"multi.yaml": "repositories: []\n", "src/app.py": "x = 1\n"}, id="own-multi"),
    ],
)
def test_a_directory_that_is_not_a_demo_is_refused_and_kept(
    tmp_path: Path, files: dict[str, str]
) -> None:
    precious = tmp_path / "work"
    for name, text in files.items():
        (precious / name).parent.mkdir(parents=True, exist_ok=True)
        (precious / name).write_text(text)
    before = snapshot(precious)
    run = prove(tmp_path, "demo", str(precious))
    assert run.returncode != 0
    assert run.stderr == (
        f"prove demo: {precious} exists and is not a demo fleet; choose another directory\n"
    )
    assert snapshot(precious) == before


def test_a_file_in_place_of_the_directory_is_refused_cleanly(tmp_path: Path) -> None:
    (tmp_path / "afile").write_text("keep me")
    run = prove(tmp_path, "demo", "afile")
    assert (tmp_path / "afile").read_text() == "keep me"
    assert run.returncode != 0
    assert "Traceback" not in run.stderr
    assert "afile" in run.stderr


def test_the_planted_webhook_is_masked_in_everything_the_demo_writes(
    demo: tuple[Path, subprocess.CompletedProcess[str]],
) -> None:
    from pytest_prove.cli.commands.demo import _WEBHOOK

    target, run = demo
    secret = _WEBHOOK.rsplit("/", 1)[-1]
    written = [p for p in target.rglob("*") if p.is_file() and ".git" not in p.parts]
    leaks = [p for p in written if p.name != "alerts.yaml" and secret.encode() in p.read_bytes()]
    assert leaks == []
    assert secret not in run.stdout + run.stderr
    assert "T0DE****" in (target / "report.xml").read_text()


def test_the_demo_runs_from_a_checkout_whose_tests_cannot_be_imported(tmp_path: Path) -> None:
    # A project checkout (this one, on a machine without the dev extra): its conftest.py
    # files import what is not installed, and its pytest config names `testpaths`.
    checkout = tmp_path / "checkout"
    (checkout / "tests").mkdir(parents=True)
    (checkout / "testing").mkdir()
    for folder in (checkout, checkout / "tests", checkout / "testing"):
        (folder / "conftest.py").write_text("import a_module_nobody_installed\n")
    (checkout / "pyproject.toml").write_text(
        '[tool.pytest.ini_options]\ntestpaths = ["tests"]\naddopts = "-p pytester"\n'
    )
    run = prove(checkout, "demo")
    assert run.returncode == 0, run.stdout + run.stderr
    assert "a_module_nobody_installed" not in run.stdout + run.stderr
    assert "5 failed, 15 passed" in run.stdout
    assert (checkout / "prove-demo" / "report.xml").is_file()


@pytest.mark.parametrize("flag", ["--version", "-V"])
def test_version_names_this_package_then_pytest(tmp_path: Path, flag: str) -> None:
    import pytest_prove

    run = prove(tmp_path, flag)
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines() == [
        f"pytest-prove {pytest_prove.__version__}",
        f"pytest {pytest.__version__}",
    ]


@pytest.mark.parametrize("args", [["--version"], ["schema"]])
def test_a_reader_that_leaves_early_costs_no_traceback(tmp_path: Path, args: list[str]) -> None:
    # `pytest-prove --version | grep -q ...` under PYTHONUNBUFFERED: grep may be gone before
    # the second line is written.
    read, write = os.pipe()
    os.close(read)
    try:
        run = subprocess.run(
            [sys.executable, "-m", "pytest_prove", *args],
            cwd=tmp_path,
            stdout=write,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
            check=False,
        )
    finally:
        os.close(write)
    assert run.returncode == 0, run.stderr
    assert "Traceback" not in run.stderr


def test_the_version_lives_in_one_place() -> None:
    import importlib.metadata
    import tomllib

    import pytest_prove

    project = tomllib.loads((Path(__file__).parents[2] / "pyproject.toml").read_text())["project"]
    assert "version" not in project
    assert project["dynamic"] == ["version"]
    assert importlib.metadata.version("pytest-prove") == pytest_prove.__version__
    assert project["scripts"]["pytest-prove"] == project["scripts"]["prove"]
