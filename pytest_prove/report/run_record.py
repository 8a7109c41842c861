"""What a run did, gate by gate, as the controlling process saw it.

Everything after a run (history, dashboard, SARIF, notifications, CI annotations)
reads these records instead of pytest reports.  They are built on the controller
only: xdist workers attach each gate's structured result to its ``call`` report
(:data:`RESULT_ATTR`, plain builtins so it crosses execnet), and the
:class:`RunRecorder` here turns the phases of each gate into one :class:`GateRecord`.

A consumer is a pytest plugin implementing the hooks in :mod:`.sinks`:
``pytest_prove_gate_finished(config, gate)`` as each gate ends (live views) and
``pytest_prove_run_finished(config, run)`` once, before the terminal summary.
A consumer that fails must never cost the run its results: catch, and add a line
with :meth:`RunRecorder.note` for the terminal summary instead.
"""

from __future__ import annotations

import dataclasses
import datetime
import hashlib
import json
import socket
import uuid
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Final, Literal

import pytest

from .gate_data import GateData, gate_parts

if TYPE_CHECKING:
    from ..config.fleet import Fleet

__all__ = [
    "NO_EXIT_STATUS",
    "RECORDER_KEY",
    "RESULT_ATTR",
    "GateRecord",
    "Outcome",
    "RunHeader",
    "RunOutline",
    "RunRecord",
    "RunRecorder",
    "RunStatus",
    "config_digest",
    "gate_record",
]

RESULT_ATTR: Final = "prove_result"

# "waived": failed, but valid waivers cover every error (an xfail to pytest);
# "cached": passed again without running, as it passed before with the same inputs (pytest
# reports it passed, with a ``cached`` property: CI servers count skips as missing tests);
# "error": our own or pytest's machinery failed around the gate (setup/teardown).
Outcome = Literal["passed", "failed", "skipped", "cached", "waived", "error"]
OUTCOMES: Final[tuple[Outcome, ...]] = ("passed", "failed", "waived", "error", "skipped", "cached")
# "running": no end recorded yet and its process still runs on this host;
# "interrupted": no end recorded and not running here (killed, or on a host this one cannot ask).
RunStatus = Literal["finished", "running", "interrupted"]
NO_EXIT_STATUS: Final = -1


@dataclasses.dataclass(frozen=True, kw_only=True)
class GateRecord:
    """One (repository, check) result.

    :param findings: :meth:`Finding.to_dict` dicts; checks mask secrets before this point
    :param duration: seconds across setup, call and teardown
    :param reason: why the gate was skipped, cached or waived; empty otherwise
    :param forge: the repository's page on its forge, where the findings' files are shown
        at ``head``; empty when unknown
    """

    nodeid: str
    repo: str
    check: str
    outcome: Outcome
    duration: float
    summary: str = ""
    reason: str = ""
    mode: str = ""
    base: str = ""
    head: str = ""
    findings: tuple[Mapping[str, Any], ...] = ()
    metrics: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    waivers: tuple[str, ...] = ()
    forge: str = ""

    def to_dict(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        data["findings"] = [dict(f) for f in self.findings]
        data["metrics"] = dict(self.metrics)
        data["waivers"] = list(self.waivers)
        return data


def gate_record(
    nodeid: str,
    data: GateData,
    *,
    outcome: Outcome,
    duration: float,
    reason: str = "",
    waivers: tuple[str, ...] = (),
    properties: Mapping[str, str] | None = None,
) -> GateRecord:
    """The record of a gate: its data, and what only the controller knows.

    Where the gate carried no data (skipped before it ran, or its process died), its
    repository and check come from its ``properties`` or, failing those, its node id.
    """
    props = properties or {}
    repo, check = gate_parts(nodeid)
    if outcome == "passed" and data.cached:
        outcome, reason = "cached", data.cached
    return GateRecord(
        nodeid=nodeid,
        repo=data.repo or props.get("repo") or repo,
        check=data.check or props.get("check") or check,
        outcome=outcome,
        duration=duration,
        summary=data.summary or data.error or "",
        reason=reason,
        mode=data.mode,
        base=data.base,
        head=data.head,
        findings=data.findings,
        metrics=data.metrics,
        waivers=waivers,
        forge=data.forge,
    )


@dataclasses.dataclass(frozen=True, kw_only=True)
class RunHeader:
    """What identifies a pytest session: when, where, how it was started and how it ended.

    :param finished: the end; for a run that has none (``status`` not ``finished``), the
        last moment it recorded gates
    :param exit_status: pytest's; :data:`NO_EXIT_STATUS` for a run that has not ended
    """

    id: str
    started: datetime.datetime
    finished: datetime.datetime
    host: str
    command: tuple[str, ...]
    config_digest: str
    exit_status: int
    status: RunStatus = "finished"


@dataclasses.dataclass(frozen=True, kw_only=True)
class RunRecord(RunHeader):
    """One pytest session's gates, in the order they finished."""

    gates: tuple[GateRecord, ...]

    def counts(self) -> dict[Outcome, int]:
        tally: dict[Outcome, int] = dict.fromkeys(OUTCOMES, 0)
        for gate in self.gates:
            tally[gate.outcome] += 1
        return tally

    @property
    def gate_count(self) -> int:
        return len(self.gates)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "started": self.started.isoformat(),
            "finished": self.finished.isoformat(),
            "host": self.host,
            "command": list(self.command),
            "config_digest": self.config_digest,
            "exit_status": self.exit_status,
            "status": self.status,
            "counts": self.counts(),
            "gates": [g.to_dict() for g in self.gates],
        }


