"""Small RunRecords built by hand, for the consumers' unit tests."""

from __future__ import annotations

import datetime
from typing import Any

from pytest_prove.report.run_record import GateRecord, RunRecord


def gate(
    repo: str, check: str, outcome: Any, summary: str = "", duration: float = 0.5
) -> GateRecord:
    return GateRecord(
        nodeid=f"multi.yaml::{repo}::{check}",
        repo=repo,
        check=check,
        outcome=outcome,
        duration=duration,
        summary=summary,
    )


def run_of(*gates: GateRecord) -> RunRecord:
    now = datetime.datetime(2026, 11, 24, tzinfo=datetime.UTC)
    return RunRecord(
        id="r1",
        started=now,
        finished=now,
        host="ci-7",
        command=(),
        config_digest="d",
        exit_status=1,
        gates=gates,
    )
