"""``tdd`` on the layouts real repositories use, read from their own test configuration."""

from __future__ import annotations

import re
import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pytest_prove.api import Severity
from pytest_prove.engines.tdd.js_globs import compile_js_glob
from pytest_prove.support.globs import compile_glob
from tests.checks.test_tdd_check import on_branch, run, untested
from tests.repo_builder import MakeRepo

PYTEST_PYPROJECT = """\
[tool.pytest.ini_options]
testpaths = ["testing"]
python_files = ["test_*.py", "*_test.py", "testing/python/*.py"]
"""


def test_pytest_testing_layout_with_python_files(make_repo: MakeRepo) -> None:
    repo = on_branch(
        make_repo,
        {
            "pyproject.toml": PYTEST_PYPROJECT,
            "src/_pytest/python_api.py": "x = 1\n",
            "src/_pytest/capture.py": "x = 1\n",
            "testing/test_capture.py": "ok\n",
            "testing/python/approx.py": "ok\n",
            "testing/helpers/build.py": "ok\n",
        },
    )
    # approx.py is a test by python_files, named after no source: it stands for python_api.py
    repo.commit(
        "fix: approx",
        files={
            "src/_pytest/python_api.py": "x = 2\n",
            "testing/python/approx.py": "ok 2\n",
            "testing/helpers/build.py": "ok 2\n",
        },
    )
    result = run(repo)
    assert result.passed, result.findings
    assert result.judged == {"changed source files": 1}  # no test counted as a source
    assert result.metrics["by_any_test"] == 1
    assert result.metrics["test_config"] == (
        "pytest: pyproject.toml [tool.pytest.ini_options] (testpaths, python_files)"
    )
    # capture.py changed with the test named after it, python_api.py with none: the test
    # named after another changed source is that one's, and vouches for no other
    repo.branch("fix/capture", "main")
    repo.checkout("fix/capture")
    repo.commit(
        "fix: capture",
        files={
            "src/_pytest/capture.py": "x = 2\n",
            "src/_pytest/python_api.py": "x = 3\n",
            "testing/test_capture.py": "ok 2\n",
        },
    )
    result = run(repo)
    assert untested(result) == ["src/_pytest/python_api.py"]
    assert result.metrics["by_name"] == 1
    # any: the change touched a test, whoever it is named after
    result = run(repo, other_tests="any")
    assert result.passed, result.findings
    assert result.metrics["by_any_test"] == 1


def test_pytest_ini_files_in_pytest_order(make_repo: MakeRepo) -> None:
    repo = on_branch(
        make_repo,
        {
            "tox.ini": "[pytest]\ntestpaths = checks\npython_files = check_*.py\n",
            "setup.cfg": "[tool:pytest]\npython_files = never_*.py\n",
            "lib/calc.py": "x = 1\n",
        },
    )
    repo.commit("feat: calc", files={"lib/calc.py": "x = 2\n", "checks/check_calc.py": "ok\n"})
    result = run(repo)
    assert result.passed, result.findings
    assert result.metrics["test_config"] == "pytest: tox.ini [pytest] (testpaths, python_files)"


def test_js_test_dir_with_jest_test_match_in_package_json(make_repo: MakeRepo) -> None:
    package = '{"name": "web", "jest": {"testMatch": ["<rootDir>/test/**/*.js"]}}'
    repo = on_branch(
        make_repo,
        {"package.json": package, "lib/router/index.js": "x\n", "lib/request.js": "x\n"},
    )
    repo.commit(
        "feat: routes",
        files={"lib/request.js": "y\n", "test/req.query.js": "t\n", "test/fixtures/a.js": "f\n"},
    )
    result = run(repo)
    assert result.passed, result.findings
    assert result.judged == {"changed source files": 1}
    assert result.metrics["test_config"] == 'jest: package.json "jest" testMatch'
    # index.js is named after its directory: test/router.js is its test
    repo.commit("feat: router", files={"lib/router/index.js": "y\n", "test/Router.js": "t\n"})
    assert run(repo).metrics["by_name"] == 1


