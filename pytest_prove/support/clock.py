""" "Now" for everything that judges time (branch age, waiver expiry, cached passes).

``PROVE_NOW`` (ISO 8601; UTC when it names no offset) fixes it, for tests and for
reproducible runs; otherwise it is the real UTC clock.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Final

from pytest_prove.errors import ProveError

NOW_VARIABLE: Final = "PROVE_NOW"


class ClockError(ProveError, ValueError):
    """``PROVE_NOW`` is set but is not a date."""


def now(env: Mapping[str, str]) -> datetime.datetime:
    """The current instant, timezone-aware.

    :raises ClockError: ``PROVE_NOW`` cannot be read
    """
    value = env.get(NOW_VARIABLE)
    if not value:
        return datetime.datetime.now(datetime.UTC)
    try:
        instant = datetime.datetime.fromisoformat(value)
    except ValueError:
        raise ClockError(
            f"{NOW_VARIABLE}={value!r} is not an ISO 8601 date: fix or unset it"
        ) from None
    return instant if instant.tzinfo is not None else instant.replace(tzinfo=datetime.UTC)


def now_or_real(env: Mapping[str, str]) -> datetime.datetime:
    """:func:`now`, falling back to the real clock (the trunk gate reports a bad value)."""
    try:
        return now(env)
    except ClockError:
        return datetime.datetime.now(datetime.UTC)
