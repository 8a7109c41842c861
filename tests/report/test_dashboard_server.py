"""``prove status`` and the dashboard server, over real HTTP."""

from __future__ import annotations

import dataclasses
import http.client
import json
import os
import re
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pytest_prove.cli.main import main
from pytest_prove.report.history.store import open_history
from pytest_prove.report.run_record import RunOutline, RunRecord
from pytest_prove.report.sinks.dashboard import recent_history, recent_runs
from pytest_prove.report.views.dashboard import TRAIL_RUNS, render_dashboard
from pytest_prove.report.views.dashboard_server import DashboardServer
from tests.dashboard_records import HOSTILE, gate, hostile_run, run


def _get(port: int, path: str, host: str = "127.0.0.1") -> tuple[int, str, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", path, headers={"Host": f"{host}:{port}"})
        response = connection.getresponse()
        return response.status, response.getheader("Content-Type") or "", response.read()
    finally:
        connection.close()


def _page_data(body: bytes) -> dict[str, Any]:
    found = re.search(r'id="prove-data">(.*?)</script>', body.decode(), re.S)
    assert found is not None
    data: dict[str, Any] = json.loads(found.group(1))
    return data


@pytest.fixture
def history(tmp_path: Path) -> Path:
    path = tmp_path / ".prove" / "history.db"
    with open_history(path) as store:
        store.add(run((gate("api", "lint", "passed"),), hour=0))
        store.add(hostile_run(hour=1))
    return path


@pytest.fixture
def server(history: Path) -> Iterator[DashboardServer]:
    served = DashboardServer(history, history.parent / "live.json", port=0)
    thread = threading.Thread(target=served.serve_forever, daemon=True)
    thread.start()
    yield served
    served.shutdown()
    served.server_close()


def test_the_page_is_rendered_from_the_history_and_polls_the_live_file(
    server: DashboardServer,
) -> None:
    status, kind, body = _get(server.server_address[1], "/")
    assert (status, kind) == (200, "text/html; charset=utf-8")
    data = _page_data(body)
    assert [r["id"] for r in data["runs"]] == ["run-0000", "run-0001"]
    assert data["latest"]["host"] == HOSTILE
    assert data["live_url"] == "/live.json"
    assert HOSTILE.encode() not in body


def test_the_live_file_is_served_as_it_is_and_idle_when_missing_or_broken(
    server: DashboardServer,
) -> None:
    port = server.server_address[1]
    assert json.loads(_get(port, "/live.json")[2]) == {"running": False, "gates": []}
    server.live.write_text('{"running": true, "run": "r1", "gates": []}')
    status, kind, body = _get(port, "/live.json?t=1")
    assert (status, kind) == (200, "application/json")
    assert json.loads(body)["running"] is True
    server.live.write_text('{"running": tru')  # caught half-written
    assert json.loads(_get(port, "/live.json")[2])["running"] is False


def test_other_paths_and_foreign_host_names_are_refused(server: DashboardServer) -> None:
    port = server.server_address[1]
    assert _get(port, "/etc/passwd")[0] == 404
    assert _get(port, "/", host="attacker.example")[0] == 421
    assert _get(port, "/", host="localhost")[0] == 200


def test_a_missing_history_serves_an_empty_dashboard(tmp_path: Path) -> None:
    served = DashboardServer(None, tmp_path / "live.json", port=0)
    thread = threading.Thread(target=served.serve_forever, daemon=True)
    thread.start()
    try:
        data = _page_data(_get(served.server_address[1], "/")[2])
    finally:
        served.shutdown()
        served.server_close()
    assert data["runs"] == []


ORCHESTRATOR = """
repositories:
  - {name: api, path: api, checks: [ok]}
global:
  commands:
    ok: [python3, -c, pass]
  reporting: {history: state/runs.db}
"""


@pytest.fixture
def fleet_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "api").mkdir()
    (tmp_path / "multi.yaml").write_text(ORCHESTRATOR)
    with open_history(tmp_path / "state" / "runs.db") as store:
        store.add(run((gate("api", "ok", "passed"), gate("api", "x", "failed")), run_id="abc123"))
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_status_prints_the_latest_run_from_the_configured_history(
    fleet_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (fleet_dir / ".prove").mkdir()
    (fleet_dir / ".prove" / "live.json").write_text('{"running": true, "gates": [{}, {}]}')
    assert main(["status"]) == 0
    out = capsys.readouterr().out
    assert "latest run abc123 at 2026-11-01 09:00:03 UTC: 1 passed, 1 failed" in out
    assert "a run is in progress: 2 gates finished" in out


def test_status_usage_errors(fleet_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["status", "--dashboard", "--port", "70000"]) == 4
    assert "--port 70000 is not a port" in capsys.readouterr().err
    (fleet_dir / "bad.yaml").write_text("repositories: [{name: 'a b'}]\n")
    assert main(["status", "--config", "bad.yaml"]) == 4
    assert "prove status: " in capsys.readouterr().err


def test_status_dashboard_serves_until_interrupted(fleet_dir: Path) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "pytest_prove", "status", "--dashboard", "--port", "0", "--no-open"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        found = re.match(r"dashboard at http://127\.0\.0\.1:(\d+)/ \(Ctrl-C to stop\)", line)
        assert found, line
        port = int(found.group(1))
        assert [r["id"] for r in _page_data(_get(port, "/")[2])["runs"]] == ["abc123"]
        assert _get(port, "/live.json")[0] == 200
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=20)
    finally:
        process.kill()
    assert process.returncode == 0, err
    assert "stopped" in out
    assert "Traceback" not in err


