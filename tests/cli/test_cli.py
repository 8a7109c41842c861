"""The ``prove`` command: argv mapping, run commands, ``config show`` and ``schema``.

Commands that start pytest run in a subprocess (pytest inside pytest); the others
(argv mapping, ``config show``, ``schema``) call :func:`pytest_prove.cli.main.main`
in-process.  ``prove demo`` has its own module, ``test_demo.py``.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import jsonschema  # type: ignore[import-untyped, unused-ignore]
import pytest
import yaml

from pytest_prove.cli.main import USAGE_ERROR, main, parse, pytest_args
from pytest_prove.config.load import load_fleet
from pytest_prove.config.locate import ORCHESTRATOR_NAMES
from pytest_prove.errors import UsageError
from pytest_prove.readers.errors import ConfigError
from tests.repo_builder import MakeRepo

PROVE = (sys.executable, "-m", "pytest_prove.cli.main")
PY = sys.executable


def args_for(argv: list[str]) -> list[str]:
    args, extra = parse(argv)
    return pytest_args(args, extra)


def prove(cwd: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*PROVE, *argv], cwd=cwd, capture_output=True, text=True, check=False)


def show_json(capsys: pytest.CaptureFixture[str], *argv: str) -> dict[str, Any]:
    assert main(["config", "show", "--format", "json", *argv]) == 0
    data: dict[str, Any] = json.loads(capsys.readouterr().out)
    return data


# -- pytest_args(): what each option of prove becomes ------------------------------------------


@pytest.fixture
def in_fleet_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The cwd holds ``multi.yaml`` (a default orchestrator name) with ``concurrency: 3``."""
    (tmp_path / "multi.yaml").write_text("global: {concurrency: 3}\nrepositories: []\n")
    monkeypatch.chdir(tmp_path)
    return tmp_path


REPO_RUN = ["--prove", "--prove-only"]
MULTI = ["--prove-config", "multi.yaml"]


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        pytest.param([], REPO_RUN, id="bare-prove-gates-the-cwd-repository"),
        pytest.param(["--quick"], [*REPO_RUN, "--prove-quick"], id="quick"),
        pytest.param(["--config", "own.yaml"], ["--prove-config", "own.yaml"], id="config"),
        pytest.param(["--config", "multi.yaml"], [*MULTI, "-n", "3"], id="config-concurrency"),
        pytest.param(["orchestrate"], [*MULTI, "-n", "3"], id="orchestrate-default-file"),
        pytest.param(["orchestrate", "--quick"], [*MULTI, "--prove-quick", "-n", "3"], id="oq"),
        pytest.param(["orchestrate", "-n", "5"], [*MULTI, "-n", "5"], id="n-given-wins"),
        pytest.param(["orchestrate", "--workers", "auto"], [*MULTI, "-n", "auto"], id="workers"),
        pytest.param(["orchestrate", "-n", "1"], MULTI, id="n1-no-xdist"),
        pytest.param(["orchestrate", "-n", "0"], MULTI, id="n0-no-xdist"),
        pytest.param(
            ["orchestrate", "--repo", "api", "--repo", "web"],
            [*MULTI, "--prove-repo", "api", "--prove-repo", "web", "-n", "3"],
            id="repos",
        ),
        pytest.param(
            ["check", "--repo", "api", "--quick"],
            [*MULTI, "--prove-repo", "api", "--prove-quick", "-n", "3"],
            id="check",
        ),
        pytest.param(
            ["check", "--config", "other.yaml", "--repo", "api", "-n", "2"],
            ["--prove-config", "other.yaml", "--prove-repo", "api", "-n", "2"],
            id="check-explicit-config",
        ),
        pytest.param(
            ["--base", "origin/dev"], [*REPO_RUN, "--prove-base", "origin/dev"], id="base"
        ),
        pytest.param(
            ["--set", "commit-msg.header_max_length=72", "--set", "trunk.max_age_days=5"],
            [
                *REPO_RUN,
                "--prove-set",
                "commit-msg.header_max_length=72",
                "--prove-set",
                "trunk.max_age_days=5",
            ],
            id="set",
        ),
        pytest.param(
            ["-k", "api", "--junitxml", "out.xml", "-x"],
            [*REPO_RUN, "-k", "api", "--junitxml", "out.xml", "-x"],
            id="unknown-args-to-pytest",
        ),
        pytest.param(
            ["-q", "--quick", "-m", "not slow"],
            [*REPO_RUN, "--prove-quick", "-q", "-m", "not slow"],
            id="unknown-args-interleaved",
        ),
        pytest.param(
            # `check` here is the value of -k, not the subcommand.
            ["-k", "check"],
            [*REPO_RUN, "-k", "check"],
            id="subcommand-name-as-a-value",
        ),
        pytest.param(
            ["orchestrate", "-k", "api and not slow", "--junitxml", "o.xml"],
            [*MULTI, "-n", "3", "-k", "api and not slow", "--junitxml", "o.xml"],
            id="orchestrate-unknown-args",
        ),
    ],
)
def test_run_options_map_to_pytest_options(
    in_fleet_dir: Path, argv: list[str], expected: list[str]
) -> None:
    assert args_for(argv) == expected


