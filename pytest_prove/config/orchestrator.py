"""Planning an orchestrator file: its repositories, each with its layers and gates."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Collection, Mapping, Sequence
from pathlib import Path
from typing import Any

from ..checks.registry import Registry
from ..readers.errors import (
    ConfigError,
    KeyPath,
    Locate,
    Problems,
    combined,
    display_path,
    prefixed,
)
from ..readers.yamlfile import LoadedFile
from .command_line import parse_sets
from .dependencies import DependencyPlan, plan_dependencies
from .discovery import Discovered
from .durations import DURATIONS_FILE, read_durations
from .entries import Entry
from .file_layers import FileLoader
from .fleet import Fleet, RepoPlan, describe_missing_dir, plan_repository
from .merge import Layer
from .models import TRUNK_BRANCH, WHEN, GlobalSettings, OrchestratorFile, RepositoryEntry, Waiver
from .options import Options
from .outline import check_outline_access, entry_label, locator, read_outline
from .paths import PathProblem, kind_of, resolved
from .presets import resolve_extends
from .projects import mark_nested_projects
from .sections import normalise_sections
from .selection import scheduled, shard
from .waiver_file import load_waivers

_GLOBAL_KEYS = frozenset(
    {
        *GlobalSettings.model_fields,
        *(f.alias for f in GlobalSettings.model_fields.values() if f.alias),
    }
)


@dataclasses.dataclass(frozen=True)
class _Orchestrator:
    """An orchestrator file being planned: what every repository entry shares."""

    loaded: LoadedFile
    loader: FileLoader
    settings: GlobalSettings
    below: Sequence[Layer]  # recommended checks, presets, global
    cli: Layer | None
    timeout: Layer

    def error(self, problem: str, path: KeyPath) -> ConfigError:
        """A located error, naming list entries by their ``name`` as cfgv does."""
        return locator(self.loaded)(problem, path)

    def plan(self, index: int, entry: RepositoryEntry) -> RepoPlan:
        where: KeyPath = ("repositories", index)
        shown = entry_label(index, entry.name)
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


def _with_canonical_policy(
    settings: GlobalSettings, registry: Registry, locate: Callable[[str, KeyPath], ConfigError]
) -> GlobalSettings:
    """``global.policy.required_checks`` checked, with old names (``diffCoverage``) resolved."""
    canonical = []
    problems = Problems()
    for index, name in enumerate(settings.policy.required_checks):
        resolved = registry.resolve(name)
        if resolved is None:
            problems.found.append(
                locate(
                    f"unknown check {name!r}{registry.suggest(name)}",
                    ("global", "policy", "required_checks", index),
                )
            )
        else:
            canonical.append(resolved)
    problems.raise_any()
    policy = settings.policy.model_copy(update={"required_checks": canonical})
    return settings.model_copy(update={"policy": policy})


@dataclasses.dataclass(frozen=True)
class _Shared:
    """What every repository entry of a valid file shares."""

    model: OrchestratorFile
    entries: list[Entry]
    dependencies: DependencyPlan
    settings: GlobalSettings
    below: list[Layer]  # recommended checks, presets, global
    cli: Layer | None
    discovered: Discovered = dataclasses.field(default_factory=Discovered)


def _shared(loaded: LoadedFile, loader: FileLoader, options: Options, locate: Locate) -> _Shared:
    """The file's settings and entries, checked as a whole before any repository is planned.

    So its mistakes are reported once, not once per repository; and each check that needs
    only the entries or the raw file runs even when another failed, so that one run
    reports all their problems (#20).

    :raises ConfigError: every problem found
    """
    registry = loader.registry
    problems = Problems()
    outline = read_outline(loaded, problems, options.repos)
    model, entries = outline.model, outline.entries
    dependencies = None
    if entries is not None:
        with problems.collecting():
            dependencies = plan_dependencies(entries, locate)
    global_layer = None
    if isinstance(loaded.data.get("global") or {}, Mapping):
        with problems.collecting():
            global_layer = _global_layer(loaded, registry, locate)
    cli = None
    with problems.collecting():
        cli = parse_sets(options.sets, registry)
    below = [loader.recommended()]
    settings = GlobalSettings()
    check_outline_access(outline, problems)
    if model is not None:
        with problems.collecting():
            settings = _with_canonical_policy(model.global_, registry, locate)
        with problems.collecting():
            for label, sub, chain in resolve_extends(
                model.extends, loaded, ("extends",), (loaded.path,), loader.load
            ):
                below += loader.file_layers(sub, label, chain)
    if problems.found or model is None or entries is None or dependencies is None:
        raise combined(problems.found)
    if global_layer is not None:
        below.append(global_layer)
    return _Shared(model, entries, dependencies, settings, below, cli, outline.discovered)


def plan_orchestrator(loaded: LoadedFile, loader: FileLoader, options: Options) -> Fleet:
    """The fleet of an orchestrator file.

    :raises ConfigError: every problem found, of the file and of each repository
    """

    locate = locator(loaded)
    shared = _shared(loaded, loader, options, locate)
    shown = display_path(loaded.path)
    orchestrator = _Orchestrator(
        loaded=loaded,
        loader=loader,
        settings=shared.settings,
        below=shared.below,
        cli=shared.cli,
        timeout=Layer(f"{shown} global.timeout", {}, loaded, ("global", "timeout")),
    )
    problems = Problems()
    repos = []
    # Every repository is a waiver's possible target; the gates are known where planned.
    gates: dict[str, Collection[str] | None] = dict.fromkeys(e.name for _, e in shared.entries)
    dependencies = shared.dependencies
    for index, entry in dependencies.order:
        if not scheduled(entry.schedule, entry.name, wanted=options.schedule, named=options.repos):
            continue
        try:
            plan = orchestrator.plan(index, entry)
        except ConfigError as exc:
            problems.found.append(exc)
            continue
        repos.append(
            dataclasses.replace(
                plan,
                depends_on=dependencies.closure[entry.name],
                group=dependencies.groups.get(entry.name),
                uses=shared.discovered.uses.get(entry.name, ()),
            )
        )
        gates[plan.name] = [g.name for g in plan.gates]
    waivers: tuple[Waiver, ...] = ()
    with problems.collecting():
        waivers = load_waivers(shared.model.waivers, loaded.path.parent, locate, gates)
    problems.raise_any()
    planned, balance = _sharded(mark_nested_projects(repos), options, loaded.path.parent)
    return Fleet(
        source=loaded.path,
        kind="orchestrator",
        base_dir=loaded.path.parent,
        settings=shared.settings,
        repos=planned,
        waivers=waivers,
        access=shared.model.access,
        balance=balance,
        notes=tuple(shared.discovered.notes),
    )


def _global_layer(
    loaded: LoadedFile, registry: Registry, locate: Callable[[str, KeyPath], ConfigError]
) -> Layer:
    """``global``'s check sections and ``commands``, beneath every repository's own file."""
    raw_global: Mapping[Any, Any] = loaded.data.get("global") or {}
    sections = {k: v for k, v in raw_global.items() if k not in _GLOBAL_KEYS}
    return Layer(
        f"{display_path(loaded.path)} global",
        normalise_sections(sections, registry, prefixed(locate, ("global",)), known=_GLOBAL_KEYS),
        loaded,
        ("global",),
        "global",
    )


def _sharded(
    repos: tuple[RepoPlan, ...], options: Options, base_dir: Path
) -> tuple[tuple[RepoPlan, ...], str | None]:
    """``--prove-shard``'s share of ``repos``, and what the shards were balanced by."""
    if options.shard is None:
        return repos, None
    durations, problem = read_durations(base_dir / DURATIONS_FILE)
    balance = (
        f"recorded durations ({DURATIONS_FILE} {durations.digest})"
        if durations is not None
        else f"number of gates ({problem or f'no {DURATIONS_FILE} yet'})"
    )
    return shard(repos, *options.shard, durations), balance
