"""POSTing JSON to an incoming webhook (Slack, Teams), with errors that never quote the URL."""

from __future__ import annotations

import http.client
import json
import urllib.error
import urllib.request
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from pytest_prove.errors import ProveError

from .deliver import NotifyError

__all__ = ["ConfigProblem", "post_json", "webhook_from_env"]


class ConfigProblem(ProveError):
    """A notifier cannot even be set up (a variable missing or malformed): not sent, noted."""


def webhook_from_env(env: Mapping[str, str], variable: str) -> str:
    url = env.get(variable, "").strip()
    if not url:
        raise ConfigProblem(f"{variable} is not set")
    try:
        parsed = urlsplit(url)
    except ValueError:
        raise ConfigProblem(f"{variable} is not a URL") from None
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        raise ConfigProblem(f"{variable} is not an http(s) URL")
    return url


def _reason(exc: BaseException) -> str:
    reason = getattr(exc, "reason", exc)
    if isinstance(reason, OSError) and reason.strerror:
        return reason.strerror
    return str(reason) or type(reason).__name__


def post_json(
    url: str,
    payload: Mapping[str, Any],
    timeout: float,
    *,
    headers: Mapping[str, str] | None = None,
    target: str = "the webhook",
) -> None:
    """POST ``payload``; a 2xx answer is success, 5xx/429/timeouts are worth a retry.

    :param headers: added to the JSON content type and user agent (``Authorization``)
    :param target: how a failure names the receiver
    """
    request = urllib.request.Request(
        url,
        data=json.dumps(payload).encode(),
        headers={
            "Content-Type": "application/json",
            "User-Agent": "pytest-prove",
            **(headers or {}),
        },
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            response.read(4096)
    except urllib.error.HTTPError as exc:
        raise NotifyError(f"HTTP {exc.code}", retry=exc.code >= 500 or exc.code == 429) from None
    except (urllib.error.URLError, http.client.HTTPException, OSError) as exc:
        # TimeoutError is an OSError; `from None`: the chained exception would quote the URL.
        raise NotifyError(f"cannot reach {target}: {_reason(exc)}", retry=True) from None
