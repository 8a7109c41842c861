"""GitHub Actions: annotations for findings and a Markdown job summary.

On when ``GITHUB_ACTIONS=true``.  Each error finding becomes an ``::error`` workflow
command (warnings ``::warning``) placed at its file and line, relative to
``GITHUB_WORKSPACE`` (see :mod:`pytest_prove.report.locate`); findings of a waived gate are shown as
warnings, since the run does not fail on them.  The job summary (the file named by
``GITHUB_STEP_SUMMARY``) gets a table of repositories by checks and the failed gates.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from ..locate import Locator
from ..run_record import RECORDER_KEY
from ..views.formats import md_cell

if TYPE_CHECKING:
    import pytest

    from ...config.fleet import Fleet
    from ..run_record import GateRecord, RunRecord

__all__ = ["escape_data", "escape_property", "plugin", "step_summary", "workflow_commands"]

# GitHub shows only the first few annotations of a step; the rest are log noise.
MAX_ANNOTATIONS: Final = 50
# Past this many repositories the table keeps only those with a failing gate.
MAX_ROWS: Final = 100
MAX_FINDINGS_PER_GATE: Final = 5
FAILING: Final = ("failed", "error")
ICONS: Final = {
    "passed": "✅",
    "cached": "✅",
    "failed": "❌",
    "error": "💥",
    "waived": "⚠️",
    "skipped": "⏭️",
}


def escape_data(text: str) -> str:
    """A workflow command's message (``@actions/core`` ``escapeData``)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A workflow command's property value (``@actions/core`` ``escapeProperty``)."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _command(kind: str, message: str, **properties: Any) -> str:
    props = ",".join(
        f"{key}={escape_property(str(value))}"
        for key, value in properties.items()
        if value is not None
    )
    return f"::{kind}{' ' + props if props else ''}::{escape_data(message)}"


def _title(gate: GateRecord, fleet_kind: str) -> str:
    return gate.check if fleet_kind == "repository" else f"{gate.repo} {gate.check}"


def _finding_commands(gate: GateRecord, locator: Locator) -> Iterator[str]:
    title = _title(gate, locator.fleet.kind)
    for finding in gate.findings:
        severity = finding.get("severity")
        if severity not in ("error", "warning"):
            continue
        kind = "error" if severity == "error" and gate.outcome != "waived" else "warning"
        message = f"{finding.get('message', '')} [{finding.get('rule', '')}]"
        place = locator.finding(gate.repo, finding)
        if place is None:
            file, line = finding.get("file"), finding.get("line")
            if isinstance(file, str) and file:
                # Outside the workspace: GitHub cannot point at it, the text still does.
                message = f"{gate.repo}/{file}{f':{line}' if line else ''}: {message}"
            yield _command(kind, message, title=title)
            continue
        yield _command(
            kind,
            message,
            file=place.path,
            line=place.line,
            endLine=place.end_line if place.line else None,
            title=title,
        )


def workflow_commands(run: RunRecord, locator: Locator) -> list[str]:
    """The workflow commands for ``run``, at most :data:`MAX_ANNOTATIONS` plus a notice."""
    commands: list[str] = []
    for gate in run.gates:
        if gate.outcome in ("skipped", "cached"):
            continue
        found = list(_finding_commands(gate, locator))
        if gate.outcome in FAILING and not any(c.startswith("::error") for c in found):
            # A timeout or a broken gate has no error finding: its summary says why.
            found.append(
                _command(
                    "error", gate.summary or gate.outcome, title=_title(gate, locator.fleet.kind)
                )
            )
        commands += found
    # Errors first (a stable sort): the cap must never drop an error for a warning.
    commands.sort(key=lambda command: not command.startswith("::error"))
    if len(commands) > MAX_ANNOTATIONS:
        rest = len(commands) - MAX_ANNOTATIONS
        commands = commands[:MAX_ANNOTATIONS]
        commands.append(
            _command("notice", f"{rest} more findings: see the job summary or the JUnit report")
        )
    return commands


def _cell(gate: GateRecord | None) -> str:
    if gate is None:
        return "—"
    return f"{ICONS.get(gate.outcome, '')} {gate.outcome} {gate.duration:.1f} s"


