"""Findings as one SARIF 2.1.0 log, the format GitHub code scanning uploads.

Pure: a :class:`RunRecord` and a :class:`Locator` in, a JSON-ready dict out.
One run, tool ``pytest-prove``; a rule per ``check/rule``.  Every
``security`` finding is written; other checks' findings only when they have a
file (SARIF is about places in code).  A finding without a place that lies in
the workspace is put at its repository's configuration entry, naming the
file in its text; with no such entry it is counted under the run's
``properties.unplaced`` instead (GitHub rejects results without a location).
Secrets arrive masked: checks mask them before findings leave the check.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Final

from ..locate import Place

if TYPE_CHECKING:
    from ..locate import Locator
    from ..run_record import GateRecord, RunRecord

__all__ = ["SARIF_SCHEMA", "SARIF_VERSION", "sarif_log"]

SARIF_VERSION: Final = "2.1.0"
SARIF_SCHEMA: Final = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI: Final = "https://github.com/pytest-prove/pytest-prove"
LEVELS: Final = {"error": "error", "warning": "warning", "info": "note"}
ALWAYS_WRITTEN: Final = frozenset({"security"})
SRCROOT: Final = "%SRCROOT%"


def _fingerprint(*parts: object) -> str:
    data = json.dumps([str(p) for p in parts], ensure_ascii=False).encode()
    return hashlib.sha256(data).hexdigest()


def _region(place: Place) -> dict[str, int]:
    region = {"startLine": place.line or 1}
    if place.end_line and place.end_line >= region["startLine"]:
        region["endLine"] = place.end_line
    return region


def _place(
    gate: GateRecord, finding: Mapping[str, Any], locator: Locator
) -> tuple[Place, str] | None:
    """Where the result goes, and its message text (naming the file if not placed there)."""
    message = str(finding.get("message", ""))
    place = locator.finding(gate.repo, finding)
    if place is not None:
        return place, message
    file = finding.get("file")
    if gate.check not in ALWAYS_WRITTEN and not file:
        return None
    fallback = locator.config_entry(gate.repo)
    if fallback is None:
        return None
    if isinstance(file, str) and file:
        line = finding.get("line")
        message = f"{file}{f':{line}' if line else ''}: {message}"
    return fallback, message


def sarif_log(run: RunRecord, locator: Locator, tool_version: str) -> dict[str, Any]:
    """The SARIF log of ``run``'s findings (gates that ran; skipped and cached ones have none)."""
    rules: dict[str, dict[str, Any]] = {}
    results: list[dict[str, Any]] = []
    unplaced = 0
    prefix_repo = locator.fleet.kind != "repository"
    for gate in sorted(run.gates, key=lambda g: (g.repo, g.check)):
        for finding in gate.findings:
            located = _place(gate, finding, locator)
            if located is None:
                unplaced += gate.check in ALWAYS_WRITTEN or bool(finding.get("file"))
                continue
            place, text = located
            rule = str(finding.get("rule") or gate.check)
            rule_id = f"{gate.check}/{rule}"
            level = LEVELS.get(str(finding.get("severity", "error")), "error")
            if rule_id not in rules:
                rules[rule_id] = {
                    "id": rule_id,
                    "name": rule_id.replace("/", "-"),
                    "shortDescription": {"text": f"{gate.check}: {rule}"},
                    "defaultConfiguration": {"level": level},
                }
            results.append(
                {
                    "ruleId": rule_id,
                    "ruleIndex": list(rules).index(rule_id),
                    "level": level,
                    "message": {"text": f"{gate.repo}: {text}" if prefix_repo else text},
                    "locations": [
                        {
                            "physicalLocation": {
                                "artifactLocation": {"uri": place.path, "uriBaseId": SRCROOT},
                                "region": _region(place),
                            }
                        }
                    ],
                    # Without the line, so a finding keeps its identity when code moves.
                    "partialFingerprints": {
                        "proveFinding/v1": _fingerprint(gate.repo, rule_id, place.path, text)
                    },
                    "properties": {"repo": gate.repo, "check": gate.check},
                }
            )
    return {
        "$schema": SARIF_SCHEMA,
        "version": SARIF_VERSION,
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "pytest-prove",
                        "version": tool_version,
                        "informationUri": INFORMATION_URI,
                        "rules": list(rules.values()),
                    }
                },
                "automationDetails": {"id": f"pytest-prove/{run.id}"},
                "results": results,
                "properties": {"unplaced": unplaced},
            }
        ],
    }
