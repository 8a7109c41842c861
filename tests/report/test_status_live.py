"""``prove status`` tells a run going on from one whose process is gone, and reads bad files."""

from __future__ import annotations

import dataclasses
import json
import os
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from pytest_prove.cli.main import main
from pytest_prove.report.history.liveness import ProcessMark, this_process
from pytest_prove.report.history.store import open_history
from pytest_prove.report.views.dashboard_server import DashboardServer
from tests.dashboard_records import gate, run

ORCHESTRATOR = """
repositories:
  - {name: api, path: api, checks: [ok]}
global:
  commands:
    ok: [python3, -c, pass]
"""
STARTED = "2026-11-01T09:00:00.123456+00:00"


@pytest.fixture
def fleet_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "api").mkdir()
    (tmp_path / "multi.yaml").write_text(ORCHESTRATOR)
    (tmp_path / ".prove").mkdir()
    monkeypatch.chdir(tmp_path)
    return tmp_path


def write_live(fleet_dir: Path, mark: ProcessMark | None, *, gates: int = 2) -> Path:
    state: dict[str, Any] = {"running": True, "run": "abc", "started": STARTED}
    state["gates"] = [gate("api", f"c{i}", "passed").to_dict() for i in range(gates)]
    if mark is not None:
        state.update(host=mark.host, pid=mark.pid, process_start=mark.start)
    live = fleet_dir / ".prove" / "live.json"
    live.write_text(json.dumps(state))
    return live


def dead_process() -> ProcessMark:
    child = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                           capture_output=True, text=True, check=True)  # fmt: skip
    return ProcessMark(host=socket.gethostname(), pid=int(child.stdout))


def status(capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(["status"])
    out, err = capsys.readouterr()
    return code, out, err


def test_a_live_file_naming_a_dead_pid_reads_as_interrupted(
    fleet_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    mark = dead_process()
    write_live(fleet_dir, mark)
    assert status(capsys) == (
        0,
        "no run recorded yet\n"
        f"the run started at 2026-11-01 09:00:00 UTC (pid {mark.pid}) is no longer running: "
        "interrupted\n",
        "",
    )


def test_a_live_pid_of_another_process_reads_as_interrupted(
    fleet_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The pid exists, but it started at another time: the system gave the number anew.
    mark = dataclasses.replace(this_process(), start="another boot:12")
    write_live(fleet_dir, mark)
    assert f"(pid {mark.pid}) is no longer running: interrupted\n" in status(capsys)[1]


def test_a_live_file_of_this_running_process_reads_as_in_progress(
    fleet_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_live(fleet_dir, this_process(), gates=1)
    assert status(capsys)[1].endswith("a run is in progress: 1 gate finished\n")
    write_live(fleet_dir, None, gates=3)  # written by an older prove: nothing to check
    assert status(capsys)[1].endswith("a run is in progress: 3 gates finished\n")


def test_a_live_file_of_another_host_is_not_claimed_to_run(
    fleet_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_live(fleet_dir, ProcessMark(host="ci-runner-7", pid=4242, start="x:1"))
    assert status(capsys)[1].splitlines()[-1] == (
        "a run on host 'ci-runner-7' (pid 4242), started at 2026-11-01 09:00:00 UTC, says it is "
        "in progress (2 gates finished); it cannot be checked from this host"
    )


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"{not json", "not valid JSON: Expecting property name enclosed in double quotes"),
        (b"\xff\xfe", "not UTF-8 text"),
        (b"[1, 2]", "not a live file of a prove run"),
        (b'{"running": true, "gates": 7}', "not a live file of a prove run"),
    ],
)
def test_a_live_file_that_is_not_one_is_one_message_and_the_rest_goes_on(
    fleet_dir: Path, capsys: pytest.CaptureFixture[str], content: bytes, problem: str
) -> None:
    with open_history(fleet_dir / ".prove" / "history.db") as store:
        store.add(run((gate("api", "ok", "passed"),), run_id="abc123"))
    live = fleet_dir / ".prove" / "live.json"
    live.write_bytes(content)
    code, out, err = status(capsys)
    assert code == 0
    assert out == "latest run abc123 at 2026-11-01 09:00:03 UTC: 1 passed\n"
    assert err.startswith(f"prove status: {live}: {problem}")
    assert err.endswith("; ignored\n")
    assert err.count("\n") == 1


def test_a_corrupt_history_is_one_message_and_the_live_file_is_still_read(
    fleet_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    history = fleet_dir / ".prove" / "history.db"
    history.write_bytes(b"not a database at all" * 100)
    mark = dead_process()
    write_live(fleet_dir, mark)
    code, out, err = status(capsys)
    assert code == 1
    assert err.startswith(f"prove status: history {history}: cannot open it: file is not a")
    assert out == (
        f"the run started at 2026-11-01 09:00:00 UTC (pid {mark.pid}) is no longer running: "
        "interrupted\n"
    )


def test_the_server_serves_a_dead_runs_live_file_as_interrupted(fleet_dir: Path) -> None:
    live = write_live(fleet_dir, dead_process())
    server = DashboardServer(None, live, port=0)
    try:
        state = json.loads(server.live_state())
        assert (state["running"], state["interrupted"], len(state["gates"])) == (False, True, 2)
        write_live(fleet_dir, this_process())
        assert server.live_state() == live.read_bytes()  # a live run is served as it is
    finally:
        server.server_close()


def test_a_fifo_where_the_live_file_was_is_refused_not_waited_on(tmp_path: Path) -> None:
    from pytest_prove.report.history.live_file import LiveFileError, read_live

    fifo = tmp_path / "live.json"
    os.mkfifo(fifo)
    with pytest.raises(LiveFileError, match="cannot read it"):
        read_live(fifo)
