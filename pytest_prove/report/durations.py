"""Past gate durations, kept so ``--prove-shard`` can balance shards by time.

The controller writes ``.prove/durations.json`` (under the fleet's base directory)
after every run: per repository and check, a smoothed duration in seconds.  Gates
that did not really run (skipped, cached) leave their old figure alone.

Shards must agree on the split, so every job of a sharded CI matrix has to read the
same file: restore ``.prove/`` from one cache key in all of them (the examples in
``examples/ci/`` do).  The file's digest is shown in the header and travels in the
JSON report, and ``prove report --merge`` refuses shards that were balanced from
different files.  A missing or unreadable file means balancing by number of gates.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Final

from ..engines.command.reports import load_json
from ..support.files import write_atomic

if TYPE_CHECKING:
    import pytest

    from ..config.fleet import Fleet
    from .run_record import RunRecord

__all__ = ["DURATIONS_FILE", "Durations", "plugin", "read_durations", "write_durations"]

DURATIONS_FILE: Final = Path(".prove") / "durations.json"
_VERSION: Final = 1
# Weight of the newest measurement: durations drift, one slow run should not decide.
_SMOOTHING: Final = 0.5


@dataclasses.dataclass(frozen=True)
class Durations:
    """Seconds per repository and check, and the digest of the file they came from."""

    seconds: Mapping[str, Mapping[str, float]]
    digest: str

    @functools.cached_property
    def typical(self) -> float:
        """The median recorded gate: what a gate not recorded yet is expected to take."""
        every = sorted(s for gates in self.seconds.values() for s in gates.values())
        return every[len(every) // 2] if every else 0.0

    def of(self, repo: str, checks: list[str]) -> float:
        """A repository's expected time: its known gates, unknown ones at the median gate."""
        known = self.seconds.get(repo, {})
        return sum(known.get(check, self.typical) for check in checks)


def read_durations(path: Path) -> tuple[Durations | None, str | None]:
    """The recorded durations, or ``None`` and why not (``None`` reason: no file yet)."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None, None
    except OSError as exc:
        return None, f"cannot read {path}: {exc.strerror}"
    try:
        parsed = load_json(data.decode("utf-8"))  # ReportError is a ValueError
        if parsed.get("version") != _VERSION:
            raise ValueError(parsed.get("version"))
        seconds = {
            str(repo): {str(check): float(value) for check, value in gates.items()}
            for repo, gates in parsed["repos"].items()
        }
    except (ValueError, TypeError, AttributeError, KeyError):
        return None, f"{path} is not a durations file of this version: ignored"
    if not seconds:
        return None, f"{path} records no gate yet"
    return Durations(seconds, hashlib.sha256(data).hexdigest()[:12]), None


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
    text = json.dumps({"version": _VERSION, "repos": repos}, indent=1, sort_keys=True) + "\n"
    write_atomic(path, text)
    return Durations(repos, hashlib.sha256(text.encode()).hexdigest()[:12])


class _DurationsWriter:
    def __init__(self, path: Path) -> None:
        self.path = path

    def pytest_prove_run_finished(self, config: pytest.Config, run: RunRecord) -> None:
        from .run_record import RECORDER_KEY

        if not run.gates:  # --collect-only, or nothing selected: nothing measured
            return
        try:
            write_durations(self.path, read_durations(self.path)[0], run)
        except OSError as exc:
            config.stash[RECORDER_KEY].note(f"durations not saved to {self.path}: {exc}")


def plugin(config: pytest.Config, fleet: Fleet) -> object | None:
    """The consumer that records durations (see :mod:`.report.consumers`).

    A shard leaves the file alone: the other shards of its matrix may still be about to
    read it (Jenkins' parallel stages share a workspace), and the split must not change
    under them.  ``prove report --merge --durations`` records a sharded run's figures.
    """
    if not fleet.repos or config.getoption("prove_shard"):
        return None
    return _DurationsWriter(fleet.base_dir / DURATIONS_FILE)
