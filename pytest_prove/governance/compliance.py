"""The compliance report: per repository and check, over a period, what governance asks.

Runs and pass rates come from the history (the same definitions as ``prove report``,
see :mod:`pytest_prove.report.views.summary`); waivers, roles and the policy from the
configuration as it is now.  Rows: every gate configured now or seen in the period,
plus one per required check a repository lacks (a *policy gap*).
"""

from __future__ import annotations

import dataclasses
import datetime
import html
import json
from collections.abc import Sequence
from typing import Final

from ..config.access import waiver_refusal
from ..config.fleet import Fleet
from ..report.run_record import RunRecord
from ..report.views.formats import csv_text
from ..report.views.summary import summarise
from ..runner.waivers import waiver_id

_HEADER: Final = ("repo", "check", "runs", "passed", "failed", "pass rate", "waivers", "gaps")


@dataclasses.dataclass(frozen=True, kw_only=True)
class ComplianceRow:
    repo: str
    check: str
    runs: int
    passed: int
    failed: int
    pass_rate: float | None
    waivers: tuple[str, ...]
    gaps: tuple[str, ...]

    def cells(self) -> tuple[str, ...]:
        rate = "-" if self.pass_rate is None else f"{self.pass_rate:.0%}"
        return (
            self.repo,
            self.check,
            str(self.runs),
            str(self.passed),
            str(self.failed),
            rate,
            "; ".join(self.waivers),
            "; ".join(self.gaps),
        )


def _waivers(fleet: Fleet, repo: str, check: str, today: datetime.date) -> tuple[str, ...]:
    out = []
    for waiver in fleet.waivers:
        if (waiver.repo, waiver.check) != (repo, check) or waiver.expires < today:
            continue
        refusal = waiver_refusal(waiver, fleet.access)
        state = f" (REFUSED: {refusal})" if refusal else ""
        out.append(
            f"{waiver_id(waiver)} approved by {waiver.approved_by}"
            f" until {waiver.expires.isoformat()}{state}"
        )
    return tuple(out)


def compliance_rows(
    fleet: Fleet, runs: Sequence[RunRecord], today: datetime.date
) -> list[ComplianceRow]:
    """One row per (repository, check), sorted; see the module docstring."""
    seen = {(g.repo, g.check): g for g in summarise(runs).gates}
    configured = {(r.name, g.name) for r in fleet.repos for g in r.gates}
    required = fleet.settings.policy.required_checks
    missing = {
        (repo.name, name)
        for repo in fleet.repos
        for name in required
        if name not in {g.name for g in repo.gates}
    }
    rows = []
    for repo, check in sorted(configured | set(seen) | missing):
        summary = seen.get((repo, check))
        gaps = []
        if (repo, check) in missing:
            gaps.append("required by global.policy.required_checks, not configured")
        if summary is None and (repo, check) in configured:
            gaps.append("configured, but no run in the period")
        if summary is not None and (repo, check) not in configured:
            gaps.append("ran in the period, no longer configured")
        rows.append(
            ComplianceRow(
                repo=repo,
                check=check,
                runs=summary.runs if summary else 0,
                passed=summary.passed if summary else 0,
                failed=summary.failed if summary else 0,
                pass_rate=summary.pass_rate if summary else None,
                waivers=_waivers(fleet, repo, check, today),
                gaps=tuple(gaps),
            )
        )
    return rows


def _markdown_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_compliance(
    rows: Sequence[ComplianceRow], fmt: str, since: datetime.date | None, runs: int
) -> str:
    """The report as ``md`` (also for ``table``), ``csv``, ``json`` or ``html`` (self-contained)."""
    period = f"since {since.isoformat()}" if since else "all recorded runs"
    title = f"Compliance report ({period}, {runs} runs)"
    if fmt == "json":
        data = {
            "title": title,
            "rows": [dict(zip(_HEADER, row.cells(), strict=True)) for row in rows],
        }
        return json.dumps(data, indent=2) + "\n"
    if fmt == "csv":
        return csv_text(_HEADER, (row.cells() for row in rows))
    if fmt == "html":
        head = "".join(f"<th>{html.escape(h)}</th>" for h in _HEADER)
        body = "".join(
            "<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row.cells()) + "</tr>\n"
            for row in rows
        )
        return (
            "<!DOCTYPE html>\n<html><head><meta charset='utf-8'>"
            f"<title>{html.escape(title)}</title>"
            "<style>table{border-collapse:collapse}td,th{border:1px solid #999;padding:4px}"
            "</style></head>\n"
            f"<body><h1>{html.escape(title)}</h1>\n<table><tr>{head}</tr>\n{body}</table>"
            "</body></html>\n"
        )
    lines = [
        f"# {title}",
        "",
        "| " + " | ".join(_HEADER) + " |",
        "|" + " --- |" * len(_HEADER),
    ]
    lines += ["| " + " | ".join(_markdown_cell(c) for c in row.cells()) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def compliance_report(
    config: str | None, runs: Sequence[RunRecord], since: datetime.datetime | None, fmt: str
) -> str:
    """``prove report --compliance``: the fleet of ``config`` (or the one found here) and runs.

    :raises UsageError: the configuration cannot be loaded
    """
    import os
    from pathlib import Path

    from ..config.load import load_fleet
    from ..config.locate import find_orchestrator
    from ..errors import UsageError
    from ..readers.errors import ConfigError
    from ..support.clock import now_or_real

    try:
        fleet = load_fleet(find_orchestrator(config), Path.cwd())
    except ConfigError as exc:
        raise UsageError(f"prove report --compliance: {exc}") from None
    rows = compliance_rows(fleet, runs, now_or_real(os.environ).date())
    return render_compliance(rows, fmt, since.date() if since else None, len(runs))
