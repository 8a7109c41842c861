"""Runs written as they go: begun, gates in batches, ended; old files upgraded without loss."""

from __future__ import annotations

import dataclasses
import datetime
import json
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pytest_prove.report.history import writer as history_writer
from pytest_prove.report.history.liveness import ProcessMark, process_state, this_process
from pytest_prove.report.history.store import MIGRATIONS, open_history
from pytest_prove.report.history.writer import RunWriter
from pytest_prove.report.run_record import GateRecord, RunHeader, RunRecord

T0 = datetime.datetime(2026, 3, 1, 12, 0, tzinfo=datetime.UTC)


def gate(repo: str, check: str = "lint", outcome: str = "passed") -> GateRecord:
    return GateRecord(
        nodeid=f"multi.yaml::{repo}::{check}",
        repo=repo,
        check=check,
        outcome=outcome,  # type: ignore[arg-type]
        duration=0.5,
        findings=({"rule": "E1", "message": "m"},),
    )


def header(run_id: str = "r1", *, host: str | None = None) -> RunHeader:
    return RunHeader(
        id=run_id,
        started=T0,
        finished=T0,
        host=host or socket.gethostname(),
        command=("--prove-config", "multi.yaml"),
        config_digest="d" * 64,
        exit_status=-1,
        status="running",
    )


def ended(start: RunHeader, *gates: GateRecord, status: int = 1) -> RunRecord:
    fields = {f.name: getattr(start, f.name) for f in dataclasses.fields(RunHeader)}
    fields.update(finished=T0 + datetime.timedelta(seconds=9), exit_status=status)
    fields["status"] = "finished"
    return RunRecord(**fields, gates=gates)


def dead_process() -> ProcessMark:
    child = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                           capture_output=True, text=True, check=True)  # fmt: skip
    return ProcessMark(host=socket.gethostname(), pid=int(child.stdout), start="")


def test_a_begun_run_reads_as_running_while_its_process_lives_then_as_finished(
    tmp_path: Path,
) -> None:
    path = tmp_path / "h.db"
    start = header()
    with open_history(path) as history:
        history.begin(start, this_process())
        (run,) = history.runs()
        assert (run.status, run.exit_status, run.gates) == ("running", -1, ())
        (outline,) = history.outlines(limit=5)
        assert outline.status == "running"
        history.record(start.id, 0, [gate("api")], until=T0 + datetime.timedelta(seconds=2))
        (run,) = history.runs()
        assert run.status == "running"
        assert run.finished == T0 + datetime.timedelta(seconds=2)  # how far it got
        assert [g.repo for g in run.gates] == ["api"]
        history.record(start.id, 1, [gate("web")], until=T0 + datetime.timedelta(seconds=9), end=1)
        (run,) = history.runs()
    assert run == ended(start, gate("api"), gate("web"))


def test_a_begun_run_whose_process_is_gone_reads_as_interrupted(tmp_path: Path) -> None:
    reused = dataclasses.replace(this_process(), start="another boot:1")  # the pid, not the run
    elsewhere = ProcessMark(host="elsewhere", pid=1)  # cannot be asked from here
    begun = [
        (header("dead"), dead_process()),
        (header("reused"), reused),
        (header("far", host="elsewhere"), elsewhere),
    ]
    with open_history(tmp_path / "h.db") as history:
        for i, (start, mark) in enumerate(begun):
            history.begin(dataclasses.replace(start, started=T0 + datetime.timedelta(i)), mark)
        assert [(r.id, r.status) for r in history.runs()] == [
            ("dead", "interrupted"),
            ("reused", "interrupted"),
            ("far", "interrupted"),
        ]


def test_the_process_state_of_a_mark(tmp_path: Path) -> None:
    me = this_process()
    assert process_state(me) == "running"
    assert process_state(dataclasses.replace(me, start="")) == "running"
    assert process_state(dataclasses.replace(me, start="not:the same")) == "gone"
    assert process_state(dead_process()) == "gone"
    assert process_state(ProcessMark(host="another-host", pid=me.pid)) == "unknown"
    assert process_state(ProcessMark(host=me.host, pid=0)) == "unknown"


