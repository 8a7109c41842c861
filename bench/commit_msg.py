"""Benchmark: the commit-msg gate against its peer, commitizen's `cz check --rev-range`.

Usage: python bench/commit_msg.py [--commits 10000] [--repos 20] [--runs 3]

1. In-process: the check over N commits (including the one `git log` that reads them)
   against that bare `git log` call alone (target: at most 2x).
2. One repository: one whole `pytest` run of the gate against `cz check --rev-range`
   on the same range (target: not slower; issue 21: at most 0.8x cz's time), with the same
   verdict per commit.  Beside them, the floor of any pytest plugin that validates its
   configuration with pydantic (the product's configuration library): bare pytest with a
   plugin that starts git's log of the range, imports pydantic and PyYAML meanwhile,
   validates the configuration file with one model and reads the log; it judges nothing
   and reports nothing.
3. A fleet of R such repositories: one `pytest --prove-config` run against `cz check`
   in each repository in turn (target: at least 5x faster).

Repositories are generated with `git fast-import`: a trunk commit, then a branch of N
commits. ``--history linear``: one line of commits whose messages both tools accept, except
every 97th, which both reject.  ``--history realistic`` (the default, issue 21): 25 topic
branches forked from the branch and merged back with a merge commit, reverts
(``Revert "..."`` with git's body), multi-line bodies with footers, and 2% of messages that
follow no convention.
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

# The floor of [2]: what any pytest plugin configured through pydantic must do at least.
# LOG_ARGV is the gate's own log call (filled in from the product, so the two cannot drift).
FLOOR_PLUGIN = """
import subprocess


def pytest_configure(config):
    log = subprocess.Popen(LOG_ARGV, stdout=subprocess.PIPE)
    import pydantic
    import yaml

    class Settings(pydantic.BaseModel):
        checks: list[str] = []

    with open("prove.yaml", encoding="utf-8") as handle:
        Settings.model_validate(yaml.safe_load(handle))
    log.communicate()
"""

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


REALISTIC = (
    "feat(core): add widget {i}",
    "fix(parser): handle an empty line in block {i}\n\nThe parser read past the end when a\n"
    "block ended with an empty line.\n\nFixes: #{i}",
    "docs: explain option {i}",
    "refactor(api): split handler {i}\n\n- move validation out\n- keep the routes\n\n"
    "Refs: #{i}\nReviewed-by: A <a@example.com>",
    "test: cover case {i}",
    "chore(deps): bump lib to 1.{i}.0",
    "perf(db): batch writes {i}\n\nBatching halves the round trips.",
)
TOPICS = 25
TOPIC_COMMITS = 3


def realistic_message(i: int) -> str:
    if i % 50 == 7:  # 2% follow no convention
        return f"Update stuff {i}"
    return REALISTIC[i % len(REALISTIC)].format(i=i)


def _commit(branch: str, mark: int, stamp: int, text: str, parents: list[int]) -> list[str]:
    data = text.encode()
    lines = [f"commit refs/heads/{branch}", f"mark :{mark}"]
    lines += [f"committer B <b@example.com> {stamp} +0000", f"data {len(data)}", text]
    lines += [f"from :{parents[0]}", *(f"merge :{p}" for p in parents[1:])]
    return lines


def realistic_stream(commits: int, stamp: int) -> list[str]:
    """The branch of ``--history realistic``: ``commits`` commits in all, merges included."""
    lines = ["commit refs/heads/main", "mark :1", f"committer B <b@example.com> {stamp} +0000"]
    lines += ["data 12", "chore: start"]
    mark = tip = 1
    every = max(1, commits // (TOPICS + 1))
    subjects: dict[int, str] = {}
    made = topics = 0
    while made < commits:
        mark += 1
        made += 1
        if made % every == 0 and topics < TOPICS and made + TOPIC_COMMITS < commits:
            topics += 1
            fork = tip
            for _ in range(TOPIC_COMMITS):
                text = realistic_message(mark)
                lines += _commit(f"topic-{topics}", mark, stamp + mark, text, [fork])
                fork, mark, made = mark, mark + 1, made + 1
            text = f"Merge branch 'topic-{topics}' into feat/big"
            lines += _commit("feat/big", mark, stamp + mark, text, [tip, fork])
        elif made % 97 == 0 and subjects:
            sha_mark, subject = next(iter(subjects.items()))
            text = f'Revert "{subject}"\n\nThis reverts an earlier change (mark {sha_mark}).'
            lines += _commit("feat/big", mark, stamp + mark, text, [tip])
        else:
            text = realistic_message(mark)
            subjects = {mark: text.split("\n", 1)[0]}
            lines += _commit("feat/big", mark, stamp + mark, text, [tip])
        tip = mark
    return lines


def make_repo(path: Path, commits: int, history: str = "realistic") -> None:
    path.mkdir(parents=True)
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=path, check=True, env=ENV)
    lines = []
    stamp = 1_700_000_000
    if history == "realistic":
        lines = realistic_stream(commits, stamp)
    else:
        lines += ["commit refs/heads/main", "mark :1"]
        lines += [f"committer B <b@example.com> {stamp} +0000", "data 12", "chore: start"]
    prev = 1
    for i in range(1, commits + 1 if history == "linear" else 1):
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
    parser.add_argument("--history", choices=("realistic", "linear"), default="realistic")
    args = parser.parse_args()
    cz = peer_tool("cz", "commitizen")
    py = sys.executable
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        start = time.perf_counter()
        for r in range(args.repos):
            make_repo(root / f"repo-{r:02d}", args.commits, args.history)
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
            f"-> cz/pytest = {cz_one / pytest_one:.2f}x (target >= 1), pytest/cz = "
            f"{pytest_one / cz_one:.2f}x (issue 21: <= 0.8x); "
            f"{len(our_failures)} failing commits, {same} verdicts as cz ({len(theirs)})"
        )
        plugins = root / "floor-plugin"
        plugins.mkdir()
        from pytest_prove.git.log import LOG_FORMAT

        log_argv = ["git", "log", "-z", LOG_FORMAT, "--topo-order", "--reverse", "main..HEAD"]
        floor_plugin = FLOOR_PLUGIN.replace("LOG_ARGV", repr(log_argv))
        (plugins / "commit_floor.py").write_text(floor_plugin, encoding="utf-8")
        pytest_alone = [py, "-m", "pytest", "--co", "-q", "-p", "no:cacheprovider"]
        pytest_alone += ["-p", "no:prove"]
        floor_env = {**ENV, "PYTHONPATH": str(plugins)}
        bare_one = timed(lambda: run(pytest_alone, one, (5,)), args.runs)
        floored = [*pytest_alone, "-p", "commit_floor"]
        floor_one = timed(lambda: run(floored, one, (5,), floor_env), args.runs)
        print(
            f"    bare pytest {bare_one:.2f} s; floor with pydantic {floor_one:.2f} s "
            f"= {floor_one / cz_one:.2f}x cz; the gate is {pytest_one - floor_one:.2f} s above it"
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
