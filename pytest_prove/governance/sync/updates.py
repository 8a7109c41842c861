"""The updates file of ``prove sync``: what to change in which repositories' config files.

.. code-block:: yaml

    orchestrator: multi.yaml          # repositories and access (default: found in the cwd)
    branch: prove/coverage-85         # default: prove/sync-<run id>
    message: "chore(prove): raise the coverage threshold to 85"
    updates:
      - repos: [api-service, web]     # default: every repository
        set: {coverage.threshold: 85}
        unset: [trunk.max_age_days]
        add_checks: [security]
        remove_checks: [contracts]
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final

import pydantic
from pydantic import Field, field_validator

from ...checks.registry import Registry
from ...config.models import ConfigModel
from ...engines.commits.conventional import parse_commit_message
from ...readers.errors import ConfigError, KeyPath, prefixed
from ...readers.validation import first_error
from ...readers.yamlfile import load_yaml_file
from .git_ops import branch_name_problem

OPERATIONS: Final = ("set", "unset", "add_checks", "remove_checks")
_UPDATE_KEYS: Final = frozenset({*OPERATIONS, "repos", "addChecks", "removeChecks"})
# `checks` is a list: set/unset would replace or drop it whole, which is never the intent.
_LIST_KEY: Final = "checks"


def _dotted(key: str) -> str:
    parts = key.split(".")
    if not all(p.strip() for p in parts):
        raise ValueError(f"{key!r} is not a dotted key such as coverage.threshold")
    if parts[0] == _LIST_KEY:
        raise ValueError("use add_checks / remove_checks to change 'checks'")
    return key


class Update(ConfigModel):
    repos: list[str] | None = Field(default=None, description="Default: every repository")
    set_: dict[str, Any] = Field(default_factory=dict, alias="set")
    unset: list[str] = Field(default_factory=list)
    add_checks: list[str] = Field(default_factory=list)
    remove_checks: list[str] = Field(default_factory=list)

    @field_validator("set_")
    @classmethod
    def _set_keys(cls, value: dict[str, Any]) -> dict[str, Any]:
        for key in value:
            _dotted(key)
        return value

    @field_validator("unset")
    @classmethod
    def _unset_keys(cls, value: list[str]) -> list[str]:
        return [_dotted(key) for key in value]


class UpdatesFile(ConfigModel):
    orchestrator: str | None = None
    branch: str | None = None
    message: str | None = None
    updates: list[Update] = Field(min_length=1)

    @field_validator("message")
    @classmethod
    def _conventional(cls, value: str | None) -> str | None:
        if value is not None and not parse_commit_message(value).is_conventional:
            raise ValueError(
                f"{value.splitlines()[0] if value else value!r} is not a Conventional Commit"
                " header (type(scope): subject)"
            )
        return value


def _unknown_operations(data: object, locate: Any) -> None:
    entries = data.get("updates") if isinstance(data, Mapping) else None
    for index, entry in enumerate(entries if isinstance(entries, list) else []):
        if not isinstance(entry, Mapping):
            continue
        for key in entry:
            if key not in _UPDATE_KEYS:
                raise locate(
                    f"unknown operation {key!r} (known: {', '.join(OPERATIONS)}; and repos)",
                    ("updates", index, key),
                )


def load_updates(path: Path, registry: Registry) -> UpdatesFile:
    """The validated updates file; check names resolved to their current names.

    :raises ConfigError: located at the file, line and key
    """
    loaded = load_yaml_file(path)

    def locate(problem: str, key_path: KeyPath) -> ConfigError:
        return loaded.error(problem, key_path)

    if not isinstance(loaded.data, Mapping):
        raise loaded.error("expected a mapping with 'updates: [...]'")
    _unknown_operations(loaded.data, locate)
    try:
        model = UpdatesFile.model_validate(loaded.data)
    except pydantic.ValidationError as exc:
        raise first_error(exc, loaded.data, locate) from None
    updates = []
    for index, update in enumerate(model.updates):
        resolved: dict[str, list[str]] = {}
        for op in ("add_checks", "remove_checks"):
            names = []
            for position, name in enumerate(getattr(update, op)):
                canonical = registry.resolve(name)
                if canonical is None:
                    where = prefixed(locate, ("updates", index))
                    raise where(f"unknown check {name!r}{registry.suggest(name)}", (op, position))
                names.append(canonical)
            resolved[op] = names
        updates.append(update.model_copy(update=resolved))
    if model.branch is not None:
        problem = branch_name_problem(path.resolve().parent, model.branch)
        if problem is not None:
            raise locate(problem, ("branch",))
    return model.model_copy(update={"updates": updates})
