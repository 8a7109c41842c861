"""Pydantic models of the configuration files, as the seed writes them.

Every model rejects unknown keys and accepts ``camelCase`` (the seed's ``failFast``)
as well as ``snake_case``.  Check settings sections (``coverage: {...}``) are kept
as plain mappings here: they are merged across files first and validated per
gate afterwards by the check's own settings model (see :mod:`.fleet`).
"""

from __future__ import annotations

import datetime
import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from ..api import MAX_TIMEOUT_MS, STRICT_MODEL_CONFIG
from ..git.mode import Mode

NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
Schedule = Literal["on-commit", "on-push", "scheduled", "manual"]
SUPPORTED_VERSIONS = ("1", "1.0")
# Not `trunk`: that key holds the trunk check's settings.
TRUNK_BRANCH = "trunk_branch"
WHEN = "when"


class ConfigModel(BaseModel):
    model_config = STRICT_MODEL_CONFIG


def check_name(value: str, what: str) -> str:
    # Names become pytest node-id parts: "::", "/", "[" or spaces would break ids and -k.
    if not NAME_PATTERN.match(value):
        raise ValueError(
            f"{what} {value!r} is not usable as a test id: use letters, digits, '.', '_' "
            "and '-', starting with a letter or digit"
        )
    return value


class Notifications(ConfigModel):
    """Where a run's result is sent (docs/notifications.md); secrets come from the environment."""

    slack: str | None = Field(
        default=None,
        description="Slack channel, e.g. '#dev-quality'; the webhook is PROVE_SLACK_WEBHOOK",
    )
    teams: str | None = Field(
        default=None,
        description="Microsoft Teams channel name (a label); the webhook is PROVE_TEAMS_WEBHOOK",
    )
    email: str | list[str] | None = Field(
        default=None,
        description="Recipients: one address, a comma-separated string or a list; "
        "the server is PROVE_SMTP_HOST",
    )
    on: Literal["failure", "change", "always"] = Field(
        default="failure",
        description="Notify when a gate failed, when any gate's verdict changed since the "
        "last run, or after every run",
    )
    retries: int = Field(
        default=2,
        ge=0,
        le=10,
        strict=True,
        description="Extra attempts per notifier after a failure",
    )
    budget: float = Field(
        default=20.0,
        gt=0,
        le=600,
        strict=True,
        description="Seconds all notifiers together may take; past it the run goes on",
    )

    @model_validator(mode="before")
    @classmethod
    def _yaml_on_key(cls, data: Any) -> Any:
        # YAML 1.1 reads an unquoted `on:` key as the boolean true (as GitHub Actions knows).
        if isinstance(data, dict) and True in data and "on" not in data:
            data = {("on" if key is True else key): value for key, value in data.items()}
        return data

    @field_validator("email")
    @classmethod
    def _addresses(cls, value: str | list[str] | None) -> str | list[str] | None:
        for address in email_recipients(value):
            if not _ADDRESS.match(address):
                raise ValueError(f"{address!r} is not an email address")
        return value

    @property
    def recipients(self) -> tuple[str, ...]:
        return email_recipients(self.email)


_ADDRESS = re.compile(r"^[^@\s,<>\"]+@[^@\s,<>\"]+$")


def email_recipients(value: str | list[str] | None) -> tuple[str, ...]:
    if value is None:
        return ()
    parts = value.split(",") if isinstance(value, str) else value
    return tuple(part.strip() for part in parts if part.strip())


class Reporting(ConfigModel):
    dashboard: str | None = Field(
        default=None, description="A path to write the HTML dashboard to, or an http(s) URL"
    )
    history: str | None = Field(default=None, description="SQLite history file")
    notifications: Notifications = Notifications()
    audit: str | None = Field(
        default=None,
        description="Audit log of runs and waivers (JSON lines); off unless set",
    )


class Policy(ConfigModel):
    required_checks: list[str] = Field(
        default_factory=list,
        description="Checks no repository may drop: one that does gets a failing policy gate",
    )


class GlobalSettings(ConfigModel):
    """The orchestrator's ``global`` block.

    Besides the run settings below it may hold check sections (``coverage: {...}``)
    and ``commands``, which apply to every repository.
    """

    model_config = ConfigDict(extra="allow")

    concurrency: int = Field(
        default=1, ge=1, le=512, strict=True, description="Workers the prove CLI passes as -n"
    )
    timeout: int = Field(
        default=300_000,
        gt=0,
        le=MAX_TIMEOUT_MS,
        strict=True,
        description="Milliseconds a gate may run (the default of command gates)",
    )
    fail_fast: bool = Field(default=False, description="Stop after the first failing gate (-x)")
    reporting: Reporting = Reporting()
    policy: Policy = Policy()


