"""`prove init`: gates chosen from what the repository holds, explained, never overwriting."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from pytest_prove.checks.registry import load_registry
from pytest_prove.cli.main import main
from pytest_prove.config.load import load_fleet
from pytest_prove.governance.onboard.init import scaffold_config
from pytest_prove.governance.onboard.inspect_repo import inspect_repository

REGISTRY = load_registry()


def _gates(text: str) -> list[str]:
    return list(yaml.safe_load(text)["checks"])


def test_a_bare_repository_gets_the_gates_that_fit_everywhere(make_repo) -> None:
    repo = make_repo()
    scaffold = scaffold_config(repo.path, REGISTRY)
    assert _gates(scaffold.text) == ["trunk", "delivery-mode", "commit-msg", "security"]
    assert "# - tdd: no test files found" in scaffold.text
    assert "# - contracts: no OpenAPI file found" in scaffold.text


def test_a_typescript_repository(make_repo) -> None:
    repo = make_repo()
    repo.commit(
        "add app",
        files={
            "package.json": '{"devDependencies": {"vitest": "1", "@vitest/coverage-v8": "1"}}',
            "tsconfig.json": "{}",
            "eslint.config.js": "export default []\n",
            "src/app.ts": "export const x = 1\n",
            "src/app.test.ts": "test('x', () => {})\n",
            "api/openapi.yaml": "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\n",
            "feature-flags.yaml": "flags: {}\n",
        },
    )
    scaffold = scaffold_config(repo.path, REGISTRY)
    data = yaml.safe_load(scaffold.text)
    assert data["checks"] == [
        "trunk", "delivery-mode", "commit-msg", "security", "tdd", "coverage",
        "feature-flags", "killswitch", "contracts", "typecheck", "lint",
    ]  # fmt: skip
    # the project's own compiler: npx would look up an unrelated `tsc` package without it
    assert data["commands"]["typecheck"]["argv"] == ["node_modules/.bin/tsc", "--noEmit"]
    assert "# test files found: src/app.test.ts" in scaffold.text
    assert "# javascript: 1 tests in src: a source is tested by <stem>.test.<ext>" in scaffold.text
    assert "# coverage tooling found: @vitest/coverage-v8 (package.json)" in scaffold.text
    assert "# OpenAPI files found: api/openapi.yaml" in scaffold.text


def test_python_and_go_facts(make_repo) -> None:
    repo = make_repo()
    repo.commit(
        "add code",
        files={
            "pyproject.toml": '[project]\nname = "x"\n[project.optional-dependencies]\n'
            'dev = ["pytest-cov"]\n',
            "tests/test_app.py": "def test(): pass\n",
            "go.mod": "module x\n",
            "spec.json": '{"swagger": "2.0", "paths": {}}',
            "data.json": '{"other": 1}',
        },
    )
    facts = inspect_repository(repo.path)
    assert facts.languages == ("python", "go")
    assert facts.coverage_tools == ("pytest-cov (pyproject.toml)",)
    assert facts.openapi_files == ("spec.json",)
    assert facts.test_files == ("tests/test_app.py",)
    assert "vet" in _gates(scaffold_config(repo.path, REGISTRY).text)


def test_broken_manifests_are_reported_not_raised(make_repo) -> None:
    repo = make_repo()
    repo.commit("broken", files={"package.json": "{oops", "pyproject.toml": "[x"})
    facts = inspect_repository(repo.path)
    assert facts.problems[0].startswith("package.json: not valid JSON")
    assert facts.problems[1].startswith("pyproject.toml: not valid TOML")
    assert "# - package.json: not valid JSON" in scaffold_config(repo.path, REGISTRY).text


def test_outside_git_the_walk_skips_vendored_trees(tmp_path: Path) -> None:
    (tmp_path / "node_modules" / "x").mkdir(parents=True)
    (tmp_path / "node_modules" / "x" / "a.test.js").write_text("")
    (tmp_path / "test_a.py").write_text("")
    assert inspect_repository(tmp_path).test_files == ("test_a.py",)


def test_the_generated_file_loads_with_the_installed_checks(make_repo) -> None:
    repo = make_repo()
    scaffold = scaffold_config(repo.path, REGISTRY)
    assert [g for g in scaffold.gates if REGISTRY.resolve(g) is None] == []
    repo.write("prove.yaml", scaffold.text)
    assert [g.name for g in load_fleet(None, repo.path).repos[0].gates]


def test_only_registered_gates_load(make_repo) -> None:
    repo = make_repo()
    text = scaffold_config(repo.path, REGISTRY).text
    data = yaml.safe_load(text)
    data["checks"] = [c for c in data["checks"] if REGISTRY.resolve(c) is not None]
    repo.write("prove.yaml", yaml.safe_dump(data))
    names = {g.name for g in load_fleet(None, repo.path).repos[0].gates}
    assert {"trunk", "delivery-mode", "commit-msg"} <= names


def test_the_command_never_overwrites_without_force(
    make_repo, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = make_repo()
    assert main(["init", str(repo.path)]) == 0
    assert "wrote" in capsys.readouterr().out
    (repo.path / "prove.yaml").write_text("checks: [trunk]\n")
    assert main(["init", str(repo.path)]) == 4
    assert "already exists; use --force" in capsys.readouterr().err
    assert (repo.path / "prove.yaml").read_text() == "checks: [trunk]\n"
    assert main(["init", str(repo.path), "--force"]) == 0
    assert "security" in (repo.path / "prove.yaml").read_text()


def test_the_command_respects_other_config_files(
    make_repo, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = make_repo()
    repo.write("prove.config.yaml", "checks: [trunk]\n")
    assert main(["init", str(repo.path)]) == 4
    assert "prove.config.yaml already exists" in capsys.readouterr().err
    assert not (repo.path / "prove.yaml").exists()
    repo.delete("prove.config.yaml")
    repo.write("pyproject.toml", "[tool.prove]\nchecks = ['trunk']\n")
    assert main(["init", str(repo.path), "--force"]) == 4
    assert "[tool.prove]" in capsys.readouterr().err
    assert main(["init", str(repo.path / "nope")]) == 4
    assert main(["init", str(repo.path), "--print"]) == 0
    assert capsys.readouterr().out.startswith("# Written by `prove init`")


def test_tdd_comment_names_the_layout_it_found(make_repo) -> None:
    repo = make_repo()
    repo.commit(
        "add code",
        files={
            "pyproject.toml": '[tool.pytest.ini_options]\ntestpaths = ["testing"]\n',
            "src/pkg/calc.py": "x = 1\n",
            "testing/test_calc.py": "ok\n",
            "core/src/main/java/a/Money.java": "class Money {}\n",
            "core/src/test/java/a/MoneyTest.java": "class MoneyTest {}\n",
        },
    )
    text = scaffold_config(repo.path, REGISTRY).text
    assert (
        "# tests are found by: pytest: pyproject.toml [tool.pytest.ini_options] (testpaths)" in text
    )
    assert "# python: 1 tests in testing: a source is tested by" in text
    assert "# jvm: 1 tests in core: src/main/<lang>/p/X is tested by" in text


def test_a_missing_node_tool_fails_naming_the_install_step(make_repo) -> None:
    from pytest_prove.checks.command import CommandSettings, run_command
    from pytest_prove.git import RepoContext

    repo = make_repo()
    repo.commit("add app", files={"package.json": "{}", "tsconfig.json": "{}"})
    result = run_command(
        RepoContext(repo.path), CommandSettings(argv=["node_modules/.bin/tsc", "--noEmit"])
    )
    (finding,) = result.findings
    assert finding.message == (
        "`node_modules/.bin/tsc` was not found (install the project's packages first: npm ci)"
    )
