"""The pytest11 entry point: options, configuration, and the hooks that adapt gates to pytest.

This module is imported at every pytest start-up where the package is installed, so it
imports nothing heavy until ``--prove`` or ``--prove-config`` turns the plugin on.
"""

from __future__ import annotations

import gc
import re
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from .keys import FLEET_KEY
from .plain_imports import install

if TYPE_CHECKING:
    from ..config.fleet import Fleet

install()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("prove", "quality gates (pytest-prove)")
    group.addoption(
        "--prove",
        action="store_true",
        dest="prove",
        help="Run this repository's quality gates (prove.yaml, prove.config.yaml, "
        "[tool.prove] or the recommended preset) next to its tests",
    )
    group.addoption(
        "--prove-config",
        dest="prove_config",
        metavar="PATH",
        help="Orchestrator file listing repositories, or a repository config file",
    )
    group.addoption(
        "--prove-quick", action="store_true", dest="prove_quick", help="Run only the quick gates"
    )
    group.addoption(
        "--prove-affected",
        action="store_true",
        dest="prove_affected",
        help="Only the repositories and monorepo projects with changes against their base, "
        "and those that depend on them (depends_on, workspace dependencies)",
    )
    group.addoption(
        "--prove-repo",
        action="append",
        dest="prove_repo",
        default=[],
        metavar="NAME",
        help="Only this repository of the orchestrator file (repeatable)",
    )
    group.addoption(
        "--prove-base",
        dest="prove_base",
        metavar="REF",
        help="Compare against this ref (default: CI variables, then the trunk branch)",
    )
    group.addoption(
        "--prove-set",
        action="append",
        dest="prove_set",
        default=[],
        metavar="KEY=VALUE",
        help="Set a check setting above every file, e.g. commit-msg.header_max_length=72",
    )
    group.addoption(
        "--prove-schedule",
        dest="prove_schedule",
        choices=("on-commit", "on-push", "scheduled", "manual"),
        help="Only repositories with this schedule (manual ones run only when named)",
    )
    group.addoption(
        "--prove-shard",
        dest="prove_shard",
        metavar="K/N",
        help="Only the K-th of N balanced shards of the repositories (for CI matrix jobs)",
    )
    group.addoption(
        "--prove-only",
        action="store_true",
        dest="prove_only",
        help="Collect only the gates, not the repository's own tests",
    )
    group.addoption(
        "--prove-no-cache",
        action="store_true",
        dest="prove_no_cache",
        help="Run every gate, even one that passed before with the same inputs, "
        "and leave the pass cache as it is",
    )
    group.addoption(
        "--prove-no-history",
        action="store_true",
        dest="prove_no_history",
        help="Do not write this run to the history file (reporting.history)",
    )
    group.addoption(
        "--prove-gitlab-codequality",
        dest="prove_gitlab_codequality",
        metavar="FILE",
        help="Write the gates' findings to FILE as a GitLab Code Quality report",
    )
    group.addoption(
        "--prove-sarif",
        dest="prove_sarif",
        metavar="FILE",
        help="Write security findings and other findings with a file as SARIF 2.1.0 to FILE",
    )


@pytest.hookimpl(tryfirst=True)
def pytest_load_initial_conftests(early_config: pytest.Config, args: list[str]) -> None:
    """Keep a gates-only run from importing the repository's conftest files.

    Before any plugin's configure, pytest imports the conftest.py files of its initial
    paths: the positional ones, else ``testpaths``, else the current directory and its
    ``test*`` folders.  A gates-only run (``--prove-only``, or an orchestrator file without
    ``--prove``) collects no test, so a ``tests/conftest.py`` importing a package this
    environment lacks must not stop it.  An orchestrator file keeps the conftest.py in its
    own folder (not those above it): where a fleet's consumer hooks live.  Paths given on
    the command line are the user's choice and are left alone.
    """
    namespace = early_config.known_args_namespace
    config_path = getattr(namespace, "prove_config", None)
    gates_only = getattr(namespace, "prove_only", False) or (
        config_path is not None and not getattr(namespace, "prove", False)
    )
    if not gates_only or namespace.file_or_dir:
        return
    orchestrator = _orchestrator_file(config_path, early_config.invocation_params.dir)
    if orchestrator is None:
        namespace.noconftest = True
    else:
        namespace.file_or_dir = [str(orchestrator)]
        # pytest has set it to the rootdir by now; a --confcutdir given is the user's.
        if not any(arg.startswith("--confcutdir") for arg in args):
            namespace.confcutdir = str(orchestrator.parent)


