"""The ``tdd`` check on real repositories: Python, JS/TS and Go layouts, both modes."""

from __future__ import annotations

from typing import Any

import pydantic
import pytest
from hypothesis import given
from hypothesis import strategies as st

from pytest_prove.api import CheckResult, Severity
from pytest_prove.checks.tdd import TddSettings, check_tdd, expand_template
from pytest_prove.git import RepoContext
from pytest_prove.support.globs import compile_glob
from tests.repo_builder import BINARY_CONTENT, LATIN1_CONTENT, NON_UTF8_NAME, MakeRepo, RepoBuilder

PY_EXPECTED = "tests/test_{s}.py, tests/**/test_{s}.py, {d}/test_{s}.py, {d}/{s}_test.py"


def run(repo: RepoBuilder, **settings: Any) -> CheckResult:
    return check_tdd(RepoContext(repo.path), TddSettings(**settings))


def on_branch(make_repo: MakeRepo, base: dict[str, str | bytes] | None = None) -> RepoBuilder:
    """A repository whose main holds ``base``, checked out on a new branch ``feat/x``."""
    repo = make_repo()
    if base:
        repo.commit("chore: base", files=base)
    repo.branch("feat/x")
    repo.checkout("feat/x")
    return repo


def untested(result: CheckResult) -> list[str | None]:
    return [f.file for f in result.findings if f.rule == "missing-test"]


# --- Python ------------------------------------------------------------------------


def test_python_strict_passes_with_a_test_changed_alongside(make_repo: MakeRepo) -> None:
    repo = on_branch(make_repo)
    repo.commit(
        "feat: calc",
        files={"src/shop/calc.py": "x = 1\n", "tests/unit/test_calc.py": "def test(): ...\n"},
    )
    result = run(repo)
    assert result.passed, result.findings
    assert result.metrics == {
        "mode": "strict",
        "sources": 1,
        "tested": 1,
        "by_name": 0,
        "by_package": 0,
        "by_reference": 0,
        "by_any_test": 0,
        "comments_only": 0,
        "untested": 0,
        "not_judged": 0,
        "test_config": "conventions only",
    }
    assert result.summary == "1 changed source files have tests (strict)"


def test_python_strict_fails_without_a_test_change(make_repo: MakeRepo) -> None:
    repo = on_branch(make_repo, {"src/shop/calc.py": "x = 1\n", "tests/test_calc.py": "ok\n"})
    repo.commit("fix: calc", files={"src/shop/calc.py": "x = 2\n"})
    result = run(repo)
    assert not result.passed
    (finding,) = result.findings
    assert finding.file == "src/shop/calc.py"
    assert finding.severity is Severity.ERROR
    assert finding.message == (
        "src/shop/calc.py changed without a matching test change: expected one of "
        + PY_EXPECTED.format(s="calc", d="src/shop")
    )
    assert result.summary == "1 of 1 changed source files lack a test (strict)"
    # The test exists, so lenient mode is satisfied.
    assert run(repo, mode="lenient").passed


def test_python_lenient_fails_when_no_test_exists(make_repo: MakeRepo) -> None:
    repo = on_branch(make_repo, {"tests/test_other.py": "ok\n"})
    repo.commit("feat: calc", files={"calc.py": "x = 1\n"})
    result = run(repo, mode="lenient")
    assert untested(result) == ["calc.py"]
    # A file at the root: `{dir}/test_{stem}.py` is `test_calc.py`, not `/test_calc.py`.
    assert result.findings[0].message == (
        "calc.py has no matching test: expected one of tests/test_calc.py, "
        "tests/**/test_calc.py, test_calc.py, calc_test.py"
    )


def test_python_lenient_finds_tests_nested_under_tests(make_repo: MakeRepo) -> None:
    repo = on_branch(make_repo, {"tests/deep/er/test_calc.py": "ok\n"})
    repo.commit("feat: calc", files={"src/pkg/calc.py": "x = 1\n"})
    assert run(repo, mode="lenient").passed
    assert untested(run(repo)) == ["src/pkg/calc.py"]


def test_untracked_source_and_test_count(make_repo: MakeRepo) -> None:
    repo = on_branch(make_repo)
    repo.write("pkg/mod.py", "x = 1\n")
    assert untested(run(repo)) == ["pkg/mod.py"]
    repo.write("pkg/mod_test.py", "ok\n")
    assert run(repo).passed


# --- JS/TS and Go --------------------------------------------------------------------


@pytest.mark.parametrize(
    "test_path",
    [
        "src/components/Button.test.tsx",
        "src/components/Button.spec.tsx",
        "src/components/__tests__/Button.test.tsx",
    ],
)
def test_js_strict_passes_with_each_default_layout(make_repo: MakeRepo, test_path: str) -> None:
    repo = on_branch(make_repo)
    repo.commit("feat: button", files={"src/components/Button.tsx": "x\n", test_path: "t\n"})
    assert run(repo).passed


