"""Benchmark: a fleet of 40 repositories x 9 gates (issue 8).

Usage: python bench/fleet.py [--repos 40] [--commits 200] [--runs 3]

Measures, on a generated fleet whose gates all pass:
1. `-n 0` against `-n 2` (target: `-n 2` at least 1.7x faster on 2 cores);
2. a re-run of the unchanged fleet with the pass cache against the first run (target < 10%);
3. orchestration overhead: the whole pytest run against the sum of the gates' own
   durations from the JSON report (target < 10% more).

For [1] it also measures the floor: the same subprocesses (the git calls the gates make and
the same commands) as bare pytest tests with no plugin, `-n 0` against `-n 2`. That is what
pytest-xdist itself gives on this fleet, whatever a plugin does.

Each repository: a trunk commit, a feature branch of N Conventional Commits (fast-import)
changing 20 source files, and a (git-ignored) Cobertura report covering them; gates: trunk,
delivery-mode, commit-msg, coverage and 5 command gates doing a little real work.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, NamedTuple

from peer_runs import ENV, run_timed

COMMANDS = 5
# A command gate's work: 60,000 hashes is about 35 ms of CPU here, a small linter's worth.
HASHES = 60000


def work(hashes: int) -> str:
    return f"import hashlib; [hashlib.sha256(str(i).encode()).digest() for i in range({hashes})]"


def make_repo(path: Path, commits: int, now: int) -> None:
    path.mkdir(parents=True)
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=path, check=True, env=ENV)
    lines = [
        "commit refs/heads/main",
        "mark :1",
        f"committer B <b@example.com> {now - 3600} +0000",
        "data 12",
        "chore: start",
        "M 644 inline README.md",
        "data 2",
        "x",
        "M 644 inline .gitignore",
        "data 13",
        "coverage.xml",
        "",
    ]
    for i in range(1, commits + 1):
        text = f"feat(core): add part {i}"
        lines += ["commit refs/heads/feat/work", f"mark :{i + 1}",
                  f"committer B <b@example.com> {now - 1800 + i} +0000", f"data {len(text)}", text,
                  f"from :{i}", f"M 644 inline src/part{i % 20}.py", f"data {len(str(i)) + 5}",
                  f"x = {i}", ""]  # fmt: skip
    subprocess.run(["git", "fast-import", "--quiet"], cwd=path, check=True, env=ENV,
                   input=("\n".join(lines) + "\n").encode())  # fmt: skip
    subprocess.run(["git", "checkout", "-q", "feat/work"], cwd=path, check=True, env=ENV)
    (path / "coverage.xml").write_text(COVERAGE, encoding="utf-8")


# What `coverage xml` writes after tests that run every changed line (one per file).
COVERAGE = (
    '<?xml version="1.0" ?>\n<coverage version="7.6" line-rate="1"><sources><source>.</source>'
    '</sources><packages><package name="src"><classes>'
    + "".join(
        f'<class name="part{k}.py" filename="src/part{k}.py" line-rate="1"><lines>'
        '<line number="1" hits="1"/></lines></class>'
        for k in range(20)
    )
    + "</classes></package></packages></coverage>\n"
)


def make_fleet(root: Path, repos: int, commits: int, hashes: int) -> None:
    now = int(time.time())
    names = ", ".join(f"work-{c}" for c in range(COMMANDS))
    command = work(hashes)
    lines = ["repositories:"]
    for r in range(repos):
        make_repo(root / f"svc-{r:02d}", commits, now)
        lines.append(
            f"  - {{name: svc-{r:02d}, path: ./svc-{r:02d},"
            f" checks: [trunk, delivery-mode, commit-msg, coverage, {names}]}}"
        )
    lines += [
        "global:",
        f"  commit-msg: {{max_commits: {commits + 10}}}",
        f"  trunk: {{max_commits_ahead: {commits + 10}}}",
        "  commands:",
        *(f"    work-{c}: {{argv: [{sys.executable}, -c, '{command}']}}" for c in range(COMMANDS)),
    ]
    (root / "multi.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (root / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")


# The git calls the gates make per repository (logged through a git wrapper), by gate; the
# floor runs them with no parsing at all.
FLOOR = """\
import subprocess, sys
from pathlib import Path
import pytest
ROOT = Path(__file__).resolve().parent.parent
WORK = %r
GIT = {
    "trunk": [
        ["rev-parse", "--show-toplevel", "--absolute-git-dir", "--git-common-dir", "--git-path",
         "index", "--git-path", "objects", "--is-shallow-repository", "HEAD",
         "--symbolic-full-name", "HEAD"],
        ["for-each-ref", "--format=%%(refname)%%00%%(symref)%%00%%(objectname)%%00%%(*objectname)"],
        ["rev-list", "--count", "HEAD..main", "--"],
    ],
    "delivery-mode": [["merge-base", "main", "HEAD"]],
    "commit-msg": [
        ["log", "-z", "--format=%%H%%x00%%P%%x00%%ct%%x00%%B", "--topo-order", "--reverse",
         "main..HEAD"],
    ],
    "coverage": [
        ["ls-files", "--others", "--exclude-standard", "-z"],
        ["diff", "--patch-with-raw", "-z", "-M", "-U0", "--no-color", "main...HEAD", "--"],
    ],
}
@pytest.mark.parametrize("gate", [*GIT, *(f"work-{c}" for c in range(%d))])
@pytest.mark.parametrize("repo", [f"svc-{r:02d}" for r in range(%d)])
def test_gate(repo, gate):
    for argv in GIT.get(gate, [[sys.executable, "-c", WORK]]):
        argv = ["git", *argv] if gate in GIT else argv
        subprocess.run(argv, cwd=ROOT / repo, check=True, capture_output=True)
