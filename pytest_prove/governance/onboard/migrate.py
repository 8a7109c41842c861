"""``prove migrate``: the old tool's per-repository configuration as a ``prove.yaml``.

The old tool kept its settings in ``prove.config.ts``; exported to JSON (camelCase
keys, check names such as ``diffCoverage``) it is translated here.  Everything
that has no equivalent is kept out of the settings and listed as a note, both in
the generated file and on stderr, so nothing is dropped silently.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any, Final

import yaml
from pydantic.alias_generators import to_snake

from pytest_prove.errors import ProveError

from ...checks.registry import Registry
from ...engines.command.reports import ReportError, load_json
from .config_writer import GateChoice, render_config
from .settings_filter import accepted_settings

# Every name the old tool (or its docs) used for a check, and the check it became.
# The checks' own registry aliases are consulted too, for names added later.
OLD_CHECK_NAMES: Final[Mapping[str, str]] = {
    "trunk": "trunk",
    "deliveryMode": "delivery-mode",
    "delivery-mode": "delivery-mode",
    "commit-msg-convention": "commit-msg",
    "commitMsgConvention": "commit-msg",
    "commit-msg": "commit-msg",
    "killswitch-required": "killswitch",
    "killswitchRequired": "killswitch",
    "killswitch": "killswitch",
    "feature-flag-lint": "feature-flags",
    "featureFlagLint": "feature-flags",
    "feature-flags": "feature-flags",
    "tddChangedHasTests": "tdd",
    "tdd-changed-has-tests": "tdd",
    "tdd": "tdd",
    "diffCoverage": "coverage",
    "diff-coverage": "coverage",
    "coverage": "coverage",
    "security": "security",
    "contracts": "contracts",
}

# Old setting names whose meaning survived under another name, per new check.
RENAMED_SETTINGS: Final[Mapping[str, Mapping[str, str]]] = {
    "trunk": {
        "maxBranchAgeDays": "max_age_days",
        "maxAge": "max_age_days",
        "maxCommits": "max_commits_ahead",
        "maxBehind": "max_commits_behind",
        "branchNamePattern": "branch_pattern",
    },
    "commit-msg": {
        "allowedTypes": "types",
        "maxHeaderLength": "header_max_length",
        "headerMaxLength": "header_max_length",
        "allowedScopes": "scopes",
    },
    "delivery-mode": {"allowed": "allowed_modes", "modes": "allowed_modes"},
    "coverage": {"minCoverage": "threshold", "min": "threshold", "target": "threshold"},
    "feature-flags": {"registryPath": "registry", "flagsFile": "registry"},
    "killswitch": {"registryPath": "registry", "flagsFile": "registry"},
}

# Top-level keys of the old file that name the delivery mode or the trunk branch.
_MODE_KEYS: Final = ("mode", "deliveryMode")
_TRUNK_KEYS: Final = ("trunkBranch", "trunk_branch", "baseBranch", "defaultBranch", "mainBranch")
# Run settings: in pytest-prove they belong to the orchestrator's `global` block.
_GLOBAL_KEYS: Final = {
    "concurrency": "concurrency",
    "timeout": "timeout",
    "failFast": "failFast",
    "fail_fast": "failFast",
    "reporting": "reporting",
}
_IGNORED_KEYS: Final = frozenset({"$schema", "version", "name", "description"})


class MigrationError(ProveError):
    """The old configuration cannot be read at all (not JSON, not an object)."""


@dataclasses.dataclass(frozen=True)
class Migration:
    """The new file's text, and what could not be carried over (one line each)."""

    text: str
    notes: tuple[str, ...]
    checks: tuple[str, ...]


