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

__all__ = ["mark_nested_projects", "repository_of"]


def repository_of(plan: RepoPlan) -> Path:
    """The top of the work tree ``plan`` gates (its path, unless it is a project)."""
    return plan.work_tree or plan.path


def _outer(plan: RepoPlan, others: Sequence[RepoPlan]) -> RepoPlan | None:
    for other in others:
        if other.path != plan.path and plan.path.is_relative_to(other.path):
            return other
    return None


def mark_nested_projects(repos: Sequence[RepoPlan]) -> tuple[RepoPlan, ...]:
    """``repos``, each project that lies inside another entry of its repository marked with
    a problem naming that entry."""
    by_repository: dict[Path, list[RepoPlan]] = {}
    for plan in repos:
        by_repository.setdefault(repository_of(plan), []).append(plan)
    marked = []
    for plan in repos:
        outer = None
        if plan.work_tree is not None:
            outer = _outer(plan, by_repository[plan.work_tree])
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