@pytest.mark.parametrize("name", ORCHESTRATOR_NAMES)
def test_orchestrate_finds_each_default_file_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    (tmp_path / name).write_text("repositories: []\n")
    monkeypatch.chdir(tmp_path)
    assert args_for(["orchestrate"]) == ["--prove-config", name]


def test_default_file_names_are_tried_in_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ORCHESTRATOR_NAMES:
        (tmp_path / name).write_text("repositories: []\n")
    monkeypatch.chdir(tmp_path)
    assert args_for(["check", "--repo", "api"])[:2] == ["--prove-config", ORCHESTRATOR_NAMES[0]]


def _orchestrator_with(concurrency: str) -> str:
    return f"repositories:\n  - {{name: r, path: r}}\nglobal: {{concurrency: {concurrency}}}\n"


@pytest.mark.parametrize(
    ("text", "workers"),
    [
        pytest.param(_orchestrator_with("4"), ["-n", "4"], id="concurrency-4"),
        pytest.param(_orchestrator_with("1"), [], id="concurrency-1"),
        pytest.param("repositories:\n  - {name: r, path: r}\n", [], id="no-global"),
        pytest.param("repositories:\n  - {name: r, path: r}\nglobal: {}\n", [], id="empty-global"),
        # Invalid values: prove passes no -n and pytest reports the config error.
        pytest.param(_orchestrator_with("0"), [], id="zero"),
        pytest.param(_orchestrator_with("-2"), [], id="negative"),
        pytest.param(_orchestrator_with("four"), [], id="not-a-number"),
        pytest.param("repositories: [\n", [], id="yaml-syntax-error"),
        pytest.param("- a list\n", [], id="not-a-mapping"),
    ],
)
def test_concurrency_becomes_n(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str, workers: list[str]
) -> None:
    (tmp_path / "multi.yaml").write_text(text)
    monkeypatch.chdir(tmp_path)
    assert args_for(["orchestrate"]) == [*MULTI, *workers]


@pytest.mark.parametrize(
    "value",
    [
        pytest.param('"4"', id="quoted"),
        pytest.param("true", id="bool"),
        pytest.param("2.0", id="float"),
        pytest.param("3", id="int"),
    ],
)
def test_n_is_the_concurrency_the_model_validated(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, make_repo: MakeRepo, value: str
) -> None:
    make_repo("r")
    (tmp_path / "multi.yaml").write_text(_orchestrator_with(value))
    monkeypatch.chdir(tmp_path)
    try:
        validated = load_fleet(Path("multi.yaml"), tmp_path).settings.concurrency
    except ConfigError:  # "4", true and 2.0 are refused (strict integers): pytest says so
        validated = 1
    expected = ["-n", str(validated)] if validated > 1 else []
    assert args_for(["orchestrate"]) == [*MULTI, *expected]


def test_check_without_repo_is_an_error(in_fleet_dir: Path) -> None:
    with pytest.raises(UsageError, match=r"^prove check: --repo NAME is required$"):
        args_for(["check"])
    with pytest.raises(UsageError, match="--repo NAME is required"):
        args_for(["check", "--config", "multi.yaml", "--quick"])


def test_orchestrate_without_any_orchestrator_file_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "prove.yaml").write_text("checks: [trunk]\n")  # a repository file is not one
    monkeypatch.chdir(tmp_path)
    for argv in (["orchestrate"], ["check", "--repo", "api"]):
        with pytest.raises(UsageError) as raised:
            args_for(argv)
        message = str(raised.value)
        assert message.startswith("prove: no orchestrator file given (--config)")
        for name in ORCHESTRATOR_NAMES:
            assert name in message


