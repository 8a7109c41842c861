"""Benchmark: collecting a generated fleet of N repositories x 9 checks (SPEC §8).

Usage: python bench/collect_fleet.py [--repos 1000] [--runs 5]

Prints the median wall time of `pytest --prove-config multi.yaml --collect-only -q`,
the median of bare pytest start-up on an empty directory, their difference, and the
peak resident memory of the collecting process. Collection must not touch git: the
repositories are plain directories.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

COMMANDS = [f"gate-{i}" for i in range(8)]


def make_fleet(root: Path, repos: int) -> Path:
    lines = ['version: "1.0"', "repositories:"]
    for i in range(repos):
        name = f"service-{i:04d}"
        (root / name).mkdir()
        lines += [f"  - name: {name}", f"    path: ./{name}", "    schedule: on-push"]
    lines += ["global:", "  concurrency: 2", "  commands:"]
    lines += [f"    {c}: {{argv: ['true']}}" for c in COMMANDS]
    text = "\n".join(lines) + "\n"
    # Nine gates per repository: commit-msg plus eight commands.
    text = text.replace(
        "    schedule: on-push",
        f"    schedule: on-push\n    checks: [commit-msg, {', '.join(COMMANDS)}]",
    )
    multi = root / "multi.yaml"
    multi.write_text(text, encoding="utf-8")
    (root / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")
    return multi


def timed(argv: list[str], cwd: Path, ok: tuple[int, ...] = (0,)) -> tuple[float, int, str]:
    start = time.perf_counter()
    proc = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    rss_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    if proc.returncode not in ok:
        raise SystemExit(
            f"{' '.join(argv)} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}"
        )
    return elapsed, rss_kb, proc.stdout


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repos", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        make_fleet(root, args.repos)
        empty = root / "empty"
        empty.mkdir()
        (empty / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")
        py = sys.executable
        # Exit code 5 (no tests) is the expected outcome of bare start-up.
        bare = [
            timed(
                [py, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider"],
                empty,
                (0, 5),
            )[0]
            for _ in range(args.runs)
        ]
        collect = []
        out = ""
        for _ in range(args.runs):
            elapsed, _, out = timed(
                [
                    py,
                    "-m",
                    "pytest",
                    "--prove-config",
                    "multi.yaml",
                    "--collect-only",
                    "-q",
                    "-p",
                    "no:cacheprovider",
                ],
                root,
            )
            collect.append(elapsed)
        peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        items = out.strip().splitlines()[-1]
    b, c = statistics.median(bare), statistics.median(collect)
    print(f"fleet: {args.repos} repositories x 9 checks -> {items}")
    print(f"bare pytest start-up (median of {args.runs}): {b:.2f} s")
    print(f"collect fleet (median of {args.runs}):        {c:.2f} s")
    print(f"collection cost above start-up:              {c - b:.2f} s (target < 2 s)")
    print(f"peak RSS of any child process:               {peak_mb:.0f} MB (target < 300 MB)")


if __name__ == "__main__":
    main()
