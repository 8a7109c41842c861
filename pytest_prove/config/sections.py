"""Settings sections of one layer: ``<check>: {...}`` and ``commands: {name: {...}}``.

A layer (preset, ``global``, a repository's own file, ``overrides``, ``--prove-set``)
may only name known checks and declare commands.  Keys are normalised here, before
merging, so ``diffCoverage`` and ``coverage``, or ``failFast`` and ``fail_fast``,
land on the same key whatever file spelt them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from pydantic import BaseModel

from ..checks.policy import POLICY_GATE
from ..registry import Registry
from .errors import ConfigError, KeyPath, prefixed
from .models import check_name

COMMANDS_KEY = "commands"
COMMAND_CHECK = "command"
MODES_KEY = "modes"
MODES = ("trunk", "pr", "release")


def _field_names(model: type[BaseModel]) -> dict[str, str]:
    """Every accepted spelling of a field -> the field name."""
    names: dict[str, str] = {}
    for name, field in model.model_fields.items():
        names[name] = name
        if field.alias:
            names[field.alias] = name
    return names


def _normalise_keys(section: Mapping[str, Any], model: type[BaseModel]) -> dict[str, Any]:
    spellings = _field_names(model)
    return {spellings.get(str(k), k): v for k, v in section.items()}


def normalise_sections(
    data: Mapping[Any, Any],
    registry: Registry,
    locate: Callable[[str, KeyPath], ConfigError],
    fixed: frozenset[str] = frozenset(),
) -> dict[str, Any]:
    """Validate the section keys of ``data`` and spell them canonically.

    :param fixed: keys of ``data`` that belong to the file's own model and pass through
    :param locate: builds the error for a problem at a key path of ``data``
    """
    out: dict[str, Any] = {}
    for key, value in data.items():
        if key in fixed:
            out[key] = value
            continue
        if not isinstance(key, str):
            raise locate(f"keys must be strings, got {key!r}", (str(key),))
        if key == COMMANDS_KEY:
            command_model = registry.checks[COMMAND_CHECK].settings_model
            out[key] = _normalise_commands(value, registry, command_model, locate)
            continue
        if key == MODES_KEY:
            out[key] = _normalise_modes(value, registry, locate)
            continue
        if key == COMMAND_CHECK:
            raise locate("declare command gates under 'commands: {name: {argv: [...]}}'", (key,))
        name = registry.resolve(key)
        if name is None:
            raise locate(f"unknown key {key!r}{registry.suggest(key, (COMMANDS_KEY,))}", (key,))
        section = {} if value is None else value
        if not isinstance(section, Mapping):
            raise locate(f"settings of check {name!r} must be a mapping", (key,))
        out[name] = _normalise_keys(section, registry.checks[name].settings_model)
    return out


def _normalise_modes(
    value: Any, registry: Registry, locate: Callable[[str, KeyPath], ConfigError]
) -> dict[str, Any]:
    """``modes: {pr: {<check>: {...}, commands: {...}}}``: settings for one delivery mode."""
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise locate("'modes' must map delivery modes to check settings", (MODES_KEY,))
    out: dict[str, Any] = {}
    for mode, sections in value.items():
        where: KeyPath = (MODES_KEY, str(mode))
        if mode not in MODES:
            raise locate(f"unknown delivery mode {mode!r} (modes: {', '.join(MODES)})", where)
        if not isinstance(sections, Mapping):
            raise locate("settings of a delivery mode must be a mapping of check settings", where)
        for forbidden in (MODES_KEY, "delivery-mode", "deliveryMode"):
            if forbidden in sections:
                raise locate(f"{forbidden!r} cannot depend on the mode", (*where, forbidden))
        out[mode] = normalise_sections(sections, registry, prefixed(locate, where))
    return out


def _normalise_commands(
    value: Any,
    registry: Registry,
    model: type[BaseModel],
    locate: Callable[[str, KeyPath], ConfigError],
) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise locate("'commands' must map gate names to command settings", (COMMANDS_KEY,))
    out: dict[str, Any] = {}
    for name, settings in value.items():
        where = (COMMANDS_KEY, str(name))
        if not isinstance(name, str):
            raise locate("command names must be strings", where)
        try:
            check_name(name, "command name")
        except ValueError as exc:
            raise locate(str(exc), where) from None
        if name == POLICY_GATE:
            raise locate(
                f"command name {name!r} is reserved: the built-in policy gate "
                "(global.policy.required_checks) has that name",
                where,
            )
        if registry.resolve(name) is not None:
            raise locate(
                f"command name {name!r} clashes with the built-in check of that name", where
            )
        # `lint: ruff check .` is shorthand for `lint: {argv: ruff check .}`
        full = {"argv": settings} if isinstance(settings, str | list) else settings
        if not isinstance(full, Mapping):
            raise locate("command settings must be a mapping with at least 'argv'", where)
        out[name] = _normalise_keys(full, model)
    return out