@pytest.mark.parametrize(
    ("files", "argv"),
    [
        pytest.param({}, ["orchestrate"], id="no-orchestrator-file"),
        pytest.param({"multi.yaml": "repositories: []\n"}, ["check"], id="check-without-repo"),
    ],
)
def test_usage_errors_of_prove_itself_exit_like_pytest_usage_errors(
    tmp_path: Path, files: dict[str, str], argv: list[str]
) -> None:
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    run = prove(tmp_path, *argv)
    assert run.stderr.startswith("prove"), run.stderr
    assert "Traceback" not in run.stderr
    assert run.returncode == USAGE_ERROR


# -- run commands on a real fleet (subprocesses) --------------------------------------------


PASS = f'{{argv: [{PY}, -c, "pass"], quick: true}}'
FAIL = f'{{argv: [{PY}, -c, "raise SystemExit(3)"]}}'


@pytest.fixture
def fleet(tmp_path: Path, make_repo: MakeRepo) -> Path:
    """Repositories ``ok`` (gate ``pass``) and ``bad`` (``pass`` and the failing ``fail``).

    ``multi.yaml`` gates both, ``green.yaml`` only the gates that pass.  ``pass``
    is quick, ``fail`` is not.
    """
    make_repo("ok")
    make_repo("bad")
    commands = f"global:\n  commands:\n    pass: {PASS}\n    fail: {FAIL}\n"
    (tmp_path / "multi.yaml").write_text(
        "repositories:\n"
        "  - {name: ok, path: ./ok, checks: [pass]}\n"
        "  - {name: bad, path: ./bad, checks: [pass, fail]}\n" + commands
    )
    (tmp_path / "green.yaml").write_text(
        "repositories:\n"
        "  - {name: ok, path: ./ok, checks: [pass]}\n"
        "  - {name: bad, path: ./bad, checks: [pass]}\n" + commands
    )
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    return tmp_path


def outcomes(stdout: str) -> dict[str, str]:
    """``{node id: PASSED|FAILED|...}`` from ``-rA`` short test summary lines."""
    found = re.findall(r"^(PASSED|FAILED|SKIPPED|ERROR|XFAIL) (\S+)", stdout, re.MULTILINE)
    return {node: outcome for outcome, node in found}


def test_orchestrate_exits_1_when_a_gate_fails(fleet: Path) -> None:
    run = prove(fleet, "orchestrate", "--config", "multi.yaml", "-rA", "-p", "no:cacheprovider")
    assert run.returncode == 1, run.stdout + run.stderr
    assert outcomes(run.stdout) == {
        "multi.yaml::ok::pass": "PASSED",
        "multi.yaml::bad::pass": "PASSED",
        "multi.yaml::bad::fail": "FAILED",
    }


def test_orchestrate_exits_0_when_every_gate_passes(fleet: Path) -> None:
    run = prove(fleet, "orchestrate", "--config", "green.yaml", "-p", "no:cacheprovider")
    assert run.returncode == 0, run.stdout + run.stderr
    assert "2 passed" in run.stdout


def test_orchestrate_uses_the_default_file_and_passes_unknown_args_to_pytest(fleet: Path) -> None:
    run = prove(fleet, "orchestrate", "-k", "ok", "--junitxml", "out.xml", "-p", "no:cacheprovider")
    assert run.returncode == 0, run.stdout + run.stderr
    cases = list(ET.parse(fleet / "out.xml").getroot().iter("testcase"))
    assert [(c.get("classname"), c.get("name")) for c in cases] == [("multi.yaml.ok", "pass")]


