"""The one way a secret is shown: its first characters, then ``*``."""

from __future__ import annotations

from typing import Final

__all__ = ["mask"]

_SHOWN: Final = 4
_STARS: Final = "****"


def mask(secret: str) -> str:
    """``ghp_****`` for ``ghp_...``: at most 4 characters, never more than a third of it.

    The stars have a fixed count so the mask does not tell the secret's length.
    """
    shown = min(_SHOWN, len(secret) // 3)
    return secret[:shown] + _STARS
