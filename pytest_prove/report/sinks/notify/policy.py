"""Whether a run is worth a message: ``on: failure | change | always``.

"change" compares each gate's verdict (failing or not) with the previous run's, kept
in pytest's cache under :data:`CACHE_KEY` by gate node id, so it needs no history
database and works for ``pytest --prove`` alone.  A gate never seen before counts as
previously passing: a new failing gate is a change, a new passing one is not.
Skipped gates did not run and keep their previous verdict.  With the cache plugin
disabled (``-p no:cacheprovider``) every gate is new on every run.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Final, Literal

if TYPE_CHECKING:
    from ...run_record import RunRecord

__all__ = ["CACHE_KEY", "Changes", "changes", "should_notify", "verdicts"]

CACHE_KEY: Final = "prove/last-outcomes"
Verdict = Literal["ok", "failed"]
Changes = tuple[list[str], list[str]]


def verdicts(run: RunRecord) -> dict[str, Verdict]:
    """Per gate node id: ``failed`` (failed or error) or ``ok`` (passed, cached, waived)."""
    return {
        g.nodeid: "failed" if g.outcome in ("failed", "error") else "ok"
        for g in run.gates
        if g.outcome != "skipped"
    }


def read_previous(stored: Any) -> dict[str, Verdict]:
    """The cache entry as written by this version; anything else is treated as no entry."""
    if not isinstance(stored, Mapping):
        return {}
    return {str(k): v for k, v in stored.items() if v in ("ok", "failed")}


def changes(run: RunRecord, previous: Mapping[str, Verdict]) -> Changes:
    """Labels ``repo::check`` of the gates that started failing, and of those fixed."""
    labels = {g.nodeid: f"{g.repo}::{g.check}" for g in run.gates}
    newly: list[str] = []
    fixed: list[str] = []
    for nodeid, verdict in verdicts(run).items():
        before = previous.get(nodeid, "ok")
        if verdict != before:
            (newly if verdict == "failed" else fixed).append(labels[nodeid])
    return newly, fixed


def should_notify(on: str, run: RunRecord, found: Changes) -> bool:
    if not run.gates:  # --collect-only, nothing selected: nothing to tell
        return False
    if on == "always":
        return True
    if on == "change":
        return bool(found[0] or found[1])
    return any(g.outcome in ("failed", "error") for g in run.gates)
