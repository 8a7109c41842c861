"""The dashboard: one self-contained HTML page of a fleet's runs.

:func:`render_dashboard` is pure: run records in, a page out.  The page needs no
network (CSS, script and charts are inline) and treats every string from a run as
hostile, since commit messages, branch names and check output reach it:

- the data travels as JSON in a ``<script type="application/json">`` block with
  ``<``, ``>`` and ``&`` written as ``\\u003c`` etc., so nothing in it can close the block;
- the script builds the page with DOM calls and ``textContent`` only, never markup
  from data;
- a Content-Security-Policy allows only the page's own script and style (by hash) and
  no loads at all, so even an element that slipped in could not run or call out.

The same gate summaries feed ``.prove/live.json`` (:func:`live_payload`), which the
page served by ``prove status --dashboard`` polls to update its matrix as gates finish.
"""

from __future__ import annotations

import base64
import datetime
import functools
import hashlib
import json
import math
from collections.abc import Mapping, Sequence
from importlib import resources
from typing import TYPE_CHECKING, Any, Final, TypeAlias

from ...git.forge import blob_url

if TYPE_CHECKING:
    from ..history.liveness import ProcessMark
    from ..run_record import GateRecord, Outcome, RunOutline, RunRecord

__all__ = [
    "PAGE_TITLE",
    "SCRIPTS",
    "TRAIL_RUNS",
    "GateOutcomes",
    "embed_json",
    "gate_view",
    "live_json",
    "live_payload",
    "render_dashboard",
    "run_summary",
]

# Enough to act on; the full list is in the JSON report and the history.
PAGE_TITLE: Final = "prove dashboard"
MAX_FINDINGS: Final = 100
MAX_TEXT: Final = 1000
# As `prove report` counts: a waived failure is still a failure for the trend.
PASSING: Final[tuple[Outcome, ...]] = ("passed", "cached")
FAILING: Final[tuple[Outcome, ...]] = ("failed", "error", "waived")

# Each gate's recent history in the matrix: its outcome in the newest runs, one letter a
# run (oldest first, "-" where the run had no such gate); the script draws a cell a letter.
TRAIL_RUNS: Final = 10
TRAIL_LETTERS: Final[dict[str, str]] = {
    "passed": "p", "failed": "f", "waived": "w", "error": "e", "skipped": "s", "cached": "c",
}  # fmt: skip
GateOutcomes: TypeAlias = "Mapping[str, Mapping[tuple[str, str], Outcome]]"
"""Past runs' gates, outcome only: run id -> (repository, check) -> outcome."""
# The script, in the order its parts depend on each other; one <script>, one CSP hash.
SCRIPTS: Final = ("dashboard_base.js", "dashboard_matrix.js", "dashboard_charts.js", "dashboard.js")

_ESCAPES: Final = {ord("<"): "\\u003c", ord(">"): "\\u003e", ord("&"): "\\u0026"}


def embed_json(data: Any) -> str:
    """JSON that is safe between ``<script type="application/json">`` tags."""
    return json.dumps(data, ensure_ascii=True, separators=(",", ":")).translate(_ESCAPES)


def _text(value: Any, limit: int = MAX_TEXT) -> str:
    text = "" if value is None else str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _seconds(value: float) -> float:
    # NaN or infinity would make the whole JSON block unparsable.
    return round(value, 3) if math.isfinite(value) else 0.0