def test_set_reaches_the_gates(fleet: Path) -> None:
    run = prove(
        fleet,
        "orchestrate",
        "--set",
        "commands.fail.ok_exit_codes=[0, 3]",
        "-p",
        "no:cacheprovider",
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "3 passed" in run.stdout


def test_orchestrate_runs_global_concurrency_workers_unless_n_is_given(fleet: Path) -> None:
    multi = fleet / "multi.yaml"
    multi.write_text(multi.read_text().replace("global:\n", "global:\n  concurrency: 2\n"))
    parallel = prove(fleet, "orchestrate", "-p", "no:cacheprovider")
    assert parallel.returncode == 1, parallel.stdout + parallel.stderr
    assert "created: 2/2 workers" in parallel.stdout
    assert "1 failed, 2 passed" in parallel.stdout
    serial = prove(fleet, "orchestrate", "-n", "0", "-p", "no:cacheprovider")
    assert serial.returncode == 1, serial.stdout + serial.stderr
    assert "workers" not in serial.stdout
    assert "1 failed, 2 passed" in serial.stdout


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param(
            "repositories:\n  - {name: x, path: nowhere}\n",
            "multi.yaml:2: repositories[0] (name='x').path: directory not found: nowhere",
            id="missing-path",
        ),
        pytest.param(
            "repositories:\n  - {name: ok, path: ./ok, chekcs: [trunk]}\n",
            "multi.yaml:2: repositories[0] (name='ok').chekcs: unknown key",
            id="unknown-key",
        ),
        pytest.param(
            "repositories:\n  - {name: ok, path: ./ok\n",
            "multi.yaml:3: YAML syntax error:",
            id="yaml-syntax",
        ),
        pytest.param(
            "repositories:\n  - {name: ok, path: ./ok, checks: [secuirty]}\n",
            "multi.yaml:2: repositories[0] (name='ok').checks[0]: unknown check 'secuirty'",
            id="unknown-check",
        ),
    ],
)
def test_orchestrate_on_a_bad_config_exits_4_with_one_line(
    fleet: Path, text: str, message: str
) -> None:
    (fleet / "multi.yaml").write_text(text)
    run = prove(fleet, "orchestrate", "--config", "multi.yaml", "-p", "no:cacheprovider")
    assert run.returncode == 4
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1, run.stderr
    assert lines[0].startswith(f"ERROR: pytest-prove: {message}")
    assert "passed" not in run.stdout
    assert "failed" not in run.stdout


def test_check_runs_only_that_repository(fleet: Path) -> None:
    ok = prove(fleet, "check", "--repo", "ok", "-rA", "-p", "no:cacheprovider")
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert outcomes(ok.stdout) == {"multi.yaml::ok::pass": "PASSED"}
    bad = prove(fleet, "check", "--config", "multi.yaml", "--repo", "bad", "-rA")
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert outcomes(bad.stdout) == {
        "multi.yaml::bad::pass": "PASSED",
        "multi.yaml::bad::fail": "FAILED",
    }


def test_check_of_an_unknown_repository_is_a_usage_error(fleet: Path) -> None:
    run = prove(fleet, "check", "--repo", "nope", "-p", "no:cacheprovider")
    assert run.returncode == 4
    assert "no repository named 'nope' in multi.yaml (known: ok, bad)" in run.stderr
    assert "Traceback" not in run.stderr


def test_quick_keeps_only_quick_gates(fleet: Path) -> None:
    run = prove(fleet, "orchestrate", "--quick", "-rA", "-p", "no:cacheprovider")
    assert run.returncode == 0, run.stdout + run.stderr
    assert outcomes(run.stdout) == {
        "multi.yaml::ok::pass": "PASSED",
        "multi.yaml::bad::pass": "PASSED",
    }
    assert "2 passed, 1 deselected" in run.stdout
    one = prove(fleet, "check", "--repo", "bad", "--quick", "-rA", "-p", "no:cacheprovider")
    assert one.returncode == 0, one.stdout + one.stderr
    assert outcomes(one.stdout) == {"multi.yaml::bad::pass": "PASSED"}


def test_prove_in_a_repository_runs_its_gates_and_quick_keeps_the_quick_ones(
    make_repo: MakeRepo,
) -> None:
    repo = make_repo("solo")
    repo.write("prove.yaml", f"checks: [fast, slow]\ncommands:\n  fast: {PASS}\n  slow: {FAIL}\n")
    repo.write("pytest.ini", "[pytest]\n")
    repo.write("test_never.py", "raise SystemExit('the repository tests must not be collected')\n")
    full = prove(repo.path, "-rA", "-p", "no:cacheprovider")
    assert full.returncode == 1, full.stdout + full.stderr
    assert outcomes(full.stdout) == {
        "prove.yaml::solo::fast": "PASSED",
        "prove.yaml::solo::slow": "FAILED",
    }
    quick = prove(repo.path, "--quick", "-rA", "-p", "no:cacheprovider")
    assert quick.returncode == 0, quick.stdout + quick.stderr
    assert outcomes(quick.stdout) == {"prove.yaml::solo::fast": "PASSED"}
    assert "1 passed, 1 deselected" in quick.stdout


