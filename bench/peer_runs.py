"""Environment, timing and running helpers shared by the benchmarks."""

from __future__ import annotations

import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

# No user or system git config: the figures must not depend on the machine's settings.
ENV = {**os.environ, "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull}


def timed(fn: Callable[[], object], runs: int) -> float:
    """The median wall time of ``runs`` calls."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def run(
    argv: list[str], cwd: Path, ok: tuple[int, ...], env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run ``argv`` (with :data:`ENV`, or ``env``); any exit code outside ``ok`` ends the
    benchmark with its output."""
    proc = subprocess.run(
        argv, cwd=cwd, capture_output=True, text=True, env=env or ENV, check=False
    )
    if proc.returncode not in ok:
        raise SystemExit(
            f"{argv} -> {proc.returncode}\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}"
        )
    return proc


def run_timed(
    argv: list[str], cwd: Path, env: dict[str, str] | None = None
) -> tuple[subprocess.CompletedProcess[str], float, float]:
    """Run ``argv`` to success; its output, wall time and CPU time (its children's too)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(
        argv, cwd=cwd, capture_output=True, text=True, env=ENV if env is None else env, check=False
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise SystemExit(
            f"{argv} -> {proc.returncode}\n{proc.stdout[-3000:]}\n{proc.stderr[-2000:]}"
        )
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return proc, wall, cpu


def counting_git(folder: Path, log: Path, *, with_cwd: bool = False) -> dict[str, str]:
    """An environment whose ``git`` logs every call to ``log`` and runs the real git.

    A line is the arguments joined by spaces, or with ``with_cwd`` the working directory and
    the arguments joined by the unit separator (arguments may hold spaces).
    """
    real = shutil.which("git")
    assert real is not None, "git is needed"
    folder.mkdir()
    wrapper = folder / "git"
    line = '(IFS=$(printf "\\037"); echo "$PWD$IFS$*")' if with_cwd else 'echo "$*"'
    wrapper.write_text(f'#!/bin/sh\n{line} >> "{log}"\nexec "{real}" "$@"\n')
    wrapper.chmod(0o755)
    return {**ENV, "PATH": f"{folder}{os.pathsep}{ENV['PATH']}"}


def peer_tool(name: str, package: str) -> str:
    """The peer's executable: installed beside this Python (a clean venv), else on PATH."""
    beside = Path(sys.executable).with_name(name)
    found = str(beside) if beside.exists() else shutil.which(name)
    if found is None:
        raise SystemExit(f"{name} is needed: pip install {package}")
    return found
