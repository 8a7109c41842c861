"""What each sub-check of ``security`` adds to the gate's result."""

from __future__ import annotations

import dataclasses

from pytest_prove.api import Finding, MetricValue

__all__ = ["Outcome"]


@dataclasses.dataclass
class Outcome:
    """Findings and metrics, gathered across the sub-checks."""

    findings: list[Finding] = dataclasses.field(default_factory=list)
    metrics: dict[str, MetricValue] = dataclasses.field(default_factory=dict)
