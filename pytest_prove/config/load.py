"""Loading configuration files into a :class:`Fleet`: the one entry point for config."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Collection, Mapping, Sequence
from pathlib import Path
from typing import Any

import pydantic

from ..durations import DURATIONS_FILE, read_durations
from ..registry import Registry, load_registry
from .dependencies import plan_dependencies
from .entries import check_names, expand_entries
from .errors import ConfigError, KeyPath, display_path, format_key_path, prefixed
from .fleet import REPO_CONFIG_NAMES, Fleet, RepoPlan, describe_missing_dir, plan_repository
from .merge import Layer
from .models import (
    TRUNK_BRANCH,
    WHEN,
    GlobalSettings,
    OrchestratorFile,
    RepositoryEntry,
    RepositoryFile,
    check_name,
)
from .paths import PathProblem, file_problem, kind_of, resolved, work_tree_top
from .presets import RECOMMENDED, builtin_preset_path, resolve_extends
from .sections import normalise_sections
from .selection import scheduled, shard
from .validation import first_error
from .waiver_file import load_waivers
from .yamlfile import LoadedFile, load_pyproject_table, load_yaml_file, parse_yaml_value

_REPO_FILE_KEYS = frozenset({"extends", "checks", TRUNK_BRANCH, WHEN})
_GLOBAL_KEYS = frozenset(
    {
        *GlobalSettings.model_fields,
        *(f.alias for f in GlobalSettings.model_fields.values() if f.alias),
    }
)
_CLI_LABEL = "command line (--prove-set)"


@dataclasses.dataclass(frozen=True)
class Options:
    """What the command line adds to the files.

    :param repos: only these repositories (``--prove-repo``)
    :param sets: ``KEY=VALUE`` settings of the top layer (``--prove-set``)
    :param schedule: only repositories with this schedule (``--prove-schedule``)
    :param shard: ``(k, n)``: only the k-th of n shards (``--prove-shard K/N``)
    """

    repos: Sequence[str] = ()
    sets: Sequence[str] = ()
    schedule: str | None = None
    shard: tuple[int, int] | None = None


class _Loader:
    """One load: files are read at most once, however many files extend them."""

    def __init__(self, registry: Registry) -> None:
        self.registry = registry
        self._files: dict[Path, LoadedFile] = {}

    def load(self, path: Path) -> LoadedFile:
        loaded = self._files.get(path)
        if loaded is None:
            loaded = self._files[path] = load_yaml_file(path)
        return loaded

    def file_layers(
        self, loaded: LoadedFile, label: str, chain: tuple[Path, ...] = ()
    ) -> list[Layer]:
        """A repository file or preset: its ``extends`` beneath its own content."""
        data = loaded.data
        if not isinstance(data, Mapping):
            raise loaded.error("expected a mapping of settings at the top level")
        own = {k: v for k, v in data.items() if k in _REPO_FILE_KEYS}
        try:
            RepositoryFile.model_validate(own)
        except pydantic.ValidationError as exc:
            raise first_error(exc, data, loaded.error) from None
        layers: list[Layer] = []
        extends = resolve_extends(
            data.get("extends", []), loaded, ("extends",), chain or (loaded.path,), self.load
        )
        for sub_label, sub, sub_chain in extends:
            layers += self.file_layers(sub, sub_label, sub_chain)
        body = {k: v for k, v in data.items() if k != "extends"}
        sections = normalise_sections(body, self.registry, loaded.error, _REPO_FILE_KEYS)
        layers.append(Layer(label, sections, loaded))
        return layers

    def recommended(self) -> Layer:
        """Only the preset's ``checks``: the gates of a repository whose config names none."""
        loaded = self.load(builtin_preset_path(RECOMMENDED))
        return Layer(RECOMMENDED, {"checks": loaded.data["checks"]}, loaded)

    def repo_file_layers(
        self, repo_path: Path, explicit: Path | None
    ) -> tuple[Path | None, list[Layer]]:
        """The repository's own config file and its layers (none without a file)."""
        if explicit is not None:
            problem = file_problem(explicit, "config file")
            if problem is not None:
                raise ConfigError(problem)
            return explicit, self._layers_of(explicit)
        found = []
        for candidate in (repo_path / name for name in REPO_CONFIG_NAMES):
            try:
                present = kind_of(candidate) != "missing"
            except PathProblem as exc:
                raise ConfigError(exc.problem, file=candidate) from None
            if present:  # a FIFO or directory of that name is reported when read
                layers = self._layers_of(candidate)
                if layers:  # a pyproject.toml without [tool.prove] is not a config
                    found.append((candidate, layers))
        if len(found) > 1:
            names = " and ".join(display_path(c) for c, _ in found)
            raise ConfigError(f"both {names} configure pytest-prove: keep one")
        return found[0] if found else (None, [])

    def _layers_of(self, path: Path) -> list[Layer]:
        if path.name == "pyproject.toml":
            table = load_pyproject_table(path)
            return self.file_layers(table, display_path(path)) if table is not None else []
        return self.file_layers(self.load(path), display_path(path))


