"""The text of a failing gate: one summary line, then one line per finding.

The first line is what the terminal's ``FAILED id - msg`` line and JUnit's
``<failure message=...>`` show; the whole text is the failure body.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

from ..api import CheckResult, Finding, Severity

if TYPE_CHECKING:
    from _pytest._io import TerminalWriter


def summarise(result: CheckResult) -> str:
    """``2 errors, 1 warning`` (or the check's own summary)."""
    if result.summary:
        return result.summary
    counts = Counter(f.severity for f in result.findings)
    parts = []
    for severity in (Severity.ERROR, Severity.WARNING):
        n = counts.get(severity, 0)
        if n:
            parts.append(f"{n} {severity}{'s' if n > 1 else ''}")
    return ", ".join(parts) or "passed"


def format_finding(finding: Finding) -> str:
    """``file:line rule message`` (severity appended when it is not an error)."""
    head = " ".join(p for p in (finding.location(), finding.rule) if p)
    first, *rest = finding.message.splitlines() or [""]
    suffix = "" if finding.severity is Severity.ERROR else f" [{finding.severity}]"
    lines = [f"{head} {first}{suffix}"]
    lines += [f"    {line}" for line in rest]
    return "\n".join(lines)


def format_failure(repo: str, check: str, result: CheckResult) -> str:
    lines = [f"{repo}::{check}: {summarise(result)}"]
    # Errors first: they are why the gate failed; warnings and info follow.
    order = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}
    for finding in sorted(result.findings, key=lambda f: order[f.severity]):
        lines.append(format_finding(finding))
    return "\n".join(lines)


class _Crash:
    """Stands in for pytest's ReprFileLocation: only ``message`` is read by reporters."""

    def __init__(self, message: str) -> None:
        self.message = message
        self.path = ""
        self.lineno = 0


class GateFailureRepr:
    """A failure text whose first line is its one-line message.

    JUnit uses ``reprcrash.message`` as ``<failure message=...>`` and ``str()`` as the
    body; the terminal calls ``toterminal``.  Across xdist it travels as ``str`` and
    is wrapped again on the controller.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self.reprcrash = _Crash(text.splitlines()[0] if text else "")

    def toterminal(self, tw: TerminalWriter) -> None:
        for line in self.text.splitlines():
            tw.line(line)

    def __str__(self) -> str:
        return self.text
