"""Benchmark: a monorepo of 200 projects x 4 gates, with changes in 3 of them (issue 18).

Usage: python bench/monorepo.py [--projects 200] [--changed 3] [--runs 3]

The repository is a JS workspace (``package.json`` ``workspaces: ["packages/*"]``), each
project ``packages/pNNN`` with ``src/`` and ``tests/``; the feature branch changes a source
file and its test in ``--changed`` projects.  The gates are commit-msg, trunk, tdd and
security, found by ``discover: {workspaces: true}``.  Runs use ``-p no:cacheprovider`` (no
pass cache), ``-n 0``.

1. ``--prove-affected`` over all projects against a run of one changed project alone
   (target: at most 1.5x).
2. git processes started by the full run of every project against a run of the same gates
   on the repository as one entry (target: no more), counted by a ``git`` on PATH that
   logs each call and runs the real one.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

from peer_runs import ENV, counting_git, run, timed

CHECKS = "[commit-msg, trunk, tdd, security]"
SETTINGS = "global:\n  security: {dependencies: {enabled: false}}\n"


def make_monorepo(path: Path, projects: int, changed: int) -> list[str]:
    """The repository; the names of the changed projects' entries."""
    path.mkdir(parents=True)
    run(["git", "init", "-q", "-b", "main"], path, (0,))
    run(["git", "config", "user.email", "bench@example.com"], path, (0,))
    run(["git", "config", "user.name", "Bench"], path, (0,))
    (path / "package.json").write_text('{"private": true, "workspaces": ["packages/*"]}\n')
    for index in range(projects):
        project = path / "packages" / f"p{index:03d}"
        (project / "src").mkdir(parents=True)
        (project / "tests").mkdir()
        (project / "package.json").write_text(f'{{"name": "@mono/p{index:03d}"}}\n')
        (project / "src" / "mod.py").write_text(f"VALUE = {index}\n")
        (project / "tests" / "test_mod.py").write_text("def test_mod():\n    assert True\n")
    run(["git", "add", "-A"], path, (0,))
    run(["git", "commit", "-q", "-m", "chore: the workspace"], path, (0,))
    run(["git", "checkout", "-q", "-b", "feat/three"], path, (0,))
    names = []
    step = max(1, projects // max(1, changed))
    for index in range(0, step * changed, step):
        project = path / "packages" / f"p{index:03d}"
        (project / "src" / "mod.py").write_text(f"VALUE = {index + 1}\n")
        (project / "tests" / "test_mod.py").write_text("def test_mod():\n    assert 1\n")
        run(["git", "commit", "-q", "-am", f"feat(p{index:03d}): bump the value"], path, (0,))
        names.append(f"packages-p{index:03d}")
    return names


def gates(work: Path, *args: str, env: dict[str, str] | None = None) -> None:
    argv = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-n", "0", *args]
    proc = subprocess.run(
        argv, cwd=work, capture_output=True, text=True, env=env or ENV, check=False
    )
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{argv} -> {proc.returncode}\n{proc.stdout[-3000:]}{proc.stderr}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--projects", type=int, default=200)
    parser.add_argument("--changed", type=int, default=3)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        changed = make_monorepo(work / "mono", args.projects, args.changed)
        (work / "all.yaml").write_text(
            "repositories:\n  - discover: {root: mono, workspaces: true}\n"
            f"    checks: {CHECKS}\n{SETTINGS}"
        )
        (work / "one.yaml").write_text(
            f"repositories:\n  - name: {changed[0]}\n    path: mono/packages/"
            f"{changed[0].removeprefix('packages-')}\n    checks: {CHECKS}\n{SETTINGS}"
        )
        (work / "whole.yaml").write_text(
            f"repositories:\n  - name: mono\n    path: mono\n    checks: {CHECKS}\n{SETTINGS}"
        )
        print(f"{args.projects} projects x 4 gates, {len(changed)} changed; median of {args.runs}")
        affected = timed(
            lambda: gates(work, "--prove-config", "all.yaml", "--prove-affected"), args.runs
        )
        one = timed(lambda: gates(work, "--prove-config", "one.yaml"), args.runs)
        full = timed(lambda: gates(work, "--prove-config", "all.yaml"), args.runs)
        print(f"  --prove-affected ({len(changed)} of {args.projects}): {affected:.2f} s")
        print(f"  one changed project alone:            {one:.2f} s")
        print(f"  ratio: {affected / one:.2f}x (target <= 1.5x)")
        print(f"  every project (800 gates):            {full:.2f} s")
        calls = {}
        for label, config in (("all", "all.yaml"), ("whole", "whole.yaml")):
            log = work / f"{label}.log"
            log.write_text("")
            env = counting_git(work / f"bin-{label}", log)
            gates(work, "--prove-config", config, env=env)
            calls[label] = log.read_text().splitlines()
        print(f"  git calls, every project's gates:    {len(calls['all'])}")
        print(f"  git calls, the repository as one entry: {len(calls['whole'])}")
        verdict = "met" if len(calls["all"]) <= len(calls["whole"]) else "MISSED"
        print(f"  target (no more than one repository): {verdict}")


if __name__ == "__main__":
    main()
