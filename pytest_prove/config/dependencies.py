"""``depends_on``: repositories whose gates wait for another repository's gates.

Checked here (unknown names, cycles) and turned into what the run needs: repositories
in dependency order, each one's transitive dependencies, and the connected groups that
must run on one xdist worker (see ``pytest_prove.scheduling``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence

from .errors import ConfigError, KeyPath
from .models import RepositoryEntry

Entry = tuple[int, RepositoryEntry]


@dataclasses.dataclass(frozen=True)
class DependencyPlan:
    """:param order: the entries, each after the repositories it depends on (else file order)
    :param closure: every repository a repository depends on, directly or not
    :param groups: for each repository in a dependency relation, its connected group's name
    """

    order: list[Entry]
    closure: Mapping[str, tuple[str, ...]]
    groups: Mapping[str, str]


def _cycle(start: str, edges: Mapping[str, Sequence[str]]) -> list[str] | None:
    path: list[str] = []
    on_path: set[str] = set()
    done: set[str] = set()

    def visit(name: str) -> list[str] | None:
        if name in on_path:
            return [*path[path.index(name) :], name]
        if name in done:
            return None
        path.append(name)
        on_path.add(name)
        for dep in edges.get(name, ()):
            found = visit(dep)
            if found:
                return found
        path.pop()
        on_path.discard(name)
        done.add(name)
        return None

    return visit(start)


def plan_dependencies(
    entries: Sequence[Entry], locate: Callable[[str, KeyPath], ConfigError]
) -> DependencyPlan:
    names = {entry.name: index for index, entry in entries}
    edges: dict[str, list[str]] = {}
    for index, entry in entries:
        for position, dep in enumerate(entry.depends_on):
            where = ("repositories", index, "depends_on", position)
            if dep == entry.name:
                raise locate(f"{entry.name!r} cannot depend on itself", where)
            if dep not in names:
                raise locate(f"unknown repository {dep!r} (known: {', '.join(names)})", where)
            edges.setdefault(entry.name, []).append(dep)
    for index, entry in entries:
        cycle = _cycle(entry.name, edges)
        if cycle:
            raise locate(
                f"dependency cycle: {' -> '.join(cycle)}", ("repositories", index, "depends_on")
            )
    order: list[Entry] = []
    placed: set[str] = set()
    pending = list(entries)
    while pending:  # file order, each repository once everything it needs is placed
        ready = next(e for e in pending if all(d in placed for d in edges.get(e[1].name, ())))
        pending.remove(ready)
        order.append(ready)
        placed.add(ready[1].name)
    closure: dict[str, tuple[str, ...]] = {}
    for _, entry in order:
        seen: dict[str, None] = {}
        for dep in edges.get(entry.name, ()):
            seen.update(dict.fromkeys((dep, *closure[dep])))
        closure[entry.name] = tuple(seen)
    return DependencyPlan(order=order, closure=closure, groups=_groups(order, edges))


def _groups(order: Sequence[Entry], edges: Mapping[str, Sequence[str]]) -> dict[str, str]:
    """Connected repositories share a group named after the first of them in ``order``."""
    parent: dict[str, str] = {}

    def root(name: str) -> str:
        while parent.get(name, name) != name:
            name = parent[name]
        return name

    rank = {entry.name: i for i, (_, entry) in enumerate(order)}
    for name, deps in edges.items():
        for dep in deps:
            a, b = sorted((root(name), root(dep)), key=rank.__getitem__)
            parent[b] = a
            parent.setdefault(a, a)
    return {name: root(name) for name in parent}