def test_angular_cli_layout_a_package_named_build_and_spec_files(make_repo: MakeRepo) -> None:
    src = "packages/angular/build/src/tools/esbuild"
    repo = on_branch(make_repo, {"package.json": "{}", f"{src}/i18n-inliner.ts": "a\n"})
    repo.commit(
        "fix: inline",
        files={f"{src}/i18n-inliner.ts": "b\n", f"{src}/i18n-inliner_spec.ts": "t\n"},
    )
    result = run(repo, other_tests="never")
    assert result.passed, result.findings
    assert result.judged == {"changed source files": 1}  # the package named build is code
    assert result.metrics["by_name"] == 1  # i18n-inliner_spec.ts is named after it
    repo.commit("fix: worker", files={f"{src}/i18n-inliner-worker.ts": "w\n"})
    assert untested(run(repo, other_tests="never")) == [f"{src}/i18n-inliner-worker.ts"]
    # a top-level build/ is output, not a source
    repo.commit("chore: out", files={"build/out.js": "o\n"})
    assert run(repo).judged == {"changed source files": 2}


def test_jest_config_as_code_falls_back_to_documented_defaults(make_repo: MakeRepo) -> None:
    repo = on_branch(make_repo, {"package.json": "{}", "jest.config.ts": "export default {}\n"})
    repo.commit("feat: a", files={"src/a.ts": "x\n", "src/__tests__/a.ts": "t\n"})
    result = run(repo)
    assert result.passed, result.findings
    assert "jest.config.ts is code, not read: Jest's default testMatch assumed" in str(
        result.metrics["test_config"]
    )


@pytest.mark.parametrize(
    ("source", "own_test", "changed_test", "text"),
    [
        pytest.param(
            "src/_pytest/_code/code.py", "testing/code/test_code.py",
            "testing/code/test_excinfo.py", "from _pytest._code.code import ExceptionInfo\n",
            id="python-from-import",
        ),
        pytest.param(
            "src/_pytest/nodes.py", "testing/test_nodes.py",
            "testing/test_mark.py", "from _pytest import nodes\n",
            id="python-from-package-import",
        ),
        pytest.param(
            "lib/router/index.js", "test/router.test.js",
            "test/app.router.js", "const Router = require('../lib/router')\n",
            id="js-require-of-a-folder",
        ),
        pytest.param(
            "src/view.ts", "src/view.test.ts",
            "src/render.test.ts", "import { View } from './view.js'\n",
            id="ts-import",
        ),
        pytest.param(
            "gson/src/main/java/com/google/gson/GsonBuilder.java",
            "gson/src/test/java/com/google/gson/GsonBuilderTest.java",
            "gson/src/test/java/com/google/gson/functional/GsonTest.java",
            "Gson gson = new GsonBuilder().create();\n",
            id="java-class-name",
        ),
    ],
)  # fmt: skip
def test_a_changed_test_that_names_the_source_is_its_test(
    make_repo: MakeRepo, source: str, own_test: str, changed_test: str, text: str
) -> None:
    # The source's own test exists and did not change; another test that imports it did.
    repo = on_branch(make_repo, {source: "x = 1\n", own_test: "ok\n", changed_test: "unrelated\n"})
    repo.commit("fix: it", files={source: "x = 2\n", changed_test: text})
    assert run(repo).passed
    result = run(repo, other_tests="never")  # only a test that names it may stand for it
    assert result.passed, result.findings
    assert result.metrics["by_reference"] == 1
    assert untested(run(repo, by_reference=False, other_tests="never")) == [source]
    # A changed test that names no such thing vouches for nothing.
    repo.commit("fix: again", files={source: "x = 3\n", changed_test: "unrelated 2\n"})
    repo.git("reset", "-q", "--soft", "HEAD~2")
    repo.commit("fix: squashed")
    assert untested(run(repo, other_tests="never")) == [source]


