"""One gate's evaluation, free of pytest: from a repository context to an outcome.

The order is the gate policy.  A gate whose repository depends on one with a failed gate
is skipped.  Then, within the gate's deadline: an unmet ``when`` condition skips it; a pass
reused from the pass cache passes it again without running the check (reported as passed,
with why: CI servers count a skip as a missing test); else its check runs.  A repository
that cannot tell a fact the gate needs fails the gate with that message.  The result is
then sanitized (nothing shown holds a secret), warned about when it judged nothing off the
trunk, and, when it fails, held against the gate's waivers.  The pytest adapter
(:mod:`pytest_prove.plugin.nodes`) turns the outcome into a pass, skip, xfail or failure.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Final, Literal, NamedTuple

from ..api import CheckResult, CheckSettings, Finding
from ..git.context import RepoContextError
from ..git.refs import branch_of
from ..redact.redactor import secret_values
from ..redact.sanitize import sanitize, sanitize_result
from .cache import reuse_until
from .conditions import unmet_condition
from .deadline import GateTimeoutError, deadline
from .evidence import Evidence, judged_nothing, judged_nothing_warning, with_warning
from .waivers import Coverage, cover, today, waiver_id

if TYPE_CHECKING:
    from ..config.fleet import GatePlan, RepoPlan
    from ..config.models import Access, Waiver
    from ..git.context import RepoContext
    from .cache import PassCache

__all__ = ["GateOutcome", "GateRun", "evaluate", "fact"]

# A check that keeps its own limit (command gates) reports before the gate's deadline.
_GRACE_MS: Final = 1000

Verdict = Literal["passed", "skipped", "waived", "failed"]


@dataclasses.dataclass(frozen=True, kw_only=True)
class GateRun:
    """What one evaluation needs besides the gate and its repository's context."""

    nodeid: str
    # the fleet's default limit, for a gate without its own ``timeout``
    timeout_ms: int
    # repository -> its first failed gate's node id, as this process has seen them so far
    failed: Mapping[str, str]
    passes: PassCache | None = None
    # the waivers of this gate (repository and check)
    waivers: Sequence[Waiver] = ()
    access: Access | None = None


@dataclasses.dataclass(frozen=True, kw_only=True)
class GateOutcome:
    """A gate's result, sanitized, with what it compared and the verdict it leads to."""

    result: CheckResult
    evidence: Evidence
    mode: str
    # the repository's error that stood in for the check's run, sanitized
    error: str | None
    # the pass-cache key (with its reuse limit) a pass is stored under (see _Decided.key)
    cache_key: str | None
    # why the check did not run though the gate passed: "cached: passed at 1a2b3c4 ..."
    cached: str = ""
    # the valid waivers that cover every error finding of a failed result
    waived: Coverage | None = None
    # why waivers of this gate were refused, one line each, for the failure text
    refused: str = ""

    @property
    def verdict(self) -> Verdict:
        if self.result.skipped:
            return "skipped"
        if self.result.passed:
            return "passed"
        return "waived" if self.waived is not None else "failed"

    @property
    def waiver_ids(self) -> str:
        return ",".join(map(waiver_id, self.waived.used)) if self.waived else ""


def fact(context: RepoContext, what: str) -> str:
    """``base_ref``, ``head`` or ``mode`` for reports; empty when the repository cannot tell."""
    try:
        value = getattr(context, what)
    except RepoContextError:
        return ""
    return str(getattr(value, "mode", value))


def _on_trunk(context: RepoContext) -> bool:
    """On the base's own branch, or nothing to tell: no judged-nothing warning there."""
    try:
        branch, base = context.branch, context.base_ref
    except RepoContextError:
        return True
    return branch is None or branch == branch_of(base)