_ORCHESTRATOR_KEY = re.compile(rb"^[\"']?repositories[\"']?[ \t]*:", re.MULTILINE)


def _orchestrator_file(config_path: str | None, invocation_dir: Path) -> Path | None:
    """``--prove-config``'s file when it reads as an orchestrator file (top-level
    ``repositories``), else None; a file that cannot be read is reported at configure."""
    if not config_path or not config_path.strip():
        return None
    from ..support.files import open_regular

    path = invocation_dir / config_path
    try:
        with open_regular(path) as file:
            head = file.read(1 << 20)
    except OSError:
        return None
    return path if _ORCHESTRATOR_KEY.search(head) else None


def pytest_addhooks(pluginmanager: pytest.PytestPluginManager) -> None:
    from ..report import hooks as sinks

    pluginmanager.add_hookspecs(sinks)


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "prove: a pytest-prove quality gate")
    config.addinivalue_line("markers", "quick: a quick quality gate (kept by --prove-quick)")
    config_path = config.getoption("prove_config")
    # An empty --prove-config= (an unset CI variable) must not quietly turn the gates off.
    if not config.getoption("prove") and config_path is None:
        return
    # Loading the configuration imports pydantic and builds its models: a burst of
    # long-lived objects during which the collector would run again and again for nothing.
    collecting = gc.isenabled()
    gc.disable()
    try:
        _configure(config, config_path)
    finally:
        # What start-up made lives to the end: the collector need not walk it again
        # (pytest's own gc.collect at the end cost 23 ms twice).  New garbage is
        # collected as usual; a process that calls pytest.main again (pytester) keeps
        # only cycles that already existed here, which reference counting cannot free.
        gc.freeze()
        if collecting:
            gc.enable()


def _configure(config: pytest.Config, config_path: str | None) -> None:
    from ..config.load import Options, load_fleet
    from ..config.selection import parse_shard
    from ..readers.errors import ConfigError
    from .session import ProvePlugin

    path = Path(config_path) if config_path is not None else None
    if path is not None and not path.is_absolute():
        path = config.invocation_params.dir / path
    shard = config.getoption("prove_shard")
    try:
        if config_path is not None and not config_path.strip():
            raise ConfigError("--prove-config needs a file path, got an empty one")
        options = Options(
            repos=config.getoption("prove_repo"),
            sets=config.getoption("prove_set"),
            schedule=config.getoption("prove_schedule"),
            shard=parse_shard(shard) if shard is not None else None,
        )
        fleet = load_fleet(path, _repository_start(config), options)
    except ConfigError as exc:
        # Raised here, a usage error stops the run before any worker or gate starts (exit 4).
        raise pytest.UsageError(f"pytest-prove: {exc}") from None
    config.stash[FLEET_KEY] = fleet
    if fleet.settings.fail_fast and not config.option.maxfail:
        # Before xdist's trylast configure reads it, so -n counts failures the same way.
        config.option.maxfail = 1
    config.pluginmanager.register(ProvePlugin(config, fleet), "prove-session")


def _repository_start(config: pytest.Config) -> Path:
    """Where to look for the repository a run without an orchestrator file gates.

    The folder pytest runs in, unless the rootdir lies elsewhere (``pytest --prove
    ../other``): pytest infers the rootdir from option values too, so ``--prove-config
    /elsewhere/team.yaml`` alone would make it ``/``'s neighbourhood, not this repository.
    """
    here, root = config.invocation_params.dir, config.rootpath
    return here if here == root or root in here.parents else root


def fleet_of(config: pytest.Config) -> Fleet | None:
    return config.stash.get(FLEET_KEY, None)
