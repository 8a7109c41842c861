"""The collection tree: a config file, a collector per repository, an item per gate.

Node ids read ``multi.yaml::api-service::security``.  An item only adapts: the gate is
evaluated by :func:`pytest_prove.runner.evaluate.evaluate`, and the outcome becomes a pass
(a reused one with a ``cached`` property), a skip, an xfail (waived) or a failure.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from pytest_prove.errors import ProveError

from ..report.failure import format_failure
from ..report.gate_data import GateData
from ..runner.evaluate import GateRun, evaluate
from .keys import CONTEXTS_KEY, FAILED_GATES_KEY, FLEET_KEY, REPOSITORIES_KEY, RESULT_KEY
from .pass_cache import CACHE_KEY_KEY, PASS_CACHE_KEY

if TYPE_CHECKING:
    from _pytest._code.code import ExceptionInfo, TerminalRepr
    from _pytest.fixtures import TopRequest  # noqa: F401

    from ..config.fleet import Fleet, GatePlan, RepoPlan
    from ..git.context import RepoContext


class GateFailedError(ProveError):
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


def deselect_gates(
    config: pytest.Config, items: list[pytest.Item], unwanted: Callable[[GateItem], bool]
) -> None:
    """Deselect the gates ``unwanted`` names, as ``-k`` does (pytest counts them); other
    items (the repository's own tests) are left alone."""
    keep: list[pytest.Item] = []
    drop: list[pytest.Item] = []
    for item in items:
        (drop if isinstance(item, GateItem) and unwanted(item) else keep).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


def repository_key(plan: RepoPlan) -> tuple[object, ...]:
    """What a project's shared repository context is keyed by: projects that agree on the
    trunk and the mode's settings (the usual case) share one."""
    return (plan.work_tree, plan.trunk, plan.mode_options)


def context_of(config: pytest.Config, plan: RepoPlan) -> RepoContext:
    """The process's one context per repository (for a project, a view of its repository's
    one context), built on first use."""
    from ..git.context import RepoContext

    contexts = config.stash.setdefault(CONTEXTS_KEY, {})
    context = contexts.get(plan.name)
    if context is not None:
        return context
    options = {"base": config.getoption("prove_base"), "trunk": plan.trunk}
    if plan.work_tree is None:
        context = RepoContext(plan.path, name=plan.name, mode=plan.mode_options, **options)
    else:
        from ..git.project import ProjectContext, project_folder

        repositories = config.stash.setdefault(REPOSITORIES_KEY, {})
        key = repository_key(plan)
        repository = repositories.get(key)
        if repository is None:
            repository = repositories[key] = RepoContext(
                plan.work_tree, name=plan.work_tree.name, mode=plan.mode_options, **options
            )
            # Its projects' commits come from its one log, read with the changed paths.
            repository.track_paths = True
        folder = project_folder(plan.work_tree, plan.path)
        assert folder is not None, "a project's path lies below its work tree"
        context = ProjectContext(repository, folder, name=plan.name)
    if any("commits" in gate.check.prefetch for gate in plan.gates):
        context.whole_repository.reads_log = True
    contexts[plan.name] = context
    return context


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

    def runtest(self) -> None:
        fleet = self.config.stash[FLEET_KEY]
        context = context_of(self.config, self.repo)
        failed: dict[str, str] = self.config.stash.get(FAILED_GATES_KEY, {})
        run = GateRun(
            nodeid=self.nodeid,
            timeout_ms=fleet.settings.timeout,
            failed=failed,
            passes=self.config.stash.get(PASS_CACHE_KEY, None),
            waivers=[
                w for w in fleet.waivers if (w.repo, w.check) == (self.repo.name, self.gate.name)
            ],
            access=fleet.access,
        )
        outcome = evaluate(self.repo, self.gate, context, run)
        if outcome.cache_key is not None:
            self.stash[CACHE_KEY_KEY] = outcome.cache_key
        result, evidence = outcome.result, outcome.evidence
        self.user_properties += [
            ("repo", self.repo.name),
            ("check", self.gate.name),
            ("mode", outcome.mode),
            ("base", evidence.base),
            ("head", evidence.head),
            ("findings", str(len(result.findings))),
            *evidence.properties(),
        ]
        if outcome.cached:
            self.user_properties.append(("cached", outcome.cached))
        self.stash[RESULT_KEY] = GateData.of(
            repo=self.repo.name,
            check=self.gate.name,
            mode=outcome.mode,
            evidence=evidence,
            result=result,
            error=outcome.error,
            cached=outcome.cached,
        ).to_dict()
        if result.skipped:
            pytest.skip(result.skipped)
        if outcome.waived is not None:
            self.user_properties.append(("waivers", outcome.waiver_ids))
            pytest.xfail(outcome.waived.reason)
        if outcome.verdict == "failed":
            failure = format_failure(self.repo.name, self.gate.name, result)
            raise GateFailedError(failure + outcome.refused)

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
