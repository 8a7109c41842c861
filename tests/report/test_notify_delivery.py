"""Notifiers against a real local HTTP server and a real local SMTP server (aiosmtpd)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from email import message_from_bytes
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pytest_prove.redact.redactor import Redactor
from pytest_prove.report.sinks.notify.deliver import Delivery, NotifyError, deliver
from pytest_prove.report.sinks.notify.email import EmailNotifier, SmtpServer
from pytest_prove.report.sinks.notify.message import (
    Message,
    build_message,
    ci_run_url,
    dashboard_link,
)
from pytest_prove.report.sinks.notify.slack import SlackNotifier, slack_payload
from pytest_prove.report.sinks.notify.teams import TeamsNotifier, teams_payload
from pytest_prove.report.sinks.notify.webhook import ConfigProblem
from tests.notify_servers import (
    PASSWORD,
    USER,
    Mailbox,
    Webhook,
    refused_port,
    serve_smtp,
    serve_webhook,
)
from tests.run_records import gate, run_of

TOKEN = "XXXXSECRETTOKEN"


MESSAGE = build_message(
    run_of(
        gate("api", "lint", "failed", "3 findings: <b>src/a.py</b> & more"),
        gate("web", "ok", "passed"),
    ),
    links=[("Dashboard", "/ci/.prove/dashboard.html")],
)


@pytest.fixture
def webhook() -> Iterator[Webhook]:
    with serve_webhook() as hook:
        yield hook


def _send(notifier: Any, **options: Any) -> Delivery:
    options = {"budget": 5.0, "retries": 2, "backoff": 0.01, **options}
    [delivery] = deliver([notifier], MESSAGE, **options)
    return delivery


# -- the message -----------------------------------------------------------------------


def test_the_message_has_counts_failed_gates_and_links() -> None:
    assert MESSAGE.title == "prove: 1 of 2 gates failed on ci-7"
    assert MESSAGE.text() == (
        "prove: 1 of 2 gates failed on ci-7\n"
        "1 passed, 1 failed\n\n"
        "Failed gates:\n"
        "- api::lint (failed): 3 findings: <b>src/a.py</b> & more\n\n"
        "Dashboard: /ci/.prove/dashboard.html\n"
    )


def test_a_long_run_lists_twenty_gates_and_a_multi_line_summary_is_one_line() -> None:
    gates = [gate(f"r{i:02}", "lint", "error", "line one\nline two") for i in range(25)]
    message = build_message(run_of(*gates))
    assert message.title == "prove: 25 of 25 gates failed on ci-7"
    assert message.failed[0] == "r00::lint (error): line one line two"
    assert message.failed[-1] == "… and 5 more"
    assert len(message.failed) == 21


def test_links_never_carry_a_dashboard_urls_credentials_or_query(tmp_path: Any) -> None:
    url = "https://bob:pw@dash.example:8443/results?token=abc"
    assert dashboard_link(url, tmp_path) == "https://dash.example:8443/results"
    assert dashboard_link(".prove/d.html", tmp_path) == str(tmp_path / ".prove/d.html")
    assert dashboard_link("HTTPS://dash.example/r?t=x", tmp_path) == "https://dash.example/r"
    assert dashboard_link(None, tmp_path) is None
    env = {"GITHUB_SERVER_URL": "https://github.com", "GITHUB_REPOSITORY": "o/r",
           "GITHUB_RUN_ID": "42"}  # fmt: skip
    assert ci_run_url(env) == "https://github.com/o/r/actions/runs/42"
    assert ci_run_url({"CI_JOB_URL": "https://gl/j/1"}) == "https://gl/j/1"
    assert ci_run_url({}) is None


def test_slack_escapes_its_control_characters_and_names_the_channel() -> None:
    payload = slack_payload(MESSAGE, "#dev-quality")
    assert payload["channel"] == "#dev-quality"
    assert "&lt;b&gt;src/a.py&lt;/b&gt; &amp; more" in payload["text"]
    assert "<b>" not in payload["text"]
    assert payload["text"].startswith("*prove: 1 of 2 gates failed on ci-7*\n")


def test_teams_gets_an_adaptive_card() -> None:
    payload = teams_payload(MESSAGE)
    [attachment] = payload["attachments"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    texts = [block["text"] for block in attachment["content"]["body"]]
    assert texts[0] == MESSAGE.title
    assert "- api::lint (failed): 3 findings: <b>src/a.py</b> & more" in texts


# -- webhooks over real HTTP --------------------------------------------------------------


def test_a_webhook_post_that_succeeds(webhook: Webhook) -> None:
    assert _send(SlackNotifier("#dev", webhook.url())) == Delivery("slack", True, "sent")
    [body] = webhook.bodies
    assert body["channel"] == "#dev"
    assert "api::lint (failed)" in body["text"]


def test_a_500_is_retried_then_succeeds(webhook: Webhook) -> None:
    webhook.script[:] = [500, 200]
    assert _send(TeamsNotifier(webhook.url())) == Delivery("teams", True, "sent (attempt 2)")
    assert len(webhook.bodies) == 2


def test_retries_are_bounded(webhook: Webhook) -> None:
    webhook.script[:] = [503]
    delivery = _send(SlackNotifier("#dev", webhook.url()), retries=2)
    assert delivery == Delivery("slack", False, "failed after 3 attempts: HTTP 503")
    assert len(webhook.bodies) == 3


def test_a_client_error_is_not_retried(webhook: Webhook) -> None:
    webhook.script[:] = [404]
    delivery = _send(SlackNotifier("#dev", webhook.url()))
    assert delivery == Delivery("slack", False, "failed after 1 attempt: HTTP 404")
    assert len(webhook.bodies) == 1


def test_a_hanging_webhook_costs_at_most_the_budget(webhook: Webhook) -> None:
    webhook.script[:] = ["hang"]
    started = time.monotonic()
    delivery = _send(SlackNotifier("#dev", webhook.url()), budget=0.6)
    assert time.monotonic() - started < 1.5
    assert not delivery.ok
    assert "timed out" in delivery.detail or "no answer" in delivery.detail


def test_connection_refused_is_retried_then_reported() -> None:
    url = f"http://127.0.0.1:{refused_port()}/services/T0/B0/{TOKEN}"
    delivery = _send(SlackNotifier("#dev", url), retries=1)
    assert delivery == Delivery(
        "slack", False, "failed after 2 attempts: cannot reach the webhook: Connection refused"
    )


def test_the_budget_is_shared_and_a_notifier_ignoring_timeouts_cannot_hang_the_run(
    webhook: Webhook,
) -> None:
    release = threading.Event()

    class Stuck:
        name = "stuck"
        secrets = ()

        def send(self, message: Message, timeout: float) -> None:
            release.wait(10)  # ignores its timeout, as a wedged library might

    started = time.monotonic()
    try:
        deliveries = deliver(
            [Stuck(), SlackNotifier("#dev", webhook.url())], MESSAGE, budget=0.5, retries=0
        )
    finally:
        release.set()
    assert time.monotonic() - started < 1.5
    assert deliveries == [
        Delivery("stuck", False, "no answer within the 0.5 s budget"),
        Delivery("slack", True, "sent"),
    ]


def test_an_unexpected_exception_in_a_notifier_is_a_failed_delivery() -> None:
    class Broken:
        name = "broken"
        secrets = ("hunter2-secret",)

        def send(self, message: Message, timeout: float) -> None:
            raise RuntimeError("bad state near hunter2-secret")

    assert _send(Broken()) == Delivery(
        "broken", False, "failed after 1 attempt: RuntimeError: bad state near hunt****"
    )


# -- secrets ----------------------------------------------------------------------------


def test_an_error_quoting_the_webhook_url_is_masked(webhook: Webhook) -> None:
    # http.client refuses the space and quotes the URL's path, token included.
    url = webhook.url(f"/services/T0/B0/{TOKEN} x")
    delivery = _send(SlackNotifier("#dev", url), retries=0)
    assert not delivery.ok
    assert "URL can't contain control characters" in delivery.detail
    assert TOKEN not in delivery.detail
    assert "/ser****" in delivery.detail


def test_the_url_is_not_in_a_notifiers_repr(webhook: Webhook) -> None:
    notifier = SlackNotifier("#dev", webhook.url())
    assert TOKEN not in repr(notifier)
    assert TOKEN not in repr(TeamsNotifier(webhook.url()))


@given(st.text(alphabet="0123456789 :/'\"\n%?=", max_size=40))
def test_redaction_leaves_no_secret_behind(noise: str) -> None:
    url = f"https://hooks.example/services/T0/B0/{TOKEN}?sig=abcdefgh12"
    redact = Redactor([url, PASSWORD, ""])
    for text in (url, f"/services/T0/B0/{TOKEN}", "sig=abcdefgh12", PASSWORD):
        shown = redact(f"{noise}{text}{noise}")
        assert TOKEN not in shown
        assert "abcdefgh12" not in shown
        assert PASSWORD not in shown
        assert "****" in shown


@pytest.mark.parametrize(
    ("env", "problem"),
    [
        ({}, "PROVE_SLACK_WEBHOOK is not set"),
        ({"PROVE_SLACK_WEBHOOK": "  "}, "PROVE_SLACK_WEBHOOK is not set"),
        ({"PROVE_SLACK_WEBHOOK": f"file:///etc/{TOKEN}"}, "is not an http(s) URL"),
        ({"PROVE_SLACK_WEBHOOK": f"https:///{TOKEN}"}, "is not an http(s) URL"),
        ({"PROVE_SLACK_WEBHOOK": f"http://[::1/{TOKEN}"}, "PROVE_SLACK_WEBHOOK is not a URL"),
    ],
)
def test_a_bad_webhook_variable_is_named_but_not_shown(env: dict[str, str], problem: str) -> None:
    with pytest.raises(ConfigProblem) as excinfo:
        SlackNotifier.from_env("#dev", env)
    assert problem in str(excinfo.value)
    assert TOKEN not in str(excinfo.value)


# -- email over real SMTP -----------------------------------------------------------------

# aiosmtpd warns that AUTH without TLS is unsafe: true, and what these tests want to reach.
PLAIN_AUTH = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")


def _smtp_env(box: Mailbox, **extra: str) -> dict[str, str]:
    return {"PROVE_SMTP_HOST": "127.0.0.1", "PROVE_SMTP_PORT": str(box.port),
            "PROVE_SMTP_TLS": "off", "PROVE_SMTP_FROM": "prove@ci.example", **extra}  # fmt: skip


def test_email_over_plain_smtp() -> None:
    with serve_smtp(auth=False) as box:
        notifier = EmailNotifier(
            SmtpServer.from_env(_smtp_env(box)), ("a@x.example", "b@x.example")
        )
        assert _send(notifier) == Delivery("email", True, "sent")
    [envelope] = box.messages
    assert envelope.mail_from == "prove@ci.example"
    assert envelope.rcpt_tos == ["a@x.example", "b@x.example"]
    mail = message_from_bytes(envelope.content)
    assert mail["Subject"] == "prove: 1 of 2 gates failed on ci-7"
    assert "- api::lint (failed): 3 findings: <b>src/a.py</b> & more" in mail.get_payload()


@PLAIN_AUTH
def test_email_with_authentication() -> None:
    env = {"PROVE_SMTP_USER": USER, "PROVE_SMTP_PASSWORD": PASSWORD}
    with serve_smtp(auth=True) as box:
        notifier = EmailNotifier(SmtpServer.from_env(_smtp_env(box, **env)), ("a@x.example",))
        assert _send(notifier) == Delivery("email", True, "sent")
    assert box.logins == [USER]
    assert len(box.messages) == 1


@PLAIN_AUTH
def test_a_wrong_smtp_password_is_not_retried_nor_shown() -> None:
    env = {"PROVE_SMTP_USER": USER, "PROVE_SMTP_PASSWORD": "wrong-password-123"}
    with serve_smtp(auth=True) as box:
        notifier = EmailNotifier(SmtpServer.from_env(_smtp_env(box, **env)), ("a@x.example",))
        delivery = _send(notifier)
    assert delivery == Delivery(
        "email", False, "failed after 1 attempt: SMTP authentication failed (535)"
    )
    assert box.messages == []


def test_starttls_against_a_server_without_it_fails_clearly() -> None:
    with serve_smtp(auth=False) as box:
        env = _smtp_env(box, PROVE_SMTP_TLS="starttls")
        delivery = _send(EmailNotifier(SmtpServer.from_env(env), ("a@x.example",)))
    assert not delivery.ok
    assert "does not support it" in delivery.detail
    assert box.messages == []


def test_an_unreachable_smtp_server_is_retried() -> None:
    env = {"PROVE_SMTP_HOST": "127.0.0.1", "PROVE_SMTP_PORT": str(refused_port()),
           "PROVE_SMTP_TLS": "off"}  # fmt: skip
    delivery = _send(EmailNotifier(SmtpServer.from_env(env), ("a@x.example",)), retries=1)
    assert delivery == Delivery(
        "email", False, "failed after 2 attempts: cannot reach the SMTP server: Connection refused"
    )


@pytest.mark.parametrize(
    ("env", "problem"),
    [
        ({}, "PROVE_SMTP_HOST is not set"),
        ({"PROVE_SMTP_HOST": "h", "PROVE_SMTP_TLS": "maybe"},
         "PROVE_SMTP_TLS must be starttls, ssl or off, not 'maybe'"),
        ({"PROVE_SMTP_HOST": "h", "PROVE_SMTP_PORT": "smtp"},
         "PROVE_SMTP_PORT must be a port number, not 'smtp'"),
        ({"PROVE_SMTP_HOST": "h", "PROVE_SMTP_PORT": "70000"},
         "PROVE_SMTP_PORT must be a port number, not '70000'"),
        ({"PROVE_SMTP_HOST": "h", "PROVE_SMTP_USER": "u"},
         "PROVE_SMTP_USER is set but PROVE_SMTP_PASSWORD is not"),
    ],
)  # fmt: skip
def test_bad_smtp_variables(env: dict[str, str], problem: str) -> None:
    with pytest.raises(ConfigProblem) as excinfo:
        SmtpServer.from_env(env)
    assert str(excinfo.value) == problem


def test_smtp_defaults_follow_the_tls_mode() -> None:
    assert SmtpServer.from_env({"PROVE_SMTP_HOST": "h"}).port == 587
    assert SmtpServer.from_env({"PROVE_SMTP_HOST": "h", "PROVE_SMTP_TLS": "SSL"}).port == 465
    env = {"PROVE_SMTP_HOST": "h", "PROVE_SMTP_TLS": "off", "PROVE_SMTP_USER": "u"}
    server = SmtpServer.from_env({**env, "PROVE_SMTP_PASSWORD": PASSWORD})
    assert server.port == 25
    assert PASSWORD not in repr(server)


def test_notify_error_carries_whether_to_retry() -> None:
    assert NotifyError("x", retry=True).retry
