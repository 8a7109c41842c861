"""``when:`` conditions: a repository's gates run only when they hold, else they are skipped."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from ..support.globs import matches_any

if TYPE_CHECKING:
    from ..config.models import When
    from ..git.context import RepoContext


def _env(when: When, context: RepoContext) -> str | None:
    for variable, expected in (when.env or {}).items():
        value = context.env.get(variable)
        if expected is True and not value:
            return f"when.env: {variable} is not set"
        if expected is False and value:
            return f"when.env: {variable} is set"
        if isinstance(expected, str) and value != expected:
            return f"when.env: {variable} is not {expected!r}"
    return None


def _branches(when: When, context: RepoContext) -> str | None:
    if when.branches is None:
        return None
    branch = context.branch
    if branch is not None and matches_any(branch, when.branches):
        return None
    shown = branch or "(detached HEAD)"
    return f"when.branches: branch {shown} matches none of {', '.join(when.branches)}"


def _modes(when: When, context: RepoContext) -> str | None:
    if when.modes is None or context.mode.mode in when.modes:
        return None
    return f"when.modes: delivery mode {context.mode.mode} is not one of {', '.join(when.modes)}"


def _paths(when: When, context: RepoContext) -> str | None:
    if when.paths is None:
        return None
    changed = (p for f in context.changed_files for p in (f.path, f.old_path) if p)
    if any(matches_any(path, when.paths) for path in changed):
        return None
    return f"when.paths: no changed file matches {', '.join(when.paths)}"


# Cheapest first: `paths` needs the diff against the base.
_CONDITIONS: tuple[Callable[[When, RepoContext], str | None], ...] = (
    _env,
    _branches,
    _modes,
    _paths,
)


def unmet_condition(when: When, context: RepoContext) -> str | None:
    """Why ``when`` does not hold for ``context`` (the skip reason), or None when it holds.

    :raises RepoContextError: when the repository cannot answer (no commits, no base)
    """
    for condition in _CONDITIONS:
        reason = condition(when, context)
        if reason is not None:
            return reason
    return None