def test_past_runs_are_outlines_and_the_newest_is_whole(tmp_path: Path) -> None:
    path = tmp_path / "history.db"
    with open_history(path) as store:
        for hour in range(6):
            gates = (gate("api", "a", "passed"), gate("api", "b", "failed" if hour else "passed"))
            store.add(run(gates, hour=hour))
    runs = recent_runs(path)[0]
    assert [r.id for r in runs] == [f"run-{n:04d}" for n in range(6)]  # oldest first
    *older, newest = runs
    assert all(isinstance(r, RunOutline) for r in older)
    assert isinstance(newest, RunRecord)
    assert [g.check for g in newest.gates] == ["a", "b"]
    assert [(r.gate_count, r.counts()["failed"]) for r in runs] == [(2, 0)] + [(2, 1)] * 5
    assert [r.id for r in recent_runs(path, limit=3)[0]] == ["run-0003", "run-0004", "run-0005"]
    assert [r.id for r in recent_runs(path, limit=1)[0]] == ["run-0005"]
    assert recent_runs(tmp_path / "absent.db") == ([], "")
    assert not (tmp_path / "absent.db").exists()


def test_the_run_that_just_ended_is_not_read_back_when_it_is_the_newest(
    tmp_path: Path,
) -> None:
    path = tmp_path / "history.db"
    with open_history(path) as store:
        for hour in range(3):
            store.add(run((gate("api", "a", "passed"),), hour=hour))
        stored = store.runs(limit=1)[0]
        older = store.runs(limit=2)[0]
    # The caller's copy is taken as it is (here told apart by its gates)...
    mine = dataclasses.replace(stored, gates=(gate("api", "a", "failed"),))
    runs, _, _ = recent_history(path, known=mine)
    assert runs[-1] is mine
    assert [r.id for r in runs] == ["run-0000", "run-0001", "run-0002"]
    # ...and a run that is not the newest stored does not replace it.
    runs, _, _ = recent_history(path, known=older)
    assert runs[-1] == stored


def test_each_gates_trail_comes_from_the_outlines_outcomes(tmp_path: Path) -> None:
    path = tmp_path / "history.db"
    with open_history(path) as store:
        for hour in range(TRAIL_RUNS + 3):
            gates = (
                gate("api", "a", "failed" if hour % 2 else "passed"),
                gate("api", "b", "passed"),
            )
            store.add(run(gates[: 1 if hour == TRAIL_RUNS else 2], hour=hour))
    runs, outcomes, problem = recent_history(path)
    assert problem == ""
    # the outlines among the newest runs, plus one for a run that did not reach the history
    assert sorted(outcomes) == [r.id for r in runs[-TRAIL_RUNS - 1 : -1]]
    assert outcomes["run-0011"] == {("api", "a"): "failed", ("api", "b"): "passed"}
    shown = _page_data(render_dashboard(runs, outcomes=outcomes).encode())["latest"]["gates"]
    # oldest first, the newest run's own outcome last; run 10 had no gate b
    assert [g["trail"] for g in shown] == ["fpfpfpfpfp", "ppppppp-pp"]
    assert recent_history(tmp_path / "absent.db") == ([], {}, "")
