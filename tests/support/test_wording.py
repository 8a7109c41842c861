"""Counted nouns agree with their number."""

from __future__ import annotations

import pytest

from pytest_prove.support.wording import count


@pytest.mark.parametrize(
    ("number", "one", "many", "expected"),
    [
        (1, "gate", None, "1 gate"),
        (0, "gate", None, "0 gates"),
        (2, "gate", None, "2 gates"),
        (1, "repository", "repositories", "1 repository"),
        (3, "repository", "repositories", "3 repositories"),
    ],
)
def test_count(number: int, one: str, many: str | None, expected: str) -> None:
    assert count(number, one, many) == expected


def test_the_summary_of_one_gate_in_one_repository_is_singular(
    pytester: pytest.Pytester,
) -> None:
    pytester.run("git", "init", "-q", "-b", "main", str(pytester.path / "r"))
    pytester.makefile(
        ".yaml",
        multi="repositories:\n  - {name: r, path: r, checks: [ok]}\n"
        "global:\n  commands:\n    ok: {argv: [python3, -c, 'pass']}\n",
    )
    result = pytester.runpytest_subprocess("--prove-config", "multi.yaml", "-p", "no:cacheprovider")
    result.stdout.fnmatch_lines(["*= pytest-prove: 1 gate in 1 repository =*"])
