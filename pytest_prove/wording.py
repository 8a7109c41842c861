"""Counted nouns in messages: "1 repository", "2 repositories"."""

from __future__ import annotations

__all__ = ["count"]


def count(number: object, one: str, many: str | None = None) -> str:
    """``number`` and the noun that agrees with it (``many`` defaults to ``one`` + "s")."""
    return f"{number} {one if number == 1 else many or one + 's'}"