@given(st.text(max_size=60))
def test_any_source_path_gives_a_valid_pattern_or_none(path: str) -> None:
    from pytest_prove.engines.tdd.references import reference_pattern

    pattern = reference_pattern(path)
    assert pattern is None or pattern.search("") is None or pattern.pattern


_SOURCES = (
    "src/_pytest/nodes.py", "src/_pytest/_code/__init__.py", "lib/router/index.js",
    "src/find-route.ts", "app/mod.js", "pkg/index.py", "gson/src/main/java/a/GsonBuilder.java",
    "src/Shop/Cart_2.cs", "lib/ü.js",
)  # fmt: skip
_FRAGMENTS = (
    "from _pytest import nodes", "import _pytest.nodes", "_pytest.nodes.Item", "_pytest._code",
    "from _pytest._code import x", "require('../lib/router')", "'./find-route.js'", "`./mod`",
    "from pkg import index", "pkg.index", "new GsonBuilder()", "a.GsonBuilder", "Cart_2",
    "'../lib/ü'", "nodes", "router", "\n", " ", ".", "/", "'", "x", "é",
)  # fmt: skip


@given(
    st.sampled_from(_SOURCES),
    # a NUL makes the file binary to tdd, which then reads no text at all
    st.lists(
        st.sampled_from(_FRAGMENTS)
        | st.text(st.characters(exclude_characters="\0", codec="utf-8"), max_size=5),
        max_size=12,
    ).map("".join),
)
def test_the_word_index_finds_what_the_pattern_finds(source: str, text: str) -> None:
    # The index only skips tests that lack the source's key word: never one the pattern matches.
    import tempfile
    from pathlib import Path

    from pytest_prove.engines.tdd.layout import language_of
    from pytest_prove.engines.tdd.references import TestTexts, reference_pattern

    pattern = reference_pattern(source)
    language = language_of(source) or ""
    with tempfile.TemporaryDirectory() as root:
        Path(root, "t.txt").write_text(text, encoding="utf-8")
        found = TestTexts(Path(root), {language: ["t.txt"]}).named_by_any(language, source)
    assert found is (pattern is not None and pattern.search(text) is not None)


def test_maven_layout(make_repo: MakeRepo) -> None:
    main, test = "core/src/main/java/com/acme", "core/src/test/java/com/acme"
    repo = on_branch(make_repo, {f"{main}/Money.java": "class Money {}\n"})
    repo.commit("feat: money", files={f"{main}/Money.java": "class Money { }\n"})
    assert untested(run(repo)) == [f"{main}/Money.java"]  # Java is looked at
    repo.commit("test: money", files={f"{test}/MoneyTest.java": "class MoneyTest {}\n"})
    assert run(repo).passed
    # Rates.java's change is tested in its package's test directory
    repo.commit(
        "feat: rates",
        files={f"{main}/Rates.java": "class Rates {}\n", f"{test}/MoneyIT.java": "class I {}\n"},
    )
    result = run(repo)
    assert result.passed, result.findings
    assert result.metrics["by_package"] == 1


@pytest.mark.parametrize(
    ("source", "test", "other"),
    [
        pytest.param(
            "app/src/main/kotlin/com/acme/Money.kt", "app/src/test/kotlin/com/acme/MoneyTest.kt",
            "app/src/main/kotlin/com/acme/fx/Rates.kt", id="gradle-kotlin",  # another package
        ),
        pytest.param(
            "src/Shop/Cart.cs", "test/Shop.Tests/CartTests.cs", "src/Shop/Order.cs",
            id="dotnet-tests-project",
        ),
        pytest.param(
            "Shop/Cart.cs", "Shop.UnitTests/CartTest.cs", "Shop/Order.cs",
            id="dotnet-unit-tests-project",
        ),
    ],
)  # fmt: skip
def test_kotlin_and_dotnet_tests_by_name(
    make_repo: MakeRepo, source: str, test: str, other: str
) -> None:
    repo = on_branch(make_repo, {source: "class A\n", other: "class B\n", test: "class T\n"})
    repo.commit("feat: a", files={source: "class A2\n", other: "class B2\n", test: "class T2\n"})
    result = run(repo, other_tests="never")
    # the test is the source's by name, and the other source's change has none
    assert untested(result) == [other]
    assert result.metrics["tested"] == 1
    assert result.judged == {"changed source files": 2}  # the test is no source


