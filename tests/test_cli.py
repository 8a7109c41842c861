"""The ``prove`` command: argv mapping, run commands, config show, schema, demo."""

from __future__ import annotations

import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest
import yaml

from pytest_prove.cli import main, parse, pytest_args
from tests.repo_builder import MakeRepo, RepoBuilder

PROVE = [sys.executable, "-m", "pytest_prove"]


def args_for(argv: list[str]) -> list[str]:
    args, extra = parse(argv)
    return pytest_args(args, extra)


def prove(cwd: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*PROVE, *argv], cwd=cwd, capture_output=True, text=True, check=False)


def test_run_options_map_to_pytest_options(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert args_for([]) == ["--prove", "--prove-only"]
    assert args_for(["--quick", "--base", "origin/dev", "--set", "a.b=1", "-k", "x"]) == [
        "--prove", "--prove-only", "--prove-quick", "--prove-base", "origin/dev",
        "--prove-set", "a.b=1", "-k", "x",
    ]  # fmt: skip
    (tmp_path / "multi.yaml").write_text("global: {concurrency: 3}\nrepositories: []\n")
    assert args_for(["orchestrate"]) == ["--prove-config", "multi.yaml", "-n", "3"]
    assert args_for(["orchestrate", "-n", "1"]) == ["--prove-config", "multi.yaml"]
    assert args_for(["orchestrate", "-k", "api"]) == [
        "--prove-config", "multi.yaml", "-n", "3", "-k", "api",
    ]  # fmt: skip
    assert args_for(["check", "--repo", "api", "--quick"]) == [
        "--prove-config", "multi.yaml", "--prove-repo", "api", "--prove-quick", "-n", "3",
    ]  # fmt: skip
    assert args_for(["--config", "own.yaml", "--junitxml", "o.xml"]) == [
        "--prove-config", "own.yaml", "--junitxml", "o.xml",
    ]  # fmt: skip


def test_check_needs_a_repo_and_orchestrate_a_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit, match="no orchestrator file given"):
        args_for(["orchestrate"])
    (tmp_path / "multi.yaml").write_text("repositories: []\n")
    with pytest.raises(SystemExit, match="--repo NAME is required"):
        args_for(["check"])


@pytest.fixture
def fleet(tmp_path: Path, make_repo: MakeRepo) -> Path:
    ok = make_repo("ok")
    bad = make_repo("bad")
    (tmp_path / "multi.yaml").write_text(
        f"""
repositories:
  - {{name: ok, path: {ok.path}, checks: [pass]}}
  - {{name: bad, path: {bad.path}, checks: [pass, fail]}}
global:
  commands:
    pass: {{argv: [{sys.executable}, -c, "pass"], quick: true}}
    fail: {{argv: [{sys.executable}, -c, "raise SystemExit(3)"]}}
"""
    )
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    return tmp_path


def test_orchestrate_exit_codes(fleet: Path) -> None:
    failing = prove(fleet, "orchestrate", "--config", "multi.yaml", "-p", "no:cacheprovider")
    assert failing.returncode == 1, failing.stdout
    assert "1 failed, 2 passed" in failing.stdout
    quick = prove(fleet, "orchestrate", "--config", "multi.yaml", "--quick")
    assert quick.returncode == 0, quick.stdout
    assert "2 passed, 1 deselected" in quick.stdout
    one = prove(fleet, "check", "--config", "multi.yaml", "--repo", "ok")
    assert one.returncode == 0
    assert "1 passed" in one.stdout


def test_bad_config_is_one_line_and_exit_4(fleet: Path) -> None:
    (fleet / "multi.yaml").write_text("repositories:\n  - {name: x, path: nowhere}\n")
    run = prove(fleet, "orchestrate", "--config", "multi.yaml")
    assert run.returncode == 4
    assert run.stderr.strip() == (
        "ERROR: pytest-prove: multi.yaml:2: repositories[0] (name='x').path:"
        " directory not found: nowhere"
    )
    show = prove(fleet, "config", "show", "--config", "multi.yaml")
    assert show.returncode == 4
    assert "Traceback" not in show.stderr
    assert show.stderr.startswith("prove: multi.yaml:2: repositories[0] (name='x').path:")


