"""Loading configuration files into a :class:`Fleet`: the one entry point for config."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from ..checks.registry import Registry, load_registry
from ..readers.errors import ConfigError
from .command_line import parse_sets
from .file_layers import FileLoader
from .fleet import Fleet, plan_repository
from .merge import Layer
from .models import GlobalSettings, check_name
from .options import Options
from .orchestrator import plan_orchestrator
from .paths import PathProblem, resolved, work_tree_top
from .selection import shard

__all__ = ["Options", "load_fleet", "parse_sets", "repo_name_for"]

_NO_OPTIONS = Options()


def repo_name_for(path: Path) -> str:
    """A node-id-safe name for a repository directory."""
    cleaned = (
        "".join(c if c.isalnum() or c in "._-" else "-" for c in path.name).strip("-.") or "repo"
    )
    return check_name(cleaned if cleaned[0].isalnum() else f"r{cleaned}", "repository name")


def _plan_repository(
    root: Path, config_file: Path | None, loader: FileLoader, options: Options
) -> Fleet:
    """The gates of one repository (``pytest --prove``), from its own config or the defaults.

    Run from a folder inside the repository, the config is the nearest one found walking
    up from ``root`` to the work tree's top (#16).  Found in a folder below the top, that
    folder is a project of a monorepo and is gated alone, on its subtree; found at the top
    (or nowhere), the repository is gated whole.
    """
    top = work_tree_top(root)
    source, file_layers = loader.repo_file_layers(root, config_file)
    folder = root
    while source is None and config_file is None and folder != top:
        folder = folder.parent
        source, file_layers = loader.repo_file_layers(folder, None)
    root = folder if source is not None and config_file is None else top
    layers = [loader.recommended(), *file_layers]
    cli = parse_sets(options.sets, loader.registry)
    if cli is not None:
        layers.append(cli)
    settings = GlobalSettings()
    plan = plan_repository(
        name=repo_name_for(root),
        path=root,
        config_file=source,
        line=None,
        schedule="on-commit",
        layers=layers,
        registry=loader.registry,
        settings=settings,
        timeout_origin=Layer("default timeout", {}),
    )
    repos = shard((plan,), *options.shard) if options.shard is not None else (plan,)
    return Fleet(source=source, kind="repository", base_dir=root, settings=settings, repos=repos)


def load_fleet(
    config_path: Path | None,
    root: Path,
    options: Options = _NO_OPTIONS,
    registry: Registry | None = None,
) -> Fleet:
    """The fleet for a run: an orchestrator file, a repository's file, or its defaults.

    :param config_path: ``--prove-config``: an orchestrator file (one with ``repositories``)
        or a repository config file; None to look for the repository's own file in ``root``
    :param root: the repository gated when there is no orchestrator file
    """
    loader = FileLoader(registry or load_registry())
    root = root.resolve()
    if config_path is None:
        if options.repos:
            raise ConfigError(
                "--prove-repo names repositories of an orchestrator file, and this run gates "
                f"one repository ({work_tree_top(root)}) by its own config: "
                "drop --prove-repo, or pass --prove-config FILE naming the orchestrator file"
            )
        return _plan_repository(root, None, loader, options)
    try:
        path = resolved(config_path)
    except PathProblem as exc:
        raise ConfigError(str(exc)) from None
    loaded = loader.load(path)
    if not isinstance(loaded.data, Mapping):
        raise loaded.error(
            "expected a mapping: an orchestrator file (with 'repositories') or a repository config"
        )
    if "repositories" in loaded.data:
        return plan_orchestrator(loaded, loader, options)
    if options.repos:
        raise ConfigError("--prove-repo needs an orchestrator file (one with 'repositories')")
    return _plan_repository(root, loaded.path, loader, options)
