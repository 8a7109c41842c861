"""Benchmark: the commit-msg gate against its peer, commitizen's `cz check --rev-range`.

Usage: python bench/commit_msg.py [--commits 10000] [--repos 20] [--runs 3]

1. In-process: the check over N commits (including the one `git log` that reads them)
   against that bare `git log` call alone (target: at most 2x).
2. One repository: one whole `pytest` run of the gate against `cz check --rev-range`
   on the same range (target: not slower), with the same verdict per commit.
3. A fleet of R such repositories: one `pytest --prove-config` run against `cz check`
   in each repository in turn (target: at least 5x faster).

Repositories are generated with `git fast-import`: a trunk commit, then a branch of N
commits whose messages both tools accept, except every 97th, which both reject.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from peer_runs import ENV, peer_tool, run, timed

GOOD = (
    "feat(core): add widget {i}",
    "fix: handle case {i}",
    "docs: update guide {i}",
    "refactor(api): simplify handler {i}\n\nBody line for {i}.",
    "perf: faster path {i}",
)
BAD_EVERY = 97
MAX = 1_000_000


def message(i: int) -> str:
    return f"update stuff {i}" if i % BAD_EVERY == 0 else GOOD[i % len(GOOD)].format(i=i)


def make_repo(path: Path, commits: int) -> None:
    path.mkdir(parents=True)
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=path, check=True, env=ENV)
    lines = []
    stamp = 1_700_000_000
    lines += ["commit refs/heads/main", "mark :1", f"committer B <b@example.com> {stamp} +0000"]
    data = b"chore: start"
    lines += [f"data {len(data)}", data.decode()]
    prev = 1
    for i in range(1, commits + 1):
        text = message(i).encode()
        lines += [
            "commit refs/heads/feat/big",
            f"mark :{i + 1}",
            f"committer B <b@example.com> {stamp + i} +0000",
            f"data {len(text)}",
            text.decode(),
            f"from :{prev}",
        ]
        prev = i + 1
    stream = ("\n".join(lines) + "\n").encode()
    subprocess.run(["git", "fast-import", "--quiet"], cwd=path, input=stream, check=True, env=ENV)
    subprocess.run(["git", "checkout", "-q", "feat/big"], cwd=path, check=True, env=ENV)
    (path / "prove.yaml").write_text(
        f"checks: [commit-msg]\ncommit-msg: {{max_findings: {MAX}}}\n", encoding="utf-8"
    )
    (path / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")
    # Neither tool should see the config files as uncommitted noise: they only read commits.


def in_process(repo: Path, runs: int) -> tuple[float, float, set[str]]:
    from pytest_prove.checks.commit_msg import CommitMsgSettings, check_commit_messages
    from pytest_prove.git.context import RepoContext

    settings = CommitMsgSettings(max_findings=MAX)  # every finding, to compare verdicts
    bare = timed(
        lambda: run(["git", "log", "--format=%H%x00%B%x00", "main..HEAD"], repo, (0,)), runs
    )
    found: set[str] = set()

    def check() -> None:
        result = check_commit_messages(RepoContext(repo, env=ENV), settings)
        found.clear()
        found.update(f.message.split()[0] for f in result.findings if f.severity == "error")

    ours = timed(check, runs)
    return bare, ours, found


def cz_failures(output: str) -> set[str]:
    return {sha[:10] for sha in re.findall(r'commit "([0-9a-f]{40})"', output)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--commits", type=int, default=10_000)
    parser.add_argument("--repos", type=int, default=20)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    cz = peer_tool("cz", "commitizen")
    py = sys.executable
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        start = time.perf_counter()
        for r in range(args.repos):
            make_repo(root / f"repo-{r:02d}", args.commits)
        print(
            f"built {args.repos} repositories x {args.commits} commits in "
            f"{time.perf_counter() - start:.1f} s"
        )
        one = root / "repo-00"

        bare, ours, our_failures = in_process(one, args.runs)
        print(
            f"[1] bare git log: {bare:.3f} s; check in-process: {ours:.3f} s "
            f"-> {ours / bare:.2f}x (target <= 2x)"
        )

        gate = [py, "-m", "pytest", "--prove", "--prove-only", "-q", "-p", "no:cacheprovider"]
        pytest_one = timed(lambda: run(gate, one, (1,)), args.runs)
        cz_argv = [cz, "check", "--rev-range", "main..HEAD"]
        cz_one = timed(lambda: run(cz_argv, one, (14,)), args.runs)
        cz_out = run(cz_argv, one, (14,))
        theirs = cz_failures(cz_out.stdout + cz_out.stderr)
        same = "same" if theirs == our_failures else "DIFFERENT"
        print(
            f"[2] one repo: pytest gate {pytest_one:.2f} s; cz check {cz_one:.2f} s "
            f"-> cz/pytest = {cz_one / pytest_one:.2f}x (target >= 1); "
            f"{len(our_failures)} failing commits, {same} verdicts as cz ({len(theirs)})"
        )

        lines = ['version: "1.0"', "repositories:"]
        for r in range(args.repos):
            lines += [f"  - name: repo-{r:02d}", f"    path: ./repo-{r:02d}"]
        (root / "multi.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
        (root / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")
        fleet = [py, "-m", "pytest", "--prove-config", "multi.yaml", "-q", "-p", "no:cacheprovider"]
        fleet_serial = timed(lambda: run(fleet, root, (1,)), args.runs)
        fleet_n2 = timed(lambda: run([*fleet, "-n", "2"], root, (1,)), args.runs)

        def cz_each() -> None:
            for r in range(args.repos):
                run(cz_argv, root / f"repo-{r:02d}", (14,))

        cz_fleet = timed(cz_each, 1)
        print(
            f"[3] fleet of {args.repos}: pytest -n 0 {fleet_serial:.2f} s, -n 2 {fleet_n2:.2f} s; "
            f"cz check repo by repo {cz_fleet:.2f} s -> {cz_fleet / fleet_serial:.1f}x (-n 0), "
            f"{cz_fleet / fleet_n2:.1f}x (-n 2) (target >= 5x)"
        )


if __name__ == "__main__":
    main()
