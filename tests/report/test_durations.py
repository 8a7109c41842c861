"""Recorded durations and the shards they balance."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pytest_prove.config.durations import DURATIONS_FILE, read_durations
from pytest_prove.config.load import Options, load_fleet
from pytest_prove.errors import UsageError
from pytest_prove.report.sinks.durations import updated
from pytest_prove.report.views.merge import merge_json
from tests.run_records import gate, run_of

# `true` starts in a millisecond, python in a few hundred on a busy machine: the slow gate
# must outweigh the others by far for the balance asserted below.
OK = "['true']"
SLOW = "[python3, -c, 'import time; time.sleep(0.6)']"


def _write(path: Path, repos: dict[str, dict[str, float]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"version": 1, "repos": repos}))


def test_gates_that_ran_are_folded_in_and_skipped_ones_keep_their_figure(tmp_path: Path) -> None:
    _write(tmp_path / "d.json", {"api": {"lint": 2.0, "test": 10.0}})
    previous, problem = read_durations(tmp_path / "d.json")
    assert problem is None
    assert previous is not None
    run = run_of(
        gate("api", "lint", "failed", duration=4.0),
        gate("api", "test", "cached", duration=0.0),
        gate("web", "lint", "passed", duration=1.0),
        gate("web", "docs", "skipped", duration=0.0),
    )
    assert updated(previous, run) == {"api": {"lint": 3.0, "test": 10.0}, "web": {"lint": 1.0}}


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"{", "is not a durations file"),
        (b'{"version": 99, "repos": {}}', "is not a durations file"),
        (b'{"version": 1, "repos": {"a": {"x": "slow"}}}', "is not a durations file"),
        (b"[1, 2]", "is not a durations file"),
        (b"\xff\xfe", "is not a durations file"),
    ],
)
def test_a_bad_file_is_ignored_with_a_reason(tmp_path: Path, content: bytes, problem: str) -> None:
    (tmp_path / "d.json").write_bytes(content)
    durations, why = read_durations(tmp_path / "d.json")
    assert durations is None
    assert why is not None
    assert problem in why


def test_no_file_is_no_problem(tmp_path: Path) -> None:
    assert read_durations(tmp_path / "absent.json") == (None, None)


@given(
    st.lists(st.floats(0.01, 100), min_size=1, max_size=20),
    st.integers(1, 5),
)
def test_shards_by_duration_cover_every_repository_once_and_balance(
    seconds: list[float], n: int
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        lines = []
        for i in range(len(seconds)):
            (root / f"r{i}").mkdir()
            lines.append(f"  - {{name: r{i}, path: r{i}, checks: [ok]}}")
        multi = root / "multi.yaml"
        multi.write_text(
            "repositories:\n" + "\n".join(lines) + f"\nglobal:\n  commands:\n    ok: {OK}\n"
        )
        _write(root / DURATIONS_FILE, {f"r{i}": {"ok": s} for i, s in enumerate(seconds)})
        fleets = [load_fleet(multi, root, Options(shard=(k, n))) for k in range(1, n + 1)]
    names = [p.name for fleet in fleets for p in fleet.repos]
    assert sorted(names) == sorted(f"r{i}" for i in range(len(seconds)))
    loads = [sum(seconds[int(p.name[1:])] for p in fleet.repos) for fleet in fleets]
    assert max(loads) - min(loads) <= max(seconds) + 1e-9
    assert all("recorded durations" in str(fleet.balance) for fleet in fleets)


@pytest.fixture
def fleet(pytester: pytest.Pytester) -> pytest.Pytester:
    for name in "abcd":
        (pytester.path / name).mkdir()
    pytester.makefile(
        ".yaml",
        multi=f"""
repositories:
  - {{name: a, path: a, checks: [slow]}}
  - {{name: b, path: b, checks: [ok, ok2]}}
  - {{name: c, path: c, checks: [ok, ok2]}}
  - {{name: d, path: d, checks: [ok]}}
global:
  commands:
    ok: {OK}
    ok2: {OK}
    slow: {SLOW}