def _table(run: RunRecord) -> list[str]:
    checks = sorted({g.check for g in run.gates})
    rows: dict[str, dict[str, GateRecord]] = {}
    for gate in run.gates:
        rows.setdefault(gate.repo, {})[gate.check] = gate
    names = sorted(rows)
    hidden = 0
    if len(names) > MAX_ROWS:
        failing = [n for n in names if any(g.outcome in FAILING for g in rows[n].values())]
        hidden = len(names) - len(failing)
        names = failing
    lines = [
        "| repository | " + " | ".join(md_cell(c) for c in checks) + " |",
        "| --- |" + " --- |" * len(checks),
    ]
    lines += [
        f"| {md_cell(name)} | " + " | ".join(_cell(rows[name].get(c)) for c in checks) + " |"
        for name in names
    ]
    if hidden:
        lines += ["", f"{hidden} repositories whose gates all passed are not listed."]
    return lines


def _failed_gates(run: RunRecord) -> list[str]:
    lines: list[str] = []
    for gate in (g for g in run.gates if g.outcome in FAILING):
        name = f"{md_cell(gate.repo)} · {md_cell(gate.check)}"
        lines.append(f"- **{name}** ({gate.outcome}): {md_cell(gate.summary)}")
        errors = [f for f in gate.findings if f.get("severity") == "error"]
        for finding in errors[:MAX_FINDINGS_PER_GATE]:
            where = _where(finding)
            lines.append(f"  - {where}{md_cell(str(finding.get('message', '')))}")
        if len(errors) > MAX_FINDINGS_PER_GATE:
            lines.append(f"  - … and {len(errors) - MAX_FINDINGS_PER_GATE} more")
    return lines


def _where(finding: Mapping[str, Any]) -> str:
    file = finding.get("file")
    if not isinstance(file, str) or not file:
        return ""
    line = finding.get("line")
    return f"{md_cell(file)}{f':{line}' if isinstance(line, int) else ''}: "


def step_summary(run: RunRecord) -> str:
    """The job summary's Markdown for ``run``."""
    failing = sum(1 for g in run.gates if g.outcome in FAILING)
    total = len(run.gates)
    verdict = f"{failing} of {total} gates failed" if failing else f"all {total} gates passed"
    counts = ", ".join(f"{n} {outcome}" for outcome, n in run.counts().items() if n)
    out = [f"## pytest-prove: {verdict}", "", counts or "no gates ran", ""]
    if run.gates:
        out += [*_table(run), ""]
    if failing:
        out += ["### Failed gates", "", *_failed_gates(run), ""]
    return "\n".join(out) + "\n"


class _GitHubReporter:
    def __init__(self, locator: Locator, summary_file: str | None) -> None:
        self.locator = locator
        self.summary_file = summary_file
        self.commands: list[str] = []

    def pytest_prove_run_finished(self, config: pytest.Config, run: RunRecord) -> None:
        self.commands = workflow_commands(run, self.locator)
        if not self.summary_file:
            return
        try:
            with open(self.summary_file, "a", encoding="utf-8") as out:
                out.write(step_summary(run))
        except OSError as exc:
            config.stash[RECORDER_KEY].note(
                f"GitHub job summary not written to {self.summary_file}: {exc.strerror or exc}"
            )

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        # Here, not as gates finish: a workflow command must start a line of its own,
        # and the progress line ("....  [100%]") is over by now.
        if self.commands:
            terminalreporter.write_sep("-", "GitHub annotations")
            for command in self.commands:
                terminalreporter.write_line(command)


def plugin(config: pytest.Config, fleet: Fleet) -> object | None:
    """The GitHub Actions reporter, on GitHub Actions only."""
    if os.environ.get("GITHUB_ACTIONS") != "true":
        return None
    workspace = os.environ.get("GITHUB_WORKSPACE") or str(config.invocation_params.dir)
    locator = Locator(fleet, Path(workspace))
    return _GitHubReporter(locator, os.environ.get("GITHUB_STEP_SUMMARY"))
