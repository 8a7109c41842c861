"""The local web server of ``prove status --dashboard``.

``/`` is the dashboard rendered afresh from the history at each request, with
``live_url="/live.json"``; ``/live.json`` is the run-in-progress file the dashboard consumer
keeps up to date (:data:`pytest_prove.report.sinks.dashboard.LIVE_FILE`). It listens on the
loopback interface only and answers only requests addressed to it by a loopback name, so a
web page elsewhere cannot read the findings through DNS rebinding.
"""

from __future__ import annotations

import http.server
import json
import urllib.parse
from pathlib import Path
from typing import Final

from ..history.live_file import LiveFileError, parse_live
from ..sinks.dashboard import recent_history
from .dashboard import render_dashboard

__all__ = ["LIVE_PATH", "DashboardServer"]

LIVE_PATH: Final = "/live.json"
_IDLE: Final = b'{"running":false,"gates":[]}'
_LOOPBACK_NAMES: Final = frozenset({"127.0.0.1", "localhost", "::1"})


def _host_name(header: str) -> str | None:
    """The host name of a ``Host`` header, without port or IPv6 brackets."""
    try:
        return urllib.parse.urlsplit(f"//{header}").hostname
    except ValueError:
        return None


class DashboardServer(http.server.ThreadingHTTPServer):
    """Serves the page and the live file; ``port`` 0 picks a free port (see :attr:`url`)."""

    daemon_threads = True

    def __init__(self, history: Path | None, live: Path, *, port: int = 0) -> None:
        self.history = history
        self.live = live
        super().__init__(("127.0.0.1", port), _Handler)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/"

    def page(self) -> bytes:
        runs, outcomes, _ = recent_history(self.history)
        return render_dashboard(runs, live_url=LIVE_PATH, outcomes=outcomes).encode()

    def live_state(self) -> bytes:
        """The live file if it holds a JSON object (a run may be replacing it), else idle.

        A file left ``running`` by a run whose process is gone says ``running: false``
        and ``interrupted: true`` instead, so the page stops waiting for it.
        """
        try:
            data = self.live.read_bytes()
            state = json.loads(data)
        except (OSError, ValueError, RecursionError):
            return _IDLE
        try:
            live = parse_live(state)
        except LiveFileError:
            return _IDLE
        if live.running and live.state() == "gone":
            state.update(running=False, interrupted=True)
            return json.dumps(state, separators=(",", ":")).encode()
        return data


class _Handler(http.server.BaseHTTPRequestHandler):
    server: DashboardServer
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        if _host_name(self.headers.get("Host", "")) not in _LOOPBACK_NAMES:
            self._send(421, "text/plain; charset=utf-8", b"not a loopback host name\n")
            return
        path = self.path.split("?", 1)[0]
        if path in ("/", "/index.html"):
            self._send(200, "text/html; charset=utf-8", self.server.page())
        elif path == LIVE_PATH:
            self._send(200, "application/json", self.server.live_state())
        else:
            self._send(404, "text/plain; charset=utf-8", b"not found\n")

    def _send(self, status: int, content_type: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: a poll every 2 s would bury the terminal."""
