"""A separate package adds a check exactly as the built-ins do (examples/prove-readme-check)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pluggy
import pytest

from pytest_prove import hookspecs
from pytest_prove.checks.api import Check, CheckResult, CheckSettings
from pytest_prove.config.errors import ConfigError
from pytest_prove.hook import PROJECT_NAME, hookimpl
from pytest_prove.registry import build_registry
from tests.repo_builder import MakeRepo

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "prove-readme-check"


@pytest.fixture(scope="session")
def installed_example(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("site")
    # A copy: building in place would leave build/ in the source tree.
    source = shutil.copytree(EXAMPLE, tmp_path_factory.mktemp("src") / EXAMPLE.name)
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps",
         "--target", str(target), str(source)],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return target


def run_gates(repo: Path, site: Path | None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    if site is not None:
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(site), env.get("PYTHONPATH")]))
    return subprocess.run(
        [sys.executable, "-m", "pytest", "--prove", "--prove-only", "-v", "-p", "no:cacheprovider"],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_installing_the_package_adds_its_check(
    installed_example: Path, make_repo: MakeRepo
) -> None:
    repo = make_repo("docs")
    repo.write("prove.yaml", "checks: [readme]\nreadme: {min_words: 5}\n")
    (repo.path / "pytest.ini").write_text("[pytest]\n")
    short = run_gates(repo.path, installed_example)
    assert short.returncode == 1, short.stdout + short.stderr
    assert "README.md readme-too-short 2 words, at least 5 expected" in short.stdout
    repo.write("README.md", "# Docs\n\nThis repository explains how the docs are built.\n")
    assert run_gates(repo.path, installed_example).returncode == 0


def test_without_the_package_the_check_is_unknown(make_repo: MakeRepo) -> None:
    repo = make_repo("docs")
    repo.write("prove.yaml", "checks: [readme]\n")
    result = run_gates(repo.path, None)
    assert result.returncode == 4
    assert "prove.yaml:1: checks[0]: unknown check 'readme'" in result.stderr


def _plugin(name: str) -> object:
    class Plugin:
        @hookimpl
        def prove_checks(self) -> list[Check[CheckSettings]]:
            return [Check(name=name, run=lambda c, s: CheckResult(), settings_model=CheckSettings)]

    return Plugin()


def test_two_plugins_providing_one_check_name() -> None:
    pm = pluggy.PluginManager(PROJECT_NAME)
    pm.add_hookspecs(hookspecs)
    pm.register(_plugin("docs"), name="first")
    pm.register(_plugin("docs"), name="second")
    with pytest.raises(ConfigError, match=r"check 'docs' is provided by both '\w+' and '\w+'"):
        build_registry(pm)
