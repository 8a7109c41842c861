"""Settings sections of one layer: ``<check>: {...}`` and ``commands: {name: {...}}``.

A layer (preset, ``global``, a repository's own file, ``overrides``, ``--prove-set``)
may only name known checks and declare commands.  Keys are normalised here, before
merging, so ``diffCoverage`` and ``coverage``, or ``failFast`` and ``fail_fast``,
land on the same key whatever file spelt them.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from typing import Any

from pydantic import BaseModel

from ..checks.policy import POLICY_GATE
from ..checks.registry import Registry
from ..readers.errors import ConfigError, KeyPath, Problems, prefixed
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
    known: Collection[str] = (),
) -> dict[str, Any]:
    """Validate the section keys of ``data`` and spell them canonically.

    :param fixed: keys of ``data`` that belong to the file's own model and pass through
    :param known: keys taken out of ``data`` before (``global``'s run settings): an
        unknown key may be one of them misspelt
    :param locate: builds the error for a problem at a key path of ``data``
    :raises ConfigError: every problem of ``data``
    """
    out: dict[str, Any] = {}
    problems = Problems()
    for key, value in data.items():
        if key in fixed:
            out[key] = value
            continue
        with problems.collecting():
            name, section = _section(key, value, registry, locate, (*fixed, *known))
            out[name] = section
    problems.raise_any()
    return out


def _section(
    key: object,
    value: Any,
    registry: Registry,
    locate: Callable[[str, KeyPath], ConfigError],
    also: tuple[str, ...],
) -> tuple[str, Any]:
    """The canonical key and the value of one section."""
    if not isinstance(key, str):
        raise locate(f"keys must be strings, got {key!r}", (str(key),))
    if key == COMMANDS_KEY:
        command_model = registry.checks[COMMAND_CHECK].settings_model
        return key, _normalise_commands(value, registry, command_model, locate)
    if key == MODES_KEY:
        return key, _normalise_modes(value, registry, locate)
    if key == COMMAND_CHECK:
        raise locate("declare command gates under 'commands: {name: {argv: [...]}}'", (key,))
    name = registry.resolve(key)
    if name is None:
        hint = registry.suggest(key, (COMMANDS_KEY, MODES_KEY, *also))
        raise locate(f"unknown key {key!r}{hint}", (key,))
    section = {} if value is None else value
    if not isinstance(section, Mapping):
        raise locate(f"settings of check {name!r} must be a mapping", (key,))
    return name, _normalise_keys(section, registry.checks[name].settings_model)


def _normalise_modes(
    value: Any, registry: Registry, locate: Callable[[str, KeyPath], ConfigError]
) -> dict[str, Any]:
    """``modes: {pr: {<check>: {...}, commands: {...}}}``: settings for one delivery mode."""
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise locate("'modes' must map delivery modes to check settings", (MODES_KEY,))
    out: dict[str, Any] = {}
    problems = Problems()
    for mode, sections in value.items():
        with problems.collecting():
            out[mode] = _mode(mode, sections, registry, locate)
    problems.raise_any()
    return out


def _mode(
    mode: object, sections: Any, registry: Registry, locate: Callable[[str, KeyPath], ConfigError]
) -> dict[str, Any]:
    where: KeyPath = (MODES_KEY, str(mode))
    if mode not in MODES:
        raise locate(f"unknown delivery mode {mode!r} (modes: {', '.join(MODES)})", where)
    if not isinstance(sections, Mapping):
        raise locate("settings of a delivery mode must be a mapping of check settings", where)
    for forbidden in (MODES_KEY, "delivery-mode", "deliveryMode"):
        if forbidden in sections:
            raise locate(f"{forbidden!r} cannot depend on the mode", (*where, forbidden))
    return normalise_sections(sections, registry, prefixed(locate, where))


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
    problems = Problems()
    for name, settings in value.items():
        with problems.collecting():
            out[str(name)] = _command(name, settings, registry, model, locate)
    problems.raise_any()
    return out


def _command(
    name: object,
    settings: Any,
    registry: Registry,
    model: type[BaseModel],
    locate: Callable[[str, KeyPath], ConfigError],
) -> dict[str, Any]:
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
        raise locate(f"command name {name!r} clashes with the built-in check of that name", where)
    # `lint: ruff check .` is shorthand for `lint: {argv: ruff check .}`
    full = {"argv": settings} if isinstance(settings, str | list) else settings
    if not isinstance(full, Mapping):
        raise locate("command settings must be a mapping with at least 'argv'", where)
    return _normalise_keys(full, model)
