"""``prove report``'s output formats: table, md, json, csv, html.

Repo and check names, summaries and messages come from files other people wrote
(history, JSON reports): every format treats them as hostile.  The table strips
control characters, Markdown escapes its syntax and HTML, CSV quotes through the
:mod:`csv` module, HTML goes through :func:`html.escape`.
"""

from __future__ import annotations

import csv
import datetime
import html
import io
import json
import re
from collections.abc import Callable, Iterable, Sequence
from typing import Any, Final

from ...support.wording import count, printable
from .summary import LEGEND, GateSummary, Report, UnfinishedRun, format_duration

FORMATS: Final = ("table", "md", "json", "csv", "html")
SLOWEST: Final = 10
COLUMNS: Final = (
    "repo",
    "check",
    "latest",
    "latest_at",
    "pass_rate",
    "runs",
    "passed",
    "failed",
    "flips",
    "flaky",
    "mean_duration",
    "max_duration",
    "trend",
    "sparkline",
    "latest_summary",
)


def _when(moment: datetime.datetime | None) -> str:
    return moment.astimezone(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC") if moment else "-"


def _percent(rate: float | None) -> str:
    return "-" if rate is None else f"{rate:.0%}"


def _trend(change: float | None) -> str:
    return "-" if change is None else f"{change:+.0%}"


def _row(gate: GateSummary) -> dict[str, Any]:
    return {
        "repo": gate.repo,
        "check": gate.check,
        "latest": gate.latest,
        "latest_at": gate.latest_at.isoformat(),
        "pass_rate": gate.pass_rate,
        "runs": gate.runs,
        "passed": gate.passed,
        "failed": gate.failed,
        "flips": gate.flips,
        "flaky": gate.flaky,
        "mean_duration": round(gate.mean_duration, 3),
        "max_duration": round(gate.max_duration, 3),
        "trend": gate.trend,
        "sparkline": gate.sparkline,
        "latest_summary": gate.latest_summary,
    }


def _cells(gate: GateSummary) -> list[str]:
    """The human columns of table, md and html (summary excluded)."""
    return [
        gate.repo,
        gate.check,
        gate.latest,
        _percent(gate.pass_rate),
        str(gate.runs),
        f"yes ({gate.flips} flips)" if gate.flaky else "no",
        format_duration(gate.mean_duration),
        format_duration(gate.max_duration),
        _trend(gate.trend),
        gate.sparkline,
    ]


HEADINGS: Final = ("repo", "check", "latest", "pass", "runs", "flaky", "mean", "max", "trend")
HEADINGS_ALL: Final = (*HEADINGS, "history (oldest first)")


def _title(report: Report) -> str:
    runs = count(report.runs, "run")
    if report.interrupted:
        runs += f" ({report.interrupted} interrupted)"
    return f"prove report: {runs}, {_when(report.first)} .. {_when(report.last)}"


UNFINISHED_HEADING: Final = "runs without an end (their finished gates are counted above)"


def _unfinished(run: UnfinishedRun) -> tuple[str, str]:
    """A run without an end: its id, and the rest of its line (names are the caller's to escape)."""
    recorded = count(run.gates, "gate")
    return run.id[
        :12
    ], f"started {_when(run.started)} on {run.host}: {run.status}, {recorded} recorded"


def render_table(report: Report) -> str:
    rows = [list(HEADINGS_ALL), *([printable(c) for c in _cells(g)] for g in report.gates)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(HEADINGS_ALL))]
    lines = [_title(report), ""]
    lines += [
        "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in rows
    ]
    if not report.gates:
        lines.append("(no gates in this period)")
    slow = [g for g in report.slowest(SLOWEST) if g.mean_duration > 0]
    if slow:
        lines += ["", "slowest gates (mean / max):"]
        lines += [
            f"  {printable(g.repo)}::{printable(g.check)}  "
            f"{format_duration(g.mean_duration)} / {format_duration(g.max_duration)}"
            for g in slow
        ]
    if report.flaky:
        lines += ["", "flaky gates (passed and failed in turn at least twice):"]
        lines += [
            f"  {printable(g.repo)}::{printable(g.check)}  {g.flips} flips" for g in report.flaky
        ]
    if report.unfinished:
        lines += ["", f"{UNFINISHED_HEADING}:"]
        lines += [f"  {printable(' '.join(_unfinished(r)))}" for r in report.unfinished]
    lines += ["", f"legend: {LEGEND}"]
    return "\n".join(lines) + "\n"


_MD_SPECIAL = re.compile(r"([\\`*_\[\]|#])")


def md_cell(text: str) -> str:
    flat = " ".join(printable(line) for line in text.splitlines())
    return html.escape(_MD_SPECIAL.sub(r"\\\1", flat), quote=False)


