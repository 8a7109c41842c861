"""Structured gate results for pytest-json-report's per-test ``metadata``."""

from __future__ import annotations

from typing import Any

from ..api import CheckResult
from ..runner.evidence import Evidence
from .failure import summarise


def gate_metadata(
    *,
    repo: str,
    check: str,
    mode: str,
    evidence: Evidence,
    result: CheckResult | None,
    error: str | None,
) -> dict[str, Any]:
    """Builtins only: the dict crosses from xdist workers to the controller."""
    data: dict[str, Any] = {
        "repo": repo,
        "check": check,
        "mode": mode,
        "base": evidence.base,
        "base_sha": evidence.base_sha,
        "head": evidence.head,
        "judged": dict(evidence.judged),
    }
    if evidence.note:
        data["base_note"] = evidence.note
    if result is not None:
        data["summary"] = summarise(result)
        data["passed"] = result.passed
        data["findings"] = [f.to_dict(check) for f in result.findings]
        data["metrics"] = dict(result.metrics)
        if result.skipped:
            data["skipped"] = result.skipped
    if error is not None:
        data["error"] = error
    return data
