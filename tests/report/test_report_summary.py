"""``prove report``'s arithmetic (pass rate, flaky, trend, slowest) and its five formats."""

from __future__ import annotations

import csv
import datetime
import io
import json
from typing import get_args

from hypothesis import given
from hypothesis import strategies as st

from pytest_prove.report.run_record import GateRecord, Outcome, RunRecord
from pytest_prove.report.views.formats import RENDERERS, md_cell
from pytest_prove.report.views.summary import Report, flips, pass_rate, summarise, trend

T0 = datetime.datetime(2026, 3, 1, tzinfo=datetime.UTC)
HOSTILE_REPO = '<script>alert("r")</script>,"x"'
HOSTILE_CHECK = "lint|`x`\nFAKE"
HOSTILE_SUMMARY = 'a, "quoted" <b>bold</b>\nsecond line\r\n| --- |'


def runs_of(*outcome_rows: dict[tuple[str, str], tuple[Outcome, float]]) -> list[RunRecord]:
    return [
        RunRecord(
            id=f"r{i}",
            started=T0 + datetime.timedelta(hours=i),
            finished=T0 + datetime.timedelta(hours=i, minutes=1),
            host="h",
            command=(),
            config_digest="",
            exit_status=0,
            gates=tuple(
                GateRecord(
                    nodeid=f"m::{repo}::{check}",
                    repo=repo,
                    check=check,
                    outcome=outcome,
                    duration=duration,
                    summary=f"{outcome} at run {i}" if repo != HOSTILE_REPO else HOSTILE_SUMMARY,
                )
                for (repo, check), (outcome, duration) in row.items()
            ),
        )
        for i, row in enumerate(outcome_rows)
    ]


def test_flaky_needs_two_flips_between_passing_and_failing() -> None:
    assert flips(["passed", "failed"]) == 1  # broke once: not flaky
    assert flips(["failed", "passed", "passed"]) == 1  # fixed: not flaky
    assert flips(["passed", "failed", "passed"]) == 2
    # cached counts as passing, error as failing; skipped and waived are ignored
    assert flips(["cached", "skipped", "error", "waived", "passed"]) == 2
    assert flips(["passed", "waived", "passed", "skipped"]) == 0


def test_pass_rate_and_trend() -> None:
    assert pass_rate(["passed", "cached", "failed", "skipped"]) == 2 / 3
    assert pass_rate(["skipped"]) is None
    assert pass_rate(["waived", "passed"]) == 0.5
    assert trend(["failed", "failed", "passed", "passed"]) == 1.0
    assert trend(["passed", "failed", "skipped", "failed"]) == -1.0  # the middle one in neither
    assert trend(["passed", "skipped"]) is None


@given(st.lists(st.sampled_from(get_args(Outcome)), max_size=30))
def test_the_definitions_stay_in_range(outcomes: list[Outcome]) -> None:
    count = flips(outcomes)
    assert 0 <= count <= max(0, len(outcomes) - 1)
    rate = pass_rate(outcomes)
    assert rate is None or 0 <= rate <= 1
    change = trend(outcomes)
    assert change is None or -1 <= change <= 1


def test_a_gate_that_never_ran_its_check_has_no_duration() -> None:
    runs = runs_of({("web", "ok"): ("cached", 0.01)}, {("web", "ok"): ("skipped", 0.02)})
    (ok,) = summarise(runs).gates
    assert (ok.mean_duration, ok.max_duration) == (0.0, 0.0)


def test_summary_per_repo_and_check_in_run_order() -> None:
    runs = runs_of(
        {("api", "lint"): ("passed", 1.0), ("web", "ok"): ("passed", 0.1)},
        {("api", "lint"): ("failed", 3.0), ("web", "ok"): ("cached", 0.0)},
        {("api", "lint"): ("passed", 2.0)},
    )
    report = summarise(reversed(runs))  # order of the input does not matter
    assert report.runs == 3
    assert report.first == T0
    assert report.last == T0 + datetime.timedelta(hours=2)
    lint, ok = report.gates
    assert (lint.repo, lint.check, lint.latest, lint.runs) == ("api", "lint", "passed", 3)
    assert lint.latest_summary == "passed at run 2"
    assert lint.sparkline == ".F."
    assert lint.flaky
    assert lint.pass_rate == 2 / 3
    assert (lint.mean_duration, lint.max_duration) == (2.0, 3.0)
    assert lint.trend == 0.0
    assert (ok.latest, ok.runs, ok.flaky, ok.sparkline) == ("cached", 2, False, ".c")
    # the reused pass took no time of its own: the mean is of the run that ran the check
    assert (ok.mean_duration, ok.max_duration) == (0.1, 0.1)
    assert report.slowest(1) == [lint]
    assert report.flaky == [lint]