def render_md(report: Report) -> str:
    lines = [f"## {md_cell(_title(report))}", ""]
    heads = (*HEADINGS_ALL, "latest summary")
    lines.append("| " + " | ".join(heads) + " |")
    lines.append("|" + " --- |" * len(heads))
    for gate in report.gates:
        cells = [*_cells(gate), gate.latest_summary]
        lines.append("| " + " | ".join(md_cell(c) for c in cells) + " |")
    slow = [g for g in report.slowest(SLOWEST) if g.mean_duration > 0]
    if slow:
        lines += ["", "**Slowest gates** (mean / max):", ""]
        lines += [
            f"- {md_cell(g.repo)}::{md_cell(g.check)}: "
            f"{format_duration(g.mean_duration)} / {format_duration(g.max_duration)}"
            for g in slow
        ]
    if report.flaky:
        lines += ["", "**Flaky gates** (passed and failed in turn at least twice):", ""]
        lines += [f"- {md_cell(g.repo)}::{md_cell(g.check)}: {g.flips} flips" for g in report.flaky]
    if report.unfinished:
        lines += ["", f"**{md_cell(UNFINISHED_HEADING.capitalize())}**:", ""]
        lines += [
            f"- {md_cell(run_id)} {md_cell(rest)}"
            for run_id, rest in map(_unfinished, report.unfinished)
        ]
    lines += ["", f"Legend: {md_cell(LEGEND)}"]
    return "\n".join(lines) + "\n"


def render_json(report: Report) -> str:
    data = {
        "runs": report.runs,
        "first": report.first.isoformat() if report.first else None,
        "last": report.last.isoformat() if report.last else None,
        "gates": [_row(g) for g in report.gates],
        "slowest": [{"repo": g.repo, "check": g.check} for g in report.slowest(SLOWEST)],
        "flaky": [{"repo": g.repo, "check": g.check, "flips": g.flips} for g in report.flaky],
        "unfinished": [
            {
                "id": r.id,
                "started": r.started.isoformat(),
                "host": r.host,
                "status": r.status,
                "gates": r.gates,
            }
            for r in report.unfinished
        ],
    }
    return json.dumps(data, indent=2) + "\n"


# Cells a spreadsheet would evaluate (OWASP "CSV injection"): repository names and
# messages come from the repositories, so they get a leading quote.
_FORMULA_START: Final = ("=", "+", "-", "@", "\t", "\r")


def csv_text(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """CSV with a header row; text that would run as a spreadsheet formula is quoted."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(
            "'" + cell if isinstance(cell, str) and cell.startswith(_FORMULA_START) else cell
            for cell in row
        )
    return out.getvalue()


def render_csv(report: Report) -> str:
    return csv_text(COLUMNS, ([_row(gate)[c] for c in COLUMNS] for gate in report.gates))


_STYLE: Final = """
body { font: 14px/1.4 system-ui, sans-serif; margin: 2rem; color: #1b1b1b; }
table { border-collapse: collapse; }
th, td { border: 1px solid #ccc; padding: .25rem .5rem; text-align: left; vertical-align: top; }
th { background: #f3f3f3; }
td.passed, td.cached { background: #dff3e0; }
td.failed, td.error { background: #fbe0e0; }
td.waived { background: #fff3cd; }
td.skipped { background: #eee; }
.spark { font-family: monospace; white-space: pre; }
"""


def render_html(report: Report) -> str:
    esc = html.escape
    title = esc(_title(report))
    head = "".join(f"<th scope='col'>{esc(h)}</th>" for h in (*HEADINGS_ALL, "latest summary"))
    rows = []
    for gate in report.gates:
        cells = [esc(c) for c in _cells(gate)]
        cells[2] = f"<td class='{esc(gate.latest)}'>{cells[2]}</td>"
        cells[9] = f"<td class='spark'>{cells[9]}</td>"
        body = "".join(c if c.startswith("<td") else f"<td>{c}</td>" for c in cells)
        rows.append(f"<tr>{body}<td>{esc(gate.latest_summary)}</td></tr>")
    slow = "".join(
        f"<li>{esc(g.repo)}::{esc(g.check)}: {esc(format_duration(g.mean_duration))} / "
        f"{esc(format_duration(g.max_duration))}</li>"
        for g in report.slowest(SLOWEST)
        if g.mean_duration > 0
    )
    flaky = "".join(
        f"<li>{esc(g.repo)}::{esc(g.check)}: {g.flips} flips</li>" for g in report.flaky
    )
    unfinished = "".join(
        f"<li>{esc(run_id)} {esc(rest)}</li>"
        for run_id, rest in map(_unfinished, report.unfinished)
    )
    return (
        "<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
        f"<title>{title}</title><style>{_STYLE}</style></head><body>\n"
        f"<h1>{title}</h1>\n<table><thead><tr>{head}</tr></thead><tbody>\n"
        + "\n".join(rows)
        + "\n</tbody></table>\n"
        + (f"<h2>Slowest gates (mean / max)</h2><ul>{slow}</ul>\n" if slow else "")
        + (f"<h2>Flaky gates</h2><ul>{flaky}</ul>\n" if flaky else "")
        + (
            f"<h2>{esc(UNFINISHED_HEADING.capitalize())}</h2><ul>{unfinished}</ul>\n"
            if unfinished
            else ""
        )
        + f"<p>Legend: {esc(LEGEND)}</p>\n</body></html>\n"
    )


RENDERERS: Final[dict[str, Callable[[Report], str]]] = {
    "table": render_table,
    "md": render_md,
    "json": render_json,
    "csv": render_csv,
    "html": render_html,
}
