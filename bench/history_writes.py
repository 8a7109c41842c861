"""Benchmark: what writing the history as the run goes costs a fleet of ~1,000 gates (issue 16).

Usage: python bench/history_writes.py --baseline DIR [--repos 112] [--rounds 9]

DIR is a checkout of the code to compare with (``git worktree add DIR <ref>``, or
``git archive <ref> | tar -x -C DIR``): its ``pytest_prove`` is put first on
``PYTHONPATH``; the other side is the installed one.  Both run the same fleet
(:func:`fleet.make_fleet`: 9 gates a repository, 5 commits, command gates doing no work),
each in its own copy, so each keeps its own history and pass cache.  The runs alternate
between the two sides.  Measured:

- the cached re-run with ``-n 0`` and ``-n 2``: every gate is skipped as cached, so the
  run is start-up plus pytest's and our own cost per gate, where a per-gate write would show;
- a run of every gate with ``-n 2`` (``--prove-no-cache``), 3 rounds.

Wall time and the CPU time of the whole process tree, medians.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

from fleet import make_fleet
from peer_runs import ENV, run_timed


def timed(root: Path, baseline: Path | None, *args: str) -> tuple[float, float]:
    env = dict(ENV)
    env.pop("PYTHONPATH", None)
    if baseline is not None:
        env["PYTHONPATH"] = str(baseline)
    argv = [sys.executable, "-m", "pytest", "--prove-config", "multi.yaml", "-q", *args]
    _, wall, cpu = run_timed(argv, root, env)
    return wall, cpu


def compare(sides: dict[str, tuple[Path, Path | None]], rounds: int, *args: str) -> None:
    walls: dict[str, list[float]] = {name: [] for name in sides}
    cpus: dict[str, list[float]] = {name: [] for name in sides}
    for i in range(rounds):
        order = list(sides) if i % 2 == 0 else list(reversed(sides))
        for name in order:
            wall, cpu = timed(*sides[name], *args)
            walls[name].append(wall)
            cpus[name].append(cpu)
    for name in sides:
        print(
            f"  {' '.join(args):28} {name:8} wall {statistics.median(walls[name]):6.2f} s"
            f"  CPU {statistics.median(cpus[name]):6.2f} s  ({rounds} runs)"
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--baseline", type=Path, required=True, help="checkout to compare with")
    parser.add_argument("--repos", type=int, default=112)
    parser.add_argument("--rounds", type=int, default=9)
    args = parser.parse_args()
    baseline = args.baseline.resolve()
    if not (baseline / "pytest_prove" / "__init__.py").is_file():
        raise SystemExit(f"{baseline} has no pytest_prove/")
    with tempfile.TemporaryDirectory() as tmp:
        fleet = Path(tmp) / "fleet"
        make_fleet(fleet, args.repos, 5, 0)
        sides: dict[str, tuple[Path, Path | None]] = {
            "baseline": (Path(tmp) / "baseline", baseline),
            "this": (Path(tmp) / "this", None),
        }
        for root, side in sides.values():
            shutil.copytree(fleet, root, symlinks=True)
            timed(root, side, "-n", "2")  # fills the pass cache
        print(f"fleet: {args.repos} repositories x 9 gates, {os.cpu_count()} cores")
        compare(sides, args.rounds, "-n", "0")
        compare(sides, args.rounds, "-n", "2")
        compare(sides, 3, "--prove-no-cache", "-n", "2")


if __name__ == "__main__":
    main()