def test_go_package_tests_and_generated_files(make_repo: MakeRepo) -> None:
    repo = on_branch(make_repo, {"go.mod": "module x\n", "cmd/cmd.go": "package cmd\n"})
    repo.commit(
        "feat: cmd",
        files={
            "cmd/cmd.go": "package cmd\n\nvar X = 1\n",
            "cmd/flags_test.go": "package cmd\n",
            "api/api.go": "// Code generated by protoc-gen-go. DO NOT EDIT.\n\npackage api\n",
        },
    )
    result = run(repo)
    assert result.passed, result.findings
    assert result.judged == {"changed source files": 1}  # the generated file is no source
    assert result.metrics["by_package"] == 1


def test_rust_test_module_counts_when_its_lines_change(make_repo: MakeRepo) -> None:
    code = "fn f() {}\n\n#[cfg(test)]\nmod tests {\n    #[test]\n    fn t() {}\n}\n"
    repo = on_branch(make_repo, {"src/lib.rs": code})
    repo.commit("fix: f", files={"src/lib.rs": code.replace("fn f() {}", "fn f() { }")})
    assert untested(run(repo)) == ["src/lib.rs"]
    repo.commit("test: f", files={"src/lib.rs": code + "// more\n"})
    assert run(repo).passed


def test_type_tests_fixtures_and_snapshots_are_not_sources(make_repo: MakeRepo) -> None:
    repo = on_branch(make_repo, {"README.md": "x\n"})
    repo.commit(
        "test: types",
        files={
            "types/index.test-d.ts": "t\n",
            "test/fixtures/app/server.js": "f\n",
            "src/__fixtures__/data.ts": "f\n",
            "pkg/testdata/input.go": "package x\n",
            "src/__snapshots__/a.test.ts.snap": "s\n",
            "vendor/lib/x.go": "package x\n",
            "proto/a_pb2.py": "x\n",
            "src/api.generated.ts": "x\n",
        },
    )
    result = run(repo)
    assert result.passed, result.findings
    assert result.judged == {"changed source files": 0}


def test_unmappable_language_is_reported_as_not_judged(make_repo: MakeRepo) -> None:
    repo = on_branch(make_repo, {"README.md": "x\n"})
    repo.commit(
        "feat: ruby", files={"lib/shop/cart.rb": "x\n", "src/main.c": "int x;\n", "a.md": "x\n"}
    )
    result = run(repo)
    assert result.passed  # never judged as tested either: it says so
    assert result.metrics["not_judged"] == 2
    assert result.judged == {"changed source files": 0}
    (finding,) = result.findings
    assert finding.rule == "not-judged"
    assert finding.severity is Severity.INFO
    assert finding.message.endswith(": lib/shop/cart.rb, src/main.c")
    assert result.summary == (
        "0 changed source files have tests (strict); 2 files in languages tdd cannot map not judged"
    )


def test_other_tests_never_turns_the_fallback_off(make_repo: MakeRepo) -> None:
    repo = on_branch(make_repo, {"pyproject.toml": PYTEST_PYPROJECT, "src/a.py": "x\n"})
    repo.commit("fix: a", files={"src/a.py": "y\n", "testing/python/other.py": "t\n"})
    assert run(repo).passed
    assert untested(run(repo, other_tests="never")) == ["src/a.py"]
    assert untested(run(repo, unmirrored="missing-test")) == ["src/a.py"]  # the earlier name
    assert run(repo, unmirrored="any-changed-test").passed


