"""Keeping webhook URLs and SMTP credentials out of every line shown to the user."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Final
from urllib.parse import urlsplit

from .mask import mask

__all__ = ["SECRET_VARIABLES", "Redactor", "secret_parts", "secret_values"]

# Environment variables whose values are credentials: webhooks carry their token in the URL.
SECRET_VARIABLES: Final = (
    "PROVE_SLACK_WEBHOOK",
    "PROVE_TEAMS_WEBHOOK",
    "PROVE_SMTP_USER",
    "PROVE_SMTP_PASSWORD",
)

# Shorter fragments (a port, "/") would mask innocent text and protect nothing.
_MIN_SECRET: Final = 6


def secret_parts(value: str) -> tuple[str, ...]:
    """``value`` and, for a URL, the parts that carry its token (path, query, credentials).

    An error message may quote a URL in pieces (``unknown url type: '...'``, a path in a
    proxy's reply), so each piece is masked on its own too.
    """
    parts = [value]
    if "://" in value:
        try:
            url = urlsplit(value)
            parts += [url.path, url.query, url.username or "", url.password or ""]
        except ValueError:  # a malformed URL is still masked as a whole
            pass
    return tuple(part for part in parts if len(part) >= _MIN_SECRET)


class Redactor:
    """Masks each known secret, longest first so a URL is masked before its path."""

    def __init__(self, secrets: Iterable[str]) -> None:
        parts = {part for secret in secrets if secret for part in secret_parts(secret)}
        self._secrets = sorted(parts, key=len, reverse=True)

    def __call__(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, mask(secret))
        return text


def secret_values(env: Mapping[str, str]) -> list[str]:
    """The values of :data:`SECRET_VARIABLES` set in ``env``."""
    return [env[name] for name in SECRET_VARIABLES if env.get(name)]
