"""The run consumer that writes each run, its waivers and refusals to the audit log.

On when ``global.reporting.audit`` names a file (relative to the orchestrator file's
directory, or to the repository for ``pytest --prove``).  Like every consumer it
never costs the run its result: a log it cannot write becomes a summary note.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

import pytest

from ...config.access import waiver_refusal
from ...report.run_record import RECORDER_KEY
from ...runner.waivers import waiver_id
from .identity import find_actor
from .log import AuditError, AuditLog

if TYPE_CHECKING:
    from ...config.fleet import Fleet
    from ...report.run_record import RunRecord


class RunAudit:
    def __init__(self, fleet: Fleet, log: AuditLog) -> None:
        self.fleet = fleet
        self.log = log

    def pytest_prove_run_finished(self, config: pytest.Config, run: RunRecord) -> None:
        by_id = {waiver_id(w): w for w in self.fleet.waivers}
        applied = [
            {
                "waiver": name,
                "gate": f"{gate.repo}::{gate.check}",
                "approved_by": by_id[name].approved_by if name in by_id else None,
            }
            for gate in run.gates
            for name in gate.waivers
        ]
        failed = {(g.repo, g.check) for g in run.gates if g.outcome == "failed"}
        refused = [
            {"waiver": waiver_id(w), "reason": why}
            for w in self.fleet.waivers
            if (w.repo, w.check) in failed
            and (why := waiver_refusal(w, self.fleet.access)) is not None
        ]
        actor = find_actor(self.fleet.base_dir, os.environ)
        try:
            self.log.append(
                "run",
                actor,
                {
                    "run_id": run.id,
                    "config": str(self.fleet.source) if self.fleet.source else None,
                    "config_digest": run.config_digest,
                    "counts": run.counts(),
                    "exit_status": run.exit_status,
                    "waivers_applied": applied,
                },
            )
            for entry in refused:
                self.log.append("waiver-refused", actor, {"run_id": run.id, **entry})
        except AuditError as exc:
            config.stash[RECORDER_KEY].note(f"audit log not written: {exc}")


def plugin(config: pytest.Config, fleet: Fleet) -> RunAudit | None:
    path = fleet.settings.reporting.audit
    if path is None:
        return None
    return RunAudit(fleet, AuditLog(fleet.base_dir / path))
