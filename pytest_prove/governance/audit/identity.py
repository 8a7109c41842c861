"""Who is acting: ``PROVE_ACTOR``, else ``git config user.email``."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Final

from pytest_prove.errors import ProveError

from ...git.runner import GitCommandError, run_git

ACTOR_VARIABLE: Final = "PROVE_ACTOR"


class IdentityError(ProveError):
    """No identity could be found."""


def find_actor(cwd: Path, env: Mapping[str, str]) -> str | None:
    """The acting identity, or None when neither source has one."""
    actor = env.get(ACTOR_VARIABLE, "").strip()
    if actor:
        return actor
    try:
        # exit code 1: the key is not set
        email = run_git(cwd, "config", "user.email", env=env, ok_returncodes=(0, 1))
    except GitCommandError:
        return None
    return email.decode("utf-8", "replace").strip() or None


def require_actor(cwd: Path, env: Mapping[str, str], action: str) -> str:
    """:func:`find_actor`, or an :class:`IdentityError` saying how to set one."""
    actor = find_actor(cwd, env)
    if actor is None:
        raise IdentityError(
            f"{action} needs to know who you are: set {ACTOR_VARIABLE} or `git config user.email`"
        )
    return actor
