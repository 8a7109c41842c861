"""Path globs: ``**`` spans directories, ``*`` stays within one."""

from __future__ import annotations

import fnmatch

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pytest_prove.support.globs import compile_glob, matches_any


@pytest.mark.parametrize(
    ("pattern", "path", "expected"),
    [
        ("src/**", "src/a.py", True),
        ("src/**", "src/a/b/c.py", True),
        ("src/**", "srcx/a.py", False),
        ("**/*.py", "a.py", True),
        ("**/*.py", "a/b/c.py", True),
        ("**/*.py", "a/b/c.pyc", False),
        ("*.py", "a/b.py", False),
        ("*.py", "b.py", True),
        ("feat/*", "feat/login", True),
        ("feat/*", "feat/a/b", False),
        ("docs/**/*.md", "docs/x.md", True),
        ("docs/**/*.md", "docs/a/b/x.md", True),
        ("file?.txt", "file1.txt", True),
        ("file?.txt", "file/.txt", False),
        ("[ab].txt", "a.txt", True),
        ("[!ab].txt", "a.txt", False),
        ("[!ab].txt", "c.txt", True),
        ("a+b(c).txt", "a+b(c).txt", True),
        ("[", "[", True),
    ],
)
def test_glob(pattern: str, path: str, expected: bool) -> None:
    assert bool(compile_glob(pattern).fullmatch(path)) is expected


def test_matches_any() -> None:
    assert matches_any("src/x.py", ["docs/**", "src/**"])
    assert not matches_any("src/x.py", [])


SEGMENT = st.text(alphabet="abc.-_", min_size=1, max_size=5)


@given(st.lists(SEGMENT, min_size=1, max_size=4), st.text(alphabet="abc*?/.[]!-", max_size=12))
def test_never_raises_and_agrees_with_fnmatch_within_one_segment(
    parts: list[str], pattern: str
) -> None:
    path = "/".join(parts)
    regex = compile_glob(pattern)  # must not raise, whatever the pattern
    if "/" not in path and "/" not in pattern and "**" not in pattern and "[" not in pattern:
        assert bool(regex.fullmatch(path)) == fnmatch.fnmatchcase(path, pattern)


def test_a_broken_class_matches_literally() -> None:
    assert compile_glob("[z-a].txt").fullmatch("[z-a].txt")
    assert not compile_glob("[z-a].txt").fullmatch("b.txt")
