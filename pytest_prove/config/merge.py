"""The precedence chain of SPEC §2 as one function: deep-merge layers, remembering origins.

Lowest to highest: built-in defaults < presets in ``extends`` < orchestrator ``global`` <
the repository's own file < the repository entry's ``overrides`` < command-line options.
Mappings merge deeply; any other value (lists included) replaces what was below it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any

from ..readers.errors import ConfigError, KeyPath, format_key_path
from ..readers.yamlfile import LoadedFile


@dataclasses.dataclass(frozen=True)
class Layer:
    """One source of settings.

    :param label: how ``prove config show`` names it (``multi.yaml global``)
    :param data: the settings tree it contributes
    :param file: the file it was read from, to locate errors
    :param prefix: where ``data`` sits inside ``file`` (``("repositories", 2, "overrides")``)
    :param shown_prefix: ``prefix`` as the user reads it: ``repositories[2] (name='api')``
    """

    label: str
    data: Mapping[str, Any]
    file: LoadedFile | None = None
    prefix: KeyPath = ()
    shown_prefix: str = ""

    def error(self, problem: str, path: KeyPath) -> ConfigError:
        shown = format_key_path(path)
        if self.shown_prefix:
            shown = f"{self.shown_prefix}.{shown}" if shown else self.shown_prefix
        if self.file is None:
            return ConfigError(problem, key_path=f"{self.label}: {shown}" if shown else self.label)
        return self.file.error(problem, (*self.prefix, *path), shown_path=shown)


@dataclasses.dataclass
class Merged:
    """The merged tree and, for every key path written, the layer that wrote it last."""

    values: dict[str, Any]
    origins: dict[KeyPath, Layer]

    def origin(self, path: KeyPath) -> Layer | None:
        """The layer behind ``path``, or behind its nearest written ancestor."""
        for end in range(len(path), 0, -1):
            layer = self.origins.get(tuple(path[:end]))
            if layer is not None:
                return layer
        return None

    def error(self, problem: str, path: KeyPath) -> ConfigError:
        layer = self.origin(path)
        if layer is None:
            return ConfigError(problem, key_path=format_key_path(path))
        return layer.error(problem, path)


def _merge_into(
    target: dict[str, Any],
    source: Mapping[str, Any],
    layer: Layer,
    path: KeyPath,
    origins: dict[KeyPath, Layer],
) -> None:
    for key, value in source.items():
        key_path = (*path, key)
        origins[key_path] = layer
        below = target.get(key)
        if isinstance(value, Mapping) and isinstance(below, dict):
            _merge_into(below, value, layer, key_path, origins)
        elif isinstance(value, Mapping):
            fresh: dict[str, Any] = {}
            _merge_into(fresh, value, layer, key_path, origins)
            target[key] = fresh
        else:
            if isinstance(below, dict):
                # A scalar replacing a mapping: its deeper origins must not outlive it.
                n = len(key_path)
                for stale in [p for p in origins if len(p) > n and p[:n] == key_path]:
                    del origins[stale]
            target[key] = value


def merge_layers(layers: Sequence[Layer]) -> Merged:
    """Deep-merge ``layers`` (lowest precedence first)."""
    values: dict[str, Any] = {}
    origins: dict[KeyPath, Layer] = {}
    for layer in layers:
        _merge_into(values, layer.data, layer, (), origins)
    return Merged(values, origins)