def parse_old_config(raw: bytes) -> Mapping[str, Any]:
    """The old configuration object; ``{"default": {...}}`` (an ES module export) unwrapped."""
    try:
        data = load_json(raw.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise MigrationError(f"not valid UTF-8 (byte {exc.start})") from None
    except ReportError as exc:
        raise MigrationError(str(exc)) from None
    if isinstance(data, dict) and set(data) == {"default"} and isinstance(data["default"], dict):
        data = data["default"]
    if not isinstance(data, dict):
        raise MigrationError(f"expected a JSON object at the top level, got {type(data).__name__}")
    return data


def new_check_name(old: str, registry: Registry) -> str | None:
    """The pytest-prove check an old name became, or None when it has none."""
    return OLD_CHECK_NAMES.get(old) or registry.resolve(old)


class _Translation:
    def __init__(self, registry: Registry) -> None:
        self.registry = registry
        self.notes: list[str] = []
        self.order: list[str] = []
        self.old_names: dict[str, str] = {}
        self.sections: dict[str, dict[str, Any]] = {}
        self.disabled: set[str] = set()
        self.top: dict[str, Any] = {}
        self.run_settings: dict[str, Any] = {}

    def add_checks(self, checks: object) -> None:
        """``checks``: a list of names, or an object of name -> true/false/settings."""
        if isinstance(checks, list):
            for item in checks:
                if isinstance(item, str):
                    self.add_check(item, True)
                else:
                    self.note(f"checks: {item!r} is not a check name; ignored")
        elif isinstance(checks, dict):
            for name, value in checks.items():
                self.add_check(str(name), value)
        elif checks is not None:
            self.note("checks: expected a list of names or an object; ignored")

    def add_top_level(self, key: str, value: object) -> None:
        if key in _MODE_KEYS and isinstance(value, str):
            self.sections.setdefault("delivery-mode", {})["mode"] = value
            if "delivery-mode" not in self.order:
                self.order.append("delivery-mode")
                self.old_names["delivery-mode"] = f"{key}: {value}"
        elif key in _TRUNK_KEYS and isinstance(value, str):
            self.top["trunk_branch"] = value
        elif key in _GLOBAL_KEYS:
            self.run_settings[_GLOBAL_KEYS[key]] = value
        elif key == "quick":
            self.note(
                "quick: each check decides whether it is quick in pytest-prove"
                " (run them with `prove --quick`); not migrated"
            )
        elif new_check_name(key, self.registry) is not None and isinstance(value, dict | bool):
            self.add_check(key, value)
        else:
            self.note(f"{key}: no pytest-prove equivalent; not migrated")

    def note(self, text: str) -> None:
        self.notes.append(text)

    def add_check(self, old: str, value: object) -> None:
        new = new_check_name(old, self.registry)
        if new is None:
            self.note(f"check {old!r}: no pytest-prove equivalent; not migrated")
            return
        if value is False or (isinstance(value, dict) and value.get("enabled") is False):
            self.disabled.add(new)
            self.note(f"check {old!r} is disabled in the old file; left out")
        elif new not in self.order:
            self.order.append(new)
            self.old_names[new] = old
        if isinstance(value, dict):
            settings = {k: v for k, v in value.items() if k != "enabled"}
            if settings:
                self.sections.setdefault(new, {}).update(self._settings(old, new, settings))
        elif value not in (True, False, None):
            self.note(f"check {old!r}: expected true, false or an object of settings; ignored")

    def _settings(self, old: str, new: str, settings: Mapping[str, Any]) -> dict[str, Any]:
        renames = RENAMED_SETTINGS.get(new, {})
        converted: dict[str, Any] = {}
        for key, value in settings.items():
            converted[renames.get(key) or to_snake(key)] = value
        kept, notes = accepted_settings(new, converted, self.registry, old)
        self.notes += notes
        return kept


def migrate_config(data: Mapping[str, Any], registry: Registry, source: str) -> Migration:
    """Translate the old configuration object into a ``prove.yaml``'s text."""
    tr = _Translation(registry)
    tr.add_checks(data.get("checks"))
    for key, value in data.items():
        if key != "checks" and key not in _IGNORED_KEYS:
            tr.add_top_level(key, value)
    gates = [_choice(name, tr) for name in tr.order if name not in tr.disabled]
    footer: list[str] = []
    if tr.run_settings:
        block = yaml.safe_dump(
            {"global": tr.run_settings}, default_flow_style=False, sort_keys=False
        )
        footer += [
            "Run settings of the old file belong in the orchestrator file's `global` block:",
            *block.splitlines(),
        ]
    if tr.notes:
        footer += ["Not migrated:", *(f"- {n}" for n in tr.notes)]
    text = render_config(
        [f"Written by `prove migrate` from {source}.", "See docs/migration.md for the mapping."],
        gates,
        tr.top,
        ["The trunk branch of the old file."] if tr.top else (),
        footer,
    )
    return Migration(text, tuple(tr.notes), tuple(g.name for g in gates))


def _choice(name: str, tr: _Translation) -> GateChoice:
    old = tr.old_names[name]
    why = [f"was `{old}` in the old tool"] if old != name else ["as in the old tool"]
    return GateChoice(name=name, why=why, settings=tr.sections.get(name, {}))
