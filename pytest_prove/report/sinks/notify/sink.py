"""The run consumer that sends notifications (see :mod:`pytest_prove.report.consumers`).

On when ``global.reporting.notifications`` names at least one of ``slack``, ``teams``
or ``email``.  Whatever happens here, the run's exit status stays what the gates made
it: problems become terminal-summary notes, with every secret masked.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TYPE_CHECKING

from ...run_record import RECORDER_KEY
from ..dashboard import DEFAULT_DASHBOARD

# Every gates run imports this module to ask plugin() whether to notify; the notifiers
# (smtplib, ssl, http.client: ~17 ms) are imported only by a run that sends something.

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    import pytest

    from ....config.fleet import Fleet
    from ....config.models import Notifications
    from ...run_record import RunRecord
    from .deliver import Notifier

__all__ = ["plugin"]

PREFIX = "prove notifications"


def build_notifiers(
    settings: Notifications, env: Mapping[str, str]
) -> tuple[list[Notifier], list[str]]:
    """The notifiers the config asks for, and why any of them cannot be set up."""
    from .email import EmailNotifier, SmtpServer
    from .slack import SlackNotifier
    from .teams import TeamsNotifier
    from .webhook import ConfigProblem

    notifiers: list[Notifier] = []
    problems: list[str] = []
    factories: list[tuple[str, Callable[[], Notifier]]] = []
    if settings.slack:
        channel = settings.slack
        factories.append(("slack", lambda: SlackNotifier.from_env(channel, env)))
    if settings.teams:
        factories.append(("teams", lambda: TeamsNotifier.from_env(env)))
    if settings.recipients:
        recipients = settings.recipients
        factories.append(("email", lambda: EmailNotifier(SmtpServer.from_env(env), recipients)))
    for name, factory in factories:
        try:
            notifiers.append(factory())
        except ConfigProblem as exc:
            problems.append(f"{name} not sent: {exc}")
    return notifiers, problems


class _NotifySink:
    def __init__(
        self, settings: Notifications, dashboard: str | None, base_dir: Path, env: Mapping[str, str]
    ) -> None:
        self.settings = settings
        self.dashboard = dashboard
        self.base_dir = base_dir
        self.env = env

    def pytest_prove_run_finished(self, config: pytest.Config, run: RunRecord) -> None:
        from ....redact.redactor import Redactor, secret_values

        recorder = config.stash[RECORDER_KEY]
        redact = Redactor(secret_values(self.env))
        try:
            lines = self._notify(config, run)
        except Exception as exc:  # noqa: BLE001 - notifications are best-effort, never the run's fate
            lines = [f"failed: {type(exc).__name__}: {exc}"]
        for line in lines:
            recorder.note(redact(f"{PREFIX}: {line}"))

    def _notify(self, config: pytest.Config, run: RunRecord) -> list[str]:
        from .deliver import deliver
        from .message import build_message, ci_run_url, dashboard_link
        from .policy import CACHE_KEY, changes, read_previous, should_notify, verdicts

        cache = getattr(config, "cache", None)
        previous = read_previous(cache.get(CACHE_KEY, None)) if cache is not None else {}
        found = changes(run, previous)
        if cache is not None and run.gates:
            cache.set(CACHE_KEY, {**previous, **verdicts(run)})
        if not should_notify(self.settings.on, run, found):
            return []
        links = [
            (label, target)
            for label, target in (
                ("Dashboard", dashboard_link(self.dashboard, self.base_dir)),
                ("CI run", ci_run_url(self.env)),
            )
            if target
        ]
        message = build_message(run, newly_failing=found[0], fixed=found[1], links=links)
        notifiers, problems = build_notifiers(self.settings, self.env)
        deliveries = deliver(
            notifiers, message, budget=self.settings.budget, retries=self.settings.retries
        )
        return problems + [f"{d.name} {d.detail}" for d in deliveries]


def plugin(config: pytest.Config, fleet: Fleet) -> object | None:
    """The notifying consumer, or ``None`` when no destination is configured."""
    reporting = fleet.settings.reporting
    settings = reporting.notifications
    if not (settings.slack or settings.teams or settings.recipients):
        return None
    # The dashboard is written on every run, to its default path unless configured.
    dashboard = reporting.dashboard or str(DEFAULT_DASHBOARD)
    return _NotifySink(settings, dashboard, fleet.base_dir, os.environ)