def _line(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _finding(finding: Mapping[str, Any], forge: str, head: str) -> dict[str, Any]:
    shown = {
        "severity": _text(finding.get("severity", ""), 40),
        "rule": _text(finding.get("rule", ""), 200),
        "file": _text(finding.get("file", ""), 500),
        "line": _line(finding.get("line")),
        "message": _text(finding.get("message", "")),
    }
    # The file at the gate's head on the forge: built and checked here (http(s), no
    # credentials, a hex commit, a relative path, every name percent-encoded), and checked
    # again by the script before it becomes a link.
    file, line = finding.get("file"), _line(finding.get("line"))
    url = blob_url(forge, head, file, line) if isinstance(file, str) else None
    if url is not None:
        shown["url"] = url
    return shown


def gate_view(gate: GateRecord) -> dict[str, Any]:
    """What the page shows of one gate: plain, bounded JSON values."""
    return {
        "repo": _text(gate.repo, 300),
        "check": _text(gate.check, 300),
        "outcome": gate.outcome,
        "duration": _seconds(gate.duration),
        "summary": _text(gate.summary),
        "reason": _text(gate.reason),
        "mode": _text(gate.mode, 100),
        "base": _text(gate.base, 300),
        "head": _text(gate.head, 100),
        "findings": [_finding(f, gate.forge, gate.head) for f in gate.findings[:MAX_FINDINGS]],
        "more_findings": max(len(gate.findings) - MAX_FINDINGS, 0),
    }


def pass_rate(counts: Mapping[Outcome, int]) -> float | None:
    """Share of gates that held among those that ran: skipped gates don't count."""
    good = sum(counts.get(o, 0) for o in PASSING)
    judged = good + sum(counts.get(o, 0) for o in FAILING)
    return round(good / judged, 4) if judged else None


def run_summary(run: RunOutline | RunRecord) -> dict[str, Any]:
    counts = run.counts()
    return {
        "id": _text(run.id, 100),
        "started": run.started.isoformat(),
        "finished": run.finished.isoformat(),
        "host": _text(run.host, 200),
        "command": _text(" ".join(run.command)),
        "exit_status": run.exit_status,
        "status": run.status,
        "counts": counts,
        "pass_rate": pass_rate(counts),
        "duration": _seconds((run.finished - run.started).total_seconds()),
        "gates": run.gate_count,
    }


def live_payload(
    run_id: str,
    started: datetime.datetime,
    views: Sequence[Mapping[str, Any]],
    *,
    running: bool,
    process: ProcessMark | None = None,
) -> dict[str, Any]:
    """The content of ``.prove/live.json``: the gates finished so far in the current run.

    :param views: what :func:`gate_view` gives for each, made once per gate (the file is rewritten
        every second of a long run, each time with every gate so far)

    :param process: where the run runs, so that a reader can tell a run that was killed
        from one going on (:mod:`pytest_prove.report.history.live_file`)
    """
    payload: dict[str, Any] = {
        "running": running,
        "run": run_id,
        "started": started.isoformat(),
        "updated": datetime.datetime.now(datetime.UTC).isoformat(),
        "gates": views,
    }
    if process is not None:
        payload.update(host=process.host, pid=process.pid, process_start=process.start)
    return payload


def live_json(
    run_id: str,
    started: datetime.datetime,
    gate_texts: Sequence[str],
    *,
    running: bool,
    process: ProcessMark | None = None,
) -> str:
    """:func:`live_payload` as JSON, its gates given as JSON already: each text a
    comma-separated run of gate views (a list's JSON without its brackets).

    The file is rewritten every second with every gate so far; dumped anew each time,
    the views of a 4,000-gate run cost a quarter of a second by its end.
    """
    head = json.dumps(
        live_payload(run_id, started, [], running=running, process=process),
        separators=(",", ":"),
    )
    gates = ",".join(text for text in gate_texts if text)
    return head.replace('"gates":[]', f'"gates":[{gates}]', 1) + "\n"


def _trails(
    ordered: Sequence[RunOutline | RunRecord], outcomes: GateOutcomes
) -> list[Mapping[tuple[str, str], str]]:
    """The newest :data:`TRAIL_RUNS` runs' gates as letters, oldest first: a run read in
    full answers for itself, an outline through ``outcomes``."""
    trails: list[Mapping[tuple[str, str], str]] = []
    for run in ordered[-TRAIL_RUNS:]:
        gates = getattr(run, "gates", None)
        found = (
            {(g.repo, g.check): g.outcome for g in gates}
            if gates is not None
            else outcomes.get(run.id, {})
        )
        trails.append({k: TRAIL_LETTERS.get(v, "e") for k, v in found.items()})
    return trails


def dashboard_data(
    runs: Sequence[RunOutline | RunRecord],
    live_url: str | None,
    outcomes: GateOutcomes | None = None,
) -> dict[str, Any]:
    ordered = sorted(runs, key=lambda r: r.started)
    latest = ordered[-1] if ordered else None
    gates: Sequence[GateRecord] = getattr(latest, "gates", ())  # an outline's were not read
    trails = _trails(ordered, outcomes or {})
    views = []
    for gate in gates:
        view = gate_view(gate)
        view["trail"] = "".join(t.get((gate.repo, gate.check), "-") for t in trails)
        views.append(view)
    return {
        "generated": datetime.datetime.now(datetime.UTC).isoformat(),
        "live_url": live_url,
        "runs": [run_summary(r) for r in ordered],
        "latest": None if latest is None else {**run_summary(latest), "gates": views},
    }


@functools.cache
def _asset(name: str) -> str:
    return resources.files(__package__).joinpath(name).read_text(encoding="utf-8")


def _sha256(text: str) -> str:
    return base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()


def _script() -> str:
    # One function scope around the parts: they share names, and leave none on window.
    parts = "\n".join(_asset(name) for name in SCRIPTS)
    return f'(function () {{\n"use strict";\n{parts}\n}})();'


def render_dashboard(
    runs: Sequence[RunOutline | RunRecord],
    *,
    live_url: str | None = None,
    outcomes: GateOutcomes | None = None,
) -> str:
    """The page for ``runs`` (any order; the newest one fills the matrix).

    :param live_url: where the page polls for the run in progress (``/live.json`` when
        served by ``prove status --dashboard``); ``None`` for a static file
    :param outcomes: the gates of the outlines among ``runs``, for each gate's recent
        history (:func:`pytest_prove.report.sinks.dashboard.recent_history`); a run read
        in full needs none
    """
    script, style = _script(), _asset("dashboard.css")
    connect = "'self'" if live_url else "'none'"
    policy = (
        f"default-src 'none'; script-src 'sha256-{_sha256(script)}'; "
        f"style-src 'sha256-{_sha256(style)}'; img-src data:; connect-src {connect}; "
        "base-uri 'none'; form-action 'none'"
    )  # hashes are base64: nothing in it needs escaping in a double-quoted attribute
    title = PAGE_TITLE
    data = embed_json(dashboard_data(runs, live_url, outcomes))
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{policy}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{title}</title>\n<style>{style}</style>\n</head>\n<body>\n"
        '<main id="app" aria-busy="true">\n'
        f"<h1>{title}</h1>\n"
        "<noscript><p>The dashboard needs JavaScript to draw its tables and charts.</p>"
        "</noscript>\n</main>\n"
        f'<script type="application/json" id="prove-data">{data}</script>\n'
        f"<script>{script}</script>\n"
        "</body>\n</html>\n"
    )
