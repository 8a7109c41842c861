"""A separate package adds a check exactly as the built-ins do (examples/prove-readme-check).

The example is pip-installed into a directory of its own (never into the environment
running the tests) and reached through ``PYTHONPATH`` by pytest subprocesses.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pluggy
import pytest

from pytest_prove.api import Check, CheckResult, CheckSettings
from pytest_prove.checks import hookspecs
from pytest_prove.checks.hook import PROJECT_NAME, hookimpl
from pytest_prove.checks.registry import build_registry
from pytest_prove.readers.errors import ConfigError
from tests.repo_builder import MakeRepo, RepoBuilder

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "prove-readme-check"
GATES = (sys.executable, "-m", "pytest", "--prove", "--prove-only", "-rA", "-p", "no:cacheprovider")
LONG_README = "# Docs\n\nThis repository explains how the documentation is built.\n"


def _pip_install(source: Path, target: Path, *options: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-input",
         *options, "--target", str(target), str(source)],
        capture_output=True,
        text=True,
        check=False,
    )  # fmt: skip


@pytest.fixture(scope="session")
def installed_example(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A directory holding the installed example (its module and its entry point)."""
    # A copy: building in place would leave build/ and *.egg-info in the source tree.
    source = shutil.copytree(EXAMPLE, tmp_path_factory.mktemp("src") / EXAMPLE.name)
    target = tmp_path_factory.mktemp("site")
    # Offline first: the installed setuptools.  Setuptools < 70.1 cannot build a wheel
    # without the `wheel` package; the isolated build then gets a newer setuptools
    # from the configured index.
    result = _pip_install(source, target, "--no-build-isolation")
    if result.returncode != 0:
        shutil.rmtree(target)
        target.mkdir()
        result = _pip_install(source, target)
    if result.returncode != 0:
        pytest.fail(f"pip install of {EXAMPLE.name} failed:\n{result.stderr}")
    assert (target / "prove_readme_check.py").is_file()
    return target


def run(
    cwd: Path, site: Path | None, *argv: str, command: Sequence[str] = GATES
) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    if site is not None:
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(site), env.get("PYTHONPATH")]))
    return subprocess.run(
        [*command, *argv], cwd=cwd, env=env, capture_output=True, text=True, check=False
    )


@pytest.fixture
def docs_repo(make_repo: MakeRepo) -> RepoBuilder:
    """A repository gating ``readme`` (at least 5 words) and ``commit-msg``; README has 2."""
    repo = make_repo("docs")
    repo.write("prove.yaml", "checks: [readme, commit-msg]\nreadme: {min_words: 5}\n")
    repo.write("pytest.ini", "[pytest]\n")
    return repo


def test_the_installed_check_is_collected_as_a_gate(
    installed_example: Path, docs_repo: RepoBuilder
) -> None:
    collected = run(docs_repo.path, installed_example, "--collect-only", "-q")
    assert collected.returncode == 0, collected.stdout + collected.stderr
    assert collected.stdout.splitlines()[:2] == [
        "prove.yaml::docs::readme",
        "prove.yaml::docs::commit-msg",
    ]
    quick = run(docs_repo.path, installed_example, "--collect-only", "-q", "-m", "quick")
    assert "prove.yaml::docs::readme" in quick.stdout.splitlines()  # the example is quick


def test_the_gate_fails_or_passes_as_the_readme_dictates(
    installed_example: Path, docs_repo: RepoBuilder
) -> None:
    short = run(docs_repo.path, installed_example)
    assert short.returncode == 1, short.stdout + short.stderr
    assert "FAILED prove.yaml::docs::readme" in short.stdout
    assert "PASSED prove.yaml::docs::commit-msg" in short.stdout
    assert "README.md readme-too-short 2 words, at least 5 expected" in short.stdout

    docs_repo.write("README.md", LONG_README)
    long = run(docs_repo.path, installed_example)
    assert long.returncode == 0, long.stdout + long.stderr
    assert "PASSED prove.yaml::docs::readme" in long.stdout

    docs_repo.delete("README.md")
    missing = run(docs_repo.path, installed_example)
    assert missing.returncode == 1, missing.stdout + missing.stderr
    assert "readme-missing none of README.md, README.rst, README.txt, README exists" in (
        missing.stdout
    )


def test_its_settings_come_from_the_config_layers(
    installed_example: Path, docs_repo: RepoBuilder
) -> None:
    # The default (20 words) when the repository's file does not set it, --prove-set on top.
    docs_repo.write("prove.yaml", "checks: [readme]\n")
    docs_repo.write("README.md", LONG_README)
    default = run(docs_repo.path, installed_example)
    assert default.returncode == 1, default.stdout + default.stderr
    words = len(LONG_README.split())
    assert f"README.md readme-too-short {words} words, at least 20 expected" in default.stdout
    lowered = run(docs_repo.path, installed_example, "--prove-set", f"readme.min_words={words}")
    assert lowered.returncode == 0, lowered.stdout + lowered.stderr
    bad = run(docs_repo.path, installed_example, "--prove-set", "readme.min_words=many")
    assert bad.returncode == 4
    assert "readme.min_words" in bad.stderr