def hostile_report() -> Report:
    return summarise(
        runs_of(
            {(HOSTILE_REPO, HOSTILE_CHECK): ("failed", 1.5), ("api", "ok"): ("passed", 0.2)},
            {(HOSTILE_REPO, HOSTILE_CHECK): ("passed", 0.5)},
            {(HOSTILE_REPO, HOSTILE_CHECK): ("failed", 0.5)},
        )
    )


def test_html_escapes_every_hostile_string() -> None:
    page = RENDERERS["html"](hostile_report())
    assert "<script>" not in page
    assert "<b>" not in page
    assert "&lt;script&gt;alert(&quot;r&quot;)&lt;/script&gt;,&quot;x&quot;" in page
    assert "&lt;b&gt;bold&lt;/b&gt;" in page
    assert page.startswith("<!DOCTYPE html>")
    assert page.count("<tr>") == 3  # heading + two gates


def test_csv_reads_back_exactly() -> None:
    rows = list(csv.DictReader(io.StringIO(RENDERERS["csv"](hostile_report()))))
    assert [(r["repo"], r["check"]) for r in rows] == [
        (HOSTILE_REPO, HOSTILE_CHECK),
        ("api", "ok"),
    ]
    assert rows[0]["latest_summary"] == HOSTILE_SUMMARY
    assert rows[0]["flaky"] == "True"
    assert rows[0]["sparkline"] == "F.F"


def test_json_reads_back_exactly() -> None:
    data = json.loads(RENDERERS["json"](hostile_report()))
    hostile = data["gates"][0]
    assert (hostile["repo"], hostile["check"]) == (HOSTILE_REPO, HOSTILE_CHECK)
    assert hostile["latest_summary"] == HOSTILE_SUMMARY
    assert hostile["flips"] == 2
    assert hostile["flaky"] is True
    assert data["flaky"] == [{"repo": HOSTILE_REPO, "check": HOSTILE_CHECK, "flips": 2}]
    assert data["slowest"][0] == {"repo": HOSTILE_REPO, "check": HOSTILE_CHECK}
    assert data["runs"] == 3


def test_markdown_rows_cannot_be_broken_or_inject_html() -> None:
    text = RENDERERS["md"](hostile_report())
    rows = [line for line in text.splitlines() if line.startswith("|")]
    assert len(rows) == 4  # heading, rule, two gates
    assert all(line.endswith("|") for line in rows)
    assert "<script>" not in text
    assert "<b>" not in text
    # Cell separators inside a value are escaped, so every row has the heading's 11 cells.
    assert {line.replace("\\|", "").count("|") for line in rows} == {12}
    assert md_cell("a|b`c`\n<i>") == "a\\|b\\`c\\` &lt;i&gt;"


def test_table_lines_cannot_be_forged() -> None:
    text = RENDERERS["table"](hostile_report())
    assert not any(line.startswith("FAKE") for line in text.splitlines())
    assert "lint|`x`\\nFAKE" in text
    assert "flaky gates (passed and failed in turn at least twice):" in text
    assert text.startswith("prove report: 3 runs, 2026-03-01 00:00 UTC .. 2026-03-01 02:00 UTC")


def test_every_format_handles_no_runs() -> None:
    empty = summarise([])
    assert "(no gates in this period)" in RENDERERS["table"](empty)
    assert json.loads(RENDERERS["json"](empty))["gates"] == []
    assert RENDERERS["csv"](empty).count("\n") == 1
    assert "<tbody>\n\n</tbody>" in RENDERERS["html"](empty)
    assert "prove report: 0 runs, - .. -" in RENDERERS["md"](empty)


def test_csv_cells_that_a_spreadsheet_would_run_are_quoted() -> None:
    from pytest_prove.report.views.formats import csv_text

    text = csv_text(["a", "b", "c"], [["=cmd|' /C calc'!A0", "@SUM(1)", -3], ["+1", "ok", 2.5]])
    assert text.splitlines() == [
        "a,b,c",
        "'=cmd|' /C calc'!A0,'@SUM(1),-3",
        "'+1,ok,2.5",
    ]
