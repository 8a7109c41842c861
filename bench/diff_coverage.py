"""Benchmark: the coverage gate against its peer, diff-cover.

Usage: python bench/diff_coverage.py [--files 5000] [--lines 100] [--changed 500]
                                     [--repos 20] [--runs 3]

1. In-process: the check (a fresh repository context, so its git diff included) against
   diff-cover's whole run on the same repository and Cobertura report (target: 5x faster).
2. One repository: one whole `pytest` run of the gate against diff-cover (target: faster).
3. A fleet of R such repositories: one `pytest --prove-config` run against diff-cover in
   each repository in turn (target: at least 5x faster).

(Not named coverage.py: run as a script, this directory comes first on sys.path and would
shadow the coverage package for every script here.)

Each repository is generated with `git fast-import`: FILES Python files of LINES one-statement
lines on main, then a branch rewriting 20 lines in each of CHANGED files. Its `coverage.xml`
lists every line of every file, 4 in 5 of them hit (seeded).  Both tools must report the same
percentage, the same missed lines and the same verdict at a threshold of 80.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from peer_runs import ENV, peer_tool, run, timed

EDITED = range(10, 30)  # the lines each changed file rewrites
THRESHOLD = 80


def source(lines: int, edited: bool) -> bytes:
    return "".join(
        f"v{n} = {n} + 1\n" if edited and n in EDITED else f"v{n} = {n}\n"
        for n in range(1, lines + 1)
    ).encode()


def fast_import_file(path: str, data: bytes) -> bytes:
    return b"M 100644 inline " + path.encode() + b"\ndata %d\n" % len(data) + data + b"\n"


def make_repo(path: Path, files: int, lines: int, changed: int, seed: int) -> None:
    path.mkdir(parents=True)
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=path, check=True, env=ENV)
    names = [f"pkg{f // 100:03d}/mod{f % 100:02d}.py" for f in range(files)]
    base, edit = source(lines, False), source(lines, True)
    stream = [b"commit refs/heads/main\nmark :1\ncommitter B <b@example.com> 1700000000 +0000\n"]
    stream.append(b"data 4\nbase\n")
    stream.append(fast_import_file(".gitignore", b"coverage.xml\n*.json\n"))
    stream += [fast_import_file(n, base) for n in names]
    stream.append(b"\ncommit refs/heads/feat/cov\ncommitter B <b@example.com> 1700000100 +0000\n")
    stream.append(b"data 4\nedit\nfrom :1\n")
    step = max(files // changed, 1)
    stream += [fast_import_file(n, edit) for n in names[::step][:changed]]
    subprocess.run(
        ["git", "fast-import", "--quiet"], cwd=path, input=b"".join(stream), check=True, env=ENV
    )
    subprocess.run(["git", "checkout", "-q", "feat/cov"], cwd=path, check=True, env=ENV)
    write_cobertura(path, names, lines, random.Random(seed))


def write_cobertura(repo: Path, names: list[str], lines: int, rng: random.Random) -> None:
    out = [
        '<?xml version="1.0" ?>\n<coverage version="7.6" timestamp="1700000200000" '
        f'lines-valid="{len(names) * lines}" line-rate="0.8" branch-rate="0" complexity="0">\n'
        f"\t<sources>\n\t\t<source>{repo}</source>\n\t</sources>\n\t<packages>\n"
    ]
    for package in sorted({n.split("/")[0] for n in names}):
        out.append(f'\t\t<package name="{package}" line-rate="0.8" branch-rate="0">\n')
        out.append("\t\t\t<classes>\n")
        for name in (n for n in names if n.startswith(package + "/")):
            module = name.split("/")[1]
            out.append(
                f'\t\t\t\t<class name="{module}" filename="{name}" complexity="0" '
                'line-rate="0.8" branch-rate="0">\n\t\t\t\t\t<methods/>\n\t\t\t\t\t<lines>\n'
            )
            out += [
                f'\t\t\t\t\t\t<line number="{n}" hits="{int(rng.random() < 0.8)}"/>\n'
                for n in range(1, lines + 1)
            ]
            out.append("\t\t\t\t\t</lines>\n\t\t\t\t</class>\n")
        out.append("\t\t\t</classes>\n\t\t</package>\n")
    out.append("\t</packages>\n</coverage>\n")
    (repo / "coverage.xml").write_text("".join(out), encoding="utf-8")


def diff_cover_argv(diff_cover: str) -> list[str]:
    return [
        diff_cover,
        "coverage.xml",
        "--compare-branch=main",
        f"--fail-under={THRESHOLD}",
        "--total-percent-float",
        "--format=json:diff-cover.json",
        "-q",
    ]


def in_process(one: Path, argv: list[str], runs: int) -> tuple[float, float, bool]:
    """[1]: the check in-process vs diff-cover's whole run; both must agree."""
    from pytest_prove.checks.coverage import (
        CoverageSettings,
        DiffCoverage,
        check_coverage,
        diff_coverage,
    )
    from pytest_prove.git.context import RepoContext

    settings = CoverageSettings(threshold=THRESHOLD)
    results = []

    def check() -> None:
        results.append(check_coverage(RepoContext(one, env=ENV), settings))

    ours = timed(check, runs)
    dc_exit = run(argv, one, (0, 1)).returncode
    peer = json.loads((one / "diff-cover.json").read_text())
    theirs = timed(lambda: run(argv, one, (dc_exit,)), runs)
    result = results[-1]
    outcome = diff_coverage(RepoContext(one, env=ENV), settings)
    assert isinstance(outcome, DiffCoverage), outcome
    same = (
        result.metrics["coverage_percent"] == peer["total_percent_covered"]
        and result.metrics["measurable"] == peer["total_num_lines"]
        and result.passed == (dc_exit == 0)
        and {f.path: list(f.missed) for f in outcome.measurement.files}
        == {path: s["violation_lines"] for path, s in peer["src_stats"].items()}
    )
    print(
        f"    ours: {result.metrics['coverage_percent']}% of {result.metrics['measurable']} "
        f"lines, passed={result.passed}; diff-cover: {peer['total_percent_covered']}% of "
        f"{peer['total_num_lines']}, exit {dc_exit} -> {'same' if same else 'DIFFERENT'}"
    )
    print(
        f"[1] in-process check {ours:.3f} s; diff-cover {theirs:.2f} s "
        f"-> {theirs / ours:.1f}x (target >= 5x)"
    )
    return ours, theirs, result.passed


