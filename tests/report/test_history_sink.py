"""Runs land in the history file; a broken history file never costs a run its results."""

from __future__ import annotations

from pathlib import Path

import pytest

from pytest_prove.report.history.store import open_history
from pytest_prove.report.run_record import RunRecord
from pytest_prove.report.sinks.terminal import gate_lines

FAIL = "[python3, -c, 'import sys; print(\"src/a.py:3: E1 bad\"); sys.exit(1)']"

MULTI = f"""
repositories:
  - {{name: api, path: api, checks: [lint, ok]}}
  - {{name: web, path: web, checks: [ok, broken]}}
  - {{name: docs, path: docs, checks: [ok]}}
global:
  commands:
    lint: {{argv: {FAIL}}}
    broken: {{argv: {FAIL}}}
    ok: [python3, -c, pass]
"""

EXPECTED = {
    ("api", "lint"): "failed",
    ("api", "ok"): "passed",
    ("web", "ok"): "passed",
    ("web", "broken"): "failed",
    ("docs", "ok"): "passed",
}


@pytest.fixture
def fleet(pytester: pytest.Pytester) -> pytest.Pytester:
    for name in ("api", "web", "docs"):
        (pytester.path / name).mkdir()
    pytester.makefile(".yaml", multi=MULTI)
    return pytester


def history_runs(path: Path) -> list[RunRecord]:
    with open_history(path) as history:
        return history.runs()


def gates_of(run: RunRecord) -> dict[tuple[str, str], str]:
    return {(g.repo, g.check): g.outcome for g in run.gates}


def test_runs_with_and_without_xdist_write_the_same_rows(fleet: pytest.Pytester) -> None:
    fleet.runpytest("--prove-config", "multi.yaml", "-p", "no:cacheprovider")
    fleet.runpytest("--prove-config", "multi.yaml", "-p", "no:cacheprovider", "-n", "2")
    serial, parallel = history_runs(fleet.path / ".prove" / "history.db")
    assert gates_of(serial) == gates_of(parallel) == EXPECTED
    assert "-n" in parallel.command
    assert serial.exit_status == parallel.exit_status == 1
    assert serial.config_digest == parallel.config_digest
    assert serial.id != parallel.id

    def detail(run: RunRecord) -> dict[tuple[str, str], object]:
        return {(g.repo, g.check): (g.nodeid, g.summary, g.findings) for g in run.gates}

    assert detail(serial) == detail(parallel)
    broken = next(g for g in parallel.gates if (g.repo, g.check) == ("web", "broken"))
    assert [f["rule"] for f in broken.findings] == ["exit-code", "output"]
    assert broken.duration > 0


def test_a_token_on_the_command_line_is_masked_in_the_history(fleet: pytest.Pytester) -> None:
    token = "ghp_" + "aB3dE5fG7hJ9kL2mN4pQ6rS8tU0vW1xY3zA5"
    fleet.runpytest("--prove-config", "multi.yaml", f"--prove-set=commit-msg.scopes=[{token}]")
    (run,) = history_runs(fleet.path / ".prove" / "history.db")
    assert any("ghp_****" in arg for arg in run.command)
    assert token not in " ".join(run.command)
    assert token[4:12] not in (fleet.path / ".prove" / "dashboard.html").read_text()


def test_reporting_history_names_the_file_relative_to_the_orchestrator(
    fleet: pytest.Pytester,
) -> None:
    fleet.makefile(".yaml", multi=MULTI + "  reporting: {history: out/runs.sqlite}\n")
    fleet.runpytest("--prove-config", "multi.yaml")
    assert not (fleet.path / ".prove" / "history.db").exists()
    assert gates_of(history_runs(fleet.path / "out" / "runs.sqlite")[0]) == EXPECTED


def test_no_history_option_writes_nothing(fleet: pytest.Pytester) -> None:
    result = fleet.runpytest("--prove-config", "multi.yaml", "--prove-no-history")
    result.assert_outcomes(passed=3, failed=2)
    assert not (fleet.path / ".prove" / "history.db").exists()


@pytest.mark.parametrize("xdist", [[], ["-n", "2"]])
def test_a_corrupt_history_is_a_note_and_the_run_reports_as_usual(
    fleet: pytest.Pytester, xdist: list[str]
) -> None:
    history = fleet.path / ".prove" / "history.db"
    history.parent.mkdir()
    history.write_bytes(b"garbage, not a database" * 50)
    result = fleet.runpytest("--prove-config", "multi.yaml", *xdist)
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.assert_outcomes(passed=3, failed=2)
    result.stdout.fnmatch_lines(
        [
            "*= pytest-prove notes =*",
            f"history not written: history {history}: cannot open it: file is not a database*",
        ]
    )
    assert history.read_bytes() == b"garbage, not a database" * 50


def test_a_newer_history_is_a_note_and_exit_status_is_the_gates_own(
    fleet: pytest.Pytester,
) -> None:
    import sqlite3

    fleet.makefile(".yaml", multi=MULTI.replace(f"{{argv: {FAIL}}}", "[python3, -c, pass]"))
    history = fleet.path / ".prove" / "history.db"
    history.parent.mkdir()
    db = sqlite3.connect(history)
    db.execute("PRAGMA user_version = 999")
    db.close()
    result = fleet.runpytest("--prove-config", "multi.yaml")
    assert result.ret == pytest.ExitCode.OK
    result.stdout.fnmatch_lines(["*schema version 999 is newer than this prove knows*"])


def test_the_terminal_summary_has_one_line_per_repository(fleet: pytest.Pytester) -> None:
    result = fleet.runpytest("--prove-config", "multi.yaml", "-n", "2")
    result.stdout.fnmatch_lines(
        [
            "*= pytest-prove: 5 gates in 3 repositories =*",
            "api  F *s  lint F *s  ok . *s",
            "docs . *s  ok . *s",
            "web  F *s  broken F *s  ok . *s",
            "legend: . passed  F failed  W waived  E error  s skipped  c cached",
        ]
    )
    assert "history not written" not in result.stdout.str()


def test_quiet_lists_only_repositories_with_failures(fleet: pytest.Pytester) -> None:
    result = fleet.runpytest("--prove-config", "multi.yaml", "-q")
    text = result.stdout.str()
    assert "\napi F" in text
    assert "\nweb F" in text
    assert "\ndocs " not in text
    assert "(1 repository without failures not shown: -q)" in text


def test_names_cannot_forge_lines_and_durations_stay_short() -> None:
    from pytest_prove.report.run_record import GateRecord

    gates = (
        GateRecord(nodeid="x", repo="evil\nFAKE . 0s", check="c\r", outcome="error", duration=125),
        GateRecord(nodeid="y", repo="ok", check="a", outcome="cached", duration=0.04),
    )
    lines = gate_lines(gates, quiet=False)
    assert lines[0] == "evil\\nFAKE . 0s E  2m05s  c\\r E 2m05s"
    assert lines[1].startswith("ok")
    assert lines[1].endswith("a c 0.0s")
    assert gate_lines((), quiet=False) == []
