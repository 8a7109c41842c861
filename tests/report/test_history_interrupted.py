"""A run that dies keeps the gates it finished; one stopped with Ctrl-C ends as usual.

Real pytest processes are started, killed with SIGKILL (as a CI timeout or the OOM
killer would) or interrupted with SIGINT once some gates are in the history, and the
history, ``prove report`` and ``prove status`` are read afterwards.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator

import pytest

from pytest_prove.cli.main import main
from pytest_prove.report.history.store import open_history
from pytest_prove.report.run_record import RunRecord

QUICK = ("a", "b", "c", "d")
# The slow gate waits for a file the test writes when it is done, so that nothing it
# started outlives it (command gates run in a process group of their own).
SLOW = (
    "import pathlib, sys, time; end = time.monotonic() + 60\n"
    "while not pathlib.Path(sys.argv[1]).exists() and time.monotonic() < end: time.sleep(0.05)"
)


@pytest.fixture
def fleet(pytester: pytest.Pytester) -> Iterator[pytest.Pytester]:
    release = pytester.path / "release"
    lines = ["repositories:"]
    for name in (*QUICK, "z"):
        (pytester.path / name).mkdir()
        check = "slow" if name == "z" else "ok"
        lines.append(f"  - {{name: {name}, path: {name}, checks: [{check}]}}")
    lines += [
        "global:",
        "  commands:",
        "    ok: [python3, -c, pass]",
        f"    slow: [python3, -c, {json.dumps(SLOW)}, {json.dumps(str(release))}]",
    ]
    pytester.makefile(".yaml", multi="\n".join(lines) + "\n")
    yield pytester
    release.touch()


def start_run(fleet: pytest.Pytester, *args: str) -> subprocess.Popen[bytes]:
    argv = [sys.executable, "-m", "pytest", "--prove-config", "multi.yaml"]
    process: subprocess.Popen[bytes] = fleet.popen(
        [*argv, "-p", "no:cacheprovider", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        start_new_session=True,  # its own group: the test can end its xdist workers too
    )
    return process


def history_runs(fleet: pytest.Pytester) -> list[RunRecord]:
    with open_history(fleet.path / ".prove" / "history.db", timeout=5) as history:
        return history.runs()


def wait_for_gates(fleet: pytest.Pytester, process: subprocess.Popen[bytes], count: int) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, process.communicate()[0].decode()
        if (fleet.path / ".prove" / "history.db").exists():
            runs = history_runs(fleet)
            if runs and len(runs[-1].gates) >= count:
                return
        time.sleep(0.1)
    raise AssertionError(f"fewer than {count} gates recorded after 60 s")


def kill_group(process: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()


def prove(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out + err


@pytest.mark.parametrize("xdist", [[], ["-n", "2"]], ids=["serial", "xdist"])
def test_a_killed_run_keeps_its_finished_gates_and_reads_as_interrupted(
    fleet: pytest.Pytester,
    xdist: list[str],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    process = start_run(fleet, *xdist)
    try:
        wait_for_gates(fleet, process, 2)
        os.kill(process.pid, signal.SIGKILL)  # the controller only, as the OOM killer would
        assert process.wait(30) == -signal.SIGKILL
    finally:
        kill_group(process)

    (run,) = history_runs(fleet)
    assert run.status == "interrupted"
    assert run.exit_status == -1
    assert len(run.gates) >= 2
    assert {(g.check, g.outcome) for g in run.gates} == {("ok", "passed")}
    assert {g.repo for g in run.gates} <= set(QUICK)
    assert run.finished >= run.started
    live = json.loads((fleet.path / ".prove" / "live.json").read_text())
    assert live["running"] is True  # what the killed run left behind
    assert live["pid"] == process.pid

    monkeypatch.chdir(fleet.path)
    code, out = prove(capsys, "report", "--format", "json")
    assert code == 0
    report = json.loads(out)
    assert report["unfinished"] == [
        {
            "id": run.id,
            "started": run.started.isoformat(),
            "host": run.host,
            "status": "interrupted",
            "gates": len(run.gates),
        }
    ]
    assert {(g["repo"], g["latest"]) for g in report["gates"]} == {
        (g.repo, "passed") for g in run.gates
    }
    code, out = prove(capsys, "report")
    assert code == 0
    assert out.startswith("prove report: 1 run (1 interrupted), ")
    assert f"  {run.id[:12]} started " in out
    assert f": interrupted, {len(run.gates)} gates recorded" in out

    code, out = prove(capsys, "status")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].startswith(f"latest run {run.id[:12]} started at ")
    assert lines[0].endswith(f", interrupted: {len(run.gates)} passed")
    assert lines[1].startswith("the run started at ")
    assert lines[1].endswith(f" UTC (pid {process.pid}) is no longer running: interrupted")


@pytest.mark.parametrize("xdist", [[], ["-n", "2"]], ids=["serial", "xdist"])
def test_ctrl_c_ends_the_run_as_usual_with_its_gates_so_far(
    fleet: pytest.Pytester,
    xdist: list[str],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    process = start_run(fleet, *xdist)
    try:
        wait_for_gates(fleet, process, 2)
        finished_before = len(history_runs(fleet)[-1].gates)
        os.kill(process.pid, signal.SIGINT)
        output, _ = process.communicate(timeout=60)
    finally:
        kill_group(process)
    assert process.returncode == pytest.ExitCode.INTERRUPTED, output.decode()
    assert b"KeyboardInterrupt" in output

    (run,) = history_runs(fleet)
    assert run.status == "finished"
    assert run.exit_status == pytest.ExitCode.INTERRUPTED
    passed = [g for g in run.gates if g.outcome == "passed"]
    assert len(passed) >= finished_before
    assert {g.check for g in passed} == {"ok"}
    assert not any(g.check == "slow" and g.outcome == "passed" for g in run.gates)
    live = json.loads((fleet.path / ".prove" / "live.json").read_text())
    assert live["running"] is False

    monkeypatch.chdir(fleet.path)
    code, out = prove(capsys, "status")
    assert code == 0
    assert out.startswith(f"latest run {run.id[:12]} at ")
    assert "interrupted" not in out
    assert "in progress" not in out
