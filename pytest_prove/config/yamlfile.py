"""Reading YAML (and ``[tool.prove]`` TOML) configuration files, keeping line numbers.

Line numbers are recorded per mapping key while constructing, so an error found
after validation can still point at the line the user wrote.
"""

from __future__ import annotations

import contextlib
import dataclasses
import tomllib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from .errors import ConfigError, KeyPath

if TYPE_CHECKING:
    _BaseLoader = yaml.SafeLoader
else:  # the C scanner/parser matters at 1,000 repositories (see pre-commit's yaml.py)
    _BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _LineLoader(_BaseLoader):
    """A safe loader that remembers the 1-based line of each mapping key."""

    lines: dict[tuple[int, object], int]

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        mapping: dict[Any, Any] = super().construct_mapping(node, deep=deep)
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            # An unhashable key was already reported by super().
            with contextlib.suppress(TypeError):
                self.lines[(id(mapping), key)] = key_node.start_mark.line + 1
        return mapping


# Keys of any YAML type other than str would be surprising in config; the
# loader keeps them and validation rejects them with their location.
_LineLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG,
    _LineLoader.construct_mapping,
)


@dataclasses.dataclass(frozen=True)
class LoadedFile:
    """A parsed configuration file and where each of its keys stands."""

    path: Path
    data: Any
    _lines: Mapping[tuple[int, object], int]

    def line_of(self, key_path: KeyPath) -> int | None:
        """The line of the deepest key of ``key_path`` that exists in the file."""
        node: Any = self.data
        line: int | None = None
        for part in key_path:
            if isinstance(node, Mapping) and part in node:
                line = self._lines.get((id(node), part), line)
                node = node[part]
            elif (
                isinstance(node, Sequence)
                and isinstance(part, int)
                and -len(node) <= part < len(node)
            ):
                node = node[part]
                if isinstance(node, Mapping) and node:
                    first = next(iter(node))
                    line = self._lines.get((id(node), first), line)
            else:
                break
        return line

    def error(
        self, problem: str, key_path: KeyPath = (), shown_path: str | None = None
    ) -> ConfigError:
        from .errors import format_key_path

        return ConfigError(
            problem,
            file=self.path,
            key_path=shown_path if shown_path is not None else format_key_path(key_path),
            line=self.line_of(key_path) if key_path else None,
        )


def _read_text(path: Path) -> str:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError("file not found", file=path) from None
    except IsADirectoryError:
        raise ConfigError("is a directory, not a file", file=path) from None
    except OSError as exc:
        raise ConfigError(f"cannot read: {exc.strerror or exc}", file=path) from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"not valid UTF-8 (byte {exc.start})", file=path) from None


def load_yaml_file(path: Path) -> LoadedFile:
    """Parse one YAML file; every failure becomes a :class:`ConfigError` at its line."""
    text = _read_text(path)
    loader = _LineLoader(text)
    loader.lines = {}
    try:
        data = loader.get_single_data()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = " ".join(p for p in (exc.context, exc.problem) if p) or "invalid YAML"
        line = mark.line + 1 if mark is not None else None
        raise ConfigError(f"YAML syntax error: {problem}", file=path, line=line) from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"YAML error: {exc}", file=path) from None
    finally:
        loader.dispose()
    if data is None:
        data = {}
    return LoadedFile(path, data, loader.lines)


def load_pyproject_table(path: Path) -> LoadedFile | None:
    """``[tool.prove]`` of a pyproject.toml, or None when it has no such table."""
    text = _read_text(path)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"TOML syntax error: {exc}", file=path) from None
    table = data.get("tool", {}).get("prove")
    if table is None:
        return None
    return LoadedFile(path, table, {})
