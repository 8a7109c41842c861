"""The dashboard consumer in real runs: the file, the live file, and POSTing to a URL."""

from __future__ import annotations

import http.server
import json
import re
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pytest_prove.report.sinks import dashboard as dashboard_sink
from tests.fleet_file import command, entry, fleet_yaml
from tests.repo_builder import MakeRepo

FAIL = ["python3", "-c", 'import sys; print("src/a.py:3: E1 <script>x</script>"); sys.exit(1)']


def _multi(dashboard: str | None = None) -> str:
    commands = {"lint": command(*FAIL), "ok": ["python3", "-c", "pass"]}
    reporting = {} if dashboard is None else {"reporting": {"dashboard": dashboard}}
    return fleet_yaml(
        entry("api", "api", ["lint", "ok"]),
        entry("web", "web", ["ok"]),
        global_={"commands": commands, **reporting},
    )


@pytest.fixture
def fleet(pytester: pytest.Pytester) -> pytest.Pytester:
    for name in ("api", "web"):
        (pytester.path / name).mkdir()
    pytester.makefile(".yaml", multi=_multi())
    return pytester


def _page_data(path: Path) -> dict[str, Any]:
    found = re.search(r'id="prove-data">(.*?)</script>', path.read_text(), re.S)
    assert found is not None
    data: dict[str, Any] = json.loads(found.group(1))
    return data


@pytest.mark.parametrize("xdist", [[], ["-n", "2"]])
def test_each_run_rewrites_the_page_from_the_history_and_the_live_file(
    fleet: pytest.Pytester, xdist: list[str]
) -> None:
    for _ in range(2):
        result = fleet.runpytest("--prove-config", "multi.yaml", "-p", "no:cacheprovider", *xdist)
        assert result.ret == 1
    page = fleet.path / ".prove" / "dashboard.html"
    result.stdout.fnmatch_lines([f"*dashboard: {page}*"])
    data = _page_data(page)
    assert len(data["runs"]) == 2  # the history's first run, and this one once
    outcomes = {(g["repo"], g["check"]): g["outcome"] for g in data["latest"]["gates"]}
    assert outcomes == {("api", "lint"): "failed", ("api", "ok"): "passed", ("web", "ok"): "passed"}
    live = json.loads((fleet.path / ".prove" / "live.json").read_text())
    assert live["running"] is False
    assert live["run"] == data["latest"]["id"]
    assert len(live["gates"]) == 3
    assert not list((fleet.path / ".prove").glob(".dashboard.html.*"))  # no temporary left


def test_a_broken_history_narrows_the_page_to_this_run(fleet: pytest.Pytester) -> None:
    history = fleet.path / ".prove" / "history.db"
    history.parent.mkdir()
    history.write_bytes(b"not a database, just bytes" * 100)
    result = fleet.runpytest("--prove-config", "multi.yaml", "-p", "no:cacheprovider")
    assert result.ret == 1
    result.stdout.fnmatch_lines(["*dashboard: history not read, showing this run only*"])
    assert len(_page_data(fleet.path / ".prove" / "dashboard.html")["runs"]) == 1


def test_without_history_the_page_shows_this_run(fleet: pytest.Pytester) -> None:
    result = fleet.runpytest("--prove-config", "multi.yaml", "--prove-no-history")
    assert result.ret == 1
    assert not (fleet.path / ".prove" / "history.db").exists()
    assert len(_page_data(fleet.path / ".prove" / "dashboard.html")["runs"]) == 1


def test_a_configured_path_is_used_and_an_unwritable_one_is_only_a_note(
    fleet: pytest.Pytester,
) -> None:
    fleet.makefile(".yaml", multi=_multi("out/status.html"))
    fleet.runpytest("--prove-config", "multi.yaml")
    assert _page_data(fleet.path / "out" / "status.html")["latest"]["gates"]
    (fleet.path / "blocker").write_text("a file where a directory should be")
    fleet.makefile(".yaml", multi=_multi("blocker/status.html"))
    result = fleet.runpytest("--prove-config", "multi.yaml")
    assert result.ret == 1  # the gates' verdict, not the dashboard's
    result.stdout.fnmatch_lines(["*dashboard not written to *blocker*status.html*"])


def test_a_dashboard_path_naming_the_history_never_overwrites_it(fleet: pytest.Pytester) -> None:
    fleet.runpytest("--prove-config", "multi.yaml")  # a first run into the history
    history = fleet.path / ".prove" / "history.db"
    before = history.read_bytes()
    fleet.makefile(".yaml", multi=_multi(".prove/history.db"))
    result = fleet.runpytest("--prove-config", "multi.yaml")
    result.stdout.fnmatch_lines(
        ["*dashboard not written to *history.db: it exists and is not a pytest-prove dashboard*"]
    )
    assert history.read_bytes()[:16] == b"SQLite format 3\0"
    assert len(history.read_bytes()) >= len(before)  # this run was added, nothing lost
    fleet.makefile(".yaml", multi=_multi())
    fleet.runpytest("--prove-config", "multi.yaml")
    assert len(_page_data(fleet.path / ".prove" / "dashboard.html")["runs"]) == 3