def whole_runs(
    root: Path, repos: int, argv: list[str], *, theirs: float, passed: bool, runs: int
) -> None:
    """[2] and [3]: whole pytest processes vs diff-cover processes."""
    lines = ['version: "1.0"', "repositories:"]
    for r in range(repos):
        lines += [f"  - name: repo-{r:02d}", f"    path: ./repo-{r:02d}", "    checks: [coverage]"]
    (root / "multi.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (root / "one.yaml").write_text("\n".join(lines[:5]) + "\n", encoding="utf-8")
    (root / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")
    py = sys.executable
    gate = [py, "-m", "pytest", "--prove-config", "one.yaml", "-q", "-p", "no:cacheprovider"]
    pytest_one = timed(lambda: run(gate, root, (0,) if passed else (1,)), runs)
    print(
        f"[2] one repo: pytest gate {pytest_one:.2f} s; diff-cover {theirs:.2f} s "
        f"-> diff-cover/pytest = {theirs / pytest_one:.2f}x (target >= 1)"
    )
    fleet = [py, "-m", "pytest", "--prove-config", "multi.yaml", "-q", "-p", "no:cacheprovider"]
    fleet_serial = timed(lambda: run(fleet, root, (0, 1)), runs)
    fleet_n2 = timed(lambda: run([*fleet, "-n", "2"], root, (0, 1)), runs)

    def diff_cover_each() -> None:
        for r in range(repos):
            run(argv, root / f"repo-{r:02d}", (0, 1))

    dc_fleet = timed(diff_cover_each, 1)
    print(
        f"[3] fleet of {repos}: pytest -n 0 {fleet_serial:.2f} s, -n 2 {fleet_n2:.2f} s; "
        f"diff-cover repo by repo {dc_fleet:.2f} s -> {dc_fleet / fleet_serial:.1f}x (-n 0), "
        f"{dc_fleet / fleet_n2:.1f}x (-n 2) (target >= 5x)"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--files", type=int, default=5000)
    parser.add_argument("--lines", type=int, default=100)
    parser.add_argument("--changed", type=int, default=500)
    parser.add_argument("--repos", type=int, default=20)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    diff_cover = peer_tool("diff-cover", "diff-cover")
    argv = diff_cover_argv(diff_cover)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        start = time.perf_counter()
        for r in range(args.repos):
            make_repo(root / f"repo-{r:02d}", args.files, args.lines, args.changed, seed=r)
        size = (root / "repo-00" / "coverage.xml").stat().st_size / 1e6
        print(
            f"built {args.repos} repositories x {args.files} files x {args.lines} lines "
            f"({args.changed} changed; coverage.xml {size:.1f} MB) in "
            f"{time.perf_counter() - start:.1f} s"
        )
        _, theirs, passed = in_process(root / "repo-00", argv, args.runs)
        whole_runs(root, args.repos, argv, theirs=theirs, passed=passed, runs=args.runs)


if __name__ == "__main__":
    main()
