"""Loading configuration files into a :class:`Fleet`: the one entry point for config."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pydantic
import yaml

from ..registry import Registry, load_registry
from .errors import ConfigError, KeyPath, display_path, format_key_path
from .fleet import REPO_CONFIG_NAMES, Fleet, RepoPlan, describe_missing_dir, plan_gates
from .merge import Layer, merge_layers
from .models import GlobalSettings, OrchestratorFile, RepositoryEntry, RepositoryFile, check_name
from .presets import RECOMMENDED, builtin_preset_path, resolve_extends
from .sections import normalise_sections
from .validation import first_error
from .yamlfile import LoadedFile, load_pyproject_table, load_yaml_file

_REPO_FILE_KEYS = frozenset({"extends", "checks", "trunk"})
_GLOBAL_KEYS = frozenset(
    {
        *GlobalSettings.model_fields,
        *(f.alias for f in GlobalSettings.model_fields.values() if f.alias),
    }
)


@dataclasses.dataclass(frozen=True)
class Options:
    """What the command line adds to the files.

    :param repos: only these repositories (``--prove-repo``)
    :param sets: ``KEY=VALUE`` settings of the top layer (``--prove-set``)
    """

    repos: Sequence[str] = ()
    sets: Sequence[str] = ()


def is_orchestrator(loaded: LoadedFile) -> bool:
    return isinstance(loaded.data, Mapping) and "repositories" in loaded.data


class _Loader:
    """One load: files are read at most once, whoever extends them."""

    def __init__(self, registry: Registry) -> None:
        self.registry = registry
        self._files: dict[Path, LoadedFile] = {}

    def load(self, path: Path) -> LoadedFile:
        loaded = self._files.get(path)
        if loaded is None:
            loaded = self._files[path] = load_yaml_file(path)
        return loaded

    def file_layers(
        self, loaded: LoadedFile, label: str, chain: tuple[Path, ...] = (), prefix: KeyPath = ()
    ) -> list[Layer]:
        """A repository file or preset: its ``extends`` beneath its own content."""
        data = loaded.data
        for part in prefix:
            data = data[part]
        if not isinstance(data, Mapping):
            raise loaded.error("expected a mapping of settings at the top level", prefix)
        try:
            RepositoryFile.model_validate({k: v for k, v in data.items() if k in _REPO_FILE_KEYS})
        except pydantic.ValidationError as exc:
            raise first_error(exc, data, lambda p, k: loaded.error(p, (*prefix, *k))) from None
        layers: list[Layer] = []
        for sub_label, sub, sub_chain in resolve_extends(
            data.get("extends", []),
            loaded,
            (*prefix, "extends"),
            chain or (loaded.path,),
            self.load,
        ):
            layers += self.file_layers(sub, sub_label, sub_chain)
        body = {k: v for k, v in data.items() if k != "extends"}
        sections = normalise_sections(
            body, self.registry, lambda p, k: loaded.error(p, (*prefix, *k)), _REPO_FILE_KEYS
        )
        layers.append(Layer(label, sections, loaded, prefix))
        return layers

    def recommended(self) -> Layer:
        loaded = self.load(builtin_preset_path(RECOMMENDED))
        return Layer(RECOMMENDED, {"checks": loaded.data["checks"]}, loaded)

    def repo_file_layers(
        self, repo_path: Path, explicit: Path | None
    ) -> tuple[Path | None, list[Layer]]:
        if explicit is not None:
            if not explicit.is_file():
                raise ConfigError(f"config file not found: {display_path(explicit)}")
            return explicit, self.repo_file_layers_of(explicit)
        found = [c for c in (repo_path / n for n in REPO_CONFIG_NAMES) if c.is_file()]
        with_table = []
        for candidate in found:
            layers = self.repo_file_layers_of(candidate)
            if layers:
                with_table.append((candidate, layers))
        if len(with_table) > 1:
            names = " and ".join(display_path(c) for c, _ in with_table)
            raise ConfigError(f"both {names} configure pytest-prove: keep one")
        return with_table[0] if with_table else (None, [])

    def repo_file_layers_of(self, path: Path) -> list[Layer]:
        if path.name == "pyproject.toml":
            table = load_pyproject_table(path)
            if table is None:
                return []
            return self.file_layers(table, display_path(path))
        return self.file_layers(self.load(path), display_path(path))


def parse_sets(sets: Sequence[str], registry: Registry) -> Layer | None:
    """``--prove-set coverage.threshold=90`` -> the top layer."""
    if not sets:
        return None
    data: dict[str, Any] = {}
    for item in sets:
        key, sep, raw = item.partition("=")
        parts = key.strip().split(".")
        if not sep or not all(parts):
            raise ConfigError(
                f"--prove-set expects KEY=VALUE (e.g. coverage.threshold=90), got {item!r}"
            )
        try:
            value = yaml.safe_load(raw) if raw.strip() else ""
        except yaml.YAMLError:
            value = raw
        node = data
        for part in parts[:-1]:
            node = node.setdefault(part, {})
            if not isinstance(node, dict):
                raise ConfigError(
                    f"--prove-set {key}: {part} is set to a value and used as a section"
                )
        node[parts[-1]] = value
    label = "command line (--prove-set)"
    locate = lambda p, k: ConfigError(p, key_path=f"{label}: {format_key_path(k)}")  # noqa: E731
    return Layer(label, normalise_sections(data, registry, locate, frozenset({"checks"})))


def _entry_label(index: int, name: object) -> str:
    return (
        f"repositories[{index}] (name={name!r})"
        if isinstance(name, str)
        else f"repositories[{index}]"
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


def load_orchestrator(
    path: Path, options: Options = Options(), registry: Registry | None = None
) -> Fleet:
    """Load a multi-repository orchestrator file into a fleet plan."""
    registry = registry or load_registry()
    loader = _Loader(registry)
    loaded = loader.load(path.resolve())
    return _plan_orchestrator(loaded, loader, options)


def _plan_orchestrator(loaded: LoadedFile, loader: _Loader, options: Options) -> Fleet:
    registry = loader.registry
    if not isinstance(loaded.data, Mapping):
        raise loaded.error("expected a mapping with 'repositories' at the top level")
    locate = lambda p, k: _orchestrator_error(loaded, p, k)  # noqa: E731
    try:
        model = OrchestratorFile.model_validate(loaded.data)
    except pydantic.ValidationError as exc:
        raise first_error(exc, loaded.data, locate) from None
    base_dir = loaded.path.parent
    seen: dict[str, int] = {}
    for index, entry in enumerate(model.repositories):
        if entry.name in seen:
            raise locate(
                f"duplicate repository name {entry.name!r} (also repositories[{seen[entry.name]}])",
                ("repositories", index, "name"),
            )
        seen[entry.name] = index
    for name in options.repos:
        if name not in seen:
            raise ConfigError(
                f"--prove-repo {name!r}: no such repository in {display_path(loaded.path)} (known: {', '.join(seen)})"
            )

    preset_layers: list[Layer] = []
    for label, sub, chain in resolve_extends(
        model.extends, loaded, ("extends",), (loaded.path,), loader.load
    ):
        preset_layers += loader.file_layers(sub, label, chain)
    raw_global = loaded.data.get("global") or {}
    global_sections = {k: v for k, v in raw_global.items() if k not in _GLOBAL_KEYS}
    global_layer = Layer(
        f"{display_path(loaded.path)} global",
        normalise_sections(global_sections, registry, lambda p, k: locate(p, ("global", *k))),
        loaded,
        ("global",),
        "global",
    )
    timeout_layer = Layer(
        f"{display_path(loaded.path)} global.timeout", {}, loaded, ("global", "timeout")
    )
    cli_layer = parse_sets(options.sets, registry)
    recommended = loader.recommended()

    repos = []
    for index, entry in enumerate(model.repositories):
        if options.repos and entry.name not in options.repos:
            continue
        repos.append(
            _plan_entry(
                loaded,
                loader,
                index,
                entry,
                [recommended, *preset_layers, global_layer],
                cli_layer,
                model.global_,
                timeout_layer,
            )
        )
    return Fleet(
        source=loaded.path,
        kind="orchestrator",
        base_dir=base_dir,
        settings=model.global_,
        repos=tuple(repos),
    )


def _plan_entry(
    loaded: LoadedFile,
    loader: _Loader,
    index: int,
    entry: RepositoryEntry,
    below: list[Layer],
    cli_layer: Layer | None,
    settings: GlobalSettings,
    timeout_layer: Layer,
) -> RepoPlan:
    where: KeyPath = ("repositories", index)
    shown = _entry_label(index, entry.name)
    repo_path = (loaded.path.parent / entry.path).resolve()
    if not repo_path.is_dir():
        raise _orchestrator_error(loaded, describe_missing_dir(repo_path), (*where, "path"))
    explicit = repo_path / entry.config if entry.config is not None else None
    try:
        config_file, file_layers = loader.repo_file_layers(repo_path, explicit)
    except ConfigError as exc:
        if exc.file is None:  # a problem of the entry itself, such as a missing config file
            raise _orchestrator_error(loaded, exc.problem, (*where, "config")) from None
        raise
    entry_data: dict[str, Any] = {}
    if entry.checks is not None:
        entry_data["checks"] = entry.checks
    if entry.trunk is not None:
        entry_data["trunk"] = entry.trunk
    layers = [*below, *file_layers]
    if entry_data:
        layers.append(Layer(shown, entry_data, loaded, where, shown))
    if entry.overrides:
        overrides = normalise_sections(
            entry.overrides,
            loader.registry,
            lambda p, k: _orchestrator_error(loaded, p, (*where, "overrides", *k)),
        )
        layers.append(
            Layer(
                f"{shown}.overrides", overrides, loaded, (*where, "overrides"), f"{shown}.overrides"
            )
        )
    if cli_layer is not None:
        layers.append(cli_layer)
    merged = merge_layers(layers)
    gates = plan_gates(entry.name, merged, loader.registry, settings, timeout_layer)
    line = loaded.line_of((*where, "name"))
    trunk = merged.values.get("trunk")
    return RepoPlan(
        name=entry.name,
        path=repo_path,
        config_file=config_file,
        line=line,
        schedule=entry.schedule,
        trunk=trunk if isinstance(trunk, str) else None,
        gates=gates,
        merged=merged,
        layers=tuple(layers),
    )


def repo_name_for(path: Path) -> str:
    """A node-id-safe name for a repository directory."""
    cleaned = (
        "".join(c if c.isalnum() or c in "._-" else "-" for c in path.name).strip("-.") or "repo"
    )
    return check_name(cleaned if cleaned[0].isalnum() else f"r{cleaned}", "repository name")


def load_repository(
    root: Path,
    config_file: Path | None = None,
    options: Options = Options(),
    registry: Registry | None = None,
) -> Fleet:
    """Plan the gates of one repository (``pytest --prove``), from its own config or the defaults."""
    registry = registry or load_registry()
    loader = _Loader(registry)
    root = root.resolve()
    source, file_layers = loader.repo_file_layers(
        root, config_file.resolve() if config_file else None
    )
    layers = [loader.recommended(), *file_layers]
    cli_layer = parse_sets(options.sets, registry)
    if cli_layer is not None:
        layers.append(cli_layer)
    settings = GlobalSettings()
    merged = merge_layers(layers)
    name = repo_name_for(root)
    default_timeout = Layer("default timeout", {})
    gates = plan_gates(name, merged, registry, settings, default_timeout)
    trunk = merged.values.get("trunk")
    plan = RepoPlan(
        name=name,
        path=root,
        config_file=source,
        line=None,
        schedule="on-commit",
        trunk=trunk if isinstance(trunk, str) else None,
        gates=gates,
        merged=merged,
        layers=tuple(layers),
    )
    return Fleet(source=source, kind="repository", base_dir=root, settings=settings, repos=(plan,))


def load_fleet(
    config_path: Path | None,
    root: Path,
    options: Options = Options(),
    registry: Registry | None = None,
) -> Fleet:
    """The fleet for a run: an orchestrator file, a repository file, or the repository's defaults."""
    registry = registry or load_registry()
    if config_path is None:
        return load_repository(root, None, options, registry)
    loader = _Loader(registry)
    loaded = loader.load(config_path.resolve())
    if not isinstance(loaded.data, Mapping):
        raise loaded.error(
            "expected a mapping: an orchestrator file (with 'repositories') or a repository config"
        )
    if is_orchestrator(loaded):
        return _plan_orchestrator(loaded, loader, options)
    if options.repos:
        raise ConfigError("--prove-repo needs an orchestrator file (one with 'repositories')")
    return load_repository(root, config_path, options, registry)
