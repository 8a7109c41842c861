"""Benchmark: the tdd gate on the real histories of public repositories.

Usage: python bench/tdd_layouts.py [--ranges 400] [--json OUT] [--code DIR] GIT_DIR [GIT_DIR ...]

Each range is one first-parent step of ``HEAD``'s history (``C^1..C``): a merged pull
request on a history of merge commits, a squashed one on a linear history.  The gate
judges each range as it would on the branch that became ``C``: the files changed
between ``C^1`` and ``C`` and the tree of ``C`` (its root-level files and the changed
files are written to a scratch directory, where the gate reads configuration and
first lines; the listing of existing files is ``git ls-tree`` of ``C``).

A range counts as "source and test changed together" when it changes at least one file
that looks like a test by name or place (``test_*.py``, ``*_test.go``, ``*.test.ts``,
``FooTest.java``, a ``test/``, ``tests/``, ``testing/``, ``__tests__/``, ``spec/`` or
``src/test/`` directory) and at least one code file that does not (by extension, outside
``docs/``, ``examples/``, fixtures and vendored trees).  That rule is this script's own,
independent of the gate's configuration reading, so a gate that learns more about a
layout is measured against the same ranges.  The goal: no finding on those ranges.

Printed per repository: ranges measured, ranges with source and test together, how many of
those the gate fails (``error`` findings), how many it judged (at least one changed source
file), and the files it reported as not judged (the ``not_judged`` metric, when the gate has
one).  With ``--json``, every failed range's findings are written out, to read the misses.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any


def _code_first_on_path() -> None:
    """``--code DIR``: import ``pytest_prove`` from DIR (an older checkout), not the installed."""
    if "--code" in sys.argv:
        code = sys.argv[sys.argv.index("--code") + 1]
        # An editable install maps the package through a finder of its own, ahead of sys.path.
        sys.meta_path[:] = [f for f in sys.meta_path if "editable" not in repr(f).lower()]
        sys.path.insert(0, code)


_code_first_on_path()

from pytest_prove.checks.tdd import TddSettings, check_tdd  # noqa: E402
from pytest_prove.git.diff import ChangedFile, parse_diff  # noqa: E402

_TEST_DIRS = frozenset({"test", "tests", "testing", "__tests__", "spec", "specs"})
_TEST_NAME = re.compile(
    r"(^test_.*\.py$)|(_test\.(py|go)$)|(\.(test|spec)\.[cm]?[jt]sx?$)"
    r"|((Test|Tests|IT)\.(java|kt)$)|(Tests?\.cs$)"
)
_CODE_EXTS = frozenset(
    {"py", "js", "jsx", "ts", "tsx", "mjs", "cjs", "go", "java", "kt", "cs", "rs", "rb", "c", "cc"}
)
_NOT_CODE_DIRS = frozenset(
    {"docs", "doc", "examples", "example", "fixtures", "__fixtures__", "testdata", "vendor"}
)


def _git(git_dir: Path, *args: str) -> bytes:
    return subprocess.run(
        ["git", f"--git-dir={git_dir}", *args], check=True, capture_output=True
    ).stdout


def _looks_like_test(path: str) -> bool:
    parts = path.split("/")
    in_src_test = "/src/test/" in f"/{path}"
    return in_src_test or bool(_TEST_DIRS & set(parts[:-1])) or bool(_TEST_NAME.search(parts[-1]))


def _looks_like_code(path: str) -> bool:
    parts = path.split("/")
    ext = parts[-1].rpartition(".")[2]
    return ext in _CODE_EXTS and not (_NOT_CODE_DIRS & set(parts[:-1]))


def together(changed: Sequence[ChangedFile]) -> bool:
    live = [f.path for f in changed if f.status != "deleted"]
    tests = [p for p in live if _looks_like_test(p)]
    sources = [p for p in live if not _looks_like_test(p) and _looks_like_code(p)]
    return bool(tests) and bool(sources)


class _RangeContext:
    """What the gate reads of a repository, for one range of a bare history."""

    def __init__(self, root: Path, changed: tuple[ChangedFile, ...], files: frozenset[str]) -> None:
        self.root = root
        self.toplevel = root
        self.name = root.name
        self.changed_files = changed
        self.work_tree_files = files


def _materialize(git_dir: Path, commit: str, paths: Sequence[str], root: Path) -> None:
    for path in paths:
        try:
            data = _git(git_dir, "show", f"{commit}:{path}")
        except subprocess.CalledProcessError:
            continue  # a submodule, or a path that is not a blob
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)


def measure(git_dir: Path, ranges: int) -> dict[str, Any]:
    out = _git(git_dir, "rev-list", "--first-parent", "--parents", f"--max-count={ranges}", "HEAD")
    stats: dict[str, Any] = {
        "repository": git_dir.name if git_dir.name != "repo" else git_dir.parent.name,
        "head": _git(git_dir, "rev-parse", "HEAD").decode().strip(),
        "ranges": 0,
        "unreadable": 0,
        "together": 0,
        "failed": 0,
        "judged": 0,
        "not_judged_ranges": 0,
        "not_judged_files": 0,
        "misses": [],
    }
    for line in out.decode().splitlines():
        commit, *parents = line.split()
        if not parents:
            continue
        try:
            diff = _git(
                git_dir,
                "diff", "--patch-with-raw", "-z", "-M", "-U0", "--no-color", "--no-ext-diff",
                "--no-textconv", "--submodule=short", parents[0], commit,
            )  # fmt: skip
        except subprocess.CalledProcessError:
            stats["unreadable"] += 1  # a mirror may lack its largest blobs
            continue
        changed = tuple(parse_diff(diff))
        stats["ranges"] += 1
        if not together(changed):
            continue
        stats["together"] += 1
        listing = _git(git_dir, "ls-tree", "-r", "-z", "--name-only", commit).decode()
        files = frozenset(p for p in listing.split("\0") if p)
        top = _git(git_dir, "ls-tree", "-z", "--name-only", commit).decode()
        roots = [p for p in top.split("\0") if p and p in files]
        live = [f.path for f in changed if f.status != "deleted"]
        with tempfile.TemporaryDirectory() as scratch:
            root = Path(scratch)
            _materialize(git_dir, commit, [*roots, *live], root)
            result = check_tdd(_RangeContext(root, changed, files), TddSettings())  # type: ignore[arg-type]
        judged = sum(result.judged.values())
        stats["judged"] += judged > 0
        not_judged = int(result.metrics.get("not_judged", 0))
        stats["not_judged_ranges"] += not_judged > 0
        stats["not_judged_files"] += not_judged
        if not result.passed:
            stats["failed"] += 1
            stats["misses"].append(
                {"commit": commit, "findings": [f"{f.file} {f.rule}" for f in result.errors]}
            )
    return stats


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("git_dirs", nargs="+", type=Path)
    parser.add_argument("--ranges", type=int, default=400, help="first-parent steps per history")
    parser.add_argument("--code", type=Path, help="import pytest_prove from this checkout")
    parser.add_argument("--json", type=Path, help="write every failed range's findings here")
    args = parser.parse_args(argv)
    print("| repository | HEAD | ranges | source+test together | failed | judged | not judged |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    every = []
    for git_dir in args.git_dirs:
        s = measure(git_dir, args.ranges)
        every.append(s)
        share = f"{s['failed'] / s['together']:.1%}" if s["together"] else "-"
        print(
            f"| {s['repository']} | {s['head'][:10]} | {s['ranges']} | {s['together']} "
            f"| {s['failed']} ({share}) | {s['judged']} "
            f"| {s['not_judged_ranges']} ranges, {s['not_judged_files']} files |",
            flush=True,
        )
    if args.json:
        args.json.write_text(json.dumps(every, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
