"""Benchmark: what sanitizing a gate's result (redact/sanitize.py) costs a gate with many findings.

Usage: python bench/sanitize.py [--findings 30000] [--runs 5]

1. In-process: ``sanitize_result`` over N findings of four kinds (messages naming paths with
   ``_``, plain prose, one in ten holding a token, one in ten a control character), beside
   ``format_failure`` of the same result (the failure text every failing gate builds) for scale.
2. One long string: a 200 KB commit subject and 6 MB of output.
3. Whole runs: ``pytest --prove-config`` of a third-party check returning N findings, with
   ``--junitxml``, once as shipped and once with ``sanitize_result`` patched out (fastest of R).
"""

from __future__ import annotations

import argparse
import functools
import os
import subprocess
import sys
import tempfile
import time
import timeit
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pytest_prove.api import CheckResult, Finding  # noqa: E402
from pytest_prove.redact.sanitize import sanitize, sanitize_result  # noqa: E402
from pytest_prove.report.failure import format_failure  # noqa: E402
from tests.plugin_site import install_check  # noqa: E402

TOKEN = "ghp_" + "aB3" * 12
KINDS: dict[str, Callable[[int], str]] = {
    "paths with _": lambda i: (
        f"src/my_pkg/mod_{i}.py changed without a matching test change: "
        f"expected one of tests/test_mod_{i}.py, tests/**/test_mod_{i}.py"
    ),
    "prose": lambda i: f"line {i} is too long for the configured limit of the linter here",
    "1 in 10 a token": lambda i: f"line {i} quotes " + (TOKEN if i % 10 == 0 else "nothing"),
    "1 in 10 a control character": lambda i: f"line {i} " + ("\x1b[0m" if i % 10 == 0 else "ok"),
}
CHECK = """
import os
from pytest_prove.checks.hook import hookimpl
from pytest_prove.api import Check, CheckResult, CheckSettings, Finding

def run(context, settings):
    return CheckResult(findings=[
        Finding(rule="missing-test", file=f"src/my_pkg/mod_{i}.py", line=i,
                message=f"src/my_pkg/mod_{i}.py changed without a matching test change")
        for i in range(int(os.environ["BENCH_FINDINGS"]))
    ])

if os.environ.get("BENCH_RAW"):
    import pytest_prove.redact.sanitize as sanitize
    sanitize.sanitize_result = lambda result: result

@hookimpl
def prove_checks():
    return [Check(name="many", run=run, settings_model=CheckSettings)]
"""


def in_process(count: int, runs: int) -> None:
    for kind, message in KINDS.items():
        result = CheckResult(
            findings=[
                Finding(rule="rule", message=message(i), file=f"src/my_pkg/mod_{i}.py", line=i)
                for i in range(count)
            ]
        )
        took = min(timeit.repeat(functools.partial(sanitize_result, result), number=1, repeat=runs))
        text = min(
            timeit.repeat(
                functools.partial(format_failure, "r", "c", result), number=1, repeat=runs
            )
        )
        print(f"{kind}: sanitize_result {took * 1e3:.0f} ms, format_failure {text * 1e3:.0f} ms")
    for label, size in (("200 KB subject", 200_000), ("6 MB output", 6_000_000)):
        long = "feat: " + "word " * (size // 5)
        took = min(timeit.repeat(functools.partial(sanitize, long), number=1, repeat=runs))
        print(f"{label}: sanitize {took * 1e3:.1f} ms")


def whole_runs(count: int, runs: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        site = install_check(work / "site", "many_findings", CHECK)
        repo = work / "r"
        subprocess.run(["git", "init", "-q", "-b", "main", str(repo)], check=True)
        (work / "multi.yaml").write_text(
            "repositories:\n  - {name: r, path: ./r, checks: [many]}\n", encoding="utf-8"
        )
        env = {**os.environ, "PYTHONPATH": str(site), "BENCH_FINDINGS": str(count)}
        env.setdefault("GIT_AUTHOR_NAME", "bench")
        env.setdefault("GIT_AUTHOR_EMAIL", "bench@example.com")
        env["GIT_COMMITTER_NAME"], env["GIT_COMMITTER_EMAIL"] = "bench", "bench@example.com"
        subprocess.run(
            ["git", "-C", str(repo), "commit", "-q", "--allow-empty", "-m", "init"],
            check=True,
            env=env,
        )
        argv = [sys.executable, "-m", "pytest", "--prove-config", "multi.yaml", "-q"]
        argv += ["-p", "no:cacheprovider", "--prove-no-history", "--junitxml=j.xml"]
        for label, extra in (("patched out", {"BENCH_RAW": "1"}), ("as shipped", {})):
            best = float("inf")
            for _ in range(runs):
                start = time.perf_counter()
                subprocess.run(
                    argv, cwd=work, env={**env, **extra}, capture_output=True, check=False
                )
                best = min(best, time.perf_counter() - start)
            print(f"whole run, {count} findings, sanitizing {label}: {best:.2f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--findings", type=int, default=30_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    in_process(args.findings, args.runs)
    whole_runs(args.findings, args.runs)


if __name__ == "__main__":
    main()
