"""What the diff of two specs produces: changes, each breaking or safe."""

from __future__ import annotations

import dataclasses

from .loading import Json, JsonPath
from .refs import follow_ref

__all__ = ["Change", "Changes", "Side"]


@dataclasses.dataclass(frozen=True)
class Change:
    """One difference between the base's spec and the work tree's.

    :param rule: a stable id (``parameter-became-required``)
    :param path: a JSON path, names in brackets (``paths./pets.get.parameters[limit]``)
    :param message: what changed, for a human
    :param breaking: whether a client written against the base may stop working
    :param where: keys into the new spec's data nearest to the change, for its line
    :param line: that line in the new spec's root file, once known
    """

    rule: str
    path: str
    message: str
    breaking: bool
    where: JsonPath = ()
    line: int | None = None


@dataclasses.dataclass(frozen=True)
class Side:
    """One version of a spec: its bundled data and its OpenAPI major version (2 or 3)."""

    root: Json
    major: int

    def deref(self, node: Json) -> Json:
        return follow_ref(self.root, node)

    def mapping(self, node: Json) -> dict[str, Json]:
        """``node`` dereferenced, if it is a mapping; empty otherwise."""
        found = self.deref(node)
        return found if isinstance(found, dict) else {}


class Changes:
    """Collects changes; knows the schema pairs being compared, so recursive schemas end."""

    def __init__(self) -> None:
        self.items: list[Change] = []
        self.comparing: set[tuple[int, int, bool]] = set()

    def add(self, rule: str, path: str, message: str, where: JsonPath, *, breaking: bool) -> None:
        self.items.append(Change(rule, path, f"{path}: {message}", breaking, where))

    def breaking(self, rule: str, path: str, message: str, where: JsonPath) -> None:
        self.add(rule, path, message, where, breaking=True)

    def safe(self, rule: str, path: str, message: str, where: JsonPath) -> None:
        self.add(rule, path, message, where, breaking=False)
