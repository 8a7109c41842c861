"""on: failure | change | always, and the verdicts "change" compares."""

from __future__ import annotations

import pytest

from pytest_prove.report.run_record import RunRecord
from pytest_prove.report.sinks.notify.policy import changes, read_previous, should_notify, verdicts
from tests.run_records import gate, run_of

RUN = run_of(
    gate("api", "lint", "failed"),
    gate("api", "ok", "cached"),
    gate("web", "sec", "waived"),
    gate("web", "ok", "skipped"),
    gate("web", "setup", "error"),
)


def test_verdicts_count_errors_as_failing_and_leave_skipped_gates_out() -> None:
    assert verdicts(RUN) == {
        "multi.yaml::api::lint": "failed",
        "multi.yaml::api::ok": "ok",
        "multi.yaml::web::sec": "ok",
        "multi.yaml::web::setup": "failed",
    }


def test_changes_against_the_previous_verdicts() -> None:
    previous = {"multi.yaml::api::lint": "failed", "multi.yaml::api::ok": "failed",
                "multi.yaml::web::ok": "failed"}  # fmt: skip
    # web::ok was skipped: it keeps its verdict, no change; web::setup is new and failing.
    assert changes(RUN, read_previous(previous)) == (["web::setup"], ["api::ok"])
    assert changes(RUN, {}) == (["api::lint", "web::setup"], [])


@pytest.mark.parametrize("stored", [None, "garbage", ["x"], {"a": "maybe", "b": 3}])
def test_an_unusable_cache_entry_is_no_previous_run(stored: object) -> None:
    assert read_previous(stored) == {}


@pytest.mark.parametrize(
    ("on", "run", "found", "expected"),
    [
        ("failure", RUN, ([], []), True),
        ("failure", run_of(gate("a", "b", "passed")), ([], ["a::b"]), False),
        ("change", RUN, ([], []), False),
        ("change", run_of(gate("a", "b", "passed")), ([], ["a::b"]), True),
        ("always", run_of(gate("a", "b", "passed")), ([], []), True),
        ("always", run_of(), ([], []), False),
    ],
)
def test_should_notify(
    on: str, run: RunRecord, found: tuple[list[str], list[str]], expected: bool
) -> None:
    assert should_notify(on, run, found) is expected