class When(ConfigModel):
    """Conditions for a repository's gates; a gate whose condition fails is skipped."""

    paths: list[str] | None = Field(
        default=None, description="Run when a changed file matches one of these globs"
    )
    branches: list[str] | None = Field(
        default=None, description="Run on branches matching one of these globs"
    )
    modes: list[Mode] | None = Field(default=None, description="Run in these delivery modes")
    env: dict[str, str | bool] | None = Field(
        default=None,
        description="Run when each variable is set (true), unset (false) or equal (a string)",
    )


class EntryDefaults(ConfigModel):
    """What a repository entry and a discovery entry (for each repository it finds) share."""

    config: str | None = Field(
        default=None, description="The repository's own config file, relative to its path"
    )
    checks: list[str] | None = Field(
        default=None, description="Gates to run (replaces inherited lists)"
    )
    schedule: Schedule = "on-commit"
    trunk_branch: str | None = Field(default=None, description="Trunk branch (default: detected)")
    overrides: dict[str, Any] = Field(
        default_factory=dict, description="Check settings that win over the repository's own file"
    )
    when: When | None = Field(default=None, description="Skip the gates unless this holds")
    depends_on: list[str] = Field(
        default_factory=list,
        description="Repositories whose failing gates make this one's gates skip",
    )


class RepositoryEntry(EntryDefaults):
    name: str
    path: str = Field(description="The repository directory, relative to the orchestrator file")

    @field_validator("name")
    @classmethod
    def _name_is_id(cls, value: str) -> str:
        return check_name(value, "repository name")

    @field_validator("path")
    @classmethod
    def _path_not_empty(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("path must not be empty")
        return value


class Discovery(ConfigModel):
    root: str = Field(description="Directory to search, relative to the orchestrator file")
    pattern: str = Field(
        default="**", description="Glob the repository's path below root must match"
    )
    exclude: list[str] = Field(default_factory=list, description="Globs of paths to leave out")
    depth: int = Field(
        default=1,
        ge=1,
        le=8,
        strict=True,
        description="How many directory levels below root to search",
    )
    name: str | None = Field(
        default=None,
        description="Repository name template: {name} (directory name), {path} (path below "
        "root); default {name}, and with workspaces the member's path made a name",
    )
    workspaces: bool = Field(
        default=False,
        description="root is a monorepo: one project per member its workspace manifests "
        "declare (package.json workspaces, pnpm-workspace.yaml, Cargo.toml [workspace], "
        "go.work, pyproject.toml [tool.uv.workspace])",
    )


class DiscoveryEntry(EntryDefaults):
    """``- discover: {root: ./services}``: every git repository found there."""

    discover: Discovery


class Waiver(ConfigModel):
    """An approved exception: the gate's failures it covers become ``xfail`` until it expires."""

    repo: str
    check: str = Field(description="The gate's name (a check or a command)")
    rule: str | None = Field(default=None, description="Only findings of this rule")
    file: str | None = Field(default=None, description="Only findings in files matching this glob")
    reason: str = Field(min_length=1)
    approved_by: str = Field(min_length=1, description="Who approved it (an identity, e.g. email)")
    expires: datetime.date = Field(description="The last day it applies (YYYY-MM-DD)")


class Access(ConfigModel):
    """Roles, as identities (emails, compared without regard to case)."""

    admins: list[str] = Field(
        default_factory=list,
        description="May run prove sync --apply / --rollback and approve any waiver",
    )
    maintainers: dict[str, list[str]] = Field(
        default_factory=dict, description="Per repository name: who may approve its waivers"
    )
    viewers: list[str] = Field(
        default_factory=list, description="Read-only: named for the record, approve nothing"
    )


class OrchestratorFile(ConfigModel):
    version: str = "1.0"
    extends: list[str] = Field(default_factory=list, description="Presets, applied in order")
    # Validated one by one (loader): an entry is a repository or a discovery.
    repositories: list[Any] = Field(min_length=1)
    global_: GlobalSettings = Field(default=GlobalSettings(), alias="global")
    # A list of waivers or a file name: validated by the loader, which locates errors better.
    waivers: Any = Field(
        default=None,
        description="Waivers, or a file of them (default: prove-waivers.yaml beside this file)",
    )
    access: Access | None = Field(
        default=None, description="Roles; without it anyone may sync and approve waivers"
    )

    @field_validator("version", mode="before")
    @classmethod
    def _known_version(cls, value: object) -> str:
        # YAML reads an unquoted `version: 1.0` as a float.
        text = str(value)
        if text not in SUPPORTED_VERSIONS:
            raise ValueError(f'unsupported version {text!r} (supported: "1.0")')
        return text


class RepositoryFile(ConfigModel):
    """A repository's own ``prove.yaml``, or a preset.

    Besides the keys below it holds check sections (``coverage: {...}``) and
    ``commands: {name: {argv: [...]}}``, validated after merging.
    """

    model_config = ConfigDict(extra="allow")

    extends: list[str] = Field(default_factory=list)
    checks: list[str] | None = None
    trunk_branch: str | None = None
    when: When | None = None
