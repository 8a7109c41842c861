"""Recording gate durations after a run, for the shards of the next one to balance by.

What the file holds and how a run reads it: :mod:`pytest_prove.config.durations`.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import TYPE_CHECKING, Final

from ...config.durations import DURATIONS_FILE, VERSION, Durations, read_durations
from ...support.files import write_atomic

if TYPE_CHECKING:
    import pytest

    from ...config.fleet import Fleet
    from ..run_record import RunRecord

__all__ = ["plugin", "updated", "write_durations"]

# Weight of the newest measurement: durations drift, one slow run should not decide.
_SMOOTHING: Final = 0.5


def updated(previous: Durations | None, run: RunRecord) -> dict[str, dict[str, float]]:
    """``previous`` with the gates that ran in ``run`` folded in."""
    seconds = {repo: dict(gates) for repo, gates in (previous.seconds if previous else {}).items()}
    for gate in run.gates:
        if gate.outcome in ("skipped", "cached"):
            continue
        gates = seconds.setdefault(gate.repo, {})
        old = gates.get(gate.check)
        new = gate.duration if old is None else _SMOOTHING * gate.duration + (1 - _SMOOTHING) * old
        # Millisecond precision keeps the file (and its digest) stable across tiny jitters.
        gates[gate.check] = round(new, 3)
    return seconds


def write_durations(path: Path, previous: Durations | None, run: RunRecord) -> Durations:
    """Write ``previous`` with ``run`` folded in to ``path``; return what was written.

    :raises OSError: the file cannot be written
    """
    repos = dict(sorted(updated(previous, run).items()))
    text = json.dumps({"version": VERSION, "repos": repos}, indent=1, sort_keys=True) + "\n"
    write_atomic(path, text)
    return Durations(repos, hashlib.sha256(text.encode()).hexdigest()[:12])


class _DurationsWriter:
    def __init__(self, path: Path) -> None:
        self.path = path

    def pytest_prove_run_finished(self, config: pytest.Config, run: RunRecord) -> None:
        from ..run_record import RECORDER_KEY

        if not run.gates:  # --collect-only, or nothing selected: nothing measured
            return
        try:
            write_durations(self.path, read_durations(self.path)[0], run)
        except OSError as exc:
            config.stash[RECORDER_KEY].note(f"durations not saved to {self.path}: {exc}")


def plugin(config: pytest.Config, fleet: Fleet) -> object | None:
    """The consumer that records durations (see :mod:`pytest_prove.report.consumers`).

    A shard leaves the file alone: the other shards of its matrix may still be about to
    read it (Jenkins' parallel stages share a workspace), and the split must not change
    under them.  ``prove report --merge --durations`` records a sharded run's figures.
    """
    if not fleet.repos or config.getoption("prove_shard"):
        return None
    return _DurationsWriter(fleet.base_dir / DURATIONS_FILE)
