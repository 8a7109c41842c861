"""GateData: a gate's result built where it ran, carried as builtins and read back."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from pytest_prove.api import CheckResult, Finding, Severity
from pytest_prove.report.gate_data import GateData, gate_parts
from pytest_prove.report.run_record import gate_record
from pytest_prove.runner.evidence import Evidence

EVIDENCE = Evidence(base="origin/main", base_sha="1" * 40, head="2" * 40, judged={"commits": 3})


def test_what_a_worker_writes_reads_back_the_same() -> None:
    result = CheckResult(
        findings=[
            Finding(rule="r1", message="bad", file="a.py", line=3),
            Finding(rule="r2", message="meh", severity=Severity.WARNING),
        ],
        summary="1 error",
        metrics={"files": 2},
        judged={"commits": 3},
    )
    data = GateData.of(
        repo="api", check="tdd", mode="pr", evidence=EVIDENCE, result=result, error=None
    )
    carried = json.loads(json.dumps(data.to_dict()))  # as execnet or a JSON file carries it
    assert GateData.from_dict(carried) == data
    assert carried["passed"] is False
    assert [f["rule"] for f in carried["findings"]] == ["r1", "r2"]
    assert carried["judged"] == {"commits": 3}
    assert "error" not in carried
    assert "base_note" not in carried


def test_a_repository_error_is_carried_with_its_summary() -> None:
    result = CheckResult(findings=[Finding(rule="repository", message="no commits")])
    data = GateData.of(
        repo="api", check="trunk", mode="", evidence=EVIDENCE, result=result, error="no commits"
    )
    record = gate_record("multi.yaml::api::trunk", data, outcome="failed", duration=0.5)
    assert data.to_dict()["error"] == "no commits"
    assert record.summary == data.summary != ""
    assert (record.repo, record.check, record.outcome) == ("api", "trunk", "failed")


def test_a_gate_without_data_is_named_by_its_properties_then_its_node_id() -> None:
    empty = GateData.from_dict({})
    by_props = gate_record(
        "multi.yaml::api::tdd",
        empty,
        outcome="skipped",
        duration=0.0,
        properties={"repo": "api-service", "check": "tdd-strict"},
    )
    by_id = gate_record("multi.yaml::api::tdd", empty, outcome="error", duration=0.0)
    assert (by_props.repo, by_props.check) == ("api-service", "tdd-strict")
    assert (by_id.repo, by_id.check, by_id.summary) == ("api", "tdd", "")
    assert gate_parts("tdd") == ("", "tdd")


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=10,
)


@given(st.dictionaries(st.sampled_from([*GateData.__dataclass_fields__, "x"]), _JSON))
def test_a_hand_edited_entry_reads_as_absent_where_its_types_are_wrong(
    entry: dict[str, Any],
) -> None:
    data = GateData.from_dict(entry)
    assert isinstance(data.repo, str)
    assert data.passed in (True, False, None)
    assert all(isinstance(f, dict) for f in data.findings)
    assert all(isinstance(v, int) for v in data.judged.values())
    if data.passed is not None:  # with a result, what it reads is what it would write again
        assert GateData.from_dict(data.to_dict()) == data


def test_the_forge_page_travels_from_the_evidence_to_the_record() -> None:
    evidence = Evidence(
        base="origin/main",
        base_sha="1" * 40,
        head="2" * 40,
        judged={},
        web="https://github.com/o/r",
    )
    result = CheckResult(findings=[Finding(rule="r1", message="bad", file="a.py", line=3)])
    data = GateData.of(
        repo="api", check="lint", mode="pr", evidence=evidence, result=result, error=None
    )
    carried = GateData.from_dict(json.loads(json.dumps(data.to_dict())))
    record = gate_record("multi.yaml::api::lint", carried, outcome="failed", duration=0.1)
    assert record.forge == "https://github.com/o/r"
    assert record.to_dict()["forge"] == "https://github.com/o/r"
    assert (
        "forge"
        not in GateData.of(
            repo="api", check="lint", mode="pr", evidence=EVIDENCE, result=result, error=None
        ).to_dict()
    )
