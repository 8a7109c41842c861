"""The fleet plan: every repository to gate and, for each, its gates with effective settings.

Built once per process in ``pytest_configure`` (controller and every xdist worker
alike, from files and argv only), so collection is a pure function of its inputs
and never touches git.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

import pydantic

from ..checks.api import Check, CheckSettings
from ..registry import Registry
from .errors import ConfigError, KeyPath, display_path
from .merge import Layer, Merged
from .models import GlobalSettings, Schedule
from .sections import COMMAND_CHECK, COMMANDS_KEY
from .validation import first_error

REPO_CONFIG_NAMES = ("prove.yaml", "prove.config.yaml", "pyproject.toml")


@dataclasses.dataclass(frozen=True, kw_only=True)
class GatePlan:
    """One (repository, check) pair: what becomes a test item."""

    repo: str
    name: str
    check: Check[Any]
    settings: CheckSettings
    settings_path: KeyPath
    quick: bool


@dataclasses.dataclass(frozen=True, kw_only=True)
class RepoPlan:
    name: str
    path: Path
    config_file: Path | None
    line: int | None
    schedule: Schedule
    trunk: str | None
    gates: tuple[GatePlan, ...]
    merged: Merged
    layers: tuple[Layer, ...]


@dataclasses.dataclass(frozen=True, kw_only=True)
class Fleet:
    """What a run gates.

    :param source: the orchestrator or repository config file, None without one
    :param kind: ``orchestrator`` for a multi-repository file, else ``repository``
    :param base_dir: where paths written by a run are relative to
    """

    source: Path | None
    kind: Literal["orchestrator", "repository"]
    base_dir: Path
    settings: GlobalSettings
    repos: tuple[RepoPlan, ...]

    def repo(self, name: str) -> RepoPlan:
        for plan in self.repos:
            if plan.name == name:
                return plan
        known = ", ".join(p.name for p in self.repos)
        raise ConfigError(f"unknown repository {name!r} (known: {known})")


def _checks_list(merged: Merged, registry: Registry) -> list[str]:
    raw = merged.values.get("checks")
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise merged.error("'checks' must be a list of check names", ("checks",))
    commands = merged.values.get(COMMANDS_KEY, {})
    names: list[str] = []
    for index, item in enumerate(raw):
        if not isinstance(item, str):
            raise merged.error(f"check names must be strings, got {item!r}", ("checks", index))
        name = item if item in commands else registry.resolve(item)
        if name == COMMAND_CHECK:
            raise merged.error(
                "declare command gates under 'commands: {name: {argv: [...]}}', then list them",
                ("checks", index),
            )
        if name is None:
            hint = registry.suggest(item, tuple(commands))
            raise merged.error(f"unknown check {item!r}{hint}", ("checks", index))
        if name not in names:
            names.append(name)
    return names


def _validate(
    check: Check[Any], raw: Mapping[str, Any], merged: Merged, prefix: KeyPath
) -> CheckSettings:
    try:
        settings: CheckSettings = check.settings_model.model_validate(raw)
    except pydantic.ValidationError as exc:
        raise first_error(
            exc, raw, lambda problem, path: merged.error(problem, (*prefix, *path))
        ) from None
    return settings


def plan_gates(
    repo: str,
    merged: Merged,
    registry: Registry,
    settings: GlobalSettings,
    timeout_origin: Layer,
) -> tuple[GatePlan, ...]:
    """Validate every section of ``merged`` and build the gates its ``checks`` list names."""
    names = _checks_list(merged, registry)
    values = merged.values
    validated: dict[str, tuple[Check[Any], CheckSettings, KeyPath]] = {}
    command = registry.checks[COMMAND_CHECK]
    for name, declared in values.get(COMMANDS_KEY, {}).items():
        path: KeyPath = (COMMANDS_KEY, name)
        raw = declared
        if "timeout" not in raw:
            # A command gate without its own limit gets global.timeout (SPEC §2).
            raw = {**raw, "timeout": settings.timeout}
            merged.origins.setdefault((*path, "timeout"), timeout_origin)
        validated[name] = (command, _validate(command, raw, merged, path), path)
    for name, check in registry.checks.items():
        if name in values or name in names:
            raw = values.get(name, {})
            validated[name] = (check, _validate(check, raw, merged, (name,)), (name,))
    gates = []
    for name in names:
        check, checked, path = validated[name]
        quick = (
            bool(getattr(checked, "quick", False)) if check.name == COMMAND_CHECK else check.quick
        )
        gates.append(
            GatePlan(
                repo=repo, name=name, check=check, settings=checked, settings_path=path, quick=quick
            )
        )
    return tuple(gates)


def describe_missing_dir(path: Path) -> str:
    if path.exists():
        return f"not a directory: {display_path(path)}"
    return f"directory not found: {display_path(path)}"
