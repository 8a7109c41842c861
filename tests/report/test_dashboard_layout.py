"""The dashboard's layout in Chromium: pages of rows at 1,000 repositories, sorting, each
gate's trail, a phone's width, the dark scheme; screenshots for CI in ``.prove/``.

A measuring script of the test's own is appended to a copy of the page (without its CSP,
which would refuse that script); it runs after the page's script and writes what it
measured on ``<html>``, which ``--dump-dom`` then shows.  Headless Chromium lays a page out
at least 500 px wide whatever ``--window-size`` says (its screenshots do use the size), so
a phone's 390 x 844 viewport is an iframe of that size around the page.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from typing import Any

import pytest

from pytest_prove.report.views.dashboard import render_dashboard
from tests.dashboard_records import fleet_runs, gate, hostile_run, run
from tests.report.test_dashboard_browser import SCREENSHOT, Elements, chromium, pytestmark

__all__ = ["pytestmark"]  # skipped without Chromium, as the browser tests are

SHOTS = SCREENSHOT.parent
PHONE = "--window-size=390,844"
DESKTOP = "--window-size=1400,1000"
# What the measuring script writes on <html>: the page's width against the viewport's, where
# the matrix's header is, the background the page got, and its rows.
MEASURE = """
(() => {
  const root = document.documentElement;
  const head = document.querySelector("#matrix thead");
  const box = head ? head.getBoundingClientRect() : { top: -1, bottom: -1, left: -1, right: -1 };
  const out = {
    scrollWidth: root.scrollWidth, clientWidth: root.clientWidth, innerHeight: innerHeight,
    headTop: box.top, headBottom: box.bottom, headLeft: box.left, headRight: box.right,
    background: getComputedStyle(root).backgroundColor, color: getComputedStyle(root).color,
    rows: document.querySelectorAll("#matrix tbody tr").length,
    details: document.getElementById("details").textContent,
    matrixOverflow: (({ scrollWidth, clientWidth }) => scrollWidth - clientWidth)(
      document.querySelector(".matrix-wrap")),
  };
  // in the phone's iframe, on the page around it (srcdoc: the same origin)
  window.top.document.documentElement.setAttribute("data-measured", JSON.stringify(out));
})();
"""


def measured(
    page: Path, tmp_path: Path, *flags: str, steps: str = "", phone: bool = False
) -> dict[str, Any]:
    """Load a copy of ``page`` with the measuring script (after ``steps``) and return its
    figures (``dom``: the page's elements, but not those of the phone's iframe)."""
    text = re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>', "", page.read_text())
    text = text.replace("</body>", f"<script>{steps}{MEASURE}</script></body>")
    if phone:
        text = (
            '<!DOCTYPE html><html><body style="margin:0">'
            f'<iframe width="390" height="844" style="border:0" srcdoc="{html.escape(text)}">'
            "</iframe></body></html>"
        )
    probe = page.with_name("probe-" + page.name)
    probe.write_text(text)
    dom = Elements(chromium(tmp_path / "profile", *flags, "--dump-dom", probe.as_uri()))
    (root, *_) = dom.tags("html")
    figures: dict[str, Any] = json.loads(str(root["data-measured"]))
    figures["dom"] = dom
    return figures


def repo_order(dom: Elements) -> list[str]:
    return [str(a["data-repo"]) for t, a in dom.found if t == "tr" and "data-repo" in a]


@pytest.fixture
def fleet(tmp_path: Path) -> Path:
    path = tmp_path / "fleet.html"
    path.write_text(render_dashboard(fleet_runs(1000, runs=3)))
    return path


@pytest.fixture
def small(tmp_path: Path) -> Path:
    older = run((gate("api", "commit-msg", "passed"), gate("api", "secrets", "passed")), hour=0)
    path = tmp_path / "small.html"
    path.write_text(render_dashboard([older, hostile_run(hour=1)]))
    return path


def test_a_thousand_repositories_load_fast_and_draw_one_page_of_rows(
    fleet: Path, tmp_path: Path
) -> None:
    dom = Elements(chromium(tmp_path / "profile", DESKTOP, "--dump-dom", fleet.as_uri()))
    (main,) = dom.tags("main")
    assert main["data-ready"] == "true"
    # Navigation to the load event, laid out: 0.3 s on a quiet machine; generous for CI.
    assert int(str(main["data-loaded-ms"])) < 5000
    rows = repo_order(dom)
    assert len(rows) == 50  # one page of the 1,000 in the DOM
    assert len([a for t, a in dom.found if t == "td"]) == 50 * 9
    assert "1000 of 1000 repositories shown, 1\u201350 on this page" in dom.text
    assert "Page 1 of 20" in dom.text
    # Worst first: every repository on the first page has a failing gate.
    failing = {
        f"service-{r:04d}" for r in range(1000) if any((r * 9 + c + 2) % 12 == 0 for c in range(9))
    }
    assert set(rows) <= failing


def test_pages_turn_and_the_filter_narrows_the_fleet(fleet: Path, tmp_path: Path) -> None:
    turned = measured(
        fleet,
        tmp_path,
        steps="document.getElementById('sort').value = 'name';"
        "document.getElementById('sort').dispatchEvent(new Event('input'));"
        "document.getElementById('page-next').click();",
    )
    assert repo_order(turned["dom"])[:2] == ["service-0050", "service-0051"]
    assert "Page 2 of 20" in turned["dom"].text
    steps = (
        "const box = document.getElementById('filter-repo'); box.value = 'service-09';"
        "box.dispatchEvent(new Event('input'));"
    )
    narrowed = measured(fleet, tmp_path, steps=steps)
    assert narrowed["rows"] == 50
    assert "100 of 1000 repositories shown" in narrowed["dom"].text
    assert all(name.startswith("service-09") for name in repo_order(narrowed["dom"]))


@pytest.mark.parametrize(
    ("order", "expected"), [("worst", ["api", "web", "docs"]), ("name", ["api", "docs", "web"])]
)
def test_worst_first_puts_failing_repositories_on_top(
    small: Path, tmp_path: Path, order: str, expected: list[str]
) -> None:
    steps = (
        f"document.getElementById('sort').value = {json.dumps(order)};"
        "document.getElementById('sort').dispatchEvent(new Event('input'));"
    )
    assert repo_order(measured(small, tmp_path, steps=steps)["dom"]) == expected


def test_each_gate_shows_its_last_runs_with_a_title_per_run(small: Path, tmp_path: Path) -> None:
    dom = Elements(chromium(tmp_path / "profile", "--dump-dom", small.as_uri()))
    trails = [a for a in dom.tags("span") if a.get("class") == "trail"]
    # api ran both checks twice; web and docs only in the newest run: no trail of one.
    assert [a.get("aria-label") for a in trails] == [
        "last 2 runs, oldest first: passed, failed",
        "last 2 runs, oldest first: passed, passed",
    ]
    marks = [a for a in dom.tags("span") if str(a.get("class")).startswith("t t-")]
    assert [(a["class"], a["title"]) for a in marks[:2]] == [
        ("t t-passed", "2026-11-01 09:00:00 UTC: passed"),
        ("t t-failed", "2026-11-01 10:00:00 UTC: failed"),
    ]


def test_a_phone_scrolls_the_matrix_not_the_page(fleet: Path, small: Path, tmp_path: Path) -> None:
    wide = measured(fleet, tmp_path, phone=True)
    assert wide["clientWidth"] <= 390
    assert wide["scrollWidth"] <= wide["clientWidth"]  # 9 columns scroll in their own box
    # The matrix's header is on the first screen.
    assert 0 <= wide["headTop"] < wide["headBottom"] <= wide["innerHeight"]
    assert 0 <= wide["headLeft"] < wide["clientWidth"]
    # A gate's details with long hostile text and a findings table do not widen the page.
    click = (
        "[...document.querySelectorAll('button[data-key]')]"
        ".find((b) => b.getAttribute('aria-label').startsWith('api, commit-msg')).click();"
    )
    opened = measured(small, tmp_path, phone=True, steps=click)
    assert "</script>.py:7" in opened["details"]  # the gate's findings are open
    assert opened["scrollWidth"] <= opened["clientWidth"]
    SHOTS.mkdir(exist_ok=True)
    shot = SHOTS / "dashboard-phone.png"
    shot.unlink(missing_ok=True)
    chromium(tmp_path / "profile", f"--screenshot={shot}", PHONE, fleet.as_uri())
    assert shot.read_bytes().startswith(b"\x89PNG")


def test_the_desktop_shows_the_header_without_sideways_scrolling(
    fleet: Path, small: Path, tmp_path: Path
) -> None:
    wide = measured(fleet, tmp_path, DESKTOP)
    assert wide["scrollWidth"] <= wide["clientWidth"]
    assert 0 <= wide["headTop"] < wide["headBottom"] <= wide["innerHeight"]
    # 9 columns fit at 1,400 px, and so does a matrix with a cell of no gate ("—").
    assert wide["matrixOverflow"] <= 0
    assert measured(small, tmp_path, DESKTOP)["matrixOverflow"] <= 0
    shot = SHOTS / "dashboard-1000.png"
    SHOTS.mkdir(exist_ok=True)
    shot.unlink(missing_ok=True)
    chromium(tmp_path / "profile", f"--screenshot={shot}", DESKTOP, fleet.as_uri())
    assert shot.read_bytes().startswith(b"\x89PNG")


def test_the_dark_scheme_follows_the_system(small: Path, tmp_path: Path) -> None:
    light = measured(small, tmp_path, DESKTOP)
    assert light["background"] == "rgb(255, 255, 255)"
    dark = measured(small, tmp_path, DESKTOP, "--force-dark-mode")
    assert dark["background"] == "rgb(13, 17, 23)"
    assert dark["color"] == "rgb(230, 237, 243)"
    shot = SHOTS / "dashboard-dark.png"
    SHOTS.mkdir(exist_ok=True)
    shot.unlink(missing_ok=True)
    chromium(
        tmp_path / "profile",
        f"--screenshot={shot}",
        DESKTOP,
        "--force-dark-mode",
        small.as_uri() + "#gate=api%3A%3Acommit-msg",
    )
    assert shot.read_bytes().startswith(b"\x89PNG")
