"""The ``policy`` gate: a repository runs every check ``global.policy.required_checks`` names.

It is not a check users list: the planner adds it to a repository whose effective
checks drop a required one, so the violation is a failing gate of its own.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from pydantic import Field

from ..api import Check, CheckResult, CheckSettings, Finding

if TYPE_CHECKING:
    from ..git.context import RepoContext

POLICY_GATE: Final = "policy"


class PolicySettings(CheckSettings):
    missing: tuple[str, ...] = Field(default=(), description="Required checks the repository drops")


def check_policy(context: RepoContext, settings: PolicySettings) -> CheckResult:
    findings = [
        Finding(
            rule="required-check",
            message=f"required check {name!r} is not among this repository's checks "
            "(global.policy.required_checks)",
        )
        for name in settings.missing
    ]
    return CheckResult(
        findings=findings,
        summary=f"drops required checks: {', '.join(settings.missing)}",
    )


POLICY: Final = Check(
    name=POLICY_GATE,
    run=check_policy,
    settings_model=PolicySettings,
    quick=True,
    description="The repository runs every check the organisation requires",
)
