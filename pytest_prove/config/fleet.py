"""The fleet plan: every repository to gate and, for each, its gates with effective settings.

Built once per process in ``pytest_configure`` (controller and every xdist worker
alike, from files and argv only), so collection is a pure function of its inputs
and never touches git.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Hashable, Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

import pydantic

from ..api import Check, CheckSettings
from ..checks.delivery_mode import DeliveryModeSettings
from ..checks.policy import POLICY, POLICY_GATE, PolicySettings
from ..checks.registry import Registry
from ..git.mode import ModeOptions
from ..readers.errors import ConfigError, KeyPath, Problems, display_path, prefixed
from ..readers.validation import validation_error
from .merge import Layer, Merged, merge_layers
from .models import TRUNK_BRANCH, WHEN, Access, GlobalSettings, Schedule, Waiver, When
from .paths import work_tree_top
from .sections import COMMAND_CHECK, COMMANDS_KEY, MODES_KEY

DELIVERY_MODE_CHECK = "delivery-mode"

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
    mode_settings: Mapping[str, CheckSettings] = dataclasses.field(default_factory=dict)

    def settings_for(self, mode: str) -> CheckSettings:
        """The settings with ``modes.<mode>`` applied on top."""
        return self.mode_settings.get(mode, self.settings)


@dataclasses.dataclass(frozen=True, kw_only=True)
class PlannedGates:
    gates: tuple[GatePlan, ...]
    mode_options: ModeOptions


@dataclasses.dataclass(frozen=True, kw_only=True)
class RepoPlan:
    name: str
    path: Path
    config_file: Path | None
    line: int | None
    schedule: Schedule
    trunk: str | None
    gates: tuple[GatePlan, ...]
    mode_options: ModeOptions
    when: When | None
    merged: Merged
    layers: tuple[Layer, ...]
    depends_on: tuple[str, ...] = ()
    group: str | None = None
    # The top of the git work tree when ``path`` is a folder below it (a project of a
    # monorepo, gated on its subtree); None when ``path`` is a repository's top (or none).
    work_tree: Path | None = None
    # The entries of the workspace members this project depends on, as its manifests
    # declare (unlike ``depends_on``, a failure there skips nothing): --prove-affected
    # keeps a project whose dependency changed.
    uses: tuple[str, ...] = ()
    # Why the entry cannot be gated (a project inside another): its gates fail with it,
    # the other entries run.
    problem: str | None = None


@dataclasses.dataclass(frozen=True, kw_only=True)
class Fleet:
    """What a run gates.

    :param source: the orchestrator or repository config file, None without one
    :param kind: ``orchestrator`` for a multi-repository file, else ``repository``
    :param base_dir: where paths written by a run are relative to
    :param balance: for ``--prove-shard``, what the shards were balanced by
    """

    source: Path | None
    kind: Literal["orchestrator", "repository"]
    base_dir: Path
    settings: GlobalSettings
    repos: tuple[RepoPlan, ...]
    waivers: tuple[Waiver, ...] = ()
    access: Access | None = None
    balance: str | None = None
    # what the configuration left out without failing (a workspace glob matching nothing)
    notes: tuple[str, ...] = ()

    def repo(self, name: str) -> RepoPlan:
        for plan in self.repos:
            if plan.name == name:
                return plan
        known = ", ".join(p.name for p in self.repos)
        raise ConfigError(f"unknown repository {name!r} (known: {known})")


def _checks_list(merged: Merged, registry: Registry, problems: Problems) -> list[str]:
    """The gates ``checks`` names; a name that is no gate is recorded and left out."""
    raw = merged.values.get("checks")
    if raw is None:
        return []
    if not isinstance(raw, list):
        problems.found.append(merged.error("'checks' must be a list of check names", ("checks",)))
        return []
    commands = merged.values.get(COMMANDS_KEY, {})
    names: list[str] = []
    for index, item in enumerate(raw):
        problem = None
        name = None
        if not isinstance(item, str):
            problem = f"check names must be strings, got {item!r}"
        else:
            name = item if item in commands else registry.resolve(item)
            if name == COMMAND_CHECK:
                problem = (
                    "declare command gates under 'commands: {name: {argv: [...]}}', then list them"
                )
            elif name is None:
                problem = f"unknown check {item!r}{registry.suggest(item, tuple(commands))}"
        if problem is not None:
            problems.found.append(merged.error(problem, ("checks", index)))
        elif name is not None and name not in names:
            names.append(name)
    return names


def _validate(
    check: Check[Any], raw: Mapping[str, Any], merged: Merged, prefix: KeyPath
) -> CheckSettings:
    """``raw`` validated by the check's model: one shared (frozen) object per distinct
    section, so a fleet whose repositories keep the defaults validates each once, and
    the pass cache's key of a gate finds its settings' digest already made."""
    model = check.settings_model
    key = _frozen(raw)
    if key is not None:
        known = _VALIDATED.get((model, key))
        if known is not None:
            return known
    try:
        settings: CheckSettings = model.model_validate(raw)
    except pydantic.ValidationError as exc:
        raise validation_error(exc, raw, prefixed(merged.error, prefix), model) from None
    if key is not None:
        if len(_VALIDATED) >= _VALIDATED_MAX:
            _VALIDATED.clear()
        _VALIDATED[(model, key)] = settings
    return settings


# Validation is a pure function of the model and the section's values (no validator reads
# the environment, the clock or the file system), and the settings are frozen models.
_VALIDATED: dict[tuple[type[CheckSettings], Hashable], CheckSettings] = {}
_VALIDATED_MAX = 4096


def _frozen(value: object) -> Hashable | None:
    """``value`` (YAML or TOML data) as a hashable that tells apart what validation would:
    every scalar with its type, since ``1``, ``1.0`` and ``True`` are equal in Python but
    not to a strict model.  None for anything else (that section is just validated)."""
    if isinstance(value, Mapping):
        items = []
        for name, item in value.items():
            frozen = _frozen(item)
            if frozen is None or not isinstance(name, str):
                return None
            items.append((name, frozen))
        return ("map", tuple(sorted(items)))
    if isinstance(value, list | tuple):
        parts = []
        for item in value:
            frozen = _frozen(item)
            if frozen is None:
                return None
            parts.append(frozen)
        return (type(value).__name__, tuple(parts))
    if value is None or type(value) in (str, int, float, bool):
        return (type(value).__name__, value)
    return None


def _gate_raw(
    values: Mapping[str, Any], name: str, is_command: bool, timeout: int
) -> tuple[dict[str, Any], KeyPath]:
    if is_command:
        raw = dict(values[COMMANDS_KEY][name])
        # A command gate without its own limit gets global.timeout (SPEC §2).
        raw.setdefault("timeout", timeout)
        return raw, (COMMANDS_KEY, name)
    return dict(values.get(name, {})), (name,)


def _mode_section(values: Mapping[str, Any], mode: str, path: KeyPath) -> Mapping[str, Any]:
    node: Any = values.get(MODES_KEY, {}).get(mode, {})
    for part in path:
        node = node.get(part, {}) if isinstance(node, Mapping) else {}
    return node if isinstance(node, Mapping) else {}


def plan_gates(
    repo: str,
    merged: Merged,
    registry: Registry,
    settings: GlobalSettings,
    timeout_origin: Layer,
) -> PlannedGates:
    """Validate every section of ``merged`` and build the gates its ``checks`` list names.

    Sections of checks a repository does not run are validated too: a mistake in
    ``global`` should not wait for the repository that enables the check.

    :raises ConfigError: every problem of every section and of ``checks``
    """
    problems = Problems()
    names = _checks_list(merged, registry, problems)
    values = merged.values
    commands = values.get(COMMANDS_KEY, {})
    for name in commands:
        merged.origins.setdefault((COMMANDS_KEY, name, "timeout"), timeout_origin)
    to_plan = [*commands, *(n for n in registry.checks if n in values or n in names)]
    planned: dict[str, GatePlan] = {}
    for name in to_plan:
        is_command = name in commands
        check = registry.checks[COMMAND_CHECK] if is_command else registry.checks[name]
        raw, path = _gate_raw(values, name, is_command, settings.timeout)
        per_mode = {}
        for mode in values.get(MODES_KEY, {}):
            extra = _mode_section(values, mode, path)
            if extra:
                combined = merge_layers([Layer("", raw), Layer("", extra)]).values
                with problems.collecting():
                    per_mode[mode] = _validate(check, combined, merged, (MODES_KEY, mode, *path))
        try:
            checked = _validate(check, raw, merged, path)
        except ConfigError as exc:
            problems.found.append(exc)
            continue
        quick = bool(getattr(checked, "quick", False)) if is_command else check.quick
        planned[name] = GatePlan(
            repo=repo,
            name=name,
            check=check,
            settings=checked,
            settings_path=path,
            quick=quick,
            mode_settings=per_mode,
        )
    problems.raise_any()
    delivery = planned.get(DELIVERY_MODE_CHECK)
    mode_settings = (
        delivery.settings
        if delivery is not None
        else registry.checks[DELIVERY_MODE_CHECK].settings_model()
    )
    assert isinstance(mode_settings, DeliveryModeSettings)
    return PlannedGates(
        gates=tuple(planned[n] for n in names), mode_options=mode_settings.options()
    )


def plan_repository(
    *,
    name: str,
    path: Path,
    config_file: Path | None,
    line: int | None,
    schedule: Schedule,
    layers: Sequence[Layer],
    registry: Registry,
    settings: GlobalSettings,
    timeout_origin: Layer,
) -> RepoPlan:
    """Merge a repository's layers and plan its gates."""
    merged = merge_layers(layers)
    problems = Problems()
    when = None
    if WHEN in merged.values:
        raw_when = merged.values[WHEN]
        try:
            when = When.model_validate(raw_when)
        except pydantic.ValidationError as exc:
            located = prefixed(merged.error, (WHEN,))
            problems.found.append(validation_error(exc, raw_when, located, When))
    with problems.collecting():
        planned = plan_gates(name, merged, registry, settings, timeout_origin)
    problems.raise_any()
    gates = planned.gates
    missing = [c for c in settings.policy.required_checks if c not in {g.name for g in gates}]
    if missing:
        gates = (*gates, _policy_gate(name, missing))
    trunk = merged.values.get(TRUNK_BRANCH)
    top = work_tree_top(path)
    return RepoPlan(
        name=name,
        path=path,
        config_file=config_file,
        line=line,
        schedule=schedule,
        trunk=trunk if isinstance(trunk, str) else None,
        gates=gates,
        mode_options=planned.mode_options,
        when=when,
        merged=merged,
        layers=tuple(layers),
        work_tree=top if top != path else None,
    )


def _policy_gate(repo: str, missing: Sequence[str]) -> GatePlan:
    return GatePlan(
        repo=repo,
        name=POLICY_GATE,
        check=POLICY,
        settings=PolicySettings(missing=tuple(missing)),
        settings_path=(),
        quick=True,
    )


def describe_missing_dir(path: Path) -> str:
    if path.exists():
        return f"not a directory: {display_path(path)}"
    return f"directory not found: {display_path(path)}"