def _cli_error(problem: str, path: KeyPath) -> ConfigError:
    return ConfigError(problem, key_path=f"{_CLI_LABEL}: {format_key_path(path)}")


def parse_sets(sets: Sequence[str], registry: Registry) -> Layer | None:
    """``--prove-set coverage.threshold=90`` -> the top layer (values parsed as YAML)."""
    if not sets:
        return None
    data: dict[str, Any] = {}
    for item in sets:
        key, sep, raw = item.partition("=")
        parts = key.strip().split(".")
        if not sep or not all(parts):
            raise ConfigError(
                f"--prove-set expects KEY=VALUE (commit-msg.header_max_length=72), got {item!r}"
            )
        try:
            value = parse_yaml_value(raw) if raw.strip() else ""
        except ValueError as exc:
            raise ConfigError(f"--prove-set {key}: {exc}") from None
        node = data
        for part in parts[:-1]:
            node = node.setdefault(part, {})
            if not isinstance(node, dict):
                raise ConfigError(f"--prove-set {key}: {part!r} is both a value and a section")
        node[parts[-1]] = value
    return Layer(_CLI_LABEL, normalise_sections(data, registry, _cli_error, frozenset({"checks"})))


def _entry_label(index: int, name: object) -> str:
    return (
        f"repositories[{index}] (name={name!r})"
        if isinstance(name, str)
        else f"repositories[{index}]"
    )


@dataclasses.dataclass(frozen=True)
class _Orchestrator:
    """An orchestrator file being planned: what every repository entry shares."""

    loaded: LoadedFile
    loader: _Loader
    settings: GlobalSettings
    below: Sequence[Layer]  # recommended checks, presets, global
    cli: Layer | None
    timeout: Layer

    def error(self, problem: str, path: KeyPath) -> ConfigError:
        """A located error, naming list entries by their ``name`` as cfgv does."""
        return _orchestrator_error(self.loaded, problem, path)

    def plan(self, index: int, entry: RepositoryEntry) -> RepoPlan:
        where: KeyPath = ("repositories", index)
        shown = _entry_label(index, entry.name)
        try:
            repo_path = resolved(self.loaded.path.parent / entry.path)
            is_dir = kind_of(repo_path) == "directory"
        except PathProblem as exc:
            raise self.error(str(exc), (*where, "path")) from None
        if not is_dir:
            raise self.error(describe_missing_dir(repo_path), (*where, "path"))
        explicit = repo_path / entry.config if entry.config is not None else None
        try:
            config_file, file_layers = self.loader.repo_file_layers(repo_path, explicit)
        except ConfigError as exc:
            if exc.file is None:  # about the entry itself, e.g. its `config` file is missing
                raise self.error(exc.problem, (*where, "config")) from None
            raise
        layers = [*self.below, *file_layers]
        entry_data: dict[str, Any] = {
            k: v
            for k, v in (("checks", entry.checks), (TRUNK_BRANCH, entry.trunk_branch))
            if v is not None
        }
        if entry.when is not None:
            entry_data[WHEN] = entry.when.model_dump(exclude_none=True)
        if entry_data:
            layers.append(Layer(shown, entry_data, self.loaded, where, shown))
        if entry.overrides:
            at: KeyPath = (*where, "overrides")
            overrides = normalise_sections(
                entry.overrides, self.loader.registry, prefixed(self.error, at)
            )
            layers.append(
                Layer(f"{shown}.overrides", overrides, self.loaded, at, f"{shown}.overrides")
            )
        if self.cli is not None:
            layers.append(self.cli)
        return plan_repository(
            name=entry.name,
            path=repo_path,
            config_file=config_file,
            line=self.loaded.line_of((*where, "name")),
            schedule=entry.schedule,
            layers=layers,
            registry=self.loader.registry,
            settings=self.settings,
            timeout_origin=self.timeout,
        )


def _orchestrator_error(loaded: LoadedFile, problem: str, path: KeyPath) -> ConfigError:
    shown = format_key_path(path)
    if len(path) >= 2 and path[0] == "repositories" and isinstance(path[1], int):
        entries = loaded.data.get("repositories")
        entry = entries[path[1]] if isinstance(entries, list) and path[1] < len(entries) else None
        name = entry.get("name") if isinstance(entry, Mapping) else None
        rest = format_key_path(path[2:])
        if rest and not rest.startswith("["):
            rest = "." + rest
        shown = _entry_label(path[1], name) + rest
    return loaded.error(problem, path, shown_path=shown)


