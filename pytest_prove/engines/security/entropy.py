"""Shannon entropy of candidate secret values (bits per character)."""

from __future__ import annotations

import math
import string
from collections import Counter
from typing import Final

__all__ = ["is_hex", "shannon_entropy"]

_HEX: Final = frozenset(string.hexdigits)


def shannon_entropy(value: str) -> float:
    """``-sum(p * log2 p)`` over the characters of ``value``; 0 for an empty string."""
    if not value:
        return 0.0
    size = len(value)
    return -sum(n / size * math.log2(n / size) for n in Counter(value).values())


def is_hex(value: str) -> bool:
    """Hex strings have at most 4 bits per character, so they get a limit of their own."""
    return bool(value) and all(c in _HEX for c in value)
