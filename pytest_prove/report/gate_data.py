"""A gate's result as it travels: from the process that ran it to the controller and files.

:class:`GateData` is built once, where the gate ran, and carried as builtins with
:meth:`GateData.to_dict` (it crosses execnet from xdist workers, and it is the ``prove``
entry of pytest-json-report's per-test ``metadata``); :meth:`GateData.from_dict` reads it
back, on the controller and from a JSON report file alike.  The controller then adds only
what it alone knows (outcome, duration, waivers) in
:func:`~pytest_prove.report.run_record.gate_record`, as pytest's own
``reports.py`` carries a ``TestReport``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ..api import CheckResult
from .failure import summarise

if TYPE_CHECKING:
    from ..runner.evidence import Evidence

__all__ = ["GateData", "gate_parts", "text_or_empty"]


def text_or_empty(value: object) -> str:
    """``value`` if it is a string, else '': how report data read back from files takes a
    field that may have been edited by hand."""
    return value if isinstance(value, str) else ""


def gate_parts(nodeid: str) -> tuple[str, str]:
    """The repository and check a node id names (``multi.yaml::api::tdd``); the repository
    is '' for an id too short to name one."""
    parts = nodeid.split("::")
    return (parts[-2], parts[-1]) if len(parts) >= 3 else ("", parts[-1])


@dataclasses.dataclass(frozen=True, kw_only=True)
class GateData:
    """What the process that ran a gate knows of it.

    :param passed: None when no check result exists (the gate's data was not carried)
    :param findings: :meth:`Finding.to_dict` dicts, sanitized
    """

    repo: str
    check: str
    mode: str = ""
    base: str = ""
    base_sha: str = ""
    head: str = ""
    judged: Mapping[str, int] = dataclasses.field(default_factory=dict)
    base_note: str = ""
    summary: str = ""
    passed: bool | None = None
    findings: tuple[Mapping[str, Any], ...] = ()
    metrics: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    skipped: str = ""
    error: str | None = None
    # why a pass was reused from the pass cache without running the check; '' when it ran
    cached: str = ""
    # the repository's page on its forge (``https://github.com/o/r``): findings link there
    forge: str = ""

    @classmethod
    def of(
        cls,
        *,
        repo: str,
        check: str,
        mode: str,
        evidence: Evidence,
        result: CheckResult,
        error: str | None,
        cached: str = "",
    ) -> GateData:
        return cls(
            repo=repo,
            check=check,
            mode=mode,
            base=evidence.base,
            base_sha=evidence.base_sha,
            head=evidence.head,
            judged=dict(evidence.judged),
            base_note=evidence.note,
            summary=summarise(result),
            passed=result.passed,
            findings=tuple(f.to_dict(check) for f in result.findings),
            metrics=dict(result.metrics),
            skipped=result.skipped or "",
            error=error,
            cached=cached,
            forge=evidence.web,
        )

    def to_dict(self) -> dict[str, Any]:
        """Builtins only."""
        data: dict[str, Any] = {
            "repo": self.repo,
            "check": self.check,
            "mode": self.mode,
            "base": self.base,
            "base_sha": self.base_sha,
            "head": self.head,
            "judged": dict(self.judged),
        }
        if self.base_note:
            data["base_note"] = self.base_note
        if self.forge:
            data["forge"] = self.forge
        if self.passed is not None:
            data["summary"] = self.summary
            data["passed"] = self.passed
            data["findings"] = [dict(f) for f in self.findings]
            data["metrics"] = dict(self.metrics)
            if self.skipped:
                data["skipped"] = self.skipped
            if self.cached:
                data["cached"] = self.cached
        if self.error is not None:
            data["error"] = self.error
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> GateData:
        """What :meth:`to_dict` wrote; a value of the wrong type (a hand-edited report file)
        reads as absent."""
        judged = data.get("judged")
        findings = data.get("findings")
        metrics = data.get("metrics")
        passed = data.get("passed")
        error = data.get("error")
        return cls(
            repo=text_or_empty(data.get("repo")),
            check=text_or_empty(data.get("check")),
            mode=text_or_empty(data.get("mode")),
            base=text_or_empty(data.get("base")),
            base_sha=text_or_empty(data.get("base_sha")),
            head=text_or_empty(data.get("head")),
            judged={
                k: v
                for k, v in (judged.items() if isinstance(judged, dict) else ())
                if isinstance(k, str) and isinstance(v, int)
            },
            base_note=text_or_empty(data.get("base_note")),
            summary=text_or_empty(data.get("summary")),
            passed=passed if isinstance(passed, bool) else None,
            findings=tuple(f for f in findings if isinstance(f, dict))
            if isinstance(findings, list)
            else (),
            metrics=metrics if isinstance(metrics, dict) else {},
            skipped=text_or_empty(data.get("skipped")),
            error=error if isinstance(error, str) else None,
            cached=text_or_empty(data.get("cached")),
            forge=text_or_empty(data.get("forge")),
        )