def _with_canonical_policy(
    settings: GlobalSettings, registry: Registry, locate: Callable[[str, KeyPath], ConfigError]
) -> GlobalSettings:
    """``global.policy.required_checks`` checked, with old names (``diffCoverage``) resolved."""
    canonical = []
    for index, name in enumerate(settings.policy.required_checks):
        resolved = registry.resolve(name)
        if resolved is None:
            raise locate(
                f"unknown check {name!r}{registry.suggest(name)}",
                ("global", "policy", "required_checks", index),
            )
        canonical.append(resolved)
    policy = settings.policy.model_copy(update={"required_checks": canonical})
    return settings.model_copy(update={"policy": policy})


def _plan_orchestrator(loaded: LoadedFile, loader: _Loader, options: Options) -> Fleet:
    registry = loader.registry

    def locate(problem: str, path: KeyPath) -> ConfigError:
        return _orchestrator_error(loaded, problem, path)

    try:
        model = OrchestratorFile.model_validate(loaded.data)
    except pydantic.ValidationError as exc:
        raise first_error(exc, loaded.data, locate) from None
    entries = expand_entries(model.repositories, loaded.path.parent, locate)
    check_names(entries, options.repos, locate, loaded.path)
    if model.access is not None:
        from ..governance.access import check_access

        check_access(model.access, [entry.name for _, entry in entries], locate)
    settings = _with_canonical_policy(model.global_, registry, locate)
    below = [loader.recommended()]
    for label, sub, chain in resolve_extends(
        model.extends, loaded, ("extends",), (loaded.path,), loader.load
    ):
        below += loader.file_layers(sub, label, chain)
    raw_global = loaded.data.get("global") or {}
    sections = {k: v for k, v in raw_global.items() if k not in _GLOBAL_KEYS}
    shown = display_path(loaded.path)
    below.append(
        Layer(
            f"{shown} global",
            normalise_sections(sections, registry, prefixed(locate, ("global",))),
            loaded,
            ("global",),
            "global",
        )
    )
    orchestrator = _Orchestrator(
        loaded=loaded,
        loader=loader,
        settings=settings,
        below=below,
        cli=parse_sets(options.sets, registry),
        timeout=Layer(f"{shown} global.timeout", {}, loaded, ("global", "timeout")),
    )
    dependencies = plan_dependencies(entries, locate)
    repos = tuple(
        dataclasses.replace(
            orchestrator.plan(index, entry),
            depends_on=dependencies.closure[entry.name],
            group=dependencies.groups.get(entry.name),
        )
        for index, entry in dependencies.order
        if scheduled(entry.schedule, entry.name, wanted=options.schedule, named=options.repos)
    )
    # Every repository is a waiver's possible target; the gates are known where planned.
    gates: dict[str, Collection[str] | None] = dict.fromkeys(e.name for _, e in entries)
    gates.update((plan.name, [g.name for g in plan.gates]) for plan in repos)
    balance = None
    if options.shard is not None:
        durations, problem = read_durations(loaded.path.parent / DURATIONS_FILE)
        repos = shard(repos, *options.shard, durations)
        balance = (
            f"recorded durations ({DURATIONS_FILE} {durations.digest})"
            if durations is not None
            else f"number of gates ({problem or f'no {DURATIONS_FILE} yet'})"
        )
    return Fleet(
        source=loaded.path,
        kind="orchestrator",
        base_dir=loaded.path.parent,
        settings=settings,
        repos=repos,
        waivers=load_waivers(model.waivers, loaded.path.parent, locate, gates),
        access=model.access,
        balance=balance,
    )


def repo_name_for(path: Path) -> str:
    """A node-id-safe name for a repository directory."""
    cleaned = (
        "".join(c if c.isalnum() or c in "._-" else "-" for c in path.name).strip("-.") or "repo"
    )
    return check_name(cleaned if cleaned[0].isalnum() else f"r{cleaned}", "repository name")


def _plan_repository(
    root: Path, config_file: Path | None, loader: _Loader, options: Options
) -> Fleet:
    """The gates of one repository (``pytest --prove``), from its own config or the defaults.

    Run from a folder inside the repository, the repository is still gated whole, and its
    config is the nearest one found walking up from ``root`` to the work tree's top (#16).
    """
    top = work_tree_top(root)
    source, file_layers = loader.repo_file_layers(root, config_file)
    folder = root
    while source is None and config_file is None and folder != top:
        folder = folder.parent
        source, file_layers = loader.repo_file_layers(folder, None)
    root = top
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
    options: Options = Options(),
    registry: Registry | None = None,
) -> Fleet:
    """The fleet for a run: an orchestrator file, a repository's file, or its defaults.

    :param config_path: ``--prove-config``: an orchestrator file (one with ``repositories``)
        or a repository config file; None to look for the repository's own file in ``root``
    :param root: the repository gated when there is no orchestrator file
    """
    loader = _Loader(registry or load_registry())
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
        return _plan_orchestrator(loaded, loader, options)
    if options.repos:
        raise ConfigError("--prove-repo needs an orchestrator file (one with 'repositories')")
    return _plan_repository(root, loaded.path, loader, options)
