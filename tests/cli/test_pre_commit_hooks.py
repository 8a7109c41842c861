"""The pre-commit hooks this repository ships (``.pre-commit-hooks.yaml``), run by the real
``pre-commit`` from PyPI, and the message check they call, also where there is no checkout.

``pre-commit try-repo`` installs this package into an environment of its own, as a user's
``pre-commit install`` does: the first test takes a while (pip) and the others reuse it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from pytest_prove.cli import main as cli
from tests.repo_builder import MakeRepo, RepoBuilder

ROOT = Path(__file__).resolve().parents[2]
HOOKS = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
GOOD = "feat(api): add the orders endpoint\n\nWith paging.\n"
BAD = "Added the orders endpoint.\n"


def test_the_hooks_file_declares_both_hooks_for_their_stages() -> None:
    by_id = {hook["id"]: hook for hook in HOOKS}
    assert set(by_id) == {"prove-commit-msg", "prove-quick"}
    assert by_id["prove-commit-msg"]["stages"] == ["commit-msg"]
    assert by_id["prove-quick"]["stages"] == ["pre-push"]
    for hook in HOOKS:
        assert {"id", "name", "entry", "language"} <= set(hook)
        assert hook["language"] == "python"
        # the stage names pre-commit understands since 3.2 ("push" before)
        assert hook["minimum_pre_commit_version"] >= "3.2.0"
        assert hook["entry"].split()[0] == "pytest-prove"  # never Perl's `prove`


@pytest.mark.parametrize(("message", "code"), [(GOOD, 0), (BAD, 1)])
def test_a_message_file_is_judged_outside_a_git_work_tree(
    not_a_repo: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    message: str,
    code: int,
) -> None:
    # A pull request's title checked in a job without a checkout, as `cz check
    # --commit-msg-file` does.
    monkeypatch.chdir(not_a_repo)
    (not_a_repo / "TITLE").write_text(message)
    assert cli.main(["hooks", "run", "commit-msg", "TITLE"]) == code
    err = capsys.readouterr().err
    if code:
        assert "type-empty" in err
        assert "subject-full-stop" in err
        assert "commit message rejected" in err
    else:
        assert err == ""


def test_outside_a_work_tree_the_nearest_config_applies(
    not_a_repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (not_a_repo / "prove.yaml").write_text(
        "checks: [commit-msg]\ncommit-msg:\n  types: [feat, fix]\n"
    )
    inner = not_a_repo / "sub"
    inner.mkdir()
    monkeypatch.chdir(inner)
    (inner / "MSG").write_text("docs: a readme\n")
    assert cli.main(["hooks", "run", "commit-msg", "MSG"]) == 1
    assert "type-enum" in capsys.readouterr().err


def test_outside_a_work_tree_a_missing_file_exits_4(
    not_a_repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(not_a_repo)
    assert cli.main(["hooks", "run", "commit-msg", "NOPE"]) == 4
    err = capsys.readouterr().err
    assert err.startswith("prove: cannot read the commit message")
    assert "Traceback" not in err


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """This checkout's package and hooks file, committed: what ``try-repo`` clones."""
    repo = RepoBuilder(tmp_path_factory.mktemp("hook-repo") / "pytest-prove").init()
    for name in ("pyproject.toml", "README.md", ".pre-commit-hooks.yaml"):
        shutil.copy2(ROOT / name, repo.path / name)
    shutil.copytree(
        ROOT / "pytest_prove",
        repo.path / "pytest_prove",
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    repo.stage(".")
    repo.commit("chore: the hooks under test")
    return repo.path


@pytest.fixture(scope="module")
def pre_commit_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("pre-commit-home")


def try_repo(
    hook_repo: Path, home: Path, cwd: Path, hook: str, *args: str
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "PRE_COMMIT"))}
    env["PRE_COMMIT_HOME"] = os.fspath(home)
    command = [sys.executable, "-m", "pre_commit", "try-repo", os.fspath(hook_repo), hook]
    return subprocess.run(
        [*command, "--verbose", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )


@pytest.mark.parametrize(("message", "code"), [(GOOD, 0), (BAD, 1)])
def test_pre_commit_runs_prove_commit_msg(
    hook_repo: Path, pre_commit_home: Path, make_repo: MakeRepo, message: str, code: int
) -> None:
    work = make_repo("work")
    (work.path / "MSG").write_text(message)
    done = try_repo(
        hook_repo,
        pre_commit_home,
        work.path,
        "prove-commit-msg",
        "--hook-stage",
        "commit-msg",
        "--commit-msg-filename",
        "MSG",
    )
    output = done.stdout + done.stderr
    assert done.returncode == code, output
    if code:
        assert "type-empty" in output
        assert "commit message rejected" in output
    assert "Traceback" not in output


def test_pre_commit_runs_the_quick_gates_before_a_push(
    hook_repo: Path, pre_commit_home: Path, make_repo: MakeRepo
) -> None:
    work = make_repo("quick")
    # The repository's own pytest options name a plugin the hook's environment lacks.
    work.write("pyproject.toml", '[tool.pytest.ini_options]\naddopts = "--cov=app"\n')
    work.write(
        "prove.yaml",
        "checks: [lint]\n"
        "commands:\n  lint: {argv: [python3, -c, 'raise SystemExit(3)'], quick: true}\n",
    )
    work.commit("chore: gates")
    done = try_repo(
        hook_repo, pre_commit_home, work.path, "prove-quick", "--hook-stage", "pre-push"
    )
    output = done.stdout + done.stderr
    assert done.returncode == 1, output
    assert "lint" in output
    assert "unrecognized arguments" not in output
