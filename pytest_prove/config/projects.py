"""Projects: entries whose path is a folder below the top of a git work tree (a monorepo).

An entry's plan knows its work tree (:attr:`RepoPlan.work_tree`); this module judges the
entries of one fleet together.  A project inside another entry of the same repository
(``packages/a`` and ``packages/a/sub``, or the repository's top and one of its folders)
would have its files judged twice, by two sets of rules: the inner entry gets a problem
that fails its own gates with the fix, and every other entry runs.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from pathlib import Path

from ..readers.errors import display_path
from .fleet import RepoPlan

__all__ = ["mark_nested_projects"]


def _outer(plan: RepoPlan, work_tree: Path, entries: dict[Path, RepoPlan]) -> RepoPlan | None:
    """The entry whose folder holds ``plan``'s, nearest first: the folders above it, up to
    the work tree's top (a walk of the path's depth, not of every entry)."""
    for folder in plan.path.parents:
        if folder in entries:
            return entries[folder]
        if folder == work_tree:
            return None
    return None


def mark_nested_projects(repos: Sequence[RepoPlan]) -> tuple[RepoPlan, ...]:
    """``repos``, each project that lies inside another entry of its repository marked with
    a problem naming that entry."""
    entries: dict[Path, RepoPlan] = {}
    for plan in repos:
        entries.setdefault(plan.path, plan)
    marked = []
    for plan in repos:
        outer = None
        if plan.work_tree is not None:
            outer = _outer(plan, plan.work_tree, entries)
        if outer is None:
            marked.append(plan)
            continue
        inner, holder = display_path(plan.path), display_path(outer.path)
        problem = (
            f"project {inner} lies inside {outer.name} ({holder}), so its files would be "
            f"judged twice: point {outer.name} at a folder that does not hold {inner}, or "
            "drop one of the two entries"
        )
        marked.append(dataclasses.replace(plan, problem=problem))
    return tuple(marked)
