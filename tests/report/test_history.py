"""The SQLite run history: round trips, concurrent writers, and files it must refuse clearly."""

from __future__ import annotations

import datetime
import multiprocessing
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from pytest_prove.report.history.store import MIGRATIONS, HistoryError, open_history
from pytest_prove.report.run_record import GateRecord, Outcome, RunRecord

T0 = datetime.datetime(2026, 3, 1, 12, 0, tzinfo=datetime.UTC)


def gate(repo: str, check: str, outcome: Outcome = "passed", **extra: Any) -> GateRecord:
    return GateRecord(
        nodeid=f"multi.yaml::{repo}::{check}",
        repo=repo,
        check=check,
        outcome=outcome,
        duration=extra.pop("duration", 0.5),
        **extra,
    )


def run(run_id: str, started: datetime.datetime, *gates: GateRecord, status: int = 0) -> RunRecord:
    return RunRecord(
        id=run_id,
        started=started,
        finished=started + datetime.timedelta(seconds=3),
        host="ci-1",
        command=("--prove-config", "multi.yaml", "-n", "2"),
        config_digest="d" * 64,
        exit_status=status,
        gates=gates,
    )


def test_a_run_reads_back_as_it_was_written(tmp_path: Path) -> None:
    hostile = gate(
        "api",
        "lint",
        "failed",
        summary='<script>alert(1)</script>, "quoted"\nsecond line',
        reason="",
        mode="pr",
        base="main",
        head="a" * 40,
        findings=({"rule": "E1", "message": "token ghp_****", "line": 3},),
        metrics={"count": 1, "ratio": 0.5},
        waivers=("w1",),
        duration=1.25,
        forge="https://github.com/o/api",
    )
    written = run("r1", T0, hostile, gate("web", "ok", "cached"), status=1)
    path = tmp_path / "deep" / "dir" / "history.db"
    with open_history(path) as history:
        history.add(written)
    with open_history(path) as history:
        assert history.runs() == [written]
        (outline,) = history.outlines(limit=5)
    assert outline.counts() == written.counts()
    assert outline.gate_count == 2
    assert (outline.id, outline.command, outline.exit_status) == ("r1", written.command, 1)


def test_runs_are_oldest_first_and_filtered_by_time_repo_and_limit(tmp_path: Path) -> None:
    hour = datetime.timedelta(hours=1)
    runs = [
        run("a", T0, gate("api", "lint"), gate("web", "ok")),
        run("b", T0 + hour, gate("web", "ok", "failed"), status=1),
        run("c", T0 + 2 * hour, gate("api", "lint", "failed"), status=1),
    ]
    with open_history(tmp_path / "h.db") as history:
        for item in (runs[2], runs[0], runs[1]):  # insertion order does not matter
            history.add(item)
        assert [r.id for r in history.runs()] == ["a", "b", "c"]
        assert [r.id for r in history.runs(since=T0 + hour)] == ["b", "c"]
        naive = (T0 + hour).replace(tzinfo=None)  # naive means UTC
        assert [r.id for r in history.runs(since=naive)] == ["b", "c"]
        assert [r.id for r in history.runs(limit=2)] == ["b", "c"]
        only_api = history.runs(repo="api")
        assert [r.id for r in only_api] == ["a", "c"]
        assert {g.repo for r in only_api for g in r.gates} == {"api"}
        assert history.runs(repo="nope") == []
        assert history.runs(limit=0) == []


def test_the_same_run_twice_is_refused_and_nothing_half_written(tmp_path: Path) -> None:
    with open_history(tmp_path / "h.db") as history:
        history.add(run("a", T0, gate("api", "lint")))
        with pytest.raises(HistoryError, match="run a is already in it"):
            history.add(run("a", T0, gate("api", "lint"), gate("api", "more")))
        assert [len(r.gates) for r in history.runs()] == [1]


def test_the_file_is_in_wal_mode_at_the_current_schema_version(tmp_path: Path) -> None:
    open_history(tmp_path / "h.db").close()
    db = sqlite3.connect(tmp_path / "h.db")
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
    db.close()


def _writer(path: str, name: str, count: int, barrier: Any) -> None:
    barrier.wait()
    for i in range(count):
        with open_history(Path(path)) as history:
            history.add(run(f"{name}-{i}", T0, *(gate(f"repo{k}", name) for k in range(20))))


def test_two_processes_writing_one_new_file_at_once_both_land(tmp_path: Path) -> None:
    path = tmp_path / "shared" / "history.db"
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(2)
    writers = [
        context.Process(target=_writer, args=(str(path), name, 15, barrier))
        for name in ("job1", "job2")
    ]
    for process in writers:
        process.start()
    for process in writers:
        process.join(120)
    assert [p.exitcode for p in writers] == [0, 0]
    with open_history(path) as history:
        runs = history.runs()
    assert sorted(r.id for r in runs) == sorted(
        f"{n}-{i}" for n in ("job1", "job2") for i in range(15)
    )
    assert all(len(r.gates) == 20 for r in runs)


def test_a_file_locked_beyond_the_timeout_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "h.db"
    open_history(path).close()
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with open_history(path, timeout=0.2) as history:
            with pytest.raises(
                HistoryError, match=r"locked by another process after waiting 0\.2s"
            ):
                history.add(run("a", T0, gate("api", "lint")))
            assert history.runs() == []  # WAL: readers do not wait for the writer
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    with open_history(path) as history:  # the lock is gone: writing works again
        history.add(run("a", T0, gate("api", "lint")))


def test_a_new_file_locked_before_it_is_set_up_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "h.db"
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("CREATE TABLE other (x)")
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(HistoryError, match=f"history {path}: cannot open it: still locked"):
            open_history(path, timeout=0.2)
    finally:
        holder.close()


@pytest.mark.parametrize(
    "content",
    [b"this is not sqlite at all" * 100, b"SQLite format 3\x00" + b"\xff" * 2000],
    ids=["text", "bad-header"],
)
def test_a_corrupt_file_is_a_clear_error_and_left_alone(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "h.db"
    path.write_bytes(content)
    with pytest.raises(HistoryError, match=r"cannot open it: .*(not a database|malformed)"):
        open_history(path)
    assert path.read_bytes() == content


def test_a_file_of_a_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "h.db"
    db = sqlite3.connect(path)
    db.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
    db.close()
    with pytest.raises(HistoryError, match="newer than this prove knows"):
        open_history(path)


def test_an_older_file_is_migrated_in_place(tmp_path: Path) -> None:
    path = tmp_path / "h.db"
    sqlite3.connect(path).close()  # version 0: an empty SQLite file
    with open_history(path) as history:
        history.add(run("a", T0, gate("api", "lint")))
        assert [r.id for r in history.runs()] == ["a"]


def test_a_directory_that_cannot_be_made_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    with pytest.raises(HistoryError, match="cannot open it"):
        open_history(tmp_path / "file" / "history.db")


def test_text_that_is_not_utf8_or_json_does_not_lose_the_run(tmp_path: Path) -> None:
    odd = gate("api", "trunk", "failed", summary="branch caf\udce9", head="\udcff")
    with open_history(tmp_path / "h.db") as history:
        history.add(run("a", T0, odd))
        (stored,) = history.runs()[0].gates
        assert stored.summary == "branch caf\\udce9"
        with pytest.raises(HistoryError, match="cannot write to it"):
            history.add(run("b", T0, gate("api", "x", findings=({(1, 2): "tuple key"},))))
        assert [r.id for r in history.runs()] == ["a"]