# -- prove config show -----------------------------------------------------------------------


@pytest.fixture
def layered(tmp_path: Path, make_repo: MakeRepo, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fleet whose settings come from every layer: default, preset, global, file, overrides."""
    make_repo("api").write(
        "prove.yaml",
        "checks: [trunk, commit-msg, lint]\n"
        "commit-msg: {scopes: [core], header_max_length: 72, body_max_line_length: 90}\n",
    )
    make_repo("web")
    (tmp_path / "multi.yaml").write_text(
        """\
extends: ["prove:strict"]
repositories:
  - name: api
    path: ./api
    overrides: {commit-msg: {headerMaxLength: 80}}
  - name: web
    path: ./web
global:
  trunk: {max_commits_behind: 30}
  commit-msg: {body_max_line_length: 120, footer_max_line_length: 110}
  commands:
    lint: {argv: [ruff, check, .]}
"""
    )
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_config_show_json_names_each_origin(
    layered: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = show_json(capsys, "--config", "multi.yaml")
    assert list(data) == ["api", "web"]
    api = data["api"]
    assert api["path"] == str(layered / "api")
    assert api["config"] == str(layered / "api" / "prove.yaml")
    assert api["checks"] == {"value": ["trunk", "commit-msg", "lint"], "origin": "api/prove.yaml"}
    msg = api["gates"]["commit-msg"]["settings"]
    # Lowest to highest: default < preset < global < own file < overrides.
    assert msg["types"]["origin"] == "default"
    assert msg["allow_fixup"] == {"value": False, "origin": "prove:strict"}
    assert msg["footer_max_line_length"] == {"value": 110, "origin": "multi.yaml global"}
    assert msg["body_max_line_length"] == {"value": 90, "origin": "api/prove.yaml"}
    assert msg["scopes"] == {"value": ["core"], "origin": "api/prove.yaml"}
    assert msg["header_max_length"] == {
        "value": 80,
        "origin": "repositories[0] (name='api').overrides",
    }
    trunk = api["gates"]["trunk"]["settings"]
    assert trunk["max_commits_behind"] == {"value": 30, "origin": "multi.yaml global"}
    assert trunk["max_age_days"] == {"value": 1.0, "origin": "prove:strict"}
    assert trunk["branch_pattern"]["origin"] == "default"
    lint = api["gates"]["lint"]
    assert lint["check"] == "command"
    assert lint["quick"] is False
    assert lint["settings"]["argv"] == {
        "value": ["ruff", "check", "."],
        "origin": "multi.yaml global",
    }
    assert lint["settings"]["timeout"] == {"value": 300000, "origin": "multi.yaml global.timeout"}
    web = data["web"]
    assert web["config"] is None
    assert web["checks"] == {
        "value": ["trunk", "delivery-mode", "commit-msg"],
        "origin": "prove:recommended",
    }
    assert web["gates"]["commit-msg"]["settings"]["header_max_length"] == {
        "value": 72,
        "origin": "prove:strict",
    }
    assert web["gates"]["commit-msg"]["settings"]["body_max_line_length"] == {
        "value": 120,
        "origin": "multi.yaml global",
    }


def test_config_show_text_puts_the_origin_beside_each_value(
    layered: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["config", "show", "--config", "multi.yaml"]) == 0
    text = capsys.readouterr().out
    rows = dict(re.findall(r"^  (\S+ = .*?)\s+# (.*)$", text, re.MULTILINE))
    assert rows['checks = ["trunk", "commit-msg", "lint"]'] == "api/prove.yaml"
    assert rows["commit-msg.header_max_length = 80"] == "repositories[0] (name='api').overrides"
    assert rows['commit-msg.scopes = ["core"]'] == "api/prove.yaml"
    assert rows["trunk.max_commits_behind = 30"] == "multi.yaml global"
    assert rows["trunk.max_age_days = 1.0"] == "prove:strict"
    assert rows["commit-msg.require_scope = false"] == "default"
    assert rows["lint.timeout = 300000"] == "multi.yaml global.timeout"
    headers = [line for line in text.splitlines() if line and not line.startswith(" ")]
    assert headers == [
        f"api  ({layered / 'api'}; {layered / 'api' / 'prove.yaml'})",
        f"web  ({layered / 'web'}; no config file)",
    ]


def test_config_show_repo_shows_only_that_repository(
    layered: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert list(show_json(capsys, "--config", "multi.yaml", "--repo", "web")) == ["web"]
    assert main(["config", "show", "--config", "multi.yaml", "--repo", "api"]) == 0
    text = capsys.readouterr().out
    assert text.startswith("api  (")
    assert "web  (" not in text


def test_config_show_without_config_shows_the_repository_in_the_cwd(
    make_repo: MakeRepo, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = make_repo("solo")
    repo.write("prove.yaml", "checks: [commit-msg]\ncommit-msg: {header_max_length: 60}\n")
    monkeypatch.chdir(repo.path)
    data = show_json(capsys)
    assert list(data) == ["solo"]
    assert data["solo"]["checks"] == {"value": ["commit-msg"], "origin": "prove.yaml"}
    settings = data["solo"]["gates"]["commit-msg"]["settings"]
    assert settings["header_max_length"] == {"value": 60, "origin": "prove.yaml"}


def test_config_show_repo_without_an_orchestrator_is_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["config", "show", "--repo", "api"]) == USAGE_ERROR
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "api" in captured.err


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param(
            "repositories:\n  - {name: x, path: nowhere}\n",
            "prove: multi.yaml:2: repositories[0] (name='x').path: directory not found: nowhere",
            id="missing-path",
        ),
        pytest.param(
            "repositories:\n  - {name: api, path: ./api}\nglobal: {fail_fast: maybe}\n",
            "prove: multi.yaml:3: global.fail_fast:",
            id="wrong-type",
        ),
        pytest.param(
            "repositories:\n  - {name: api, path: ./api}\n  - {name: api, path: ./web}\n",
            "prove: multi.yaml:3: repositories[1] (name='api').name: duplicate repository name",
            id="duplicate-name",
        ),
        pytest.param(
            "repositories:\n  - {name: api, path: ./api\n",
            "prove: multi.yaml:3: YAML syntax error:",
            id="yaml-syntax",
        ),
        pytest.param(
            "repositories:\n  - {name: web, path: ./web, overrides: {trunk: {max_age: 1}}}\n",
            "prove: multi.yaml:2: repositories[0] (name='web').overrides.trunk.max_age:",
            id="unknown-setting",
        ),
    ],
)
def test_config_show_on_a_bad_config_exits_4_with_a_message(
    layered: Path, capsys: pytest.CaptureFixture[str], text: str, message: str
) -> None:
    (layered / "multi.yaml").write_text(text)
    assert main(["config", "show", "--config", "multi.yaml"]) == USAGE_ERROR
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith(message), captured.err
    assert len(captured.err.strip().splitlines()) == 1


def test_config_show_of_an_unknown_repository_exits_4(
    layered: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["config", "show", "--config", "multi.yaml", "--repo", "nope"]) == USAGE_ERROR
    err = capsys.readouterr().err
    assert "no repository named 'nope' in multi.yaml (known: api, web)" in err


def test_config_show_bad_config_in_a_real_process_has_no_traceback(layered: Path) -> None:
    (layered / "multi.yaml").write_text("repositories:\n  - {name: x, path: nowhere}\n")
    run = prove(layered, "config", "show", "--config", "multi.yaml", "--format", "json")
    assert run.returncode == 4
    assert run.stdout == ""
    assert run.stderr == (
        "prove: multi.yaml:2: repositories[0] (name='x').path: directory not found: nowhere\n"
    )


# -- prove schema ----------------------------------------------------------------------------


def schema_of(capsys: pytest.CaptureFixture[str], kind: str = "orchestrator") -> dict[str, Any]:
    assert main(["schema", "--kind", kind]) == 0
    schema: dict[str, Any] = json.loads(capsys.readouterr().out)
    return schema


def errors(schema: dict[str, Any], instance: Any) -> list[str]:
    validator = jsonschema.Draft202012Validator(schema)
    return sorted(e.message for e in validator.iter_errors(instance))


def leaf_errors(schema: dict[str, Any], instance: Any) -> set[str]:
    """Messages of the innermost errors: a repository entry is an ``anyOf`` of entry kinds."""
    pending = list(jsonschema.Draft202012Validator(schema).iter_errors(instance))
    leaves: set[str] = set()
    while pending:
        error = pending.pop()
        if error.context:
            pending += error.context
        else:
            leaves.add(error.message)
    return leaves


# SPEC section 2, minus the extension keys (depends_on, when, discover; `reporting.history`
# stays: the Reporting model has it).  `overrides` names a check that exists (coverage does
# not yet).
SEED = """
version: "1.0"
extends: ["prove:recommended", "./org-base.yaml"]
repositories:
  - name: dental-landing-template
    path: ./dental-landing-template
    config: prove.config.yaml
    checks: [trunk, tdd, coverage, security, contracts]
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


@pytest.mark.parametrize("kind", ["orchestrator", "repository"])
def test_schema_is_a_valid_json_schema(capsys: pytest.CaptureFixture[str], kind: str) -> None:
    schema = schema_of(capsys, kind)
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["title"] == f"pytest-prove {kind} file"


def test_schema_is_printed_as_json_by_a_real_process(tmp_path: Path) -> None:
    run = prove(tmp_path, "schema")
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout)["title"] == "pytest-prove orchestrator file"