def test_the_live_file_is_running_while_gates_finish(
    fleet: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(dashboard_sink, "LIVE_INTERVAL", 0.0)
    seen: list[dict[str, Any]] = []
    fleet.makeconftest(
        """
import json
from pathlib import Path

def pytest_prove_gate_finished(config, gate):
    live = Path(config.rootpath, ".prove", "live.json")
    with open(Path(config.rootpath, "seen.jsonl"), "a") as out:
        out.write(live.read_text())
"""
    )
    fleet.runpytest("--prove-config", "multi.yaml")
    seen = [json.loads(line) for line in (fleet.path / "seen.jsonl").read_text().splitlines()]
    assert [s["running"] for s in seen] == [True, True, True]
    # One more gate each time (whether the conftest's hook runs before ours or after).
    counts = [len(s["gates"]) for s in seen]
    assert counts in ([0, 1, 2], [1, 2, 3])


class _Receiver(http.server.BaseHTTPRequestHandler):
    bodies: list[bytes]
    status = 200
    delay = 0.0

    def do_POST(self) -> None:
        time.sleep(self.delay)
        self.bodies.append(self.rfile.read(int(self.headers["Content-Length"])))
        self.send_response(self.status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def receiver() -> Iterator[tuple[http.server.ThreadingHTTPServer, type[_Receiver]]]:
    handler = type("Handler", (_Receiver,), {"bodies": []})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server, handler
    server.shutdown()
    server.server_close()


def test_a_url_receives_the_run_as_json_and_its_secrets_are_never_shown(
    fleet: pytest.Pytester, receiver: tuple[http.server.ThreadingHTTPServer, type[_Receiver]]
) -> None:
    server, handler = receiver
    port = server.server_address[1]
    url = f"HTTP://prove:hunter2secret@127.0.0.1:{port}/hook?token=tok-123456"
    fleet.makefile(".yaml", multi=_multi(url))
    result = fleet.runpytest("--prove-config", "multi.yaml", "-n", "2")
    assert result.ret == 1
    (body,) = handler.bodies
    posted = json.loads(body)
    assert {(g["repo"], g["check"], g["outcome"]) for g in posted["gates"]} == {
        ("api", "lint", "failed"),
        ("api", "ok", "passed"),
        ("web", "ok", "passed"),
    }
    result.stdout.fnmatch_lines([f"*dashboard: results posted to http://127.0.0.1:{port}/hook"])
    assert "hunter2" not in result.stdout.str()
    assert "tok-123456" not in result.stdout.str()
    assert not (fleet.path / ".prove" / "dashboard.html").exists()


def test_a_failing_url_is_retried_then_noted_without_failing_the_run(
    fleet: pytest.Pytester,
    receiver: tuple[http.server.ThreadingHTTPServer, type[_Receiver]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    server, handler = receiver
    handler.status = 503
    monkeypatch.setattr(dashboard_sink, "POST_BACKOFF", 0.01)
    url = f"http://127.0.0.1:{server.server_address[1]}/hook?key=s3cr3t-value"
    fleet.makefile(".yaml", multi=_multi(url))
    result = fleet.runpytest("--prove-config", "multi.yaml")
    assert result.ret == 1
    assert len(handler.bodies) == 1 + dashboard_sink.POST_RETRIES
    result.stdout.fnmatch_lines(
        ["*dashboard: results not posted: failed after 4 attempts: HTTP 503*"]
    )
    assert "s3cr3t" not in result.stdout.str()


def test_a_hanging_url_costs_the_run_only_the_budget(
    fleet: pytest.Pytester,
    receiver: tuple[http.server.ThreadingHTTPServer, type[_Receiver]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    server, handler = receiver
    handler.delay = 30.0
    monkeypatch.setattr(dashboard_sink, "POST_BUDGET", 1.0)
    url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    fleet.makefile(".yaml", multi=_multi(url))
    began = time.monotonic()
    result = fleet.runpytest("--prove-config", "multi.yaml")
    assert time.monotonic() - began < 10
    assert result.ret == 1
    result.stdout.fnmatch_lines(["*dashboard: results not posted:*"])


def test_the_state_directory_stays_out_of_the_gated_repository(
    pytester: pytest.Pytester, make_repo: MakeRepo
) -> None:
    repo = make_repo("svc")
    repo.write("a.txt", "a\n")
    repo.commit("feat: a")
    result = pytester.runpytest(
        str(repo.path), "--prove", "--prove-only", "--rootdir", str(repo.path)
    )
    assert (repo.path / ".prove" / "live.json").is_file()
    assert (repo.path / ".prove" / ".gitignore").read_text().endswith("*\n")
    assert repo.git("status", "--porcelain").strip() == "", result.stdout.str()


# A linter's report with one finding at src/a.py line 3, as ESLint writes it.
ESLINT = (
    "import json, os, sys; print(json.dumps([{'filePath': os.path.join(os.getcwd(), 'src/a.py'),"
    " 'messages': [{'ruleId': 'E1', 'severity': 2, 'message': 'bad', 'line': 3}]}])); sys.exit(1)"
)


def test_a_finding_links_to_its_line_on_the_forge_of_origin(
    pytester: pytest.Pytester, make_repo: MakeRepo
) -> None:
    repo = make_repo("api")
    repo.git("remote", "add", "origin", "https://ci:ghp_notarealtoken123@github.com/o/api.git")
    web = make_repo("web")
    web.git("remote", "add", "origin", "git@bitbucket.org:o/web.git")
    pytester.makefile(
        ".yaml",
        multi=fleet_yaml(
            entry("api", str(repo.path), ["lint"]),
            entry("web", str(web.path), ["lint"]),
            global_={"commands": {"lint": command("python3", "-c", ESLINT, parse="eslint-json")}},
        ),
    )
    result = pytester.runpytest("--prove-config", "multi.yaml", "-p", "no:cacheprovider")
    assert result.ret == 1
    page = pytester.path / ".prove" / "dashboard.html"
    gates = {g["repo"]: g for g in _page_data(page)["latest"]["gates"]}
    (finding,) = [f for f in gates["api"]["findings"] if f["file"]]
    assert finding["url"] == f"https://github.com/o/api/blob/{repo.head}/src/a.py#L3"
    assert not [f for f in gates["web"]["findings"] if "url" in f]  # a forge prove does not know
    assert "ghp_notarealtoken123" not in page.read_text()
