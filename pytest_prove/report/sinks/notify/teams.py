"""Microsoft Teams incoming webhooks (``PROVE_TEAMS_WEBHOOK``), as an Adaptive Card.

An Adaptive Card in a ``message`` is what both Teams' Workflows webhooks and the older
Office 365 connectors accept.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any, Final

from .message import Message
from .webhook import post_json, webhook_from_env

__all__ = ["TEAMS_WEBHOOK", "TeamsNotifier", "teams_payload"]

TEAMS_WEBHOOK: Final = "PROVE_TEAMS_WEBHOOK"


def _block(text: str, **style: str) -> dict[str, Any]:
    return {"type": "TextBlock", "text": text, "wrap": True, **style}


def teams_payload(message: Message) -> dict[str, Any]:
    body = [_block(message.title, weight="Bolder", size="Medium")]
    body += [_block(line) for line in message.lines() if line]
    card = {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.4",
        "body": body,
    }
    return {
        "type": "message",
        "summary": message.title,
        "attachments": [
            {"contentType": "application/vnd.microsoft.card.adaptive", "content": card}
        ],
    }


@dataclasses.dataclass(frozen=True)
class TeamsNotifier:
    url: str = dataclasses.field(repr=False)
    name: str = "teams"

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> TeamsNotifier:
        return cls(webhook_from_env(env, TEAMS_WEBHOOK))

    @property
    def secrets(self) -> tuple[str, ...]:
        return (self.url,)

    def send(self, message: Message, timeout: float) -> None:
        post_json(self.url, teams_payload(message), timeout)
