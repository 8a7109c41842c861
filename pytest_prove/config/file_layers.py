"""Repository files and presets as layers: each file read once, its ``extends`` beneath it."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pydantic

from ..checks.registry import Registry
from ..readers.errors import ConfigError, Problems, display_path
from ..readers.validation import validation_error
from ..readers.yamlfile import LoadedFile, load_pyproject_table, load_yaml_file
from .fleet import REPO_CONFIG_NAMES
from .merge import Layer
from .models import TRUNK_BRANCH, WHEN, RepositoryFile
from .paths import PathProblem, file_problem, kind_of
from .presets import RECOMMENDED, builtin_preset_path, resolve_extends
from .sections import normalise_sections

REPO_FILE_KEYS = frozenset({"extends", "checks", TRUNK_BRANCH, WHEN})
"""The keys of a repository file that are no check section."""


class FileLoader:
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
        own = {k: v for k, v in data.items() if k in REPO_FILE_KEYS}
        problems = Problems()
        try:
            RepositoryFile.model_validate(own)
        except pydantic.ValidationError as exc:
            problems.found.append(validation_error(exc, data, loaded.error, RepositoryFile))
        body = {k: v for k, v in data.items() if k != "extends"}
        sections: dict[str, Any] = {}
        with problems.collecting():
            sections = normalise_sections(body, self.registry, loaded.error, REPO_FILE_KEYS)
        # Presets are read only beneath a file that is right itself: its own `extends`
        # may be what is wrong.
        problems.raise_any()
        layers: list[Layer] = []
        extends = resolve_extends(
            data.get("extends", []), loaded, ("extends",), chain or (loaded.path,), self.load
        )
        for sub_label, sub, sub_chain in extends:
            layers += self.file_layers(sub, sub_label, sub_chain)
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