def config_digest(fleet: Fleet) -> str:
    """SHA-256 of what the configuration means (gates and effective settings), not its spelling.

    Each gate's settings count by their digest (:func:`~pytest_prove.runner.cache.settings_digest`):
    repositories share settings objects, so a fleet of 1,000 dumps a few, not 4,000 (50 ms).
    """
    from ..runner.cache import settings_digest

    plan = [
        {
            "repo": repo.name,
            "gates": {gate.name: settings_digest(gate.settings) for gate in repo.gates},
        }
        for repo in sorted(fleet.repos, key=lambda r: r.name)
    ]
    return hashlib.sha256(json.dumps(plan, sort_keys=True).encode()).hexdigest()


@dataclasses.dataclass(frozen=True, kw_only=True)
class RunOutline(RunHeader):
    """A stored run's header and how many of its gates ended each way (a trend's point)."""

    tally: Mapping[Outcome, int]

    def counts(self) -> dict[Outcome, int]:
        return {outcome: self.tally.get(outcome, 0) for outcome in OUTCOMES}

    @property
    def gate_count(self) -> int:
        return sum(self.tally.values())


@dataclasses.dataclass
class _Partial:
    result: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    duration: float = 0.0
    outcome: Outcome | None = None
    reason: str = ""
    waivers: tuple[str, ...] = ()


def _skip_reason(report: pytest.TestReport) -> str:
    longrepr = report.longrepr
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        return str(longrepr[2]).removeprefix("Skipped: ")
    return ""


def _phase_outcome(report: pytest.TestReport) -> tuple[Outcome, str] | None:
    """The gate outcome this phase decides, if it decides one."""
    if hasattr(report, "wasxfail"):
        return "waived", str(report.wasxfail)
    if report.skipped:
        return "skipped", _skip_reason(report)
    if report.failed:
        return ("failed" if report.when == "call" else "error"), ""
    if report.when == "call":
        return "passed", ""
    return None


class RunRecorder:
    """Builds the :class:`RunRecord` on the controller and hands it to the sinks."""

    def __init__(self, config: pytest.Config, fleet: Fleet) -> None:
        from ..redact.sanitize import sanitize

        self.config = config
        self.id = uuid.uuid4().hex
        self.started = datetime.datetime.now(datetime.UTC)
        self.digest = config_digest(fleet)
        self.host = socket.gethostname()
        # --prove-set values may hold a token; the record lands in history and dashboard
        self.command = tuple(sanitize(arg) for arg in config.invocation_params.args)
        self.notes: list[str] = []
        self._partial: dict[str, _Partial] = {}
        self._done: list[GateRecord] = []
        self.run: RunRecord | None = None

    def note(self, line: str) -> None:
        """A line for the terminal summary (a sink that failed, a file written)."""
        self.notes.append(line)

    @pytest.hookimpl(trylast=True)
    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if "prove" not in report.keywords:
            return
        # Three reports a gate, 12,000 for a 1,000-repository fleet: kept lean.
        partial = self._partial.get(report.nodeid)
        if partial is None:
            partial = self._partial[report.nodeid] = _Partial()
        partial.duration += report.duration
        result = getattr(report, RESULT_ATTR, None)
        if result is not None and isinstance(result, Mapping):
            partial.result = result
        decided = _phase_outcome(report)
        # The first deciding phase wins, except that an error after a pass is an error.
        if decided is not None and (partial.outcome in (None, "passed")):
            partial.outcome, partial.reason = decided
        for name, waivers in report.user_properties:
            if name == "waivers" and isinstance(waivers, str) and waivers:
                partial.waivers = tuple(waivers.split(","))
        if report.when == "teardown":
            self._finish(report.nodeid)

    def _finish(self, nodeid: str) -> None:
        partial = self._partial.pop(nodeid)
        gate = gate_record(
            nodeid,
            GateData.from_dict(partial.result),
            outcome=partial.outcome or "error",
            duration=partial.duration,
            reason=partial.reason,
            waivers=partial.waivers,
        )
        self._done.append(gate)
        self.config.hook.pytest_prove_gate_finished(config=self.config, gate=gate)

    def header(self) -> RunHeader:
        """The run as it stands before its end: no exit status yet."""
        return RunHeader(
            id=self.id,
            started=self.started,
            finished=self.started,
            host=self.host,
            command=self.command,
            config_digest=self.digest,
            exit_status=NO_EXIT_STATUS,
            status="running",
        )

    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        for nodeid in list(self._partial):  # interrupted before their teardown
            self._finish(nodeid)
        self.run = RunRecord(
            id=self.id,
            started=self.started,
            finished=datetime.datetime.now(datetime.UTC),
            host=self.host,
            command=self.command,
            config_digest=self.digest,
            exit_status=int(exitstatus),
            gates=tuple(self._done),
        )
        self.config.hook.pytest_prove_run_finished(config=self.config, run=self.run)


RECORDER_KEY: Final = pytest.StashKey[RunRecorder]()
