"""``depends_on``: repositories whose gates wait for another repository's gates.

Checked here (unknown names, cycles) and turned into what the run needs: repositories
in dependency order, each one's transitive dependencies, and the connected groups that
must run on one xdist worker (see ``pytest_prove.plugin.scheduling``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator, Mapping, Sequence

from ..readers.errors import ConfigError, KeyPath, Problems
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


def _cycle(start: str, edges: Mapping[str, Sequence[str]], done: set[str]) -> list[str] | None:
    """A cycle reachable from ``start`` (``[a, b, a]``), else None; ``done`` holds names
    already known to reach none, shared between calls.

    Iterative: a ``depends_on`` chain may be a thousand repositories long.
    """
    path: list[str] = [start]
    on_path: set[str] = {start}
    pending: list[Iterator[str]] = [iter(edges.get(start, ()))]
    while pending:
        dep = next(pending[-1], None)
        if dep is None:
            pending.pop()
            finished = path.pop()
            on_path.discard(finished)
            done.add(finished)
        elif dep in on_path:
            return [*path[path.index(dep) :], dep]
        elif dep not in done:
            path.append(dep)
            on_path.add(dep)
            pending.append(iter(edges.get(dep, ())))
    return None


def _shown(cycle: Sequence[str]) -> str:
    """``a -> b -> a``; a cycle through hundreds of repositories shows its ends."""
    if len(cycle) <= 9:
        return " -> ".join(cycle)
    return " -> ".join([*cycle[:4], f"... {len(cycle) - 8} more ...", *cycle[-4:]])


def plan_dependencies(
    entries: Sequence[Entry], locate: Callable[[str, KeyPath], ConfigError]
) -> DependencyPlan:
    """:raises ConfigError: every unknown name and every cycle found"""
    names = {entry.name: index for index, entry in entries}
    edges: dict[str, list[str]] = {}
    problems = Problems()
    for index, entry in entries:
        for position, dep in enumerate(entry.depends_on):
            where = ("repositories", index, "depends_on", position)
            if dep == entry.name:
                problems.found.append(locate(f"{entry.name!r} cannot depend on itself", where))
            elif dep not in names:
                problems.found.append(
                    locate(f"unknown repository {dep!r} (known: {', '.join(names)})", where)
                )
            else:
                edges.setdefault(entry.name, []).append(dep)
    acyclic: set[str] = set()
    for index, entry in entries:
        cycle = None if entry.name in acyclic else _cycle(entry.name, edges, acyclic)
        if cycle:
            problems.found.append(
                locate(f"dependency cycle: {_shown(cycle)}", ("repositories", index, "depends_on"))
            )
            # Reported once, not again from each repository that leads into it.
            acyclic.update(cycle)
    problems.raise_any()
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
