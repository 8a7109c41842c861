"""The stateful part of the plugin, registered only when gates run (``--prove*``)."""

from __future__ import annotations

import os
from collections.abc import Generator, Sequence
from pathlib import Path
from typing import Any

import pytest

from ..config.fleet import Fleet
from ..report.consumers import register_consumers
from ..report.failure import GateFailureRepr
from ..report.gate_data import gate_parts
from ..report.run_record import RECORDER_KEY, RESULT_ATTR, RunRecorder
from ..runner.evidence import passed_evidence
from ..runner.waivers import WaiverLedger, today
from ..support.wording import count
from . import affected, prefetch
from .keys import CONTEXTS_KEY, FAILED_GATES_KEY, REPOSITORIES_KEY, RESULT_KEY
from .nodes import FleetFile, GateItem, deselect_gates, repository_key
from .pass_cache import (
    CACHE_KEY_KEY,
    PASS_CACHE_KEY,
    REPORT_ATTR,
    open_pass_cache,
    record_report,
)

ABSENT_CONFIG_NAME = "prove.yaml"


def _summary_lists_passes(config: pytest.Config) -> bool:
    """-rA, -rp or -rP: the short summary has a line per pass (pytest's getreportopt)."""
    chars = str(getattr(config.option, "reportchars", "") or "")
    return any(c in chars for c in "ApP") and not chars.endswith("N")


def _is_within(path: Path, roots: Sequence[Path]) -> bool:
    return any(path == root or root in path.parents for root in roots)


