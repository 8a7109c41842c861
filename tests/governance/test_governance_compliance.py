"""`prove report --compliance`: runs, pass rate, active waivers and approvers, policy gaps."""

from __future__ import annotations

import csv
import io
import json

import pytest

from pytest_prove.cli.main import main
from tests.fleet_file import write_waived_fleet


def _fleet(pytester: pytest.Pytester, approver: str) -> None:
    policy = {"policy": {"required_checks": ["trunk"]}}
    write_waived_fleet(pytester, approver, api_checks=["lint", "ok"], global_extra=policy)


def _report(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    assert main(["report", "--compliance", "--config", "multi.yaml", *args]) == 0
    return capsys.readouterr().out


@pytest.fixture
def ran(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> pytest.Pytester:
    monkeypatch.setenv("PROVE_NOW", "2026-11-24T12:00:00+00:00")
    _fleet(pytester, request.param)
    for _ in range(2):
        pytester.runpytest("--prove-config", "multi.yaml", "-p", "no:cacheprovider")
    monkeypatch.chdir(pytester.path)
    return pytester


@pytest.mark.parametrize("ran", ["alice@example.com"], indirect=True)
def test_rows_from_real_runs(ran: pytest.Pytester, capsys: pytest.CaptureFixture[str]) -> None:
    rows = list(csv.DictReader(io.StringIO(_report(capsys, "--format", "csv"))))
    by_gate = {(r["repo"], r["check"]): r for r in rows}
    assert sorted(by_gate) == [
        ("api", "lint"), ("api", "ok"), ("api", "policy"), ("api", "trunk"),
        ("web", "ok"), ("web", "policy"), ("web", "trunk"),
    ]  # fmt: skip
    assert by_gate[("web", "policy")]["failed"] == "2"  # the policy gate fails as well
    lint = by_gate[("api", "lint")]
    assert (lint["runs"], lint["passed"], lint["failed"]) == ("2", "0", "0")  # waived both times
    assert lint["waivers"] == "api::lint approved by alice@example.com until 2026-12-31"
    ok = by_gate[("web", "ok")]
    assert (ok["runs"], ok["pass rate"], ok["gaps"]) == ("2", "100%", "")
    assert by_gate[("web", "trunk")]["gaps"] == (
        "required by global.policy.required_checks, not configured"
    )


@pytest.mark.parametrize("ran", ["mallory@example.com"], indirect=True)
def test_a_refused_waiver_is_shown_and_the_gate_failed(
    ran: pytest.Pytester, capsys: pytest.CaptureFixture[str]
) -> None:
    data = json.loads(_report(capsys, "--format", "json"))
    lint = next(r for r in data["rows"] if (r["repo"], r["check"]) == ("api", "lint"))
    assert lint["failed"] == "2"
    assert "(REFUSED: approved by mallory@example.com" in lint["waivers"]
    markdown = _report(capsys, "--format", "md")
    assert markdown.startswith("# Compliance report (all recorded runs, 2 runs)\n")
    html = _report(capsys, "--format", "html", "--since", "2000-01-01")
    assert "<h1>Compliance report (since 2000-01-01, 2 runs)</h1>" in html
    assert "mallory@example.com" in html


def test_a_bad_config_is_a_clear_error(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(pytester.path)
    pytester.makefile(".yaml", multi="repositories: [{name: api, path: missing}]\n")
    pytester.makefile(".db", history="")
    from pytest_prove.report.history.store import open_history

    open_history(pytester.path / "h.db").close()
    code = main(["report", "--compliance", "--config", "multi.yaml", "--history", "h.db"])
    assert code == 4
    assert "prove report --compliance: multi.yaml" in capsys.readouterr().err
