"""Notifications through the plugin: policy, exit status, terminal notes (real servers)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from email import message_from_bytes

import pytest

from tests.notify_servers import Webhook, serve_smtp, serve_webhook

TOKEN = "XXXXSECRETTOKEN"
# `flaky` fails while the file FAIL exists in the repository: runs can flip it.
MULTI = """
repositories:
  - {{name: api, path: api, checks: [flaky, ok]}}
global:
  commands:
    flaky: [python3, -c, "import os, sys; sys.exit(os.path.exists('FAIL'))"]
    ok: [python3, -c, pass]
  reporting:
    notifications:
      {notifications}
"""


@pytest.fixture
def webhook(monkeypatch: pytest.MonkeyPatch) -> Iterator[Webhook]:
    with serve_webhook() as hook:
        monkeypatch.setenv("PROVE_SLACK_WEBHOOK", hook.url(f"/services/T0/B0/{TOKEN}"))
        yield hook


def _fleet(pytester: pytest.Pytester, notifications: str, *, failing: bool) -> pytest.Pytester:
    (pytester.path / "api").mkdir(exist_ok=True)
    flag = pytester.path / "api" / "FAIL"
    if failing:
        flag.write_text("")
    else:
        flag.unlink(missing_ok=True)
    pytester.makefile(".yaml", multi=MULTI.format(notifications=notifications))
    return pytester


def _run(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    return pytester.runpytest("--prove-config", "multi.yaml", *args)


@pytest.mark.parametrize("xdist", [[], ["-n", "2"]])
def test_a_failing_run_notifies_once_and_keeps_its_exit_status(
    pytester: pytest.Pytester, webhook: Webhook, xdist: list[str]
) -> None:
    _fleet(pytester, '{slack: "#dev-quality"}', failing=True)
    result = _run(pytester, "-p", "no:cacheprovider", *xdist)
    assert result.ret == 1
    [body] = webhook.bodies
    assert body["channel"] == "#dev-quality"
    assert "*prove: 1 of 2 gates failed on " in body["text"]
    assert "- api::flaky (failed): " in body["text"]
    dashboard = pytester.path / ".prove" / "dashboard.html"
    assert f"Dashboard: {dashboard}" in body["text"]
    result.stdout.fnmatch_lines(["prove notifications: slack sent"])
    assert TOKEN not in result.stdout.str()


def test_a_passing_run_is_quiet_by_default(pytester: pytest.Pytester, webhook: Webhook) -> None:
    _fleet(pytester, '{slack: "#dev"}', failing=False)
    result = _run(pytester, "-p", "no:cacheprovider")
    assert result.ret == 0
    assert webhook.bodies == []
    assert "prove notifications" not in result.stdout.str()


def test_a_failing_webhook_is_a_note_not_a_failure(
    pytester: pytest.Pytester, webhook: Webhook
) -> None:
    webhook.script[:] = [500]
    _fleet(pytester, '{slack: "#dev", on: always, retries: 1, budget: 5}', failing=False)
    result = _run(pytester, "-p", "no:cacheprovider")
    assert result.ret == 0
    assert len(webhook.bodies) == 2
    result.stdout.fnmatch_lines(["prove notifications: slack failed after 2 attempts: HTTP 500"])
    assert TOKEN not in result.stdout.str()


def test_a_hanging_webhook_does_not_hang_the_run(
    pytester: pytest.Pytester, webhook: Webhook
) -> None:
    webhook.script[:] = ["hang"]
    _fleet(pytester, '{slack: "#dev", on: always, budget: 1}', failing=False)
    result = _run(pytester, "-p", "no:cacheprovider")
    assert result.ret == 0
    assert result.duration < 10
    result.stdout.re_match_lines([r"prove notifications: slack (out of time|no answer) .*"])


def test_a_missing_webhook_variable_is_a_note(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PROVE_SLACK_WEBHOOK", raising=False)
    _fleet(pytester, '{slack: "#dev", teams: ops}', failing=True)
    monkeypatch.setenv("PROVE_TEAMS_WEBHOOK", f"ftp://example.com/{TOKEN}")
    result = _run(pytester, "-p", "no:cacheprovider")
    assert result.ret == 1
    result.stdout.fnmatch_lines(
        [
            "prove notifications: slack not sent: PROVE_SLACK_WEBHOOK is not set",
            "prove notifications: teams not sent: PROVE_TEAMS_WEBHOOK is not an http(s) URL",
        ]
    )
    assert TOKEN not in result.stdout.str()


def test_on_change_notifies_when_a_gate_starts_failing_and_when_it_is_fixed(
    pytester: pytest.Pytester, webhook: Webhook
) -> None:
    settings = '{slack: "#dev", on: change}'
    _fleet(pytester, settings, failing=False)
    assert _run(pytester).ret == 0  # nothing failed before: no change
    assert webhook.bodies == []
    _fleet(pytester, settings, failing=True)
    assert _run(pytester).ret == 1
    assert "Newly failing: api::flaky" in webhook.bodies[-1]["text"]
    assert _run(pytester, "-n", "2").ret == 1  # still failing: no change
    assert len(webhook.bodies) == 1
    _fleet(pytester, settings, failing=False)
    assert _run(pytester).ret == 0
    assert len(webhook.bodies) == 2
    assert "Fixed: api::flaky" in webhook.bodies[-1]["text"]
    assert "all 2 gates passed" in webhook.bodies[-1]["text"]


def test_email_through_the_plugin(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    with serve_smtp(auth=False) as box:
        for name, value in {"HOST": "127.0.0.1", "PORT": str(box.port), "TLS": "off"}.items():
            monkeypatch.setenv(f"PROVE_SMTP_{name}", value)
        _fleet(pytester, "{email: 'dev@x.example, qa@x.example'}", failing=True)
        assert _run(pytester, "-p", "no:cacheprovider").ret == 1
    [envelope] = box.messages
    assert envelope.rcpt_tos == ["dev@x.example", "qa@x.example"]
    mail = message_from_bytes(envelope.content)
    assert str(mail["Subject"]).startswith("prove: 1 of 2 gates failed on ")


@pytest.mark.parametrize(
    ("notifications", "problem"),
    [
        ("{slack: '#dev', on: sometimes}",
         "global.reporting.notifications.on: Input should be 'failure', 'change' or 'always'"),
        ("{email: 'a@x.example, not an address'}",
         "global.reporting.notifications.email: 'not an address' is not an email address"),
        ("{slack: '#dev', budget: 0}",
         "global.reporting.notifications.budget: Input should be greater than 0"),
    ],
)  # fmt: skip
def test_bad_notification_settings_stop_the_run(
    pytester: pytest.Pytester, notifications: str, problem: str
) -> None:
    _fleet(pytester, notifications, failing=False)
    result = _run(pytester)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.re_match_lines([rf"ERROR: pytest-prove: multi\.yaml:\d+: {re.escape(problem)}"])


def test_an_exception_quoting_the_webhook_url_is_masked_in_the_summary(
    pytester: pytest.Pytester, webhook: Webhook, monkeypatch: pytest.MonkeyPatch
) -> None:
    # http.client rejects the space and quotes the URL's path (the token) in its error.
    monkeypatch.setenv("PROVE_SLACK_WEBHOOK", webhook.url(f"/services/T0/B0/{TOKEN} x"))
    _fleet(pytester, '{slack: "#dev", retries: 0}', failing=True)
    result = _run(pytester, "-p", "no:cacheprovider")
    assert result.ret == 1
    result.stdout.fnmatch_lines(
        ["prove notifications: slack failed after 1 attempt: *control characters*'/ser****'*"]
    )
    assert TOKEN not in result.stdout.str() + result.stderr.str()
    assert webhook.bodies == []