""",
    )
    return pytester


def _shard_ids(pytester: pytest.Pytester, k: int) -> list[str]:
    result = pytester.runpytest(
        "--prove-config", "multi.yaml", "--prove-shard", f"{k}/2", "--collect-only", "-q"
    )
    return sorted(line for line in result.outlines if "::" in line)


def test_the_slow_repository_gets_a_shard_of_its_own_once_durations_are_known(
    fleet: pytest.Pytester,
) -> None:
    by_gates = _shard_ids(fleet, 1)
    # By gate count: a (1 gate) is as light as d, so it shares a shard.
    assert "multi.yaml::a::slow" in by_gates
    assert len(by_gates) > 1
    fleet.runpytest("--prove-config", "multi.yaml", "-n", "2")
    recorded = json.loads((fleet.path / DURATIONS_FILE).read_text())
    assert recorded["repos"]["a"]["slow"] >= 0.5
    result = fleet.runpytest("--prove-config", "multi.yaml", "--prove-shard", "1/2", "--co")
    result.stdout.fnmatch_lines(
        ["prove shard 1/2: 1 repository, balanced by recorded durations (.prove/durations.json *)"]
    )
    shards = [_shard_ids(fleet, k) for k in (1, 2)]
    assert ["multi.yaml::a::slow"] in shards
    assert sorted(shards[0] + shards[1]) == sorted(
        ["multi.yaml::a::slow", "multi.yaml::d::ok"]
        + [f"multi.yaml::{r}::{c}" for r in "bc" for c in ("ok", "ok2")]
    )


def test_a_corrupt_durations_file_falls_back_to_gate_counts(fleet: pytest.Pytester) -> None:
    (fleet.path / ".prove").mkdir()
    (fleet.path / DURATIONS_FILE).write_text("{not json")
    result = fleet.runpytest("--prove-config", "multi.yaml", "--prove-shard", "2/2")
    result.stdout.fnmatch_lines(["*balanced by number of gates (*durations.json is not a*"])
    assert result.ret == 0
    # A shard never rewrites the file the other shards of its matrix read.
    assert (fleet.path / DURATIONS_FILE).read_text() == "{not json"
    fleet.runpytest("--prove-config", "multi.yaml")
    assert read_durations(fleet.path / DURATIONS_FILE)[0] is not None


def test_merge_refuses_shards_balanced_from_different_files(fleet: pytest.Pytester) -> None:
    reports = []
    for k in (1, 2):
        if k == 2:  # another job restored a different cache
            _write(fleet.path / DURATIONS_FILE, {"a": {"slow": 0.001}})
        out = fleet.path / f"s{k}.json"
        fleet.runpytest(
            "--prove-config",
            "multi.yaml",
            "--prove-shard",
            f"{k}/2",
            "--json-report",
            f"--json-report-file={out}",
            "-p",
            "no:cacheprovider",
        )
        reports.append(out)
    assert "balance" in json.loads(reports[0].read_text())["prove"]
    with pytest.raises(UsageError, match=r"balanced by .* but .* by"):
        merge_json(reports)


def test_the_merge_records_what_the_shards_measured(fleet: pytest.Pytester) -> None:
    from pytest_prove.cli.main import main

    reports = []
    for k in (1, 2):
        out = fleet.path / f"s{k}.json"
        fleet.runpytest(
            "--prove-config",
            "multi.yaml",
            "--prove-shard",
            f"{k}/2",
            "--json-report",
            f"--json-report-file={out}",
        )
        reports.append(str(out))
    assert not (fleet.path / DURATIONS_FILE).exists()
    target = fleet.path / DURATIONS_FILE
    merged = fleet.path / "merged.json"
    assert main(["report", "--merge", *reports, "-o", str(merged), "--durations", str(target)]) == 0
    durations, problem = read_durations(target)
    assert problem is None
    assert durations is not None
    assert set(durations.seconds) == {"a", "b", "c", "d"}
    assert durations.seconds["a"]["slow"] >= 0.5
    assert main(["report", "--durations", str(target)]) == 4
    result = fleet.runpytest("--prove-config", "multi.yaml", "--prove-shard", "1/2", "--co")
    result.stdout.fnmatch_lines([f"*balanced by recorded durations (*{durations.digest})"])