def test_prove_config_show_and_schema_know_the_check(
    installed_example: Path, docs_repo: RepoBuilder
) -> None:
    prove = (sys.executable, "-m", "pytest_prove.cli.main")
    show = run(docs_repo.path, installed_example, "config", "show", "--format", "json",
               command=prove)  # fmt: skip
    assert show.returncode == 0, show.stderr
    settings = json.loads(show.stdout)["docs"]["gates"]["readme"]["settings"]
    assert settings["min_words"] == {"value": 5, "origin": "prove.yaml"}
    schema = run(docs_repo.path, installed_example, "schema", "--kind", "repository",
                 command=prove)  # fmt: skip
    assert schema.returncode == 0, schema.stderr
    readme: dict[str, Any] = json.loads(schema.stdout)["properties"]["readme"]
    assert readme["description"] == "The repository has a README of some substance"


@pytest.mark.parametrize(
    ("config", "message"),
    [
        pytest.param(
            "checks: [readme]\n",
            "prove.yaml:1: checks[0]: unknown check 'readme'",
            id="checks-only",
        ),
        pytest.param(
            "checks: [readme]\nreadme: {min_words: 5}\n",
            "prove.yaml:2: readme: unknown key 'readme'",
            id="with-settings",
        ),
    ],
)
def test_without_the_package_the_check_is_unknown(
    docs_repo: RepoBuilder, config: str, message: str
) -> None:
    docs_repo.write("prove.yaml", config)
    result = run(docs_repo.path, None)
    assert result.returncode == 4
    assert result.stderr.strip() == f"ERROR: pytest-prove: {message}"
    assert "passed" not in result.stdout


# -- the registry: build_registry on a PluginManager of our own ------------------------------


@pytest.fixture
def pm() -> pluggy.PluginManager:
    manager = pluggy.PluginManager(PROJECT_NAME)
    manager.add_hookspecs(hookspecs)
    return manager


def _check(name: str, aliases: tuple[str, ...] = ()) -> Check[CheckSettings]:
    return Check(
        name=name,
        run=lambda context, settings: CheckResult(),
        settings_model=CheckSettings,
        aliases=aliases,
    )


def _plugin(*checks: Check[CheckSettings]) -> object:
    class Plugin:
        @hookimpl
        def prove_checks(self) -> list[Check[CheckSettings]]:
            return list(checks)

    return Plugin()


def test_two_plugins_providing_one_check_name(pm: pluggy.PluginManager) -> None:
    pm.register(_plugin(_check("docs")), name="prove-docs")
    pm.register(_plugin(_check("other"), _check("docs")), name="acme-docs")
    with pytest.raises(ConfigError) as raised:
        build_registry(pm)
    message = str(raised.value)
    assert message.startswith("check 'docs' is provided by both ")
    assert "'prove-docs'" in message
    assert "'acme-docs'" in message


def test_registry_of_distinct_checks(pm: pluggy.PluginManager) -> None:
    pm.register(_plugin(_check("zeta"), _check("alpha", aliases=("old-alpha",))), name="one")
    pm.register(_plugin(_check("beta")), name="two")
    registry = build_registry(pm)
    assert list(registry.checks) == ["alpha", "beta", "zeta"]
    assert registry.providers == {"alpha": "one", "beta": "two", "zeta": "one"}
    assert registry.resolve("old-alpha") == "alpha"
    assert registry.resolve("gamma") is None


@pytest.mark.parametrize(
    ("plugins", "message"),
    [
        pytest.param(
            [_plugin(_check("checks"))],
            "plugin 'p0': 'checks' cannot be a check name",
            id="reserved-name",
        ),
        pytest.param(
            [_plugin(_check("docs")), _plugin(_check("text", aliases=("docs",)))],
            "check alias 'docs' of 'text' clashes with another check",
            id="alias-clashes-with-a-check",
        ),
    ],
)
def test_registry_refuses_clashing_names(
    pm: pluggy.PluginManager, plugins: list[object], message: str
) -> None:
    for index, plugin in enumerate(plugins):
        pm.register(plugin, name=f"p{index}")
    with pytest.raises(ConfigError, match=message):
        build_registry(pm)


def test_the_public_api_imports_from_where_it_lived_before() -> None:
    # Checks written against 0.1 import pytest_prove.checks.api; the names are the same objects.
    import pytest_prove
    import pytest_prove.api
    import pytest_prove.checks.api as old

    for name in old.__all__:
        assert getattr(old, name) is getattr(pytest_prove.api, name)
    for name in ("Check", "CheckRef", "CheckResult", "CheckSettings", "Finding", "Severity"):
        assert getattr(pytest_prove, name) is getattr(pytest_prove.api, name)
