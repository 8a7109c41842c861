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
from collections.abc import Mapping
from pathlib import Path
from typing import Final

from ..engines.command.reports import load_json

__all__ = ["DURATIONS_FILE", "VERSION", "Durations", "read_durations"]

DURATIONS_FILE: Final = Path(".prove") / "durations.json"
VERSION: Final = 1


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
        if parsed.get("version") != VERSION:
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
