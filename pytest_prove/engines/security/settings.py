"""Settings of the ``security`` check: the scope, then one section per sub-check."""

from __future__ import annotations

from typing import Final, Literal

from pydantic import BaseModel, Field, field_validator

from pytest_prove.api import STRICT_MODEL_CONFIG, CheckSettings, Regex

from ...redact.secret_rules import ASSIGNMENT_RULE, BUILTIN_RULES
from .forbidden import DEFAULT_ALLOWED, DEFAULT_FORBIDDEN

__all__ = [
    "DEFAULT_BASELINE",
    "RULE_IDS",
    "CustomRule",
    "DependenciesSettings",
    "ForbiddenFilesSettings",
    "SecretsSettings",
    "SecuritySettings",
]

DEFAULT_BASELINE: Final = ".prove-secrets-baseline.json"
RULE_IDS: Final = (*(r.id for r in BUILTIN_RULES), ASSIGNMENT_RULE.id)
Level = Literal["low", "moderate", "high", "critical"]


class CustomRule(BaseModel):
    """A secret format of your own; the secret is the group ``secret`` if the regex has one."""

    model_config = STRICT_MODEL_CONFIG

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$", description="Rule id shown in findings")
    regex: Regex = Field(description="What a secret looks like (re.search on each line)")
    min_entropy: float | None = Field(
        default=None, ge=0, description="Shannon entropy a match needs (bits per character)"
    )
    paths: tuple[str, ...] = Field(default=(), description="Only in files matching these globs")
    description: str = Field(default="", description="What the rule finds")


class SecretsSettings(BaseModel):
    model_config = STRICT_MODEL_CONFIG

    enabled: bool = Field(default=True, description="Look for secrets")
    min_entropy: float = Field(
        default=3.0, ge=0, le=8, description="Entropy an assigned value needs to be a secret"
    )
    min_entropy_hex: float = Field(
        default=3.0, ge=0, le=4, description="The same for values made of hex digits only"
    )
    allow_paths: tuple[str, ...] = Field(default=(), description="Globs of files not scanned")
    disabled_rules: tuple[str, ...] = Field(default=(), description="Built-in rule ids to skip")
    custom_rules: tuple[CustomRule, ...] = Field(default=(), description="Rules of your own")
    baseline: str = Field(
        default=DEFAULT_BASELINE, description="Baseline file of accepted findings (repo-relative)"
    )
    max_file_bytes: int = Field(
        default=4 * 1024 * 1024, gt=0, description="Larger files are reported, not scanned"
    )

    @field_validator("disabled_rules")
    @classmethod
    def _known_rules(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        unknown = [v for v in value if v not in RULE_IDS]
        if unknown:
            raise ValueError(f"unknown rule ids {unknown}; rules: {', '.join(RULE_IDS)}")
        return value


class ForbiddenFilesSettings(BaseModel):
    model_config = STRICT_MODEL_CONFIG

    enabled: bool = Field(default=True, description="Fail on forbidden files")
    patterns: tuple[str, ...] = Field(
        default=DEFAULT_FORBIDDEN, description="Globs of files that must not be added"
    )
    allowed: tuple[str, ...] = Field(
        default=DEFAULT_ALLOWED, description="Globs excepted from patterns (.env.example)"
    )


class DependenciesSettings(BaseModel):
    model_config = STRICT_MODEL_CONFIG

    enabled: bool = Field(default=True, description="Audit lock files")
    advisories: str | None = Field(
        default=None, description="Directory of OSV advisories (absolute, ~, or repo-relative)"
    )
    min_severity: Level = Field(
        default="low", description="Ignore advisories below this severity (unknown always counts)"
    )
    exclude: tuple[str, ...] = Field(
        default=("**/node_modules/**",), description="Globs of lock files not audited"
    )


class SecuritySettings(CheckSettings):
    """``security`` settings: the scope, then one section per sub-check."""

    scope: Literal["diff", "tree"] = Field(
        default="diff", description="diff: added lines and changed files; tree: every file"
    )
    secrets: SecretsSettings = Field(default=SecretsSettings(), description="Secret scanning")
    forbidden_files: ForbiddenFilesSettings = Field(
        default=ForbiddenFilesSettings(), description="Files that must not be added"
    )
    dependencies: DependenciesSettings = Field(
        default=DependenciesSettings(), description="Dependency advisories"
    )
