"""The dashboard in a real browser: headless Chromium renders it, hostile text stays text.

CI installs Debian's ``chromium`` (``.ci/run``), so these run there; without it they
skip.  A screenshot lands in the repository's ``.prove/dashboard.png`` (a CI artifact).
"""

from __future__ import annotations

import html.parser
import json
import os
import re
import shutil
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from pytest_prove.report.history.store import open_history
from pytest_prove.report.views.dashboard import render_dashboard
from pytest_prove.report.views.dashboard_server import DashboardServer
from tests.dashboard_records import BRANCH, HOSTILE, HOSTILE_IMG, gate, hostile_run, run

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
SCREENSHOT = Path(__file__).resolve().parents[2] / ".prove" / "dashboard.png"

# .ci/run installs Chromium and sets this: there a missing browser fails instead of skipping.
REQUIRED = os.environ.get("PROVE_REQUIRE_CHROMIUM") == "1"

pytestmark = pytest.mark.skipif(
    CHROMIUM is None and not REQUIRED,
    reason="chromium is not installed (CI installs it: apt-get install chromium)",
)


def chromium(profile: Path, *args: str) -> str:
    """Run headless Chromium with its own profile (parallel runs must not share one)."""
    assert CHROMIUM is not None, "PROVE_REQUIRE_CHROMIUM=1 but no chromium on PATH"
    command = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
               "--disable-dev-shm-usage", f"--user-data-dir={profile}", *args]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


class Elements(html.parser.HTMLParser):
    """Every element of a document, with its attributes and the text directly inside it."""

    def __init__(self, document: str) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, dict[str, str | None]]] = []
        self.texts: list[str] = []
        self.feed(document)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.texts.append(data)

    def tags(self, name: str) -> list[dict[str, str | None]]:
        return [attrs for tag, attrs in self.found if tag == name]

    @property
    def text(self) -> str:
        return "".join(self.texts)


@pytest.fixture
def page(tmp_path: Path) -> Path:
    older = run((gate("api", "commit-msg", "passed"), gate("api", "secrets", "passed")), hour=0)
    path = tmp_path / "dashboard.html"
    path.write_text(render_dashboard([older, hostile_run(hour=1)]))
    return path


def test_the_matrix_renders_and_hostile_text_is_only_text(page: Path, tmp_path: Path) -> None:
    link = page.as_uri() + "#gate=api%3A%3Acommit-msg"
    dom = Elements(chromium(tmp_path / "profile", "--dump-dom", link))
    (main,) = dom.tags("main")
    assert main["data-ready"] == "true"
    # 3 repositories x 2 checks; docs has no secrets gate, so 5 buttons and a dash.
    cells = [a for t, a in dom.found if t == "td" and a.get("data-outcome")]
    assert sorted(str(a["data-outcome"]) for a in cells) == sorted(
        ["failed", "passed", "passed", "waived", "skipped", "none"]
    )
    cell_buttons = [a for a in dom.tags("button") if "data-key" in a]
    assert len(cell_buttons) == 5
    assert {a.get("scope") for a in dom.tags("th")} == {"col", "row"}
    labels = {a.get("aria-label") for a in cell_buttons}
    assert "api, commit-msg: failed, 1 finding" in labels
    # The hostile strings are there, as text: in the run line, the summary and the finding.
    assert HOSTILE in dom.text
    assert HOSTILE_IMG in dom.text
    assert f"{BRANCH}" in dom.text  # the deep link opened the gate: its base branch
    assert "</script>.py:7" in dom.text
    # ...and nothing they carried became an element or ran.
    assert not dom.tags("img")
    scripts = dom.tags("script")
    assert [s.get("type") for s in scripts] == ["application/json", None]
    assert not any("data-pwned" in attrs for _, attrs in dom.found)


def test_a_screenshot_is_saved_for_ci(page: Path, tmp_path: Path) -> None:
    SCREENSHOT.parent.mkdir(exist_ok=True)
    SCREENSHOT.unlink(missing_ok=True)
    chromium(
        tmp_path / "profile",
        f"--screenshot={SCREENSHOT}",
        "--window-size=1400,1000",
        page.as_uri() + "#gate=api%3A%3Acommit-msg",
    )
    assert SCREENSHOT.read_bytes().startswith(b"\x89PNG")


def test_no_runs_and_a_single_run_render(tmp_path: Path) -> None:
    empty = tmp_path / "empty.html"
    empty.write_text(render_dashboard([]))
    dom = Elements(chromium(tmp_path / "profile", "--dump-dom", empty.as_uri()))
    assert dom.tags("main")[0]["data-ready"] == "true"
    assert "No runs recorded yet" in dom.text
    single = tmp_path / "single.html"
    single.write_text(render_dashboard([run((gate("api", "lint", "error"),))]))
    dom = Elements(chromium(tmp_path / "profile", "--dump-dom", single.as_uri()))
    assert [a.get("data-outcome") for t, a in dom.found if t == "td"] == ["error"]
    # One run is no trend: no lone dot or bar, no one-cell trail, but a sentence instead.
    assert not dom.tags("circle")
    assert not [r for r in dom.tags("rect") if r.get("class") in ("bar", "bar bar-open")]
    assert not [s for s in dom.tags("span") if s.get("class") == "trail"]
    assert "The trend appears from the second run" in dom.text
    assert "Each gate's trend appears from the second run." in dom.text


