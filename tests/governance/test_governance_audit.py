"""The audit log: hash-chained JSON lines; verify names the first bad line; safe to share."""

from __future__ import annotations

import itertools
import json
import multiprocessing
from pathlib import Path

import pytest

from pytest_prove.cli.main import main
from pytest_prove.governance.audit.log import GENESIS, AuditError, AuditLog, verify_log


def _log(tmp_path: Path, entries: int = 4) -> AuditLog:
    log = AuditLog(tmp_path / ".prove" / "audit.jsonl")
    for index in range(entries):
        log.append("run", "lead@example.com", {"index": index})
    return log


def _lines(log: AuditLog) -> list[str]:
    return log.path.read_text().splitlines(keepends=True)


def test_entries_chain_by_hash(tmp_path: Path) -> None:
    log = _log(tmp_path)
    entries = [json.loads(line) for line in _lines(log)]
    assert [e["seq"] for e in entries] == [1, 2, 3, 4]
    assert entries[0]["prev"] == GENESIS
    assert all(b["prev"] == a["hash"] for a, b in itertools.pairwise(entries))
    result = verify_log(log.path)
    assert (result.entries, result.bad_line, result.head) == (4, None, entries[-1]["hash"])


def _tamper(log: AuditLog, how: str) -> None:
    lines = _lines(log)
    if how == "edited":
        lines[1] = lines[1].replace('"index":1', '"index":9')
    elif how == "removed":
        del lines[1]
    elif how == "reordered":
        lines[1], lines[2] = lines[2], lines[1]
    elif how == "garbage":
        lines[1] = "not json\n"
    elif how == "rehashed":  # edited, and its own hash recomputed: the next line notices
        from pytest_prove.governance.audit.log import entry_hash

        entry = json.loads(lines[1])
        entry["data"]["index"] = 9
        entry["hash"] = entry_hash(entry)
        lines[1] = json.dumps(entry) + "\n"
    log.path.write_text("".join(lines))


@pytest.mark.parametrize(
    ("how", "line", "problem"),
    [
        ("edited", 2, "edited: the entry does not match its own hash"),
        ("removed", 2, "chain broken: it does not follow line 1"),
        ("reordered", 2, "chain broken: it does not follow line 1"),
        ("garbage", 2, "not a JSON entry"),
        ("rehashed", 3, "chain broken: it does not follow line 2"),
    ],
)
def test_tampering_names_the_first_bad_line(
    tmp_path: Path, how: str, line: int, problem: str
) -> None:
    log = _log(tmp_path)
    _tamper(log, how)
    result = verify_log(log.path)
    assert result.bad_line == line
    assert result.problem.startswith(problem)
    assert result.entries == line - 1


def test_appending_after_damage_is_refused(tmp_path: Path) -> None:
    log = _log(tmp_path, 1)
    log.path.write_text(log.path.read_text() + "{broken\n")
    with pytest.raises(AuditError, match="its last entry is damaged"):
        log.append("run", None, {})
    log.path.write_text(log.path.read_text().rstrip("\n"))
    with pytest.raises(AuditError, match="incomplete"):
        log.append("run", None, {})


def _append_many(path: str) -> None:
    log = AuditLog(Path(path))
    for index in range(25):
        log.append("run", "w@example.com", {"index": index})


def test_concurrent_writers_keep_one_chain(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    context = multiprocessing.get_context("fork")
    workers = [context.Process(target=_append_many, args=(str(path),)) for _ in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    result = verify_log(path)
    assert (result.entries, result.bad_line) == (100, None)


def test_verify_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    log = _log(tmp_path)
    assert main(["audit", "verify", str(log.path)]) == 0
    assert "4 entries, chain intact" in capsys.readouterr().out
    _tamper(log, "removed")
    assert main(["audit", "verify", str(log.path)]) == 1
    assert capsys.readouterr().err == (
        f"{log.path}:2: chain broken: it does not follow line 1 (an entry was edited,"
        " removed, inserted or reordered)\n"
    )
    assert main(["audit", "verify", str(tmp_path / "none.jsonl")]) == 4


def test_verify_finds_the_log_of_the_orchestrator_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "api").mkdir()
    (tmp_path / "multi.yaml").write_text(
        "repositories: [{name: api, path: api}]\nglobal: {reporting: {audit: logs/a.jsonl}}\n"
    )
    AuditLog(tmp_path / "logs" / "a.jsonl").append("run", None, {})
    assert main(["audit", "verify", "--config", str(tmp_path / "multi.yaml")]) == 0
    assert "1 entries" in capsys.readouterr().out
