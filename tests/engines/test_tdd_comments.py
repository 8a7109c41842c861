"""``tdd`` and changes that touch only comments, docstrings and blank lines."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pytest_prove.engines.tdd.comments import only_comments
from tests.checks.test_tdd_check import on_branch, run, untested
from tests.repo_builder import MakeRepo

PY = '''\
#!/usr/bin/env python
"""Module docstring,
over two lines."""

# a comment
import os


class Calc:
    """Adds."""

    def add(self, a, b):  # trailing comment
        """Return
        the sum."""
        return a + b
'''

JS = """\
/**
 * A block comment
 */
// a line comment
/* one line */ const x = 1
const y = 2 /* trailing */
/* closed */
/// <reference types="node" />
function* gen() {
  * not a comment outside a block
}
"""

GO = """\
//go:build linux
// +build linux

// Package calc adds.
package calc
"""


@pytest.mark.parametrize(
    ("text", "lines", "language", "expected"),
    [
        pytest.param(PY, {2, 3, 4, 5, 10, 13, 14}, "python", True, id="py-docstrings"),
        pytest.param(PY, {1}, "python", False, id="py-shebang-is-code"),
        pytest.param(PY, {12}, "python", False, id="py-code-with-trailing-comment"),
        pytest.param(PY, {15}, "python", False, id="py-code"),
        pytest.param("def f(:\n    # c\n", {2}, "python", False, id="py-unparsable-is-code"),
        pytest.param(JS, {1, 2, 3, 4, 7}, "javascript", True, id="js-comments"),
        pytest.param(JS, {5}, "javascript", False, id="js-code-after-a-block"),
        pytest.param(JS, {6}, "javascript", False, id="js-trailing-block"),
        pytest.param(JS, {8}, "javascript", False, id="ts-reference-directive"),
        pytest.param(JS, {10}, "javascript", False, id="js-star-outside-a-block"),
        pytest.param(GO, {1}, "go", False, id="go-build-directive"),
        pytest.param(GO, {2}, "go", False, id="go-plus-build"),
        pytest.param(GO, {3, 4}, "go", True, id="go-doc-comment"),
        pytest.param("# x\n", {1}, None, False, id="unknown-language-is-code"),
        pytest.param("// x\n", {5}, "javascript", False, id="line-past-the-end"),
    ],
)  # fmt: skip
def test_only_comments(text: str, lines: set[int], language: str | None, expected: bool) -> None:
    assert only_comments(text, lines, language) is expected


@given(
    st.text(max_size=200),
    st.sets(st.integers(min_value=1, max_value=30), max_size=5),
    st.sampled_from(["python", "javascript", "go", "jvm", "dotnet", "rust", None]),
)
def test_only_comments_never_raises(text: str, lines: set[int], language: str | None) -> None:
    assert isinstance(only_comments(text, lines, language), bool)


CALC = '"""Calc."""\n\n\ndef add(a, b):\n    # sum them\n    return a + b\n'


def test_a_typo_fixed_in_comments_needs_an_existing_test_not_a_changed_one(
    make_repo: MakeRepo,
) -> None:
    repo = on_branch(
        make_repo,
        {"src/calc.py": CALC, "tests/test_calc.py": "ok\n", "src/util.js": "// helpers\nx()\n"},
    )
    repo.commit(
        "docs: typos",
        files={
            "src/calc.py": CALC.replace("Calc.", "Calculator.").replace("sum them", "add them"),
            "src/util.js": "// helper functions\nx()\n",
        },
    )
    result = run(repo)
    # calc.py has a test; util.js has none, and a comment change does not make it need one less
    assert untested(result) == ["src/util.js"]
    assert "has no matching test" in result.errors[0].message
    assert result.metrics["comments_only"] == 2
    assert result.judged == {"changed source files": 2}


def test_code_removed_and_a_comment_added_is_a_code_change(make_repo: MakeRepo) -> None:
    repo = on_branch(make_repo, {"src/calc.py": CALC, "tests/test_calc.py": "ok\n"})
    repo.commit(
        "fix: calc", files={"src/calc.py": CALC.replace("    return a + b\n", "    # gone\n")}
    )
    result = run(repo)
    assert untested(result) == ["src/calc.py"]
    assert "changed without a matching test change" in result.errors[0].message
    assert result.metrics["comments_only"] == 0


def test_code_removed_only_is_a_code_change(make_repo: MakeRepo) -> None:
    repo = on_branch(make_repo, {"src/calc.py": CALC, "tests/test_calc.py": "ok\n"})
    repo.commit("fix: calc", files={"src/calc.py": CALC.replace("    return a + b\n", "")})
    assert untested(run(repo)) == ["src/calc.py"]


def test_an_updated_snapshot_is_a_change_of_its_test(make_repo: MakeRepo) -> None:
    repo = on_branch(
        make_repo,
        {
            "package.json": "{}",
            "src/glob.ts": "export const a = 1\n",
            "src/__tests__/glob/fixture.spec.ts": "test('a', () => {})\n",
            "src/__tests__/glob/__snapshots__/fixture.spec.ts.snap": "a\n",
        },
    )
    repo.commit(
        "fix: glob",
        files={
            "src/glob.ts": "export const a = 2\n",
            "src/__tests__/glob/__snapshots__/fixture.spec.ts.snap": "b\n",
        },
    )
    result = run(repo)
    assert result.passed, result.findings
    assert result.judged == {"changed source files": 1}  # the snapshot is no source
    # a snapshot whose test is gone vouches for nothing
    repo.commit("test: drop", files={"src/__tests__/glob/__snapshots__/gone.spec.ts.snap": "c\n"})
    repo.git("rm", "-q", "--cached", "src/__tests__/glob/fixture.spec.ts")
    repo.delete("src/__tests__/glob/fixture.spec.ts")
    repo.commit("test: drop the test")
    assert untested(run(repo)) == ["src/glob.ts"]
