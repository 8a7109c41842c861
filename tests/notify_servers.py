"""Real local servers for the notification tests: an HTTP webhook and an SMTP server."""

from __future__ import annotations

import contextlib
import dataclasses
import http.server
import json
import socket
import threading
from collections.abc import Iterator
from typing import Any

# What the webhook answers, request after request (the last one repeats).
#   an int: that HTTP status; "hang": no answer for HANG_SECONDS.
HANG_SECONDS = 5.0


@dataclasses.dataclass
class Webhook:
    port: int
    script: list[int | str]
    bodies: list[Any] = dataclasses.field(default_factory=list)
    release: threading.Event = dataclasses.field(default_factory=threading.Event)

    def url(self, path: str = "/services/T0000/B0000/XXXXSECRETTOKEN") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def next_answer(self) -> int | str:
        return self.script.pop(0) if len(self.script) > 1 else self.script[0]


def _handler(hook: Webhook) -> type[http.server.BaseHTTPRequestHandler]:
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            hook.bodies.append(json.loads(self.rfile.read(length)))
            answer = hook.next_answer()
            if answer == "hang":
                hook.release.wait(HANG_SECONDS)
                return
            self.send_response(int(answer))
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


@contextlib.contextmanager
def serve_webhook() -> Iterator[Webhook]:
    """An HTTP server answering POSTs as its ``script`` says (default: 200)."""
    hook = Webhook(port=0, script=[200])
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _handler(hook))
    server.daemon_threads = True
    hook.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield hook
    finally:
        hook.release.set()
        server.shutdown()
        server.server_close()


def refused_port() -> int:
    """A port nothing listens on (bound, then closed)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


@dataclasses.dataclass
class Mailbox:
    port: int
    messages: list[Any] = dataclasses.field(default_factory=list)
    logins: list[str] = dataclasses.field(default_factory=list)


USER, PASSWORD = "notifier", "s3cret-smtp-password"


@contextlib.contextmanager
def serve_smtp(*, auth: bool) -> Iterator[Mailbox]:
    """aiosmtpd on a free port; with ``auth``, AUTH is required (over plain SMTP)."""
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult, LoginPassword

    box = Mailbox(port=refused_port())

    class Handler:
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            box.messages.append(envelope)
            return "250 OK"

    def authenticate(server: Any, session: Any, envelope: Any, mechanism: str,
                     auth_data: Any) -> AuthResult:  # fmt: skip
        ok = (
            isinstance(auth_data, LoginPassword)
            and auth_data.login.decode() == USER
            and auth_data.password.decode() == PASSWORD
        )
        if ok:
            box.logins.append(USER)
        return AuthResult(success=ok, handled=False)

    controller = Controller(
        Handler(),
        hostname="127.0.0.1",
        port=box.port,
        authenticator=authenticate if auth else None,
        auth_required=auth,
        auth_require_tls=False,
    )
    controller.start()
    try:
        yield box
    finally:
        controller.stop()
