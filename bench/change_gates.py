"""Benchmark: the change gates `tdd`, `feature-flags` and `killswitch` on a large repository.

Usage: python bench/change_gates.py [--files 20000] [--changed 2000] [--runs 5]

Generates (with `git fast-import`, in a temporary directory) a repository of N files:
Python modules under src/, TypeScript under web/ and src/features/, their tests, and a flag
registry; then a `feat` commit on a branch that edits C of them (a line added to each, some of
which reference flags).  Each gate runs in-process against a repository context, measured:

- warm: the context has answered its git questions already (as when other gates of the same
  repository ran first in the process); the target is under 1 s per gate;
- cold: a fresh context, so the time includes the gate's git calls.

Prints one line per gate and mode: median seconds over the runs, and the gate's verdict.
"""

from __future__ import annotations

import argparse
import functools
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from peer_runs import ENV as GIT_ENV

from pytest_prove.api import CheckResult
from pytest_prove.checks.feature_flags import (
    FeatureFlagsSettings,
    check_feature_flags,
)
from pytest_prove.checks.killswitch import KillswitchSettings, check_killswitch
from pytest_prove.checks.tdd import TddSettings, check_tdd
from pytest_prove.git import RepoContext

ENV = {**GIT_ENV, "PROVE_NOW": "2026-06-01"}
FLAGS = 50
REGISTRY = "flags:\n" + "".join(
    f"  flag-{n}:\n    owner: team-{n % 7}\n    expires: 2027-01-01\n"
    f"    killswitch: {'true' if n % 5 == 0 else 'false'}\n"
    for n in range(FLAGS)
)


def layout(count: int) -> list[str]:
    """``count`` paths: 45% Python sources, 15% their tests, 30% TS, 10% feature TS."""
    paths = []
    for n in range(count):
        kind = n % 20
        if kind < 9:
            paths.append(f"src/pkg{n % 97}/mod{n}.py")
        elif kind < 12:
            paths.append(f"tests/pkg{n % 97}/test_mod{n - 9}.py")
        elif kind < 18:
            paths.append(f"web/components/c{n % 89}/Comp{n}.tsx")
        else:
            paths.append(f"src/features/f{n % 31}/feature{n}.ts")
    return paths


def content(path: str, n: int, extra: str = "") -> bytes:
    body = [f"# {path}\n" if path.endswith(".py") else f"// {path}\n"]
    body += [f"value_{i} = {n * i}\n" for i in range(25)]
    if n % 10 == 0:
        flag = f"flag-{(n // 10) % FLAGS}"
        body.append(
            f'if client.is_enabled("{flag}"):\n    pass\n'
            if path.endswith(".py")
            else f"if (ld.isEnabled('{flag}')) {{}}\n"
        )
    return ("".join(body) + extra).encode()


def blob(path: str, data: bytes) -> list[bytes]:
    return [f"M 100644 inline {path}\n".encode(), f"data {len(data)}\n".encode(), data, b"\n"]


def make_repo(root: Path, files: int, changed: int) -> None:
    subprocess.run(["git", "init", "-q", "-b", "main", str(root)], check=True, env=ENV)
    paths = layout(files)
    stamp = 1_780_000_000
    out: list[bytes] = [
        b"commit refs/heads/main\n",
        f"committer B <b@example.com> {stamp} +0000\n".encode(),
        b"data 11\nchore: base\n",
    ]
    out += blob("feature-flags.yaml", REGISTRY.encode())
    for n, path in enumerate(paths):
        out += blob(path, content(path, n))
    message = b"feat: touch many files"
    out += [
        b"\ncommit refs/heads/feat/many\n",
        f"committer B <b@example.com> {stamp + 60} +0000\n".encode(),
        f"data {len(message)}\n".encode(),
        message,
        b"\nfrom refs/heads/main\n",
    ]
    step = max(1, files // changed)
    for n in range(0, files, step)[:changed]:
        # Every 40th edit adds a kill-switch check, the rest a plain line.
        extra = "if client.is_enabled('flag-5'):\n    pass\n" if n % 40 == 0 else "added = 1\n"
        if not paths[n].endswith(".py"):
            extra = "if (isEnabled('flag-5')) {}\n" if n % 40 == 0 else "export const added = 1;\n"
        out += blob(paths[n], content(paths[n], n, extra))
    subprocess.run(
        ["git", "fast-import", "--quiet"], cwd=root, input=b"".join(out), check=True, env=ENV
    )
    subprocess.run(["git", "checkout", "-q", "feat/many"], cwd=root, check=True, env=ENV)


def timed(fn: Callable[[], CheckResult], runs: int) -> tuple[float, CheckResult]:
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    assert result is not None
    return statistics.median(times), result


def run_cold(
    root: Path, check: Callable[[RepoContext, Any], CheckResult], settings: Any
) -> CheckResult:
    return check(RepoContext(root, env=ENV), settings)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--files", type=int, default=20_000)
    parser.add_argument("--changed", type=int, default=2_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    gates: list[tuple[str, Callable[[RepoContext, Any], CheckResult], Any]] = [
        ("tdd strict", check_tdd, TddSettings()),
        ("tdd strict other_tests=never", check_tdd, TddSettings(other_tests="never")),
        ("tdd lenient", check_tdd, TddSettings(mode="lenient")),
        ("feature-flags scan=tree", check_feature_flags, FeatureFlagsSettings()),
        ("feature-flags scan=changed", check_feature_flags, FeatureFlagsSettings(scan="changed")),
        ("killswitch", check_killswitch, KillswitchSettings()),
        ("killswitch per_file", check_killswitch, KillswitchSettings(per_file=True)),
    ]
    with tempfile.TemporaryDirectory(prefix="prove-bench-") as tmp:
        root = Path(tmp) / "repo"
        start = time.perf_counter()
        make_repo(root, args.files, args.changed)
        print(
            f"generated {args.files} files, {args.changed} changed in "
            f"{time.perf_counter() - start:.1f} s"
        )
        warm = RepoContext(root, env=ENV)
        print(f"changed files: {len(warm.changed_files)}; tracked: {len(warm.work_tree_files)}")
        for label, check, settings in gates:
            cold_s, _ = timed(functools.partial(run_cold, root, check, settings), args.runs)
            warm_s, result = timed(functools.partial(check, warm, settings), args.runs)
            verdict = "pass" if result.passed else f"fail ({len(result.errors)} errors)"
            print(f"{label:30} warm {warm_s:6.3f} s   cold {cold_s:6.3f} s   {verdict}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
