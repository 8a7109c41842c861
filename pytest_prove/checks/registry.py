"""The check registry: built-in checks, then third-party ones from ``pytest_prove`` entry points.

Built-ins register through the same hook as third-party plugins, so a separate
package can add a check exactly as the built-ins do.
"""

from __future__ import annotations

import dataclasses
import functools
import importlib
import importlib.metadata
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import pluggy

from ..api import Check, CheckRef
from ..readers.errors import ConfigError
from ..support.wording import did_you_mean
from . import hookspecs
from .hook import PROJECT_NAME

ENTRY_POINT_GROUP = PROJECT_NAME
# Keys that configuration files use beside check sections (see config/models.py).
RESERVED_NAMES = frozenset(
    {
        "checks",
        "commands",
        "discover",
        "policy",
        "concurrency",
        "extends",
        "fail_fast",
        "failFast",
        "global",
        "modes",
        "reporting",
        "repositories",
        "timeout",
        "trunk_branch",
        "trunkBranch",
        "version",
    }
)


class _Checks(Mapping[str, Check[Any]]):
    """Name -> check, where a :class:`CheckRef` is imported the first time it is looked up."""

    def __init__(
        self, entries: Mapping[str, Check[Any] | CheckRef], providers: Mapping[str, str]
    ) -> None:
        self._entries = dict(entries)
        self._providers = providers

    def __getitem__(self, name: str) -> Check[Any]:
        entry = self._entries[name]
        if isinstance(entry, CheckRef):
            entry = self._entries[name] = _load(entry, self._providers[name])
        return entry

    def __iter__(self) -> Iterator[str]:
        return iter(self._entries)

    def __len__(self) -> int:
        return len(self._entries)


def _load(ref: CheckRef, plugin_name: str) -> Check[Any]:
    module_name, _, attribute = ref.target.partition(":")
    try:
        loaded: object = getattr(importlib.import_module(module_name), attribute)
    except Exception as exc:
        raise ConfigError(
            f"plugin {plugin_name!r}: cannot load check {ref.name!r} from {ref.target!r}: "
            f"{type(exc).__name__}: {exc}"
        ) from exc
    if not isinstance(loaded, Check):
        raise ConfigError(
            f"plugin {plugin_name!r}: {ref.target!r} is {loaded!r}, not a pytest_prove Check"
        )
    if (loaded.name, loaded.aliases) != (ref.name, ref.aliases):
        raise ConfigError(
            f"plugin {plugin_name!r}: {ref.target!r} declares check {loaded.name!r} "
            f"(aliases {list(loaded.aliases)}), but was registered as {ref.name!r} "
            f"(aliases {list(ref.aliases)})"
        )
    return loaded


@dataclasses.dataclass(frozen=True)
class Registry:
    """Every available check, sorted by name, and the older names that map to them."""

    checks: Mapping[str, Check[Any]]
    aliases: Mapping[str, str]
    providers: Mapping[str, str]

    def resolve(self, name: str) -> str | None:
        """The canonical check name for ``name`` (itself or an alias), or None."""
        if name in self.checks:
            return name
        return self.aliases.get(name)

    def suggest(self, name: str, extra: tuple[str, ...] = ()) -> str:
        """A `did you mean` hint for an unknown name ('' when nothing is close)."""
        return did_you_mean(name, [*self.checks, *self.aliases, *extra])


def _plugin_manager() -> pluggy.PluginManager:
    from . import builtin

    pm = pluggy.PluginManager(PROJECT_NAME)
    pm.add_hookspecs(hookspecs)
    pm.register(builtin, name="builtin")
    for ep in sorted(
        importlib.metadata.entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name
    ):
        if pm.has_plugin(ep.name):
            continue
        try:
            plugin = ep.load()
        except Exception as exc:
            raise ConfigError(
                f"cannot load pytest-prove plugin {ep.name!r} ({ep.value}): "
                f"{type(exc).__name__}: {exc}"
            ) from exc
        pm.register(plugin, name=ep.name)
    pm.check_pending()
    return pm


def build_registry(pm: pluggy.PluginManager) -> Registry:
    """Collect the checks of every plugin registered on ``pm``."""
    checks: dict[str, Check[Any] | CheckRef] = {}
    providers: dict[str, str] = {}
    for impl in pm.hook.prove_checks.get_hookimpls():
        plugin_name = impl.plugin_name
        provided: object = impl.function()
        if not isinstance(provided, Sequence):
            raise ConfigError(
                f"plugin {plugin_name!r}: prove_checks() must return a list of checks"
            )
        for check in provided:
            if not isinstance(check, Check | CheckRef):
                raise ConfigError(
                    f"plugin {plugin_name!r} returned {check!r}, "
                    "not a pytest_prove Check or CheckRef"
                )
            if check.name in RESERVED_NAMES:
                raise ConfigError(
                    f"plugin {plugin_name!r}: {check.name!r} cannot be a check name: "
                    "configuration files use that key for something else"
                )
            if check.name in checks:
                raise ConfigError(
                    f"check {check.name!r} is provided by both {providers[check.name]!r} "
                    f"and {plugin_name!r}"
                )
            checks[check.name] = check
            providers[check.name] = plugin_name
    aliases: dict[str, str] = {}
    for check in checks.values():
        for alias in check.aliases:
            if alias in checks or aliases.get(alias, check.name) != check.name:
                raise ConfigError(
                    f"check alias {alias!r} of {check.name!r} clashes with another check"
                )
            aliases[alias] = check.name
    return Registry(
        checks=_Checks(dict(sorted(checks.items())), providers),
        aliases=dict(sorted(aliases.items())),
        providers=providers,
    )


@functools.cache
def load_registry() -> Registry:
    """The process-wide registry (entry points are read once per process)."""
    return build_registry(_plugin_manager())