@pytest.fixture
def served(tmp_path: Path) -> Iterator[DashboardServer]:
    history = tmp_path / "history.db"
    with open_history(history) as store:
        store.add(run((gate("api", "lint", "passed"), gate("web", "lint", "passed")), hour=0))
    live = tmp_path / "live.json"
    server = DashboardServer(history, live, port=0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def test_the_served_page_updates_its_matrix_from_the_live_file(
    served: DashboardServer, tmp_path: Path
) -> None:
    failing = gate("api", "lint", "failed", summary=HOSTILE).to_dict()
    served.live.write_text(
        json.dumps({"running": True, "run": "new-run", "gates": [failing, {"bogus": 1}]})
    )
    # The virtual time budget lets the page fetch /live.json before the DOM is dumped.
    out = chromium(tmp_path / "profile", "--virtual-time-budget=5000", "--dump-dom", served.url)
    dom = Elements(out)
    outcomes = sorted(str(a.get("data-outcome")) for t, a in dom.found if t == "td")
    assert outcomes == ["failed", "pending"]  # api finished in this run, web still to come
    assert "Run new-run in progress: 1 gate finished." in dom.text
    assert not dom.tags("img")


def _rows(dom: Elements) -> dict[str, bool]:
    """Repository rows of the matrix: name -> shown (the page draws only the rows shown)."""
    return {
        str(a["data-repo"]): "hidden" not in a
        for t, a in dom.found
        if t == "tr" and "data-repo" in a
    }


def _drive(page: Path, settings: dict[str, str]) -> None:
    """Set the form's fields as a user would; the page then drops its CSP for this script."""
    text = re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>', "", page.read_text())
    steps = "".join(
        f"document.getElementById({json.dumps(k)}).value = {json.dumps(v)};"
        f"document.getElementById({json.dumps(k)}).dispatchEvent(new Event('input'));"
        for k, v in settings.items()
    )
    page.write_text(text.replace("</body>", f"<script>{steps}</script></body>"))


@pytest.mark.parametrize(
    ("settings", "shown"),
    [
        ({"filter-outcome": "failed"}, {"api"}),
        ({"filter-outcome": "waived"}, {"web"}),
        ({"filter-repo": "W"}, {"web"}),
        ({"filter-repo": "SECRETS"}, {"api", "web"}),  # a check's name: rows with that gate
        ({"filter-check": "secrets"}, {"api", "docs", "web"}),
        ({"filter-check": "secrets", "filter-outcome": "skipped"}, set()),
        ({"filter-check": "commit-msg", "filter-outcome": "skipped"}, {"docs"}),
    ],
)
def test_filters_hide_rows_and_columns(
    page: Path, tmp_path: Path, settings: dict[str, str], shown: set[str]
) -> None:
    _drive(page, settings)
    dom = Elements(chromium(tmp_path / "profile", "--dump-dom", page.as_uri()))
    assert {name for name, visible in _rows(dom).items() if visible} == shown
    headers = [a for t, a in dom.found if t == "th" and a.get("scope") == "col"]
    if "filter-check" in settings:
        assert sum("hidden" not in a for a in headers) == 2  # "Repository" and the check


def test_a_finding_links_to_the_forge_and_a_bad_link_stays_text(tmp_path: Path) -> None:
    sha = "0123456789abcdef0123456789abcdef01234567"
    findings = tuple(
        {"rule": "r", "severity": "error", "message": "m", "file": f"src/{name}.py", "line": 4}
        for name in ("good", "evil")
    )
    record = run(
        (
            gate(
                "api", "lint", "failed", findings=findings, head=sha, forge="https://github.com/o/r"
            ),
        )
    )
    page = tmp_path / "forge.html"
    # A hand-edited history could hold any text where the page expects a link: the script
    # checks it again and shows the place as text.
    evil = f"https://github.com/o/r/blob/{sha}/src/evil.py#L4"
    text = render_dashboard([record]).replace(evil, "javascript:document.title='pwned'//")
    page.write_text(text)
    dom = Elements(
        chromium(tmp_path / "profile", "--dump-dom", page.as_uri() + "#gate=api%3A%3Alint")
    )
    links = dom.tags("a")
    assert [a.get("href") for a in links] == [f"https://github.com/o/r/blob/{sha}/src/good.py#L4"]
    assert links[0].get("rel") == "noopener noreferrer"
    assert "src/evil.py:4" in dom.text