def test_js_fails_without_test(make_repo: MakeRepo) -> None:
    repo = on_branch(make_repo, {"src/util.test.mjs": "t\n"})
    repo.commit("feat: api", files={"src/api.mjs": "x\n", "src/util.mjs": "y\n"})
    result = run(repo)
    assert untested(result) == ["src/api.mjs", "src/util.mjs"]
    assert result.findings[0].message == (
        "src/api.mjs changed without a matching test change: expected one of "
        "src/api.test.mjs, src/api.spec.mjs, src/__tests__/api.test.mjs"
    )
    # lenient: util's test exists, api's does not
    assert untested(run(repo, mode="lenient")) == ["src/api.mjs"]


def test_go_layout(make_repo: MakeRepo) -> None:
    repo = on_branch(make_repo)
    repo.commit("feat: go", files={"pkg/store/db.go": "package store\n"})
    assert untested(run(repo)) == ["pkg/store/db.go"]
    repo.commit("test: go", files={"pkg/store/db_test.go": "package store\n"})
    assert run(repo).passed


# --- what needs no test ------------------------------------------------------------


def test_defaults_skip_docs_config_migrations_generated_and_tests(make_repo: MakeRepo) -> None:
    repo = on_branch(make_repo)
    skipped = [
        "docs/conf.py",
        "setup.py",
        "tests/conftest.py",
        "app/migrations/0001_initial.py",
        "api/user_pb2.py",
        "web/vite.config.ts",
        "web/types.d.ts",
        "pkg/__init__.py",
        "tests/test_x.py",
        "web/a.test.js",
        "README.md",
    ]
    repo.commit("chore: misc", files=dict.fromkeys(skipped, "x\n"))
    result = run(repo)
    assert result.passed
    assert result.metrics["sources"] == 0


def test_deleted_sources_are_ignored(make_repo: MakeRepo) -> None:
    repo = on_branch(make_repo, {"src/old.py": "x = 1\n"})
    repo.git("rm", "-q", "src/old.py")
    repo.commit("refactor: drop old")
    assert run(repo).metrics["sources"] == 0


def test_include_exclude_and_templates_are_configurable(make_repo: MakeRepo) -> None:
    repo = on_branch(make_repo)
    repo.commit("feat: rb", files={"lib/a.rb": "x\n", "lib/b.rb": "y\n", "spec/a_spec.rb": "t\n"})
    settings = {"include": ["lib/**"], "test_templates": {"**/*.rb": ["spec/{stem}_spec.rb"]}}
    assert untested(run(repo, **settings)) == ["lib/b.rb"]
    assert run(repo, **{**settings, "exclude": ["lib/b.rb"]}).passed


def test_included_file_without_template_is_a_warning(make_repo: MakeRepo) -> None:
    repo = on_branch(make_repo)
    repo.commit("feat: rb", files={"lib/a.rb": "x\n"})
    result = run(repo, include=["**/*.rb"])
    assert result.passed
    assert [(f.rule, f.severity, f.file) for f in result.findings] == [
        ("no-test-template", Severity.WARNING, "lib/a.rb")
    ]


# --- renames ------------------------------------------------------------------------


def test_pure_move_across_directories_needs_an_existing_test(make_repo: MakeRepo) -> None:
    body = "".join(f"line_{n} = {n}\n" for n in range(20))
    repo = on_branch(make_repo, {"src/a/util.py": body})
    (repo.path / "lib/b").mkdir(parents=True)
    repo.git("mv", "src/a/util.py", "lib/b/util.py")
    repo.commit("refactor: move util")
    context = RepoContext(repo.path)
    (moved,) = context.changed_files
    assert (moved.status, moved.old_path, moved.path) == (
        "renamed",
        "src/a/util.py",
        "lib/b/util.py",
    )
    # No content change: strict mode asks only that a test exists.
    assert untested(check_tdd(context, TddSettings())) == ["lib/b/util.py"]
    repo.commit("test: util", files={"tests/test_util.py": "ok\n"})
    assert run(repo).passed


def test_renamed_file_with_edits_follows_its_renamed_test(make_repo: MakeRepo) -> None:
    body = "".join(f"line_{n} = {n}\n" for n in range(20))
    repo = on_branch(make_repo, {"src/a/util.py": body, "src/a/test_util.py": body})
    (repo.path / "lib/b").mkdir(parents=True)
    repo.git("mv", "src/a/util.py", "lib/b/util.py")
    repo.write("lib/b/util.py", body + "extra = 1\n")
    result = run(repo)
    assert untested(result) == ["lib/b/util.py"]
    repo.git("mv", "src/a/test_util.py", "lib/b/test_util.py")
    repo.write("lib/b/test_util.py", body + "more = 1\n")
    assert run(repo).passed


