"""GitLab Code Quality report (``--prove-gitlab-codequality FILE``).

GitLab reads a JSON array of issues (``artifacts: reports: codequality:``) and shows the new
ones in merge requests, matching issues across pipelines by ``fingerprint``. So the
fingerprint hashes what identifies a finding (repository, check, rule, path, message and its
occurrence among identical ones) but not its line, which moves with unrelated edits. Paths
are relative to ``CI_PROJECT_DIR`` (see :mod:`pytest_prove.report.locate`); a finding with
no place, or outside the project, is put at the configuration entry of its repository.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from typing import TYPE_CHECKING, Any, Final

from ..locate import Locator, Place
from .json_file import report_file_plugin

if TYPE_CHECKING:
    import pytest

    from ...config.fleet import Fleet
    from ..run_record import GateRecord, RunRecord

__all__ = ["codequality_issues", "plugin"]

# GitLab's scale: info < minor < major < critical < blocker.
SEVERITY: Final = {"error": "major", "warning": "minor", "info": "info"}
# A waived error is known and accepted: still listed, but not as a new major issue.
WAIVED_ERROR: Final = "minor"
# The gate itself broke (setup failed, the check crashed): nothing else it checks is known.
GATE_ERROR: Final = "critical"


def _fingerprint(*parts: object) -> str:
    data = json.dumps([str(p) for p in parts], ensure_ascii=False).encode()
    return hashlib.sha256(data).hexdigest()[:32]


def _location(place: Place) -> dict[str, Any]:
    lines: dict[str, int] = {"begin": place.line or 1}
    if place.end_line and place.end_line >= lines["begin"]:
        lines["end"] = place.end_line
    return {"path": place.path, "lines": lines}


def _gate_issues(gate: GateRecord, locator: Locator, seen: Counter[str]) -> list[dict[str, Any]]:
    fallback = locator.config_entry(gate.repo) or Place(".", 1)
    prefix = "" if locator.fleet.kind == "repository" else f"{gate.repo}: "
    issues: list[dict[str, Any]] = []
    for finding in gate.findings:
        severity = str(finding.get("severity", "error"))
        rule = str(finding.get("rule", ""))
        message = str(finding.get("message", ""))
        place = locator.finding(gate.repo, finding)
        if place is None:
            file, line = finding.get("file"), finding.get("line")
            if isinstance(file, str) and file:
                message = f"{file}{f':{line}' if line else ''}: {message}"
            place = fallback
        key = _fingerprint(gate.repo, gate.check, rule, place.path, message)
        seen[key] += 1
        issues.append(
            {
                "description": prefix + message,
                "check_name": f"{gate.check}/{rule}" if rule else gate.check,
                "fingerprint": _fingerprint(key, seen[key]),
                "severity": WAIVED_ERROR
                if gate.outcome == "waived" and severity == "error"
                else SEVERITY.get(severity, "info"),
                "location": _location(place),
            }
        )
    if gate.outcome in ("failed", "error") and not any(
        f.get("severity") == "error" for f in gate.findings
    ):
        issues.append(
            {
                "description": prefix + (gate.summary or f"gate {gate.outcome}"),
                "check_name": gate.check,
                "fingerprint": _fingerprint(gate.repo, gate.check, gate.outcome),
                "severity": GATE_ERROR if gate.outcome == "error" else SEVERITY["error"],
                "location": _location(fallback),
            }
        )
    return issues


def codequality_issues(run: RunRecord, locator: Locator) -> list[dict[str, Any]]:
    """The Code Quality issues of ``run``: every finding of every gate that ran."""
    seen: Counter[str] = Counter()
    issues: list[dict[str, Any]] = []
    for gate in sorted(run.gates, key=lambda g: (g.repo, g.check)):
        if gate.outcome not in ("skipped", "cached"):
            issues += _gate_issues(gate, locator, seen)
    return issues


def plugin(config: pytest.Config, fleet: Fleet) -> object | None:
    """The Code Quality writer, when ``--prove-gitlab-codequality`` names a file."""
    return report_file_plugin(
        config,
        fleet,
        option="prove_gitlab_codequality",
        workspace_variable="CI_PROJECT_DIR",
        label="GitLab Code Quality report",
        build=codequality_issues,
    )