"""


def make_floor(root: Path, repos: int, hashes: int) -> Path:
    floor = root / "floor"
    floor.mkdir()
    (floor / "test_floor.py").write_text(FLOOR % (work(hashes), COMMANDS, repos), encoding="utf-8")
    (floor / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")
    return floor


class Run(NamedTuple):
    wall: float
    cpu: float  # of pytest and everything it started (workers, git, command gates)
    report: dict[str, Any]


def run(root: Path, *args: str) -> Run:
    report = root / "report.json"
    argv = [sys.executable, "-m", "pytest", "--prove-config", "multi.yaml", "-q",
            "--json-report", f"--json-report-file={report}", *args]  # fmt: skip
    return _timed(argv, root, report)


def run_floor(floor: Path, *args: str) -> Run:
    report = floor / "report.json"
    argv = [sys.executable, "-m", "pytest", "-q", "-p", "no:prove", "-p", "no:cacheprovider",
            "--json-report", f"--json-report-file={report}", *args]  # fmt: skip
    return _timed(argv, floor, report)


def _timed(argv: list[str], root: Path, report: Path) -> Run:
    _, took, cpu = run_timed(argv, root)
    return Run(took, cpu, json.loads(report.read_text(encoding="utf-8")))


def own_durations(report: dict[str, Any]) -> float:
    """What the gates themselves took: setup, call and teardown of every test."""
    phases = ("setup", "call", "teardown")
    return float(sum(t[p]["duration"] for t in report["tests"] for p in phases if p in t))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repos", type=int, default=40)
    parser.add_argument("--commits", type=int, default=200)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--hashes", type=int, default=HASHES, help="how much work each command gate does"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        make_fleet(root, args.repos, args.commits, args.hashes)
        serial = [run(root, "--prove-no-cache", "-n", "0") for _ in range(args.runs)]
        parallel = [run(root, "--prove-no-cache", "-n", "2") for _ in range(args.runs)]
        t0 = statistics.median(r.wall for r in serial)
        t2 = statistics.median(r.wall for r in parallel)
        c0 = statistics.median(r.cpu for r in serial)
        c2 = statistics.median(r.cpu for r in parallel)
        gates = len(serial[0].report["tests"])
        own = own_durations(serial[0].report)
        print(f"fleet: {args.repos} repos x 9 gates = {gates} gates, {args.commits} commits each")
        print(f"[1] -n 0: {t0:.2f} s; -n 2: {t2:.2f} s -> {t0 / t2:.2f}x (target >= 1.7x)")
        print(
            f"    CPU of the whole process tree: -n 0 {c0:.2f} s ({c0 / t0:.2f} cores),"
            f" -n 2 {c2:.2f} s ({c2 / t2:.2f} cores)"
        )
        floor = make_floor(root, args.repos, args.hashes)
        f0 = statistics.median(run_floor(floor, "-n", "0").wall for _ in range(args.runs))
        f2 = statistics.median(run_floor(floor, "-n", "2").wall for _ in range(args.runs))
        print(
            f"    floor, the same subprocesses as bare pytest tests: -n 0 {f0:.2f} s;"
            f" -n 2 {f2:.2f} s -> {f0 / f2:.2f}x"
        )
        print(
            f"[3] whole -n 0 run {t0:.2f} s vs the gates' own durations {own:.2f} s"
            f" -> {(t0 - own) / own * 100:+.0f}% (target < 10%)"
        )
        first = run(root, "-n", "0", "--cache-clear").wall
        again = run(root, "-n", "0")
        rerun = again.wall
        # A reused pass is reported passed, its metadata saying it was cached.
        cached = sum(1 for t in again.report["tests"] if _cached(t))
        print(
            f"[2] first run {first:.2f} s; cached re-run {rerun:.2f} s"
            f" -> {rerun / first * 100:.0f}% (target < 10%);"
            f" {cached} of {gates} gates answered from the cache"
        )


def _cached(test: dict[str, Any]) -> bool:
    return bool(test.get("metadata", {}).get("prove", {}).get("cached"))


if __name__ == "__main__":
    main()