def test_broken_pyproject_and_package_json_give_one_finding_each(make_repo: MakeRepo) -> None:
    repo = on_branch(
        make_repo,
        {"pyproject.toml": "[tool.pytest\n", "package.json": "{not json", "src/a.py": "x\n"},
    )
    repo.commit("fix: a", files={"src/a.py": "y\n", "tests/test_a.py": "t\n"})
    result = run(repo)
    assert result.passed  # the conventions still judge
    problems = [f for f in result.findings if f.rule == "test-config"]
    assert [f.severity for f in problems] == [Severity.WARNING, Severity.WARNING]
    assert problems[0].message.startswith("pyproject.toml is not valid TOML")
    assert problems[1].message.startswith("package.json is not valid JSON")


def test_settings_of_the_wrong_type_are_reported(make_repo: MakeRepo) -> None:
    repo = on_branch(
        make_repo,
        {
            "pyproject.toml": "[tool.pytest.ini_options]\ntestpaths = 3\n",
            "package.json": '{"jest": {"testMatch": "test/*.js", "testRegex": "("}}',
            "src/a.py": "x\n",
        },
    )
    repo.commit("fix: a", files={"src/a.py": "y\n", "tests/test_a.py": "t\n"})
    messages = [f.message for f in run(repo).findings if f.rule == "test-config"]
    assert messages == [
        "pyproject.toml: testpaths is neither a string nor a list of strings: ignored",
        'package.json "jest" testMatch is not a list of strings: Jest\'s defaults assumed',
    ]


# --- the Jest/Vitest glob parser -----------------------------------------------------

_SEGMENT = st.text(alphabet=string.ascii_letters + string.digits + "._-", min_size=1, max_size=8)


@given(st.text(max_size=40))
def test_any_pattern_compiles(pattern: str) -> None:
    assert isinstance(compile_js_glob(pattern), re.Pattern)


@given(st.lists(_SEGMENT, min_size=1, max_size=5), st.lists(_SEGMENT, min_size=1, max_size=5))
def test_plain_globs_agree_with_the_config_globs(parts: list[str], path: list[str]) -> None:
    # Without braces or extglobs, a Jest glob means what a prove glob means.
    pattern = "/".join(["**", *parts[:-1], f"*{parts[-1]}"])
    joined = "/".join(path)
    assert bool(compile_js_glob(pattern).fullmatch(joined)) == bool(
        compile_glob(pattern).fullmatch(joined)
    )


@given(st.lists(_SEGMENT, min_size=1, max_size=4), st.sampled_from(["js", "ts", "mjs", "tsx"]))
def test_jest_default_test_match(parts: list[str], ext: str) -> None:
    default = "**/?(*.)+(spec|test).?([mc])[jt]s?(x)"
    stem = "/".join(parts)
    assert compile_js_glob(default).fullmatch(f"{stem}.test.{ext}")
    assert compile_js_glob(default).fullmatch(f"{stem}.spec.{ext}")
    assert not compile_js_glob(default).fullmatch(f"{stem}x.{ext}")


def test_braces_extglobs_and_root_dir() -> None:
    cases = {
        "<rootDir>/test/**/*.{js,ts}": (["test/a.js", "test/x/b.ts"], ["src/test/a.js"]),
        "**/!(*.d).ts": (["a.ts", "x/b.ts"], ["a.d.ts", "x/b.d.ts"]),
        "**/*.{test,spec}.?(c|m)[jt]s?(x)": (["a.test.mjs", "b/c.spec.tsx"], ["a.test.xjs"]),
        "{a,b": (["{a,b"], ["a"]),
    }
    for pattern, (hits, misses) in cases.items():
        regex = compile_js_glob(pattern)
        assert all(regex.fullmatch(p) for p in hits), pattern
        assert not any(regex.fullmatch(p) for p in misses), pattern
