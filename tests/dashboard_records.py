"""Run records for the dashboard tests, with hostile text where a run carries free text."""

from __future__ import annotations

import datetime

from pytest_prove.report.run_record import GateRecord, Outcome, RunRecord

HOSTILE = "<script>window.pwned=1</script>"
HOSTILE_IMG = "<img src=x onerror=\"document.body.setAttribute('data-pwned','1')\">"
BRANCH = "feat/\"quoted'-branch&<b>"
START = datetime.datetime(2026, 11, 1, 9, 0, tzinfo=datetime.UTC)


def gate(repo: str, check: str, outcome: Outcome, **extra: object) -> GateRecord:
    fields: dict[str, object] = {"duration": 0.25, "summary": "", "base": "main"}
    fields.update(extra)
    return GateRecord(nodeid=f"multi.yaml::{repo}::{check}", repo=repo, check=check,
                      outcome=outcome, **fields)  # type: ignore[arg-type]  # fmt: skip


def run(gates: tuple[GateRecord, ...], *, hour: int = 0, run_id: str = "", host: str = "ci-1",
        exit_status: int = 0) -> RunRecord:  # fmt: skip
    started = START + datetime.timedelta(hours=hour)
    return RunRecord(
        id=run_id or f"run-{hour:04d}",
        started=started,
        finished=started + datetime.timedelta(seconds=3 + hour),
        host=host,
        command=("prove", "orchestrate"),
        config_digest="0" * 64,
        exit_status=exit_status,
        gates=gates,
    )


def hostile_run(hour: int = 0) -> RunRecord:
    """A run whose commit message, summaries, branch and host try to inject markup."""
    message = f"commit 1a2b3c4: subject {HOSTILE} {HOSTILE_IMG} is not conventional"
    finding = {"rule": "format", "severity": "error", "message": message, "file": "</script>.py",
               "line": 7, "check": "commit-msg"}  # fmt: skip
    return run(
        (
            gate(
                "api",
                "commit-msg",
                "failed",
                summary=f"1 bad commit: {HOSTILE}",
                findings=(finding,),
                base=BRANCH,
                head="1a2b3c4",
            ),
            gate("api", "secrets", "passed", summary=HOSTILE_IMG),
            gate("web", "commit-msg", "passed"),
            gate("web", "secrets", "waived", reason=f"waiver {HOSTILE}"),
            gate("docs", "commit-msg", "skipped", reason="not on a branch"),
        ),
        hour=hour,
        host=HOSTILE,
        exit_status=1,
    )


CHECKS = ("commit-msg", "coverage", "secrets", "tdd", "trunk", "lint", "types", "unit", "docs")


def fleet_runs(repos: int = 1000, runs: int = 3) -> list[RunRecord]:
    """``runs`` runs of ``repos`` repositories x 9 checks; one gate in 12 fails, a different
    one each run, so sorting and trails have something to show."""
    return [
        run(
            tuple(
                gate(f"service-{r:04d}", check, "failed" if (r * 9 + c + h) % 12 == 0 else "passed")
                for r in range(repos)
                for c, check in enumerate(CHECKS)
            ),
            hour=h,
        )
        for h in range(runs)
    ]
