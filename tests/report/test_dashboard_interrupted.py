"""An interrupted run in ``prove report``'s formats and in the dashboard's data and page."""

from __future__ import annotations

import dataclasses
import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from pytest_prove.report.run_record import RunRecord
from pytest_prove.report.views.dashboard import render_dashboard
from pytest_prove.report.views.formats import RENDERERS
from pytest_prove.report.views.summary import summarise
from tests.dashboard_records import HOSTILE, gate, run


def interrupted(hour: int) -> RunRecord:
    killed = run((gate("api", "lint", "failed"),), hour=hour, run_id="killed-run-0001")
    return dataclasses.replace(killed, status="interrupted", exit_status=-1, host=HOSTILE)


def runs() -> list[RunRecord]:
    return [
        run((gate("api", "lint", "passed"), gate("web", "ok", "passed")), hour=0),
        interrupted(hour=1),
    ]


def test_the_report_names_interrupted_runs_in_every_format() -> None:
    report = summarise(runs())
    table = RENDERERS["table"](report)
    assert table.startswith("prove report: 2 runs (1 interrupted), 2026-11-01 09:00 UTC .. ")
    assert (
        "runs without an end (their finished gates are counted above):\n"
        "  killed-run-0 started 2026-11-01 10:00 UTC on <script>window.pwned=1</script>: "
        "interrupted, 1 gate recorded\n"
    ) in table
    data = json.loads(RENDERERS["json"](report))
    assert data["unfinished"] == [
        {
            "id": "killed-run-0001",
            "started": "2026-11-01T10:00:00+00:00",
            "host": HOSTILE,
            "status": "interrupted",
            "gates": 1,
        }
    ]
    lint = next(g for g in data["gates"] if g["check"] == "lint")
    assert (lint["latest"], lint["runs"], lint["sparkline"]) == ("failed", 2, ".F")
    md = RENDERERS["md"](report)
    assert "**Runs without an end (their finished gates are counted above)**:" in md
    assert "&lt;script&gt;" in md
    page = RENDERERS["html"](report)
    assert "<h2>Runs without an end (their finished gates are counted above)</h2>" in page
    assert HOSTILE not in page
    csv_header = RENDERERS["csv"](report).splitlines()[0]
    assert csv_header == RENDERERS["csv"](summarise(runs()[:1])).splitlines()[0]


def test_a_report_without_unfinished_runs_is_as_before() -> None:
    table = RENDERERS["table"](summarise(runs()[:1]))
    assert table.startswith("prove report: 1 run, ")
    assert "without an end" not in table
    assert json.loads(RENDERERS["json"](summarise(runs()[:1])))["unfinished"] == []


def _page_data(page: str) -> dict[str, Any]:
    found = re.search(r'id="prove-data">(.*?)</script>', page, re.S)
    assert found is not None
    data: dict[str, Any] = json.loads(found.group(1))
    return data


def test_the_dashboard_data_carries_each_runs_status() -> None:
    data = _page_data(render_dashboard(runs()))
    assert [(r["id"], r["status"], r["exit_status"]) for r in data["runs"]] == [
        ("run-0000", "finished", 0),
        ("killed-run-0001", "interrupted", -1),
    ]
    assert data["latest"]["status"] == "interrupted"


@pytest.mark.skipif(
    shutil.which("chromium") is None and shutil.which("chromium-browser") is None,
    reason="chromium is not installed (CI installs it: apt-get install chromium)",
)
def test_the_page_shows_an_interrupted_run_in_its_trends_and_run_list(tmp_path: Path) -> None:
    from tests.report.test_dashboard_browser import Elements, chromium

    page = tmp_path / "dashboard.html"
    page.write_text(render_dashboard(runs()))
    dom = Elements(chromium(tmp_path / "profile", "--dump-dom", page.as_uri()))
    assert dom.tags("main")[0]["data-ready"] == "true"
    assert "interrupted after 4.00 s (no end recorded)" in dom.text  # the latest run's line
    assert [c.get("class") for c in dom.tags("circle")] == ["dot", "dot dot-open"]
    bars = [r.get("class") for r in dom.tags("rect") if "bar" in str(r.get("class"))]
    assert bars[:2] == ["bar", "bar bar-open"]
    assert "Runs: 2, 1 interrupted" in dom.text
    assert [s.get("class") for s in dom.tags("span") if str(s.get("class")).startswith("run-")] == [
        "run-interrupted",
        "run-finished",
    ]
    assert not dom.tags("img")
