"""The dashboard page: what it embeds, how it escapes, and the CSP that backs the escaping."""

from __future__ import annotations

import base64
import hashlib
import html
import itertools
import json
import math
import re
from importlib import resources
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pytest_prove.report.views.dashboard import (
    MAX_FINDINGS,
    SCRIPTS,
    TRAIL_RUNS,
    embed_json,
    gate_view,
    live_json,
    live_payload,
    pass_rate,
    render_dashboard,
)
from tests.dashboard_records import BRANCH, HOSTILE, HOSTILE_IMG, gate, hostile_run, run

DATA = re.compile(r'<script type="application/json" id="prove-data">(.*?)</script>', re.S)


def _data(page: str) -> dict[str, Any]:
    found = DATA.search(page)
    assert found is not None
    parsed: dict[str, Any] = json.loads(found.group(1))
    return parsed


@given(st.recursive(st.text() | st.integers() | st.none(), st.lists))
def test_embedded_json_round_trips_and_never_holds_markup_characters(value: Any) -> None:
    text = embed_json(value)
    assert not set(text) & set("<>&")
    assert json.loads(text) == value


def test_no_run_gives_a_page_without_a_latest_run() -> None:
    page = render_dashboard([])
    assert _data(page)["runs"] == []
    assert _data(page)["latest"] is None
    assert page.startswith("<!DOCTYPE html>")


def test_the_newest_run_fills_the_matrix_whatever_the_order_given() -> None:
    old = run((gate("api", "lint", "failed"),), hour=0)
    new = run((gate("api", "lint", "passed"), gate("web", "lint", "error")), hour=5)
    data = _data(render_dashboard([new, old]))
    assert [r["id"] for r in data["runs"]] == ["run-0000", "run-0005"]
    assert data["latest"]["id"] == "run-0005"
    assert [(g["repo"], g["outcome"]) for g in data["latest"]["gates"]] == [
        ("api", "passed"),
        ("web", "error"),
    ]
    assert data["runs"][0]["pass_rate"] == 0.0
    assert data["runs"][1]["pass_rate"] == 0.5
    assert data["runs"][1]["duration"] == 8.0


def test_hostile_text_stays_data_and_cannot_close_the_script_block() -> None:
    page = render_dashboard([hostile_run()])
    assert HOSTILE not in page
    assert "<img" not in page
    assert BRANCH not in page
    # Our two script elements, and not one closing tag more.
    assert page.count("</script>") == 2
    data = _data(page)
    commit_msg = data["latest"]["gates"][0]
    assert HOSTILE in commit_msg["findings"][0]["message"]
    assert HOSTILE_IMG in commit_msg["findings"][0]["message"]
    assert commit_msg["base"] == BRANCH
    assert commit_msg["findings"][0]["file"] == "</script>.py"
    assert data["latest"]["host"] == HOSTILE


def test_the_page_allows_only_its_own_script_and_style_and_no_loads() -> None:
    page = render_dashboard([hostile_run()])
    policy = re.search(r'http-equiv="Content-Security-Policy" content="([^"]*)"', page)
    assert policy is not None
    script = re.findall(r"<script>(.*?)</script>", page, re.S)
    style = re.findall(r"<style>(.*?)</style>", page, re.S)
    assert len(script) == len(style) == 1

    def digest(text: str) -> str:
        return base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()

    text = html.unescape(policy.group(1))
    rules = dict(r.strip().split(" ", 1) for r in text.split(";"))
    assert rules["default-src"] == "'none'"
    assert rules["script-src"] == f"'sha256-{digest(script[0])}'"
    assert rules["style-src"] == f"'sha256-{digest(style[0])}'"
    assert rules["connect-src"] == "'none'"
    assert "connect-src 'self'" in render_dashboard([], live_url="/live.json")


def test_the_script_never_writes_markup_from_data() -> None:
    page = render_dashboard([])
    script = re.findall(r"<script>(.*?)</script>", page, re.S)[0]
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
        assert sink not in script


def test_findings_are_capped_and_counted_and_bad_numbers_neutralised() -> None:
    findings = tuple(
        {"rule": "r", "severity": "error", "message": "m" * 5000, "line": True, "file": 3}
        for _ in range(MAX_FINDINGS + 7)
    )
    record = run((gate("api", "lint", "failed", findings=findings, duration=math.nan),))
    shown = _data(render_dashboard([record]))["latest"]["gates"][0]
    assert len(shown["findings"]) == MAX_FINDINGS
    assert shown["more_findings"] == 7
    assert shown["duration"] == 0.0
    first = shown["findings"][0]
    assert first["line"] is None  # a bool is not a line number
    assert first["file"] == "3"
    assert len(first["message"]) == 1000


