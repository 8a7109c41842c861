"""Which repositories a run gates: schedules, ``--prove-repo`` and ``--prove-shard K/N``.

Pure functions of the configuration and argv, so every xdist worker (and every CI
job of a sharded matrix) selects the same repositories.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from ..readers.errors import ConfigError
from .fleet import RepoPlan

if TYPE_CHECKING:
    from .durations import Durations


MAX_SHARDS = 10_000
# ASCII digits only: str.isdigit() also takes "¹" and "٣", which int() then refuses or reads.
_SHARD = re.compile(r"\s*([0-9]+)\s*/\s*([0-9]+)\s*")


def parse_shard(value: str) -> tuple[int, int]:
    """``"2/4"`` -> ``(2, 4)``; shards count from 1, and there are at most MAX_SHARDS."""
    match = _SHARD.fullmatch(value)
    value = value if len(value) <= 40 else f"{value[:40]}..."
    if match is None:
        raise ConfigError(f"--prove-shard expects K/N (e.g. 2/4), got {value!r}")
    # Past 9 digits a number is out of range anyway; int() of 5,000 digits would raise.
    shard, total = (int(m) if len(m) <= 9 else MAX_SHARDS + 1 for m in (match[1], match[2]))
    if not 1 <= total <= MAX_SHARDS:
        raise ConfigError(f"--prove-shard {value}: N must be between 1 and {MAX_SHARDS:,}")
    if not 1 <= shard <= total:
        raise ConfigError(f"--prove-shard {value}: K must be between 1 and N")
    return shard, total


def scheduled(schedule: str, name: str, *, wanted: str | None, named: Sequence[str]) -> bool:
    """Whether a repository with ``schedule`` runs.

    A repository named with ``--prove-repo`` always runs; a ``manual`` one only then.
    """
    if name in named:
        return True
    if named:
        return False
    if schedule == "manual":
        return False
    return wanted is None or schedule == wanted


def shard(
    plans: Sequence[RepoPlan], k: int, n: int, durations: Durations | None = None
) -> tuple[RepoPlan, ...]:
    """The ``k``-th of ``n`` balanced, disjoint shards, in configuration order.

    Repositories go, heaviest first (then by name), to the lightest shard so far; a
    group tied by ``depends_on`` goes as one.  The weight is the recorded duration when
    ``durations`` are given (every job of the matrix must read the same ones: see
    :mod:`pytest_prove.report.sinks.durations`), else the number of gates.
    """
    # Repositories tied by depends_on travel together: a dependency must run in the same job.
    units: dict[str, float] = {}
    for plan in plans:
        unit = plan.group or plan.name
        units[unit] = units.get(unit, 0) + _weight(plan, durations)
    loads = [0.0] * n
    chosen: set[str] = set()
    for unit, weight in sorted(units.items(), key=lambda u: (-u[1], u[0])):
        target = min(range(n), key=lambda i: (loads[i], i))
        loads[target] += weight
        if target == k - 1:
            chosen.add(unit)
    return tuple(p for p in plans if (p.group or p.name) in chosen)


def _weight(plan: RepoPlan, durations: Durations | None) -> float:
    if durations is None:
        return max(len(plan.gates), 1)
    return durations.of(plan.name, [g.name for g in plan.gates])