def test_config_show_names_each_origin(
    tmp_path: Path,
    make_repo: MakeRepo,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    repo = make_repo("api")
    repo.write("prove.yaml", "checks: [commit-msg, lint]\ncommit-msg: {scopes: [core]}\n")
    (tmp_path / "multi.yaml").write_text(
        f"""
repositories:
  - name: api
    path: {repo.path}
    overrides: {{commit-msg: {{header_max_length: 72}}}}
global:
  commands:
    lint: {{argv: [ruff, check, .]}}
"""
    )
    monkeypatch.chdir(tmp_path)
    assert main(["config", "show", "--config", "multi.yaml", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)["api"]
    settings = data["gates"]["commit-msg"]["settings"]
    assert data["checks"] == {
        "value": ["commit-msg", "lint"],
        "origin": "../repo/api/prove.yaml",
    } or (
        data["checks"]["value"] == ["commit-msg", "lint"]
        and data["checks"]["origin"].endswith("api/prove.yaml")
    )
    assert settings["scopes"]["value"] == ["core"]
    assert settings["scopes"]["origin"].endswith("api/prove.yaml")
    assert settings["header_max_length"] == {
        "value": 72,
        "origin": "repositories[0] (name='api').overrides",
    }
    assert settings["body_max_line_length"] == {"value": 100, "origin": "default"}
    lint = data["gates"]["lint"]["settings"]
    assert lint["argv"] == {"value": ["ruff", "check", "."], "origin": "multi.yaml global"}
    assert lint["timeout"] == {"value": 300000, "origin": "multi.yaml global.timeout"}
    assert main(["config", "show", "--config", "multi.yaml", "--repo", "api"]) == 0
    text = capsys.readouterr().out
    assert "commit-msg.header_max_length = 72" in text
    assert "# repositories[0] (name='api').overrides" in text


def test_schema_is_valid_and_accepts_the_seed_example(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema"]) == 0
    schema = json.loads(capsys.readouterr().out)
    jsonschema.Draft202012Validator.check_schema(schema)
    seed = yaml.safe_load(
        """
version: "1.0"
extends: ["prove:recommended", "./org-base.yaml"]
repositories:
  - name: dental-landing-template
    path: ./dental-landing-template
    config: prove.config.yaml
    checks: [trunk, commit-msg]
    schedule: on-commit
    overrides: { commit-msg: { header_max_length: 90 } }
global:
  concurrency: 4
  timeout: 300000
  failFast: true
  reporting:
    dashboard: ./prove-dashboard.html
    history: .prove/history.db
    notifications: { slack: "#dev-quality", email: "dev-team@company.com" }
"""
    )
    validator = jsonschema.Draft202012Validator(schema)
    assert [e.message for e in validator.iter_errors(seed)] == []
    seed["global"]["fail_fast"] = "no"
    assert [e.message for e in validator.iter_errors(seed)] == ["'no' is not of type 'boolean'"]
    assert main(["schema", "--kind", "repository"]) == 0
    repo_schema = json.loads(capsys.readouterr().out)
    errors = jsonschema.Draft202012Validator(repo_schema).iter_errors({"chekcs": []})
    assert [e.message for e in errors] == [
        "Additional properties are not allowed ('chekcs' was unexpected)"
    ]


def test_demo_builds_a_fleet_and_gates_it(tmp_path: Path) -> None:
    target = tmp_path / "demo"
    run = prove(tmp_path, "demo", str(target))
    assert run.returncode == 0, run.stdout + run.stderr
    repos = sorted(p.name for p in target.iterdir() if (p / ".git").is_dir())
    assert repos == ["legacy-batch", "payments-api", "web-frontend"]
    cases = ET.parse(target / "report.xml").getroot().iter("testcase")
    outcome = {}
    for case in cases:
        props = {p.get("name"): p.get("value") for p in case.iter("property")}
        assert set(props) == {"repo", "check", "mode", "base", "head", "findings"}
        outcome[f"{props['repo']}::{props['check']}"] = case.find("failure") is None
    failed = sorted(k for k, ok in outcome.items() if not ok)
    assert failed == ["legacy-batch::trunk", "legacy-batch::unit-tests", "web-frontend::commit-msg"]
    assert len(outcome) == 14
    report = json.loads((target / "report.json").read_text())
    assert report["summary"] == {"passed": 11, "failed": 3, "total": 14, "collected": 14}
    again = prove(tmp_path, "demo", str(target), "--no-run")
    assert again.returncode == 0


def test_demo_refuses_a_directory_that_is_not_a_demo(tmp_path: Path) -> None:
    precious = tmp_path / "work"
    precious.mkdir()
    (precious / "notes.txt").write_text("keep me")
    run = prove(tmp_path, "demo", str(precious))
    assert run.returncode != 0
    assert "is not a demo fleet" in run.stderr
    assert (precious / "notes.txt").read_text() == "keep me"


def test_commands_that_do_not_run_pytest_refuse_unknown_arguments(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit):
        main(["schema", "--bogus"])
    assert "unrecognized arguments: --bogus" in capsys.readouterr().err


def test_hooks_outside_a_repository(tmp_path: Path) -> None:
    run = prove(tmp_path, "hooks", "install")
    assert run.returncode == 2


def test_prove_in_a_repository_runs_its_gates(make_repo: MakeRepo) -> None:
    repo: RepoBuilder = make_repo("solo")
    repo.write("prove.yaml", f"checks: [hi]\ncommands:\n  hi: [{sys.executable}, -c, 'pass']\n")
    repo.write("test_never.py", "raise SystemExit('the repository tests must not be collected')\n")
    run = prove(repo.path, "-p", "no:cacheprovider")
    assert run.returncode == 0, run.stdout + run.stderr
    assert "1 passed" in run.stdout
