"""Benchmark: the tdd gate on the real histories of public repositories.

Usage: python bench/tdd_layouts.py [--ranges 400] [--json OUT] [--code DIR] GIT_DIR [GIT_DIR ...]

Each range is one first-parent step of ``HEAD``'s history (``C^1..C``): a merged pull
request on a history of merge commits, a squashed one on a linear history.  The gate
judges each range as it would on the branch that became ``C``: the files changed
between ``C^1`` and ``C`` and the tree of ``C`` (its root-level files and the changed
files are written to a scratch directory, where the gate reads configuration and
first lines; the listing of existing files is ``git ls-tree`` of ``C``).

Which ranges are measured comes from this script's own rules, independent of the gate's
configuration reading, so a gate that learns more about a layout is measured against the
same ranges.  A changed file is a test when it looks like one by name or place
(``test_*.py``, ``*_test.go``, ``*.test.ts``, ``*_spec.ts``, ``FooTest.java``, a ``test/``,
``tests/``, ``testing/``, ``__tests__/``, ``spec/`` or ``src/test/`` directory) and code
when it does not and has a code extension outside ``docs/``, ``examples/``, fixtures and
vendored trees.
A range with code and tests is one of:

- ``one source``: exactly one code file changed, with at least one test: that test is its
  test, whatever its name.  Goal: no finding.
- ``each named``: every changed code file has a changed test whose file name holds the code
  file's stem (its folder's name for an ``index``/``__init__``/``mod`` file; stems of three
  letters or more).  Goal: no finding.
- ``other``: the rest, typically sweeps (a lint autofix over six modules with three
  unrelated test edits), where a finding may be right.

And ``no test``: code changed and no test did.  There the gate should fail, except where
the change touched only comments or moved files; that figure shows the gate still judges.

Printed per repository: ranges measured, then for each kind how many ranges and how many the
gate fails (``error`` findings).  With ``--json``, every judged range's verdict, findings and
metrics are written out, to read the misses.
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
    r"(^test_.*\.py$)|(_test\.(py|go)$)|([._](test|spec)\.[cm]?[jt]sx?$)"
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


_PACKAGE_STEMS = frozenset({"index", "__init__", "mod"})


def _squash(name: str) -> str:
    return name.lower().replace("-", "").replace("_", "").replace(".", "")


def _named_after(test: str, source: str) -> bool:
    directory, _, name = source.rpartition("/")
    stem = name.rpartition(".")[0]
    if stem in _PACKAGE_STEMS:
        stem = directory.rpartition("/")[2]
    stem = _squash(stem)
    return len(stem) >= 3 and stem in _squash(test.rpartition("/")[2].rpartition(".")[0])


def kind(changed: Sequence[ChangedFile]) -> str | None:
    """``one source``, ``each named``, ``other``, ``no test``; None without code."""
    live = [f.path for f in changed if f.status != "deleted"]
    tests = [p for p in live if _looks_like_test(p)]
    sources = [p for p in live if not _looks_like_test(p) and _looks_like_code(p)]
    if not sources:
        return None
    if not tests:
        return "no test"
    if len(sources) == 1:
        return "one source"
    if all(any(_named_after(t, s) for t in tests) for s in sources):
        return "each named"
    return "other"


KINDS = ("one source", "each named", "other", "no test")


class _RangeContext:
    """What the gate reads of a repository, for one range of a bare history."""

    def __init__(
        self,
        root: Path,
        changed: tuple[ChangedFile, ...],
        files: frozenset[str],
        base: tuple[Path, str],
    ) -> None:
        self.root = root
        self.toplevel = root
        self.name = root.name
        self.changed_files = changed
        self.work_tree_files = files
        self._base = base

    def read_at_base(self, path: str) -> bytes | None:
        git_dir, commit = self._base
        try:
            return _git(git_dir, "show", f"{commit}:{path}")
        except subprocess.CalledProcessError:
            return None


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
        "kinds": {k: {"ranges": 0, "failed": 0} for k in KINDS},
        "not_judged_files": 0,
        "comments_only_files": 0,
        "judged": [],
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
        range_kind = kind(changed)
        if range_kind is None:
            continue
        counts = stats["kinds"][range_kind]
        counts["ranges"] += 1
        listing = _git(git_dir, "ls-tree", "-r", "-z", "--name-only", commit).decode()
        files = frozenset(p for p in listing.split("\0") if p)
        top = _git(git_dir, "ls-tree", "-z", "--name-only", commit).decode()
        roots = [p for p in top.split("\0") if p and p in files]
        live = [f.path for f in changed if f.status != "deleted"]
        with tempfile.TemporaryDirectory() as scratch:
            root = Path(scratch)
            _materialize(git_dir, commit, [*roots, *live], root)
            context = _RangeContext(root, changed, files, (git_dir, parents[0]))
            result = check_tdd(context, TddSettings())  # type: ignore[arg-type]
        stats["not_judged_files"] += int(result.metrics.get("not_judged", 0))
        stats["comments_only_files"] += int(result.metrics.get("comments_only", 0))
        counts["failed"] += not result.passed
        stats["judged"].append(
            {
                "commit": commit,
                "kind": range_kind,
                "passed": result.passed,
                "findings": [f"{f.file} {f.rule}" for f in result.errors],
                "metrics": result.metrics,
            }
        )
    return stats


def _share(counts: dict[str, int]) -> str:
    if not counts["ranges"]:
        return "0 of 0"
    return f"{counts['failed']} of {counts['ranges']} ({counts['failed'] / counts['ranges']:.1%})"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("git_dirs", nargs="+", type=Path)
    parser.add_argument("--ranges", type=int, default=400, help="first-parent steps per history")
    parser.add_argument("--code", type=Path, help="import pytest_prove from this checkout")
    parser.add_argument("--json", type=Path, help="write every judged range's verdict here")
    args = parser.parse_args(argv)
    print(
        "| repository | HEAD | ranges | fail: one source + test | fail: each source + "
        "named test | fail: other source + test | fail: no test (should) | comments only "
        "| not judged |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    every = []
    for git_dir in args.git_dirs:
        s = measure(git_dir, args.ranges)
        every.append(s)
        shares = " | ".join(_share(s["kinds"][k]) for k in KINDS)
        print(
            f"| {s['repository']} | {s['head'][:10]} | {s['ranges']} | {shares} "
            f"| {s['comments_only_files']} files | {s['not_judged_files']} files |",
            flush=True,
        )
    if args.json:
        args.json.write_text(json.dumps(every, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
