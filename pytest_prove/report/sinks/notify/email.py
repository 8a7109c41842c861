"""Email over SMTP; server, TLS and credentials from ``PROVE_SMTP_*`` variables.

``PROVE_SMTP_TLS`` is ``starttls`` (the default), ``ssl`` (implicit TLS) or ``off``;
the port defaults to 587, 465 and 25 respectively.  Authentication happens only when
``PROVE_SMTP_USER`` is set.
"""

from __future__ import annotations

import dataclasses
import smtplib
import socket
import ssl
from collections.abc import Mapping, Sequence
from email.message import EmailMessage
from typing import Final, Literal

from .deliver import NotifyError
from .message import Message
from .webhook import ConfigProblem

__all__ = ["EmailNotifier", "SmtpServer", "email_message"]

Tls = Literal["starttls", "ssl", "off"]
_PORTS: Final[dict[Tls, int]] = {"starttls": 587, "ssl": 465, "off": 25}
_TLS_MODES: Final[dict[str, Tls]] = {"starttls": "starttls", "ssl": "ssl", "off": "off"}


@dataclasses.dataclass(frozen=True)
class SmtpServer:
    host: str
    port: int
    tls: Tls
    sender: str
    user: str | None = None
    password: str | None = dataclasses.field(default=None, repr=False)

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> SmtpServer:
        host = env.get("PROVE_SMTP_HOST", "").strip()
        if not host:
            raise ConfigProblem("PROVE_SMTP_HOST is not set")
        tls_name = env.get("PROVE_SMTP_TLS", "").strip().lower() or "starttls"
        tls = _TLS_MODES.get(tls_name)
        if tls is None:
            raise ConfigProblem(f"PROVE_SMTP_TLS must be starttls, ssl or off, not {tls_name!r}")
        raw_port = env.get("PROVE_SMTP_PORT", "").strip()
        try:
            port = int(raw_port) if raw_port else _PORTS[tls]
        except ValueError:
            port = 0
        if not 0 < port < 65536:
            raise ConfigProblem(f"PROVE_SMTP_PORT must be a port number, not {raw_port!r}")
        user = env.get("PROVE_SMTP_USER") or None
        password = env.get("PROVE_SMTP_PASSWORD") or None
        if user and password is None:
            raise ConfigProblem("PROVE_SMTP_USER is set but PROVE_SMTP_PASSWORD is not")
        sender = env.get("PROVE_SMTP_FROM", "").strip() or f"pytest-prove@{socket.getfqdn()}"
        return cls(host, port, tls, sender, user, password)


def email_message(message: Message, sender: str, recipients: Sequence[str]) -> EmailMessage:
    mail = EmailMessage()
    mail["Subject"] = message.title
    mail["From"] = sender
    mail["To"] = ", ".join(recipients)
    mail.set_content("\n".join(message.lines()) + "\n")
    return mail


def _classify(exc: Exception) -> NotifyError:
    """Temporary trouble (4xx replies, dropped connections, timeouts) is worth a retry."""
    problem, retry = f"SMTP failed: {type(exc).__name__}", True
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        problem, retry = f"SMTP authentication failed ({exc.smtp_code})", False
    elif isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = sorted({code for code, _ in exc.recipients.values()})
        problem, retry = f"recipients refused (SMTP {codes})", False
    elif isinstance(exc, smtplib.SMTPNotSupportedError):
        problem, retry = f"the server does not support it: {exc}", False
    elif isinstance(exc, smtplib.SMTPResponseException):
        problem, retry = f"SMTP {exc.smtp_code}", 400 <= exc.smtp_code < 500
    elif isinstance(exc, ssl.SSLError):
        problem, retry = f"TLS failed: {exc.reason or exc}", False
    elif isinstance(exc, OSError) and exc.strerror:
        problem = f"cannot reach the SMTP server: {exc.strerror}"
    return NotifyError(problem, retry=retry)


@dataclasses.dataclass(frozen=True)
class EmailNotifier:
    server: SmtpServer
    recipients: tuple[str, ...]
    name: str = "email"

    @property
    def secrets(self) -> tuple[str, ...]:
        return tuple(s for s in (self.server.user, self.server.password) if s)

    def send(self, message: Message, timeout: float) -> None:
        server = self.server
        mail = email_message(message, server.sender, self.recipients)
        context = ssl.create_default_context()
        try:
            smtp = (
                smtplib.SMTP_SSL(server.host, server.port, timeout=timeout, context=context)
                if server.tls == "ssl"
                else smtplib.SMTP(server.host, server.port, timeout=timeout)
            )
            with smtp:
                if server.tls == "starttls":
                    smtp.starttls(context=context)
                if server.user and server.password is not None:
                    smtp.login(server.user, server.password)
                smtp.send_message(mail)
        except (smtplib.SMTPException, OSError) as exc:
            raise _classify(exc) from None
