"""Semantic Versioning 2.0.0 versions and their precedence, for npm advisories.

OSV advisories for npm state ranges as ordered events (``introduced``,
``fixed``, ``last_affected``) of concrete versions, so only parsing and
comparing is needed here, never npm's range syntax (``^1.2``, ``>=1 <2``).
Precedence follows semver.org item 11: build metadata is ignored, a
pre-release sorts before its release, numeric identifiers compare as numbers
and below alphanumeric ones.  A leading ``v`` or ``=`` is accepted, as npm does.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from typing import Final

from pytest_prove.errors import ProveError

__all__ = ["InvalidSemverError", "SemVer", "parse_semver"]

_SEMVER: Final = re.compile(
    r"^[v=]?\s*(0|[1-9]\d{0,15})\.(0|[1-9]\d{0,15})\.(0|[1-9]\d{0,15})"
    r"(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?"
    r"(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?$"
)


class InvalidSemverError(ProveError, ValueError):
    pass


@functools.total_ordering
@dataclasses.dataclass(frozen=True)
class SemVer:
    """A parsed version; ``pre`` holds the pre-release identifiers (ints where numeric)."""

    major: int
    minor: int
    patch: int
    pre: tuple[int | str, ...] = ()

    def _key(self) -> tuple[int, int, int, int, tuple[tuple[int, int | str], ...]]:
        # A release (no pre-release) sorts after all of its pre-releases.
        pre = tuple((0, p) if isinstance(p, int) else (1, p) for p in self.pre)
        return (self.major, self.minor, self.patch, 0 if self.pre else 1, pre)

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, SemVer):
            return NotImplemented
        return self._key() < other._key()

    def __str__(self) -> str:
        core = f"{self.major}.{self.minor}.{self.patch}"
        return f"{core}-{'.'.join(map(str, self.pre))}" if self.pre else core


def parse_semver(text: str) -> SemVer:
    """Parse ``1.2.3``, ``v1.2.3-beta.1+build.5``; raise :class:`InvalidSemverError` otherwise."""
    match = _SEMVER.match(text.strip())
    if match is None:
        raise InvalidSemverError(f"not a semantic version: {text!r}")
    major, minor, patch, pre = match.groups()
    identifiers = tuple(
        int(part) if part.isdigit() and (part == "0" or not part.startswith("0")) else part
        for part in (pre.split(".") if pre else ())
    )
    return SemVer(int(major), int(minor), int(patch), identifiers)
