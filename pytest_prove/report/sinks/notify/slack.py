"""Slack incoming webhooks (``PROVE_SLACK_WEBHOOK``); the config's ``slack`` names the channel."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any, Final

from .message import Message
from .webhook import post_json, webhook_from_env

__all__ = ["SLACK_WEBHOOK", "SlackNotifier", "slack_payload"]

SLACK_WEBHOOK: Final = "PROVE_SLACK_WEBHOOK"


def _escape(text: str) -> str:
    # Slack's mrkdwn control characters (https://api.slack.com/reference/surfaces/formatting).
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack_payload(message: Message, channel: str) -> dict[str, Any]:
    """``text`` for the notification itself; ``channel`` is honoured by legacy webhooks only."""
    body = "\n".join(_escape(line) for line in message.lines())
    return {"channel": channel, "text": f"*{_escape(message.title)}*\n{body}"}


@dataclasses.dataclass(frozen=True)
class SlackNotifier:
    channel: str
    url: str = dataclasses.field(repr=False)
    name: str = "slack"

    @classmethod
    def from_env(cls, channel: str, env: Mapping[str, str]) -> SlackNotifier:
        return cls(channel, webhook_from_env(env, SLACK_WEBHOOK))

    @property
    def secrets(self) -> tuple[str, ...]:
        return (self.url,)

    def send(self, message: Message, timeout: float) -> None:
        post_json(self.url, slack_payload(message, self.channel), timeout)
