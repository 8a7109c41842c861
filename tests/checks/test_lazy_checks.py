"""Checks registered by reference are imported only when a configuration uses them.

Start-up cost is paid by every pytest run and every xdist worker, so a run of one
gate must not import the other checks' modules, nor have pytest rewrite our modules.
"""

from __future__ import annotations

import gc
import json
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pluggy
import pytest

from pytest_prove.api import Check, CheckRef, CheckSettings
from pytest_prove.checks import hookspecs
from pytest_prove.checks.builtin import BUILTIN_CHECKS
from pytest_prove.checks.hook import PROJECT_NAME, hookimpl
from pytest_prove.checks.registry import Registry, build_registry
from pytest_prove.readers.errors import ConfigError
from tests.repo_builder import MakeRepo

CHECK_MODULES = {ref.target.partition(":")[0] for ref in BUILTIN_CHECKS}


@pytest.mark.parametrize("ref", BUILTIN_CHECKS, ids=lambda ref: ref.name)
def test_each_builtin_reference_names_its_check(ref: CheckRef) -> None:
    pm = pluggy.PluginManager(PROJECT_NAME)
    pm.add_hookspecs(hookspecs)
    pm.register(_plugin(ref), name="builtin")
    check = build_registry(pm).checks[ref.name]
    assert isinstance(check, Check)
    assert (check.name, check.aliases) == (ref.name, ref.aliases)


def _plugin(*entries: Check[CheckSettings] | CheckRef) -> object:
    class Plugin:
        @hookimpl
        def prove_checks(self) -> list[Check[CheckSettings] | CheckRef]:
            return list(entries)

    return Plugin()


def test_a_reference_is_loaded_on_first_lookup_only() -> None:
    ref = CheckRef(name="trunk", target="pytest_prove.checks.trunk:TRUNK")
    registry = build_registry_of(ref)
    assert registry.resolve("trunk") == "trunk"
    assert list(registry.checks) == ["trunk"]
    first = registry.checks["trunk"]
    assert registry.checks["trunk"] is first


def build_registry_of(*entries: Check[CheckSettings] | CheckRef) -> Registry:
    pm = pluggy.PluginManager(PROJECT_NAME)
    pm.add_hookspecs(hookspecs)
    pm.register(_plugin(*entries), name="acme")
    return build_registry(pm)


@pytest.mark.parametrize(
    ("ref", "message"),
    [
        pytest.param(
            CheckRef(name="docs", target="acme_missing_module:DOCS"),
            "plugin 'acme': cannot load check 'docs' from 'acme_missing_module:DOCS': "
            "ModuleNotFoundError",
            id="missing-module",
        ),
        pytest.param(
            CheckRef(name="docs", target="pytest_prove.checks.trunk:NOPE"),
            "cannot load check 'docs' from 'pytest_prove.checks.trunk:NOPE': AttributeError",
            id="missing-attribute",
        ),
        pytest.param(
            CheckRef(name="docs", target="pytest_prove.checks.trunk:TrunkSettings"),
            "'pytest_prove.checks.trunk:TrunkSettings' is <class",
            id="not-a-check",
        ),
        pytest.param(
            CheckRef(name="docs", target="pytest_prove.checks.trunk:TRUNK"),
            "declares check 'trunk' (aliases []), but was registered as 'docs'",
            id="other-name",
        ),
        pytest.param(
            CheckRef(name="trunk", target="pytest_prove.checks.trunk:TRUNK", aliases=("t",)),
            "declares check 'trunk' (aliases []), but was registered as 'trunk' (aliases ['t'])",
            id="other-aliases",
        ),
    ],
)
def test_a_bad_reference_is_a_config_error_when_used(ref: CheckRef, message: str) -> None:
    registry = build_registry_of(ref)
    assert list(registry.checks) == [ref.name]  # registering imports nothing
    with pytest.raises(ConfigError, match=re.escape(message)):
        registry.checks[ref.name]


def test_a_reference_clashing_with_a_check_is_refused() -> None:
    pm = pluggy.PluginManager(PROJECT_NAME)
    pm.add_hookspecs(hookspecs)
    pm.register(_plugin(CheckRef(name="trunk", target="x:Y")), name="one")
    pm.register(_plugin(CheckRef(name="other", target="x:Z", aliases=("trunk",))), name="two")
    with pytest.raises(ConfigError, match="check alias 'trunk' of 'other' clashes"):
        build_registry(pm)


PROBE = textwrap.dedent(
    """
    import json, sys
    import pytest

    class Probe:
        def pytest_sessionfinish(self):
            from _pytest.assertion.rewrite import AssertionRewritingHook
            ours = {n: m for n, m in sys.modules.items() if n.startswith("pytest_prove.")}
            rewritten = sorted(
                n for n, m in ours.items()
                if isinstance(getattr(m, "__loader__", None), AssertionRewritingHook)
            )
            found = {"modules": sorted(ours), "rewritten": rewritten}
            with open(sys.argv[1], "w", encoding="utf-8") as out:
                json.dump(found, out)

    sys.exit(pytest.main(sys.argv[2:], plugins=[Probe()]))
    """
)


def test_a_run_of_one_gate_imports_only_its_check(make_repo: MakeRepo, tmp_path: Path) -> None:
    repo = make_repo()
    repo.write_files({"prove.yaml": "checks: [commit-msg]\n", "pytest.ini": "[pytest]\n"})
    probe = tmp_path / "probe.py"
    probe.write_text(PROBE, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "PROVE_"))}
    # What an installed (not editable) distribution with a pytest11 entry point gets.
    (tmp_path / "mark_ours.py").write_text(
        'import pytest\npytest.register_assert_rewrite("pytest_prove")\n', encoding="utf-8"
    )
    env["PYTHONPATH"] = os.pathsep.join([os.fspath(tmp_path), env.get("PYTHONPATH", "")])
    report = tmp_path / "found.json"
    argv = [os.fspath(probe), os.fspath(report), "-p", "mark_ours", "--prove", "--prove-only"]
    done = subprocess.run(
        [sys.executable, *argv],
        cwd=repo.path,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    found = json.loads(report.read_text(encoding="utf-8"))
    imported = CHECK_MODULES & set(found["modules"])
    # delivery-mode resolves every repository's mode, so its settings are always needed.
    assert imported == {"pytest_prove.checks.commit_msg", "pytest_prove.checks.delivery_mode"}
    assert "passed" in done.stdout, done.stdout + done.stderr
    # Only the entry point, its package, its stash keys and the finder it installs go through
    # pytest's rewriting hook.
    entry = {
        "pytest_prove.plugin",
        "pytest_prove.plugin.entry",
        "pytest_prove.plugin.keys",
        "pytest_prove.plugin.plain_imports",
    }
    assert set(found["rewritten"]) <= entry, found["rewritten"]


@pytest.mark.parametrize("enabled", [True, False])
def test_the_garbage_collector_is_left_as_it_was(
    pytester: pytest.Pytester, make_repo: MakeRepo, enabled: bool
) -> None:
    repo = make_repo()
    pytester.makefile(".yaml", multi=f"repositories:\n  - {{name: r, path: {repo.path}}}\n")
    was = gc.isenabled()
    try:
        (gc.enable if enabled else gc.disable)()
        pytester.inline_run("--prove-config", "multi.yaml", "-p", "no:cacheprovider")
        assert gc.isenabled() is enabled
    finally:
        (gc.enable if was else gc.disable)()
