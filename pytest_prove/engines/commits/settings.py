"""``commit-msg`` settings: @commitlint/config-conventional's defaults, and the opt-in rules
stricter than it (see docs/checks/commit-msg.md, "Deviations from commitlint")."""

from __future__ import annotations

from typing import Final, Literal

from pydantic import Field

from ...api import MAX_COUNT, CheckSettings

__all__ = ["Case", "CommitMsgSettings"]

Case = Literal[
    "lower-case",
    "upper-case",
    "camel-case",
    "kebab-case",
    "pascal-case",
    "sentence-case",
    "snake-case",
    "start-case",
]

_TYPES: Final = (
    *("build", "chore", "ci", "docs", "feat", "fix"),
    *("perf", "refactor", "revert", "style", "test"),
)
_FORBIDDEN_SUBJECT_CASES: Final[tuple[Case, ...]] = (
    "sentence-case",
    "start-case",
    "pascal-case",
    "upper-case",
)


class CommitMsgSettings(CheckSettings):
    """``commit-msg`` settings; the defaults are @commitlint/config-conventional's."""

    types: list[str] = Field(
        default_factory=lambda: list(_TYPES), description="Allowed commit types"
    )
    scopes: list[str] | None = Field(
        default=None, description="Allowed scopes; none or empty allows any"
    )
    require_scope: bool = Field(default=False, description="Every header needs a (scope)")
    header_max_length: int | None = Field(
        default=100, ge=1, le=MAX_COUNT, strict=True, description="None: no limit"
    )
    body_max_line_length: int | None = Field(
        default=100, ge=1, le=MAX_COUNT, strict=True, description="None: no limit"
    )
    footer_max_line_length: int | None = Field(
        default=100, ge=1, le=MAX_COUNT, strict=True, description="None: no limit"
    )
    subject_case: list[Case] = Field(
        default_factory=lambda: list(_FORBIDDEN_SUBJECT_CASES),
        description="Cases a subject must not be in",
    )
    subject_full_stop: str | None = Field(
        default=".", description="What a subject must not end with"
    )
    # config-conventional dropped scope-case in 2021 ("docs(README.md): x" is fine there).
    scope_case: Case | None = Field(
        default=None, description="The case scopes must be in; None: any"
    )
    # commitlint ignores these; `false` is for a branch about to merge, which should not
    # carry them: `git rebase --autosquash` exists to fold them in.
    allow_fixup: bool = Field(default=True, description="Accept fixup!/squash!/amend! commits")
    allow_empty: bool = Field(
        default=True, description="Accept commits whose message is blank (commitlint skips them)"
    )
    ignore_merges: bool = Field(
        default=True, description="Skip commits whose message is a merge message"
    )
    ignore_merge_commits: bool = Field(
        default=False, description="Also skip every commit with two or more parents"
    )
    ignore_reverts: bool = Field(default=True, description='Skip git\'s Revert "..." commits')
    max_commits: int | None = Field(
        default=None,
        ge=1,
        le=MAX_COUNT,
        strict=True,
        description="Judge at most this many commits (the newest); None: all",
    )
    max_findings: int = Field(
        default=100, ge=1, le=MAX_COUNT, strict=True, description="Show at most this many findings"
    )
    all_commits: bool = Field(
        default=False,
        description="In a project (a folder of a monorepo), judge every commit in range, "
        "not only those that touch the project's folder",
    )