class ProvePlugin:
    """Collects the fleet's gates and shapes their reports.

    Every process (controller and xdist workers) builds the same instance from argv
    and files, so all of them collect identical items.
    """

    def __init__(self, config: pytest.Config, fleet: Fleet) -> None:
        self.config = config
        self.fleet = fleet
        self.anchor = self._anchor()
        self._adjust_args()
        # The controller alone sums up the waivers; workers' reports reach it.
        self.waivers = (
            WaiverLedger(fleet.waivers, fleet.access)
            if fleet.waivers and not self._is_worker
            else None
        )
        if not self._is_worker:
            recorder = RunRecorder(config, fleet)
            config.stash[RECORDER_KEY] = recorder
            config.pluginmanager.register(recorder, "prove-run-recorder")
            register_consumers(config, fleet)
        prefetch.register(config, fleet)
        affected.register(config, fleet)
        groups = {p.name: p.group for p in fleet.repos if p.group is not None}
        if groups and config.pluginmanager.hasplugin("xdist"):
            from .scheduling import DependencySchedulerPlugin

            config.pluginmanager.register(DependencySchedulerPlugin(groups), "prove-scheduling")

    def _anchor(self) -> Path:
        """The path the gates hang under in node ids."""
        if self.fleet.kind == "orchestrator":
            assert self.fleet.source is not None
            return self.fleet.source
        root = self.fleet.base_dir
        source = self.fleet.source
        if source is not None and source.parent == root:
            return source
        return root / ABSENT_CONFIG_NAME

    def _adjust_args(self) -> None:
        config = self.config
        given = config.args_source == pytest.Config.ArgsSource.ARGS
        only_gates = config.getoption("prove_only") or (
            config.getoption("prove_config") is not None and not config.getoption("prove")
        )
        if self.fleet.kind == "orchestrator":
            if not given:
                # The seed puts repositories beside the orchestrator file: their own
                # test suites must not be collected, only the gates.
                config.args[:] = [str(self.anchor)]
            elif not _is_within(self.anchor, [Path(a).resolve() for a in config.args]):
                config.args.append(str(self.anchor))
        elif only_gates and not given:
            config.args[:] = [str(self.fleet.base_dir)]
        self.only_gates = only_gates and not given

    # -- collection -------------------------------------------------------------------

    def pytest_collect_file(self, file_path: Path, parent: pytest.Collector) -> FleetFile | None:
        # A repository's own config file named on the command line (`prove.yaml::repo`)
        # collects its gates here instead of at the session.
        if file_path == self.anchor and (
            self.fleet.kind == "orchestrator" or parent.session.isinitpath(file_path)
        ):
            return FleetFile.from_parent(parent, path=file_path, fleet=self.fleet)
        return None

    @pytest.hookimpl(wrapper=True)
    def pytest_make_collect_report(
        self, collector: pytest.Collector
    ) -> Generator[None, pytest.CollectReport, pytest.CollectReport]:
        report = yield
        if (
            self.fleet.kind == "repository"
            and isinstance(collector, pytest.Session)
            and report.passed
            and not collector.isinitpath(self.anchor)
        ):
            # The gates hang from the session itself, first: whatever paths the run
            # collects (positional ones, `testpaths`), they are there, the way `pytest
            # --mypy` adds its items.  Hung from the repository's directory, they were
            # pruned with it whenever the initial paths lay below it (#16).
            extra = {}
            if not self.anchor.is_relative_to(self.config.rootpath):
                # Run from a folder below the repository's top: the id it has from the top.
                extra["nodeid"] = self.anchor.relative_to(self.fleet.base_dir).as_posix()
            gates = FleetFile.from_parent(collector, path=self.anchor, fleet=self.fleet, **extra)
            report.result.insert(0, gates)
        return report

    def pytest_ignore_collect(self, collection_path: Path) -> bool | None:
        if self.only_gates and collection_path.parent == self.fleet.base_dir:
            return True
        return None

    def pytest_collection_modifyitems(
        self, config: pytest.Config, items: list[pytest.Item]
    ) -> None:
        if config.getoption("prove_quick"):
            deselect_gates(config, items, lambda gate: not gate.gate.quick)

    # -- the pass cache ---------------------------------------------------------------

    def pytest_sessionstart(self, session: pytest.Session) -> None:
        # Every process reads the store (workers decide the skips); after
        # cacheprovider's configure, so --cache-clear has already emptied it.
        passes = open_pass_cache(self.config)
        if passes is not None:
            self.config.stash[PASS_CACHE_KEY] = passes

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(
        self, item: pytest.Item
    ) -> Generator[None, pytest.TestReport, pytest.TestReport]:
        report = yield
        if report.when == "call":
            # These travel on the report from the worker to the controller.
            key = item.stash.get(CACHE_KEY_KEY, None)
            if key is not None:
                setattr(report, REPORT_ATTR, key)
            result = item.stash.get(RESULT_KEY, None)
            if result is not None:
                setattr(report, RESULT_ATTR, result)
            if report.passed and isinstance(item, GateItem):
                # pytest's short summary appends a str longrepr to a pass's line (-rA):
                # `PASSED multi.yaml::api::tdd - origin/main@1a2b..9f8e: 2 changed source files`.
                report.longrepr = passed_evidence(dict(item.user_properties)) or None
        return report

    @pytest.hookimpl(trylast=True)
    def pytest_runtest_teardown(self, item: pytest.Item, nextitem: pytest.Item | None) -> None:
        # A repository's facts (a long branch's commits) go once its last gate here has run:
        # kept to the end, every garbage collection would walk them again.
        if not isinstance(item, GateItem):
            return
        following = nextitem.repo if isinstance(nextitem, GateItem) else None
        if following is None or following.name != item.repo.name:
            self.config.stash.get(CONTEXTS_KEY, {}).pop(item.repo.name, None)
        # A monorepo's shared context stays while its next project's gates come.
        key = repository_key(item.repo) if item.repo.work_tree is not None else None
        if key is not None and (following is None or repository_key(following) != key):
            self.config.stash.get(REPOSITORIES_KEY, {}).pop(key, None)

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        passes = self.config.stash.get(PASS_CACHE_KEY, None)
        if passes is not None and not self._is_worker:
            passes.save()

    @property
    def _is_worker(self) -> bool:
        return hasattr(self.config, "workerinput")

    # -- reporting --------------------------------------------------------------------

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        # Runs on workers and again on the controller, where xdist delivers longrepr as str.
        if report.failed and "prove" in report.keywords and isinstance(report.longrepr, str):
            report.longrepr = GateFailureRepr(report.longrepr)  # type: ignore[assignment]
        if report.skipped and "prove" in report.keywords and isinstance(report.longrepr, tuple):
            # An imperative skip is located where pytest.skip() was called, in our code:
            # the gate's own place (its repository entry) says more.
            _, line, reason = report.longrepr
            where = report.location
            report.longrepr = (where[0], where[1] + 1 if where[1] is not None else line, reason)
        repo, check = gate_parts(report.nodeid)
        if report.failed and "prove" in report.keywords and repo:
            failed = self.config.stash.setdefault(FAILED_GATES_KEY, {})
            failed.setdefault(repo, f"{repo}::{check}")
        passes = self.config.stash.get(PASS_CACHE_KEY, None)
        if passes is not None and "prove" in report.keywords and not self._is_worker:
            record_report(passes, report)
        if (
            self.waivers is not None
            and report.when == "call"
            and "prove" in report.keywords
            and repo
        ):
            # A waived gate is an xfail: skipped in outcome, but it ran.
            ran = not report.skipped or hasattr(report, "wasxfail")
            self.waivers.record(repo, check, ran, report.user_properties)

    def pytest_report_teststatus(
        self, report: pytest.TestReport, config: pytest.Config
    ) -> tuple[str, str, tuple[str, dict[str, bool]]] | None:
        # A pass says what it compared: with -v on its own line; with -rA pytest 9's summary
        # `PASSED <id> - <evidence>` says it (see pytest_runtest_makereport).  The summary
        # shares this word, and `PASSED <id>` is what people parse: with -rA it stays plain
        # (earlier pytest shows no evidence there; the JUnit and JSON reports always do).
        if (
            report.when != "call"
            or not report.passed
            or "prove" not in report.keywords
            or not config.option.verbose
            or _summary_lists_passes(config)
        ):
            return None
        word = f"PASSED ({report.longrepr})" if isinstance(report.longrepr, str) else "PASSED"
        return "passed", ".", (word, {"green": True})

    def pytest_report_header(self, config: pytest.Config) -> list[str]:
        lines = [f"prove: {note}" for note in self.fleet.notes]
        if self.fleet.balance is not None:
            shard = config.getoption("prove_shard")
            repos = count(len(self.fleet.repos), "repository", "repositories")
            lines.append(f"prove shard {shard}: {repos}, balanced by {self.fleet.balance}")
        return lines

    @pytest.hookimpl(optionalhook=True)
    def pytest_json_modifyreport(self, json_report: dict[str, Any]) -> None:
        if self.fleet.balance is not None:
            shard = self.config.getoption("prove_shard")
            json_report["prove"] = {"shard": shard, "balance": self.fleet.balance}

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        if self.waivers is None:
            return
        lines = self.waivers.summary(today(os.environ))
        if lines:
            terminalreporter.write_sep("=", "pytest-prove waivers", yellow=True)
            for line in lines:
                terminalreporter.write_line(line)

    @pytest.hookimpl(optionalhook=True)
    def pytest_json_runtest_metadata(
        self, item: pytest.Item, call: pytest.CallInfo[Any]
    ) -> dict[str, Any]:
        if not isinstance(item, GateItem) or call.when != "call":
            return {}
        return {"prove": item.stash.get(RESULT_KEY, {})}
