"""The collection tree: a config file, a collector per repository, an item per gate.

Node ids read ``multi.yaml::api-service::security``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from ..api import CheckResult, CheckSettings, Finding
from ..report.failure import format_failure
from ..report.metadata import gate_metadata
from ..runner.cache import PASS_CACHE_KEY, limit_reuse
from ..runner.conditions import unmet_condition
from ..runner.deadline import GateTimeoutError, deadline
from ..runner.evidence import Evidence, judged_nothing, judged_nothing_warning, with_warning
from .keys import CONTEXTS_KEY, FAILED_GATES_KEY, FLEET_KEY, RESULT_KEY

if TYPE_CHECKING:
    from _pytest._code.code import ExceptionInfo, TerminalRepr
    from _pytest.fixtures import TopRequest  # noqa: F401

    from ..config.fleet import Fleet, GatePlan, RepoPlan
    from ..git.context import RepoContext

_GRACE_MS = 1000


class GateFailedError(Exception):
    """Raised by a gate whose check found errors; carries the whole result."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text


class FleetFile(pytest.File):
    """The orchestrator (or repository config) file; its children are repositories."""

    def __init__(self, *, fleet: Fleet, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.fleet = fleet

    @classmethod
    def from_parent(cls, parent: pytest.Collector, **kwargs: Any) -> FleetFile:  # type: ignore[override,unused-ignore]
        return super().from_parent(parent=parent, **kwargs)

    def collect(self) -> Iterator[RepoCollector]:
        for plan in self.fleet.repos:
            yield RepoCollector.from_parent(self, name=plan.name, plan=plan)


class RepoCollector(pytest.Collector):
    """One repository of the fleet; its children are its gates."""

    def __init__(self, *, plan: RepoPlan, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.plan = plan

    @classmethod
    def from_parent(cls, parent: pytest.Collector, **kwargs: Any) -> RepoCollector:  # type: ignore[override,unused-ignore]
        return super().from_parent(parent=parent, **kwargs)

    def collect(self) -> Iterator[GateItem]:
        for gate in self.plan.gates:
            yield GateItem.from_parent(self, name=gate.name, gate=gate, repo=self.plan)


def context_of(config: pytest.Config, plan: RepoPlan) -> RepoContext:
    """The process's one context per repository, built on first use."""
    from ..git.context import RepoContext

    contexts = config.stash.setdefault(CONTEXTS_KEY, {})
    context = contexts.get(plan.name)
    if context is None:
        context = contexts[plan.name] = RepoContext(
            plan.path,
            name=plan.name,
            base=config.getoption("prove_base"),
            trunk=plan.trunk,
            mode=plan.mode_options,
        )
    return context


def _fact(context: RepoContext, what: str) -> str:
    """``base_ref``, ``head`` or ``mode`` for reports; empty when the repository cannot tell."""
    from ..git.context import RepoContextError

    try:
        value = getattr(context, what)
    except RepoContextError:
        return ""
    return str(getattr(value, "mode", value))


def _on_trunk(context: RepoContext) -> bool:
    """On the base's own branch, or nothing to tell: no judged-nothing warning there."""
    from ..git.context import RepoContextError
    from ..git.refs import branch_of

    try:
        branch, base = context.branch, context.base_ref
    except RepoContextError:
        return True
    return branch is None or branch == branch_of(base)


class GateItem(pytest.Item):
    """One (repository, check) pair."""

    def __init__(self, *, gate: GatePlan, repo: RepoPlan, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.gate = gate
        self.repo = repo
        self.add_marker("prove")
        if gate.quick:
            self.add_marker("quick")

    @classmethod
    def from_parent(cls, parent: pytest.Collector, **kwargs: Any) -> GateItem:  # type: ignore[override,unused-ignore]
        return super().from_parent(parent=parent, **kwargs)

    def _evaluate(self, context: RepoContext, mode: str) -> CheckResult:
        """The gate's result; a failed dependency or an unmet condition makes it a skip."""

        failed = self.config.stash.get(FAILED_GATES_KEY, {})
        for dependency in self.repo.depends_on:
            if dependency in failed:
                return CheckResult(skipped=f"depends on {dependency}: {failed[dependency]} failed")
        settings = self.gate.settings_for(mode)
        limit = settings.timeout or self.config.stash[FLEET_KEY].settings.timeout
        try:
            # A second of grace: a check that keeps its own limit (command gates) reports first.
            # The condition and the pass-cache lookup ask git too (a hook may hang there).
            with deadline(limit + _GRACE_MS):
                return self._decide(context, settings)
        except GateTimeoutError:
            message = f"timed out after {limit} ms"
            return CheckResult(findings=[Finding(rule="timeout", message=message)], summary=message)

    def _decide(self, context: RepoContext, settings: CheckSettings) -> CheckResult:
        if self.repo.when is not None:
            reason = unmet_condition(self.repo.when, context)
            if reason is not None:
                return CheckResult(skipped=f"condition not met: {reason}")
        passes = self.config.stash.get(PASS_CACHE_KEY, None)
        cached = passes.lookup(self, context, self.gate, settings) if passes is not None else None
        if cached is not None:
            return CheckResult(skipped=cached)
        return self.gate.check.run(context, settings)

    def runtest(self) -> None:
        from ..git.context import RepoContextError
        from ..redact.redactor import secret_values
        from ..redact.sanitize import sanitize, sanitize_result

        context = context_of(self.config, self.repo)
        mode = _fact(context, "mode")
        error: str | None = None
        try:
            result = self._evaluate(context, mode)
        except RepoContextError as exc:
            # The report already names the repository: "bad::trunk: no commits yet".
            error = str(exc).removeprefix(f"{self.repo.name}: ")
            result = CheckResult(
                findings=[Finding(rule="repository", message=error)], summary=error
            )
        # Every sink (terminal, JUnit, JSON, SARIF, xdist) sees the result from here on.
        result = sanitize_result(result, secret_values(context.env))
        if error is not None:
            error = result.summary  # the error, cleaned with the result
        mode = sanitize(mode)
        base = sanitize(_fact(context, "base_ref"))
        evidence = Evidence(
            base=base,
            base_sha=_fact(context, "base_commit") if base else "",
            head=sanitize(_fact(context, "head")),
            judged=result.judged,
            note=sanitize(_fact(context, "base_note")) if base else "",
        )
        if judged_nothing(result) and not _on_trunk(context):
            result = with_warning(result, judged_nothing_warning(evidence))
        self.user_properties += [
            ("repo", self.repo.name),
            ("check", self.gate.name),
            ("mode", mode),
            ("base", base),
            ("head", evidence.head),
            ("findings", str(len(result.findings))),
            *evidence.properties(),
        ]
        self.stash[RESULT_KEY] = gate_metadata(
            repo=self.repo.name,
            check=self.gate.name,
            mode=mode,
            evidence=evidence,
            result=result,
            error=error,
        )
        if result.valid_until is not None:
            limit_reuse(self, result.valid_until)
        if result.skipped:
            pytest.skip(result.skipped)
        if not result.passed:
            refused = self._apply_waivers(result, context)
            raise GateFailedError(format_failure(self.repo.name, self.gate.name, result) + refused)

    def _apply_waivers(self, result: CheckResult, context: RepoContext) -> str:
        """``xfail`` when valid waivers cover every error finding; else why waivers were refused."""
        from ..config.access import waiver_refusal
        from ..runner.waivers import cover, today, waiver_id

        fleet = self.config.stash[FLEET_KEY]
        mine = [w for w in fleet.waivers if (w.repo, w.check) == (self.repo.name, self.gate.name)]
        coverage = cover(result.findings, mine, today(context.env), fleet.access) if mine else None
        if coverage is not None:
            self.user_properties.append(("waivers", ",".join(map(waiver_id, coverage.used))))
            pytest.xfail(coverage.reason)
        refusals = [(w, waiver_refusal(w, fleet.access)) for w in mine]
        return "".join(
            f"\nwaiver {waiver_id(w)} refused: {why}" for w, why in refusals if why is not None
        )

    def repr_failure(
        self, excinfo: ExceptionInfo[BaseException], style: Any = None
    ) -> str | TerminalRepr:
        if isinstance(excinfo.value, GateFailedError):
            return excinfo.value.text
        from ..redact.sanitize import sanitize

        # A check that raised: its message may quote what it read (a file name that is not
        # UTF-8, which xdist cannot carry, or a token), so it is cleaned like any result.
        summary = sanitize(f"{self.repo.name}::{self.gate.name}: {excinfo.exconly()}")
        trace = sanitize(str(super().repr_failure(excinfo, style=style)))
        return f"{summary.splitlines()[0]}\n\n{trace}"

    def reportinfo(self) -> tuple[Path, int | None, str]:
        line = self.repo.line - 1 if self.repo.line is not None else None
        return self.path, line, f"{self.repo.name}::{self.gate.name}"
