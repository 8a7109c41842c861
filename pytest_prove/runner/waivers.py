"""Waivers: an approved, dated exception that turns a failing gate into ``xfail``.

A waiver names a repository and a gate, and optionally a finding ``rule`` and a
``file`` glob.  A failing gate whose every error finding some valid waiver covers is
reported as ``xfail`` with the waiver's reason; the run also lists waivers that have
expired (they no longer apply) and waivers that matched nothing (stale).
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Iterable, Mapping, Sequence

from ..api import Finding, Severity
from ..config.access import waiver_refusal
from ..config.models import Access, Waiver
from ..support.clock import now_or_real
from ..support.globs import matches_any


def today(env: Mapping[str, str]) -> datetime.date:
    return now_or_real(env).date()


def waiver_id(waiver: Waiver) -> str:
    """How reports name a waiver: ``repo::check[:rule][@file]``."""
    text = f"{waiver.repo}::{waiver.check}"
    if waiver.rule:
        text += f":{waiver.rule}"
    if waiver.file:
        text += f"@{waiver.file}"
    return text


def _covers(waiver: Waiver, finding: Finding) -> bool:
    if waiver.rule is not None and waiver.rule != finding.rule:
        return False
    return waiver.file is None or (
        finding.file is not None and matches_any(finding.file, [waiver.file])
    )


@dataclasses.dataclass(frozen=True)
class Coverage:
    """The waivers that together cover a failing gate, and the reason to report."""

    used: tuple[Waiver, ...]
    reason: str


def cover(
    findings: Iterable[Finding],
    waivers: Sequence[Waiver],
    on: datetime.date,
    access: Access | None = None,
) -> Coverage | None:
    """The valid waivers covering every error finding, or None if one is left uncovered.

    With ``access`` roles, a waiver counts only if a maintainer of its repository
    or an admin approved it.
    """
    valid = [w for w in waivers if w.expires >= on and waiver_refusal(w, access) is None]
    used: dict[str, Waiver] = {}
    for finding in findings:
        if finding.severity is not Severity.ERROR:
            continue
        waiver = next((w for w in valid if _covers(w, finding)), None)
        if waiver is None:
            return None
        used.setdefault(waiver_id(waiver), waiver)
    if not used:
        return None
    first = next(iter(used.values()))
    reason = f"waived by {first.approved_by} until {first.expires.isoformat()}: {first.reason}"
    if len(used) > 1:
        reason += f" (and {len(used) - 1} more waiver{'s' if len(used) > 2 else ''})"
    return Coverage(tuple(used.values()), reason)


class WaiverLedger:
    """What the controller saw of the waivers during a run, for the closing summary."""

    def __init__(self, waivers: Sequence[Waiver], access: Access | None = None) -> None:
        self.waivers = waivers
        self.access = access
        self.gates_run: set[tuple[str, str]] = set()
        self.used: set[str] = set()

    def record(
        self, repo: str, check: str, ran: bool, user_properties: Iterable[tuple[str, object]]
    ) -> None:
        """One gate's call report; ``ran`` is False for a skip (cached, condition, dependency)."""
        if ran:
            self.gates_run.add((repo, check))
        for name, value in user_properties:
            if name == "waivers":
                self.used.update(str(value).split(","))

    def summary(self, on: datetime.date) -> list[str]:
        """One line per waiver that expired, or that matched nothing among the gates run."""
        lines = []
        for waiver in self.waivers:
            name = waiver_id(waiver)
            refusal = waiver_refusal(waiver, self.access)
            if refusal is not None:
                lines.append(f"refused: {name}: {refusal}")
            elif waiver.expires < on:
                lines.append(
                    f"expired: {name} (approved by {waiver.approved_by}, expired"
                    f" {waiver.expires.isoformat()}): no longer applies"
                )
            elif (waiver.repo, waiver.check) in self.gates_run and name not in self.used:
                lines.append(f"stale: {name}: the gate ran and nothing needed waiving; remove it")
        return lines