def test_a_thousand_repositories_fit_in_one_page_of_bounded_size() -> None:
    gates = tuple(
        gate(f"service-{i:04d}", check, "passed" if i % 7 else "failed")
        for i in range(1000)
        for check in ("commit-msg", "secrets", "coverage")
    )
    page = render_dashboard([run(gates, hour=h) for h in range(3)])
    assert len(_data(page)["latest"]["gates"]) == 3000
    assert len(page) < 2_000_000


def test_pass_rate_counts_as_prove_report_does() -> None:
    assert pass_rate({"passed": 1, "waived": 1, "cached": 1, "error": 1, "skipped": 9}) == 0.5
    assert pass_rate({"skipped": 3}) is None


def test_the_live_file_lists_the_gates_finished_so_far() -> None:
    record = hostile_run()
    views = [gate_view(g) for g in record.gates[:2]]
    payload = live_payload(record.id, record.started, views, running=True)
    assert payload["running"] is True
    assert payload["run"] == record.id
    assert [g["check"] for g in payload["gates"]] == ["commit-msg", "secrets"]
    json.dumps(payload, allow_nan=False)


@pytest.mark.parametrize("pieces", [[], [0], [1], [0, 2], [0, 1, 2]])
def test_the_live_files_text_holds_its_gates_given_as_json_in_pieces(pieces: list[int]) -> None:
    record = hostile_run()
    views = [gate_view(g) for g in record.gates[:2]]
    bounds = [0, *pieces, len(views)]  # cut where the run rewrote the file; empty pieces too
    texts = [json.dumps(views[a:b])[1:-1] for a, b in itertools.pairwise(bounds)]
    text = live_json(record.id, record.started, texts, running=False)
    parsed = json.loads(text)
    expected = live_payload(record.id, record.started, views, running=False)
    assert parsed.pop("updated")  # the moment of writing
    assert expected.pop("updated")
    assert parsed == expected
    assert text.endswith("}\n")


def test_each_gate_carries_its_trail_over_the_newest_runs() -> None:
    runs = [
        run((gate("api", "lint", "passed"),), hour=0),
        run((gate("api", "lint", "cached"), gate("web", "lint", "waived")), hour=1),
        run((gate("api", "lint", "failed"), gate("web", "lint", "error")), hour=2),
    ]
    shown = _data(render_dashboard(runs))["latest"]["gates"]
    assert [(g["repo"], g["trail"]) for g in shown] == [("api", "pcf"), ("web", "-we")]
    # An outline's gates come from the outcomes read beside it; one missing there is "-".
    many = [run((gate("api", "lint", "passed"),), hour=h) for h in range(TRAIL_RUNS + 5)]
    assert len(_data(render_dashboard(many))["latest"]["gates"][0]["trail"]) == TRAIL_RUNS
    assert _data(render_dashboard(many[-1:]))["latest"]["gates"][0]["trail"] == "p"


def test_the_script_is_its_parts_in_one_function() -> None:
    page = render_dashboard([])
    script = re.findall(r"<script>(.*?)</script>", page, re.S)[0]
    assert script.startswith('(function () {\n"use strict";')
    assert script.rstrip().endswith("})();")
    for name in SCRIPTS:
        first = (resources.files("pytest_prove.report.views") / name).read_text().splitlines()[0]
        assert first in script


SHA = "0123456789abcdef0123456789abcdef01234567"


def test_findings_link_to_their_line_on_the_forge_and_only_there() -> None:
    findings = tuple(
        {"rule": "r", "severity": "error", "message": "m", "file": file, "line": line}
        for file, line in (("src/a b.py", 3), ("/etc/passwd", 1), ("../x.py", 2), ("doc.md", None))
    )
    record = run(
        (
            gate(
                "api", "lint", "failed", findings=findings, head=SHA, forge="https://github.com/o/r"
            ),
            gate(
                "gl",
                "lint",
                "failed",
                findings=findings[:1],
                head=SHA,
                forge="https://gitlab.com/g/r",
            ),
            gate(
                "bad",
                "lint",
                "failed",
                findings=findings[:1],
                head=SHA,
                forge="javascript:alert(1)",
            ),
            gate(
                "nosha",
                "lint",
                "failed",
                findings=findings[:1],
                head="HEAD",
                forge="https://github.com/o/r",
            ),
        )
    )
    shown = {g["repo"]: g["findings"] for g in _data(render_dashboard([record]))["latest"]["gates"]}
    assert [f.get("url") for f in shown["api"]] == [
        f"https://github.com/o/r/blob/{SHA}/src/a%20b.py#L3",
        None,  # absolute
        None,  # climbs out
        f"https://github.com/o/r/blob/{SHA}/doc.md",
    ]
    assert shown["gl"][0]["url"] == f"https://gitlab.com/g/r/-/blob/{SHA}/src/a%20b.py#L3"
    assert "url" not in shown["bad"][0]
    assert "url" not in shown["nosha"][0]
