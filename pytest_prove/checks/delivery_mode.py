"""The ``delivery-mode`` check: the way this change is delivered is allowed for the repository."""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from pydantic import Field

from ..api import Check, CheckResult, CheckSettings, Finding, Regex
from ..git.mode import DEFAULT_RELEASE_BRANCH, DEFAULT_RELEASE_TAG, MODES, Mode, ModeOptions

if TYPE_CHECKING:
    from ..git.context import RepoContext


class DeliveryModeSettings(CheckSettings):
    mode: Mode | None = Field(
        default=None, description="A fixed mode (trunk, pr, release); detected when unset"
    )
    allowed_modes: tuple[Mode, ...] = Field(
        default=MODES, min_length=1, description="Modes this repository may deliver in"
    )
    release_tag: Regex = Field(
        default=DEFAULT_RELEASE_TAG, description="Regex: a tag at HEAD matching it means release"
    )
    release_branch: Regex = Field(
        default=DEFAULT_RELEASE_BRANCH, description="Regex of release branch names"
    )

    def options(self) -> ModeOptions:
        """What the repository context needs to resolve the mode."""
        return ModeOptions(
            explicit=self.mode, release_tag=self.release_tag, release_branch=self.release_branch
        )


def check_delivery_mode(context: RepoContext, settings: DeliveryModeSettings) -> CheckResult:
    decision = context.mode
    metrics: dict[str, str | int | float | bool] = {
        "mode": decision.mode,
        "reason": decision.reason,
    }
    summary = f"delivery mode {decision.mode} ({decision.reason})"
    if decision.mode in settings.allowed_modes:
        return CheckResult(metrics=metrics, summary=summary)
    allowed = ", ".join(settings.allowed_modes)
    finding = Finding(
        rule="mode-not-allowed",
        message=f"{summary} is not allowed here (allowed: {allowed})",
    )
    return CheckResult(findings=[finding], metrics=metrics, summary=f"{summary} is not allowed")


DELIVERY_MODE: Final = Check(
    name="delivery-mode",
    run=check_delivery_mode,
    settings_model=DeliveryModeSettings,
    quick=True,
    aliases=("deliveryMode",),
    description="The delivery mode (trunk, pr, release) is one the repository allows",
)
