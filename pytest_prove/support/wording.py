"""Words every message shares: counted nouns ("2 repositories"), ``did you mean``, and
names made printable."""

from __future__ import annotations

import difflib
from collections.abc import Collection

__all__ = ["count", "did_you_mean", "printable"]

_MIN_PREFIX = 4


def count(number: object, one: str, many: str | None = None) -> str:
    """``number`` and the noun that agrees with it (``many`` defaults to ``one`` + "s")."""
    return f"{number} {one if number == 1 else many or one + 's'}"


def did_you_mean(given: object, known: Collection[str]) -> str:
    """`` (did you mean 'x'?)`` for the closest of ``known``, or '' when none is close."""
    if not isinstance(given, str):
        return ""
    close = difflib.get_close_matches(given, list(known), n=1)
    if not close and len(given) >= _MIN_PREFIX:
        # A shortened key (`repos` for `repositories`) is too short for difflib's ratio.
        close = sorted((k for k in known if k.startswith(given)), key=len)[:1]
    return f" (did you mean {close[0]!r}?)" if close else ""


def printable(text: str) -> str:
    """No control characters: a newline or an escape sequence in a name must not forge a
    line of output or recolour the terminal (``\\n``, ``\\x1b`` are shown escaped)."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)