def test_the_writer_stores_gates_before_the_run_ends(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(history_writer, "FLUSH_INTERVAL", 0.05)
    path = tmp_path / "h.db"
    start = header()
    history = open_history(path)
    history.begin(start, this_process())
    writer = RunWriter(history, start.id)
    gates = [gate(f"repo{i}") for i in range(5)]
    for g in gates[:3]:
        writer.add(g)
    deadline = time.monotonic() + 10
    with open_history(path) as reader:
        while len(reader.runs()[0].gates) < 3:
            assert time.monotonic() < deadline, "the gates never reached the file"
            time.sleep(0.02)
        assert reader.runs()[0].status == "running"
    writer.add(gates[3])
    writer.finish(ended(start, *gates))  # the fifth was never added: finish writes it
    assert writer.written == 5
    with open_history(path) as reader:
        (run,) = reader.runs()
    assert run == ended(start, *gates)


def test_a_full_batch_is_written_without_waiting_for_the_interval(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(history_writer, "FLUSH_INTERVAL", 60.0)
    monkeypatch.setattr(history_writer, "BATCH_GATES", 4)
    path = tmp_path / "h.db"
    start = header()
    history = open_history(path)
    history.begin(start, this_process())
    writer = RunWriter(history, start.id)
    for i in range(4):
        writer.add(gate(f"repo{i}"))
    deadline = time.monotonic() + 10
    while writer.written < 4:
        assert time.monotonic() < deadline, "a full batch waited for the interval"
        time.sleep(0.02)
    writer.finish(ended(start, *(gate(f"repo{i}") for i in range(4))))


def test_gates_wait_out_another_process_holding_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(history_writer, "FLUSH_INTERVAL", 0.05)
    path = tmp_path / "h.db"
    start = header()
    history = open_history(path, timeout=0.1)
    history.begin(start, this_process())
    writer = RunWriter(history, start.id)
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        writer.add(gate("api"))
        time.sleep(0.5)  # several flushes find the file locked
        writer.add(gate("web"))
        assert writer.written == 0
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    writer.finish(ended(start, gate("api"), gate("web")))
    with open_history(path) as reader:
        assert [(g.repo, g.outcome) for g in reader.runs()[0].gates] == [
            ("api", "passed"),
            ("web", "passed"),
        ]


def test_an_abandoned_writer_keeps_the_gates_and_no_end(tmp_path: Path) -> None:
    path = tmp_path / "h.db"
    start = header()
    history = open_history(path)
    history.begin(start, dead_process())
    writer = RunWriter(history, start.id)
    writer.add(gate("api"))
    writer.abandon()
    with open_history(path) as reader:
        (run,) = reader.runs()
    assert (run.status, [g.repo for g in run.gates]) == ("interrupted", ["api"])


VERSION_1_RUN = (
    "old", "2026-02-01T10:00:00.000000Z", "2026-02-01T10:00:05.000000Z", "ci-9",
    json.dumps(["--prove-config", "multi.yaml"]), "e" * 64, 1,
)  # fmt: skip


def test_a_file_of_schema_version_1_opens_upgraded_with_nothing_lost(tmp_path: Path) -> None:
    path = tmp_path / "h.db"
    db = sqlite3.connect(path, isolation_level=None)
    db.executescript(MIGRATIONS[0])
    db.execute("INSERT INTO runs VALUES (?, ?, ?, ?, ?, ?, ?)", VERSION_1_RUN)
    db.execute(
        "INSERT INTO gates VALUES ('old', 0, 'multi.yaml::api::lint', 'api', 'lint', 'failed',"
        " 1.5, 'bad', '', 'pr', 'main', 'abc', '[{\"rule\": \"E1\"}]', '{\"n\": 1}', '[]')"
    )
    db.execute("PRAGMA user_version = 1")
    db.close()
    with open_history(path) as history:
        (run,) = history.runs()
        history.add(ended(header("new"), gate("web")))
        assert [r.id for r in history.runs()] == ["old", "new"]
    assert (run.id, run.host, run.exit_status, run.status) == ("old", "ci-9", 1, "finished")
    assert run.command == ("--prove-config", "multi.yaml")
    (old,) = run.gates
    assert (old.repo, old.outcome, old.summary, old.findings, old.metrics) == (
        "api", "failed", "bad", ({"rule": "E1"},), {"n": 1},
    )  # fmt: skip
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS) == 3
    assert db.execute("SELECT status, pid FROM runs WHERE id = 'old'").fetchone() == ("finished", 0)
    assert db.execute("SELECT forge FROM gates WHERE run_id = 'old'").fetchone() == ("",)
    db.close()