def evaluate(repo: RepoPlan, gate: GatePlan, context: RepoContext, run: GateRun) -> GateOutcome:
    """Evaluate one gate.

    :raises Exception: whatever the check raised other than a repository error (the adapter
        reports it as the gate's failure, sanitized)
    """

    mode = fact(context, "mode")
    error: str | None = None
    key: str | None = None
    cached = ""
    try:
        result, key, cached = _result(repo, gate, context, run, mode)
    except RepoContextError as exc:
        # The report already names the repository: "bad::trunk: no commits yet".
        error = str(exc).removeprefix(f"{repo.name}: ")
        result = CheckResult(findings=[Finding(rule="repository", message=error)], summary=error)
    # Every sink (terminal, JUnit, JSON, SARIF, xdist) sees the result from here on.
    result = sanitize_result(result, secret_values(context.env))
    if error is not None:
        error = result.summary  # the error, cleaned with the result
    base = sanitize(fact(context, "base_ref"))
    evidence = Evidence(
        base=base,
        base_sha=fact(context, "base_commit") if base else "",
        head=sanitize(fact(context, "head")),
        judged=result.judged,
        note=sanitize(fact(context, "base_note")) if base else "",
        # Asked only where a finding names a file to link: a green fleet costs no git call.
        web=sanitize(fact(context, "web_url")) if any(f.file for f in result.findings) else "",
    )
    if judged_nothing(result) and not _on_trunk(context):
        result = with_warning(result, judged_nothing_warning(evidence))
    if key is not None and result.valid_until is not None:
        key = reuse_until(key, result.valid_until)
    outcome = GateOutcome(
        result=result,
        evidence=evidence,
        mode=sanitize(mode),
        error=error,
        cache_key=key,
        cached=cached,
    )
    if result.skipped or result.passed or not run.waivers:
        return outcome
    waived = cover(result.findings, run.waivers, today(context.env), run.access)
    if waived is not None:
        return dataclasses.replace(outcome, waived=waived)
    return dataclasses.replace(outcome, refused=_refusals(run.waivers, run.access))


class _Decided(NamedTuple):
    """The check's result (or the skip or reused pass that stands for it)."""

    result: CheckResult
    # the key a pass is stored under; None without one, and for a reused pass (its stored
    # entry, with its reuse limit, stays as it is)
    key: str | None = None
    # why a pass was reused ('' when the check ran)
    cached: str = ""


def _result(
    repo: RepoPlan, gate: GatePlan, context: RepoContext, run: GateRun, mode: str
) -> _Decided:
    if repo.problem is not None:
        raise RepoContextError(repo.problem)
    for dependency in repo.depends_on:
        if dependency in run.failed:
            skipped = f"depends on {dependency}: {run.failed[dependency]} failed"
            return _Decided(CheckResult(skipped=skipped))
    settings = gate.settings_for(mode)
    limit = settings.timeout or run.timeout_ms
    try:
        # The condition and the pass-cache lookup ask git too (a hook may hang there).
        with deadline(limit + _GRACE_MS):
            return _decide(repo, gate, context, run, settings)
    except GateTimeoutError:
        message = f"timed out after {limit} ms"
        return _Decided(
            CheckResult(findings=[Finding(rule="timeout", message=message)], summary=message)
        )


def _decide(
    repo: RepoPlan, gate: GatePlan, context: RepoContext, run: GateRun, settings: CheckSettings
) -> _Decided:
    if repo.when is not None:
        reason = unmet_condition(repo.when, context)
        if reason is not None:
            return _Decided(CheckResult(skipped=f"condition not met: {reason}"))
    key: str | None = None
    if run.passes is not None:
        key, cached = run.passes.lookup(run.nodeid, context, gate, settings)
        if cached is not None:
            return _Decided(CheckResult(summary=cached), cached=cached)
    return _Decided(gate.check.run(context, settings), key)


def _refusals(waivers: Sequence[Waiver], access: Access | None) -> str:
    from ..config.access import waiver_refusal

    refusals = [(w, waiver_refusal(w, access)) for w in waivers]
    return "".join(
        f"\nwaiver {waiver_id(w)} refused: {why}" for w, why in refusals if why is not None
    )