def test_renamed_file_keeps_a_test_at_its_old_place(make_repo: MakeRepo) -> None:
    body = "".join(f"line_{n} = {n}\n" for n in range(20))
    repo = on_branch(make_repo, {"src/a/util.py": body, "src/a/test_util.py": "ok\n"})
    (repo.path / "lib").mkdir()
    repo.git("mv", "src/a/util.py", "lib/util.py")
    repo.write("lib/util.py", body + "extra = 1\n")
    repo.commit("refactor: move util")
    assert run(repo, mode="lenient").passed


# --- bad input ----------------------------------------------------------------------


def test_binary_and_non_utf8_files(make_repo: MakeRepo) -> None:
    repo = on_branch(make_repo)
    repo.commit(
        "feat: odd",
        files={"src/blob.py": BINARY_CONTENT, "src/latin.py": LATIN1_CONTENT, NON_UTF8_NAME: "x"},
    )
    repo.commit("feat: odd name", files={"src/" + NON_UTF8_NAME.replace(".txt", ".py"): "x\n"})
    result = run(repo)
    # The binary file is skipped; the others are judged by their paths.
    assert untested(result) == ["src/" + NON_UTF8_NAME.replace(".txt", ".py"), "src/latin.py"]


def test_file_names_with_glob_characters(make_repo: MakeRepo) -> None:
    repo = on_branch(make_repo)
    repo.commit("feat: route", files={"app/[id].ts": "x\n", "app/[id].test.ts": "t\n"})
    assert run(repo).passed
    repo.commit("feat: other", files={"app/[ab].ts": "x\n", "app/a.test.ts": "t\n"})
    # a.test.ts is named after no changed source, so it stands for [ab].ts unless told otherwise
    assert untested(run(repo, other_tests="never")) == ["app/[ab].ts"]


def test_very_large_diff(make_repo: MakeRepo) -> None:
    repo = on_branch(make_repo)
    files: dict[str, str | bytes] = {f"src/m{n}/mod{n}.py": f"x = {n}\n" for n in range(1500)}
    files.update({f"tests/test_mod{n}.py": "ok\n" for n in range(0, 1500, 2)})
    repo.commit("feat: many", files=files)
    result = run(repo)
    assert (result.metrics["tested"], result.metrics["untested"]) == (750, 750)
    assert untested(result)[:2] == ["src/m1/mod1.py", "src/m1001/mod1001.py"]


@pytest.mark.parametrize(
    ("templates", "problem"),
    [
        ({"**/*.py": ["tests/test_{module}.py"]}, "unknown placeholder {module}"),
        ({"**/*.py": ["tests/test_{stem.py"]}, "not a valid template"),
    ],
)
def test_bad_templates_are_settings_errors(templates: dict[str, list[str]], problem: str) -> None:
    with pytest.raises(pydantic.ValidationError, match=problem.replace("{", r"\{")):
        TddSettings(test_templates=templates)


def test_bad_mode_is_a_settings_error() -> None:
    with pytest.raises(pydantic.ValidationError, match="'strict' or 'lenient'"):
        TddSettings(mode="loose")  # type: ignore[arg-type]


# --- templates ----------------------------------------------------------------------


def test_expand_template() -> None:
    assert expand_template("{dir}/__tests__/{stem}.test.{ext}", "a/b/C.tsx") == (
        "a/b/__tests__/C.test.tsx"
    )
    assert expand_template("{dir}/{name}.t", "Makefile") == "Makefile.t"
    assert expand_template("x/{stem}_test.go", "a*b.go") == "x/a[*]b_test.go"
    assert expand_template("x/{stem}_test.go", "a*b.go", as_glob=False) == "x/a*b_test.go"


_SEGMENT = st.text(st.characters(blacklist_characters="/\0"), min_size=1, max_size=12)


@given(st.lists(_SEGMENT, min_size=1, max_size=4))
def test_an_expanded_glob_matches_its_literal_path(segments: list[str]) -> None:
    path = "/".join(segments)
    for template in ("{dir}/test_{stem}.py", "{dir}/__tests__/{stem}.test.{ext}", "t/{name}"):
        literal = expand_template(template, path, as_glob=False)
        assert compile_glob(expand_template(template, path)).fullmatch(literal)


def test_lenient_ignores_deleted_and_ignored_tests(make_repo: MakeRepo) -> None:
    repo = on_branch(make_repo, {"tests/test_calc.py": "ok\n", ".gitignore": "scratch/\n"})
    repo.commit("feat: calc", files={"calc.py": "x = 1\n"})
    assert run(repo, mode="lenient").passed
    repo.delete("tests/test_calc.py")  # deleted in the work tree, still in the index
    repo.write("scratch/tests/test_calc.py", "ok\n")  # ignored
    repo.write("scratch/test_calc.py", "ok\n")
    assert untested(run(repo, mode="lenient")) == ["calc.py"]
    repo.write("tests/test_calc.py", "back\n")
    assert run(repo, mode="lenient").passed
