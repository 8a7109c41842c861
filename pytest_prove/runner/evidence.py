"""What a gate compared, in the words every report uses (#16: never silently green).

A result says which base it was measured against (ref and sha), at which head, and
how much it judged: ``origin/main@1a2b3c4d5e..9f8e7d6c5b: 3 commits``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Final

from ..api import CheckResult, Finding, Severity

_SHORT: Final = 10
JUDGED_NOTHING: Final = "judged-nothing"


@dataclasses.dataclass(frozen=True, kw_only=True)
class Evidence:
    """The base (ref and commit), the head, and the counts of what was judged."""

    base: str
    base_sha: str
    head: str
    judged: Mapping[str, int]
    note: str = ""
    # the repository's page on its forge, where a finding's file at ``head`` is linked; ''
    # when its origin is on no known forge, or no finding names a file
    web: str = ""

    def judged_text(self) -> str:
        """``3 commits``, ``5 files, 120 added lines``; '' when nothing was counted."""
        return judged_text(self.judged)

    def properties(self) -> list[tuple[str, str]]:
        """JUnit properties beyond ``base``/``head``, which the report already carries."""
        props = [("base_sha", self.base_sha), ("judged", self.judged_text())]
        if self.note:
            props.append(("base_note", self.note))
        return props


def evidence_line(base: str, base_sha: str, head: str, judged: str) -> str:
    where = base + (f"@{base_sha[:_SHORT]}" if base_sha else "")
    if head:
        where += f"..{head[:_SHORT]}"
    return f"{where}: {judged}" if judged and where else where or judged


def passed_evidence(properties: Mapping[str, object]) -> str:
    """``origin/main@1a2b3c4d5e..9f8e7d6c5b: 3 commits`` from a gate's report properties;
    a pass reused from the cache says so where the counts would be."""
    base, base_sha, head, judged, cached = (
        str(properties.get(k, "")) for k in ("base", "base_sha", "head", "judged", "cached")
    )
    return evidence_line(base, base_sha, head, cached or judged)


def judged_text(judged: Mapping[str, int]) -> str:
    return ", ".join(f"{n} {_noun(kind, n)}" for kind, n in judged.items())


def _noun(kind: str, n: int) -> str:
    # Kinds are plural nouns ("commits", "changed source files"); one of them is singular.
    return kind[:-1] if n == 1 and kind.endswith("s") else kind


def judged_nothing(result: CheckResult) -> bool:
    """A pass that counted what it judged, and every count is zero."""
    return (
        not result.skipped
        and result.passed
        and bool(result.judged)
        and not any(result.judged.values())
    )


def judged_nothing_warning(evidence: Evidence) -> Finding:
    return Finding(
        rule=JUDGED_NOTHING,
        message=f"nothing was judged against {evidence.base or 'the base'} "
        f"({evidence.judged_text()}): the branch has no change this gate looks at yet",
        severity=Severity.WARNING,
    )


def with_warning(result: CheckResult, finding: Finding) -> CheckResult:
    findings: Sequence[Finding] = (*result.findings, finding)
    return dataclasses.replace(result, findings=findings)
