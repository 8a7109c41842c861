"""What ``prove report`` shows, computed from runs: one :class:`GateSummary` per repo x check.

Pure arithmetic over :class:`RunRecord` lists (from the history or from JSON reports);
rendering is :mod:`.formats`' job.  The definitions (documented in docs/reporting.md):

- a gate *passes* in a run when its outcome is passed or cached (it passed before with
  the same inputs), and *fails* when it is failed or error; waived and skipped runs
  neither pass nor fail;
- *pass rate*: passing runs / (passing + failing + waived) runs; ``None`` without any;
- *flaky*: the pass/fail sequence, in run order, changes at least twice in the period
  (pass, fail, pass or fail, pass, fail): once is a fix or a breakage, not flakiness;
- *trend*: pass rate of the later half of the gate's deciding runs minus that of the
  earlier half (the middle run, with an odd count, is in neither); ``None`` under 2 runs;
- *unfinished* runs have no end in the history (interrupted, or still running): their
  finished gates count like any others, and the report lists the runs themselves.
"""

from __future__ import annotations

import dataclasses
import datetime
import itertools
from collections.abc import Iterable, Sequence
from typing import Final

from ..run_record import GateRecord, Outcome, RunRecord, RunStatus

LETTERS: Final[dict[Outcome, str]] = {
    "passed": ".",
    "failed": "F",
    "waived": "W",
    "error": "E",
    "skipped": "s",
    "cached": "c",
}
LEGEND: Final = "  ".join(f"{letter} {outcome}" for outcome, letter in LETTERS.items())
# The outcome a group of gates shows: its worst.
SEVERITY: Final[tuple[Outcome, ...]] = ("error", "failed", "waived", "passed", "cached", "skipped")
PASSING: Final = frozenset({"passed", "cached"})
NOT_RUN: Final = frozenset({"skipped", "cached"})
FAILING: Final = frozenset({"failed", "error"})
SPARKLINE_RUNS: Final = 20
FLAKY_FLIPS: Final = 2


@dataclasses.dataclass(frozen=True, kw_only=True)
class GateSummary:
    """One repo x check over the period.

    :param runs: runs in which the gate appeared, whatever its outcome
    :param flips: changes between passing and failing, in run order
    :param sparkline: outcome letters of its last :data:`SPARKLINE_RUNS` runs, oldest first
    """

    repo: str
    check: str
    latest: Outcome
    latest_at: datetime.datetime
    latest_summary: str
    runs: int
    passed: int
    failed: int
    pass_rate: float | None
    flips: int
    mean_duration: float
    max_duration: float
    trend: float | None
    sparkline: str

    @property
    def flaky(self) -> bool:
        return self.flips >= FLAKY_FLIPS


@dataclasses.dataclass(frozen=True, kw_only=True)
class UnfinishedRun:
    """A run without an end in the history, and how many of its gates it recorded."""

    id: str
    started: datetime.datetime
    host: str
    status: RunStatus
    gates: int


@dataclasses.dataclass(frozen=True, kw_only=True)
class Report:
    """Every gate's summary (sorted by repo, check) and the period the runs cover."""

    gates: tuple[GateSummary, ...]
    runs: int
    first: datetime.datetime | None
    last: datetime.datetime | None
    unfinished: tuple[UnfinishedRun, ...] = ()

    @property
    def interrupted(self) -> int:
        return sum(run.status == "interrupted" for run in self.unfinished)

    def slowest(self, count: int = 10) -> list[GateSummary]:
        return sorted(self.gates, key=lambda g: (-g.mean_duration, g.repo, g.check))[:count]

    @property
    def flaky(self) -> list[GateSummary]:
        return [g for g in self.gates if g.flaky]


def pass_rate(outcomes: Sequence[Outcome]) -> float | None:
    deciding = [o for o in outcomes if o != "skipped"]
    if not deciding:
        return None
    return sum(o in PASSING for o in deciding) / len(deciding)


def flips(outcomes: Iterable[Outcome]) -> int:
    verdicts = [o in PASSING for o in outcomes if o in PASSING or o in FAILING]
    return sum(a != b for a, b in itertools.pairwise(verdicts))


def trend(outcomes: Sequence[Outcome]) -> float | None:
    deciding = [o for o in outcomes if o != "skipped"]
    half = len(deciding) // 2
    if half == 0:
        return None
    earlier = sum(o in PASSING for o in deciding[:half]) / half
    later = sum(o in PASSING for o in deciding[-half:]) / half
    return later - earlier


def worst(outcomes: Iterable[Outcome]) -> Outcome:
    present = set(outcomes)
    return next((o for o in SEVERITY if o in present), "skipped")


def _summarise(gates: Sequence[tuple[datetime.datetime, GateRecord]]) -> GateSummary:
    outcomes = [gate.outcome for _, gate in gates]
    # A reused or skipped gate took no time of its own: it would pull the mean down.
    durations = [gate.duration for _, gate in gates if gate.outcome not in NOT_RUN] or [0.0]
    at, latest = gates[-1]
    return GateSummary(
        repo=latest.repo,
        check=latest.check,
        latest=latest.outcome,
        latest_at=at,
        latest_summary=latest.summary,
        runs=len(gates),
        passed=sum(o in PASSING for o in outcomes),
        failed=sum(o in FAILING for o in outcomes),
        pass_rate=pass_rate(outcomes),
        flips=flips(outcomes),
        mean_duration=sum(durations) / len(durations),
        max_duration=max(durations),
        trend=trend(outcomes),
        sparkline="".join(LETTERS[o] for o in outcomes[-SPARKLINE_RUNS:]),
    )


def summarise(runs: Iterable[RunRecord]) -> Report:
    """The report of these runs (in any order: they are sorted by start time here)."""
    ordered = sorted(runs, key=lambda r: (r.started, r.id))
    by_gate: dict[tuple[str, str], list[tuple[datetime.datetime, GateRecord]]] = {}
    for run in ordered:
        for gate in run.gates:
            by_gate.setdefault((gate.repo, gate.check), []).append((run.started, gate))
    return Report(
        gates=tuple(_summarise(by_gate[key]) for key in sorted(by_gate)),
        runs=len(ordered),
        first=ordered[0].started if ordered else None,
        last=ordered[-1].started if ordered else None,
        unfinished=tuple(
            UnfinishedRun(
                id=run.id,
                started=run.started,
                host=run.host,
                status=run.status,
                gates=len(run.gates),
            )
            for run in ordered
            if run.status != "finished"
        ),
    )


def format_duration(seconds: float) -> str:
    if seconds < 10:
        return f"{seconds:.1f}s"
    if seconds < 60:
        return f"{seconds:.0f}s"
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes}m{rest:02d}s"
