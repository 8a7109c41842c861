"""Path globs as users write them in config: ``src/**``, ``**/*.py``, ``feat/*``.

``**`` matches any number of directories (zero included), ``*`` and ``?`` stay within
one path segment, ``[...]`` is a character class.  Python 3.11's ``fnmatch`` lets
``*`` cross ``/`` and has no ``**``, so patterns are translated here once.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable


@functools.lru_cache(maxsize=1024)
def compile_glob(pattern: str) -> re.Pattern[str]:
    """A regex matching the whole of a ``/``-separated path against ``pattern``."""
    out: list[str] = []
    i, n = 0, len(pattern)
    while i < n:
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif pattern[i] == "*":
            out.append("[^/]*")
            i += 1
        elif pattern[i] == "?":
            out.append("[^/]")
            i += 1
        elif pattern[i] == "[" and (end := pattern.find("]", i + 2)) != -1:
            out.append(char_class(pattern[i + 1 : end]) or re.escape(pattern[i : end + 1]))
            i = end + 1
        else:
            out.append(re.escape(pattern[i]))
            i += 1
    return re.compile("".join(out), re.DOTALL)


def char_class(body: str) -> str | None:
    """``[a-z]``/``[!ab]`` as a regex class; None for one that is not valid (``[z-a]``)."""
    negate = body.startswith(("!", "^"))
    inner = re.escape(body[1:] if negate else body).replace(r"\-", "-")
    regex = f"[{'^' if negate else ''}{inner}]"
    try:
        re.compile(regex)
    except re.error:
        return None  # matched literally instead, as git does with a broken class
    return regex


def matches_any(path: str, patterns: Iterable[str]) -> bool:
    return any(compile_glob(p).fullmatch(path) for p in patterns)