def test_schema_validates_the_seed_example(capsys: pytest.CaptureFixture[str]) -> None:
    schema = schema_of(capsys)
    seed = yaml.safe_load(SEED)
    assert errors(schema, seed) == []
    seed["global"]["failFast"] = "no"
    assert errors(schema, seed) == ["'no' is not of type 'boolean'"]


def test_schema_validates_the_seed_extensions_the_models_accept(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """``when``, ``depends_on`` and ``discover`` entries, as SPEC §2 writes them."""
    seed = yaml.safe_load(SEED)
    seed["repositories"][0]["when"] = {"paths": ["src/**"], "branches": ["main", "feat/*"]}
    seed["repositories"][0]["depends_on"] = ["api-service"]
    seed["repositories"].append({"discover": {"root": "./services", "pattern": "*"}})
    assert errors(schema_of(capsys), seed) == []


@pytest.mark.parametrize(
    "spelling",
    [
        pytest.param({"global": {"failFast": True}}, id="failFast"),
        pytest.param({"global": {"fail_fast": True}}, id="fail_fast"),
        pytest.param({"repositories": [{"trunkBranch": "main"}]}, id="trunkBranch"),
        pytest.param({"repositories": [{"trunk_branch": "main"}]}, id="trunk_branch"),
        pytest.param(
            {"repositories": [{"overrides": {"commit-msg": {"headerMaxLength": 80}}}]},
            id="camelCase-setting",
        ),
        pytest.param({"global": {"trunk": {"maxAgeDays": 3}}}, id="camelCase-global-setting"),
        pytest.param({"global": {"trunk": {"max_age_days": 3}}}, id="snake_case-setting"),
    ],
)
def test_schema_accepts_camel_and_snake_case_keys(
    capsys: pytest.CaptureFixture[str], spelling: dict[str, Any]
) -> None:
    schema = schema_of(capsys)
    config: dict[str, Any] = {"repositories": [{"name": "api", "path": "./api"}]}
    config["global"] = spelling.get("global", {})
    config["repositories"][0].update(spelling.get("repositories", [{}])[0])
    assert errors(schema, config) == []


@pytest.mark.parametrize(
    ("config", "message"),
    [
        pytest.param(
            {"global": {"failfast": True}},
            "Additional properties are not allowed ('failfast' was unexpected)",
            id="misspelt-global-key",
        ),
        pytest.param(
            {"global": {"trunk": {"max_age": 3}}},
            "Additional properties are not allowed ('max_age' was unexpected)",
            id="unknown-setting",
        ),
        pytest.param(
            {"global": {"concurrency": "four"}},
            "'four' is not of type 'integer'",
            id="wrong-type",
        ),
        pytest.param(
            {"repositories": [{"name": "api", "path": "./api", "schedule": "hourly"}]},
            "'hourly' is not one of ['on-commit', 'on-push', 'scheduled', 'manual']",
            id="bad-schedule",
        ),
        pytest.param(
            {"repositories": [{"name": "api"}]}, "'path' is a required property", id="no-path"
        ),
    ],
)
def test_schema_rejects_what_the_loader_rejects(
    capsys: pytest.CaptureFixture[str], config: dict[str, Any], message: str
) -> None:
    instance = {"repositories": [{"name": "api", "path": "./api"}], **config}
    assert message in leaf_errors(schema_of(capsys), instance)
    instance["repositories"] = [{"name": "api", "path": "./api"}]
    instance.pop("global", None)
    assert errors(schema_of(capsys), instance) == []  # the rest of the instance is valid


def test_repository_schema(capsys: pytest.CaptureFixture[str]) -> None:
    schema = schema_of(capsys, "repository")
    good = {
        "extends": ["prove:strict"],
        "checks": ["commit-msg", "lint"],
        "commit-msg": {"scopes": ["core"], "headerMaxLength": 72},
        "commands": {"lint": {"argv": ["ruff", "check", "."], "quick": True}},
    }
    assert errors(schema, good) == []
    assert errors(schema, {"chekcs": []}) == [
        "Additional properties are not allowed ('chekcs' was unexpected)"
    ]


def _loader_accepts(tmp_path: Path, text: str) -> bool:
    (tmp_path / "r").mkdir(exist_ok=True)
    (tmp_path / "multi.yaml").write_text(text)
    try:
        load_fleet(tmp_path / "multi.yaml", tmp_path)
    except ConfigError:
        return False
    return True


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("global: {failFast: true}\n", id="failFast"),
        pytest.param("global: {fail_fast: true}\n", id="fail_fast"),
        pytest.param("global: {deliveryMode: {allowedModes: [pr]}}\n", id="check-alias"),
        pytest.param("global: {commands: {lint: [ruff, check]}}\n", id="command-as-list"),
        pytest.param("global: {commit-msg: {header_max_lenght: 1}}\n", id="typo-rejected"),
        pytest.param(
            "repositories:\n  - {name: r, path: ./r, when: {branches: [main]}}\n", id="when"
        ),
        pytest.param(
            "repositories:\n  - {name: r, path: ./r}\n  - {name: s, path: ./r, depends_on: [r]}\n",
            id="depends_on",
        ),
        pytest.param(
            "repositories:\n"
            "  - {name: r, path: ./r, overrides: {modes: {pr: {trunk: {max_age_days: 5}}}}}\n",
            id="modes-in-overrides",
        ),
        pytest.param(
            "global: {modes: {pr: {commit-msg: {header_max_length: 80}}}}\n",
            id="modes",
        ),
        pytest.param(
            "global: {commit_msg: {header_max_length: 80}}\n",
            id="snake-case-check-name",
        ),
        pytest.param(
            "version: 1.0\n",
            id="unquoted-version",
        ),
        pytest.param(
            "global: {commit-msg: }\n",
            id="empty-section",
        ),
    ],
)
def test_schema_and_loader_agree(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str
) -> None:
    if "repositories" not in text:
        text += "repositories:\n  - {name: r, path: ./r}\n"
    loader = _loader_accepts(tmp_path, text)
    schema = errors(schema_of(capsys), yaml.safe_load(text)) == []
    assert schema == loader, f"schema accepts: {schema}, loader accepts: {loader}"


def test_schema_into_a_closed_pipe_has_no_traceback(tmp_path: Path) -> None:
    proc = subprocess.Popen(
        [*PROVE, "schema"], cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert proc.stdout is not None
    proc.stdout.close()  # like `| head` exiting before prove writes
    _, stderr = proc.communicate(timeout=60)
    assert b"Traceback" not in stderr
    assert b"BrokenPipeError" not in stderr


# -- commands that do not run pytest ---------------------------------------------------------


def test_commands_that_do_not_run_pytest_refuse_unknown_arguments(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit):
        main(["schema", "--bogus"])
    assert "unrecognized arguments: --bogus" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["config", "show", "-k", "api"])
    assert "unrecognized arguments: -k api" in capsys.readouterr().err


def test_hooks_outside_a_repository(tmp_path: Path) -> None:
    run = prove(tmp_path, "hooks", "install")
    assert run.returncode == 2
    assert "not inside a git work tree" in run.stderr
