"""``prove report`` end to end: history or JSON reports, filters, output files, bad input."""

from __future__ import annotations

import csv
import datetime
import io
import json
from pathlib import Path

import pytest

from pytest_prove.cli.commands.report import parse_since
from pytest_prove.cli.main import main
from pytest_prove.report.history.store import open_history
from pytest_prove.report.run_record import GateRecord, Outcome, RunRecord

T0 = datetime.datetime(2026, 3, 1, tzinfo=datetime.UTC)
DAY = datetime.timedelta(days=1)


def record(i: int, **outcomes: Outcome) -> RunRecord:
    return RunRecord(
        id=f"run{i}",
        started=T0 + i * DAY,
        finished=T0 + i * DAY,
        host="ci",
        command=(),
        config_digest="",
        exit_status=0,
        gates=tuple(
            GateRecord(
                nodeid=f"m::{key.split('__')[0]}::{key.split('__')[1]}",
                repo=key.split("__")[0],
                check=key.split("__")[1],
                outcome=outcome,
                duration=float(i),
            )
            for key, outcome in outcomes.items()
        ),
    )


@pytest.fixture
def history(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Four daily runs: api::lint flaky (. F . F), web::ok passing."""
    path = tmp_path / ".prove" / "history.db"
    with open_history(path) as store:
        for i, lint in enumerate(["passed", "failed", "passed", "failed"]):
            store.add(record(i, api__lint=lint, web__ok="passed"))  # type: ignore[arg-type]
    monkeypatch.chdir(tmp_path)
    return path


def report_json(capsys: pytest.CaptureFixture[str], *argv: str) -> dict[str, object]:
    assert main(["report", "--format", "json", *argv]) == 0
    data: dict[str, object] = json.loads(capsys.readouterr().out)
    return data


def gates(data: dict[str, object]) -> dict[str, dict[str, object]]:
    rows = data["gates"]
    assert isinstance(rows, list)
    return {f"{g['repo']}::{g['check']}": g for g in rows}


def test_the_default_history_is_found_where_runs_write_it(
    history: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = gates(report_json(capsys))
    assert data["api::lint"]["sparkline"] == ".F.F"
    assert data["api::lint"]["flaky"] is True
    assert data["api::lint"]["pass_rate"] == 0.5
    assert data["web::ok"]["flaky"] is False
    assert data["web::ok"]["latest"] == "passed"


def test_the_orchestrators_reporting_history_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    elsewhere = tmp_path / "conf" / "runs.sqlite"
    with open_history(elsewhere) as store:
        store.add(record(0, svc__ok="failed"))
    (tmp_path / "conf" / "multi.yaml").write_text(
        "repositories: []\nglobal:\n  reporting: {history: runs.sqlite}\n"
    )
    monkeypatch.chdir(tmp_path)
    assert list(gates(report_json(capsys, "--config", "conf/multi.yaml"))) == ["svc::ok"]
    monkeypatch.chdir(tmp_path / "conf")  # found by its name, as `orchestrate` finds it
    assert list(gates(report_json(capsys))) == ["svc::ok"]


def test_repo_since_and_all(history: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert list(gates(report_json(capsys, "--repo", "web"))) == ["web::ok"]
    assert list(gates(report_json(capsys, "--all"))) == ["api::lint", "web::ok"]
    recent = gates(report_json(capsys, "--since", "2026-03-03"))
    assert recent["api::lint"]["sparkline"] == ".F"
    assert recent["api::lint"]["flaky"] is False
    assert main(["report", "--repo", "nope"]) == 0
    assert "no gate of repository 'nope'" in capsys.readouterr().err


def test_repo_and_all_exclude_each_other(history: Path) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["report", "--all", "--repo", "api"])
    assert exited.value.code == 2


@pytest.mark.parametrize("fmt", ["table", "md", "json", "csv", "html"])
def test_every_format_writes_to_a_file(history: Path, fmt: str) -> None:
    out = history.parent.parent / f"out.{fmt}"
    assert main(["report", "--format", fmt, "-o", str(out)]) == 0
    text = out.read_text()
    assert "api" in text
    assert "lint" in text
    if fmt == "csv":
        assert [r["check"] for r in csv.DictReader(io.StringIO(text))] == ["lint", "ok"]


def test_since_accepts_dates_times_and_relative_spans() -> None:
    now = datetime.datetime(2026, 3, 10, 12, tzinfo=datetime.UTC)
    assert parse_since("7d", now) == now - 7 * DAY
    assert parse_since("12h", now) == now - datetime.timedelta(hours=12)
    assert parse_since("2w", now) == now - 14 * DAY
    assert parse_since("2026-03-01", now) == T0
    assert parse_since("2026-03-01T02:00+02:00", now) == T0


@pytest.mark.parametrize("bad", ["yesterday", "7x", "", "2026-13-01"])
def test_a_bad_since_is_a_usage_error(
    history: Path, capsys: pytest.CaptureFixture[str], bad: str
) -> None:
    assert main(["report", "--since", bad]) == 4
    assert "--since" in capsys.readouterr().err


def test_relative_since_uses_the_injectable_clock(
    history: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PROVE_NOW", "2026-03-04T12:00:00+00:00")
    assert gates(report_json(capsys, "--since", "1d"))["api::lint"]["sparkline"] == "F"


def test_a_missing_history_is_a_usage_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["report"]) == 4
    assert "no history at" in capsys.readouterr().err
    assert not (tmp_path / ".prove").exists()  # reading never creates a history


def test_a_corrupt_history_is_a_clear_error(
    history: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    history.write_bytes(b"not a database at all" * 100)
    for suffix in ("-wal", "-shm"):
        history.with_name(history.name + suffix).unlink(missing_ok=True)
    assert main(["report", "--history", str(history)]) == 1
    err = capsys.readouterr().err
    assert "file is not a database" in err
    assert "Traceback" not in err


def test_merge_still_joins_shards_and_refuses_report_options(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shard = {"created": 1.0, "duration": 1.0, "exitcode": 0, "root": ".", "summary": {}}
    for name, nodeid in (("a.json", "m::x::ok"), ("b.json", "m::y::ok")):
        tests = [{"nodeid": nodeid, "outcome": "passed", "keywords": ["prove"]}]
        (tmp_path / name).write_text(json.dumps({**shard, "tests": tests}))
    shards = [str(tmp_path / "a.json"), str(tmp_path / "b.json")]
    assert main(["report", "--merge", *shards]) == 0
    assert [t["nodeid"] for t in json.loads(capsys.readouterr().out)["tests"]] == [
        "m::x::ok",
        "m::y::ok",
    ]
    assert main(["report", "--merge", *shards, "--since", "1d"]) == 4
    assert "--merge cannot be combined with --since" in capsys.readouterr().err


def json_report(tmp_path: Path, name: str, created: float, tests: list[object]) -> Path:
    path = tmp_path / name
    path.write_text(
        json.dumps({"created": created, "duration": 2.0, "exitcode": 1, "tests": tests})
    )
    return path


def test_from_json_reads_gates_of_real_reports(
    pytester: pytest.Pytester, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ("api", "web"):
        (pytester.path / name).mkdir()
    pytester.makefile(
        ".yaml",
        multi="repositories:\n"
        "  - {name: api, path: api, checks: [ok, bad]}\n"
        "  - {name: web, path: web, checks: [ok], when: {env: {PROVE_TEST_NEVER_SET: true}}}\n"
        "global:\n  commands:\n    ok: [python3, -c, pass]\n"
        "    bad: [python3, -c, 'raise SystemExit(3)']\n",
    )
    pytester.makepyfile(test_plain="def test_plain():\n    pass\n")
    pytester.runpytest("--prove-config", "multi.yaml", "--json-report", "--json-report-file=r.json")
    pytester.runpytest("--prove-config", "multi.yaml", "--json-report", "--json-report-file=s.json")
    capsys.readouterr()
    data = report_json(
        capsys, "--from-json", str(pytester.path / "r.json"), str(pytester.path / "s.json")
    )
    rows = gates(data)
    assert set(rows) == {"api::ok", "api::bad", "web::ok"}  # test_plain is not a gate
    assert rows["api::bad"]["latest"] == "failed"
    assert "exited with 3" in str(rows["api::bad"]["latest_summary"])
    assert rows["api::ok"]["latest"] in {"passed", "cached"}
    assert rows["web::ok"]["latest"] == "skipped"
    assert rows["web::ok"]["pass_rate"] is None
    assert data["runs"] == 2


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "cannot read"),
        ("[1, 2]", "not a pytest-json-report file"),
        ('{"tests": []}', "no valid 'created' time"),
        ('{"tests": [], "created": "soon"}', "no valid 'created' time"),
    ],
)
def test_from_json_refuses_what_is_not_a_report(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str, message: str
) -> None:
    (tmp_path / "r.json").write_text(content)
    assert main(["report", "--from-json", str(tmp_path / "r.json")]) == 4
    assert message in capsys.readouterr().err


def test_from_json_tolerates_odd_tests(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    tests = [
        "not a dict",
        {"nodeid": "m::a::b"},  # no keywords: not a gate
        {"nodeid": "m::a::b", "keywords": ["prove"], "outcome": "weird", "setup": {"duration": -1}},
        {
            "nodeid": "m::a::c",
            "keywords": ["prove"],
            "outcome": "skipped",
            "setup": {"duration": 0.1, "longrepr": "('x', 1, 'Skipped: cached: same inputs')"},
            "metadata": {"prove": {"findings": "nope", "metrics": [1]}},
        },
        {"nodeid": "m::a::d", "keywords": ["prove"], "outcome": "xfailed"},
        {  # as reports are written now: a reused pass passes, and its metadata says why
            "nodeid": "m::a::e",
            "keywords": ["prove"],
            "outcome": "passed",
            "metadata": {"prove": {"passed": True, "cached": "cached: passed at 1a2b3c4"}},
        },
    ]
    path = json_report(tmp_path, "r.json", 1.7e9, tests)
    rows = gates(report_json(capsys, "--from-json", str(path)))
    assert {k: v["latest"] for k, v in rows.items()} == {
        "a::b": "error",
        "a::c": "cached",
        "a::d": "waived",
        "a::e": "cached",
    }
