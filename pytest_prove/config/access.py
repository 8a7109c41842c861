"""Roles of the orchestrator's ``access:`` block: who may sync, who may approve waivers.

Identities are compared without regard to case (``Alice@Example.com`` is
``alice@example.com``).  Without an ``access:`` block nothing is restricted.
"""

from __future__ import annotations

from collections.abc import Sequence

from pytest_prove.errors import ProveError

from ..readers.errors import Locate
from .models import Access, Waiver


class AccessDeniedError(ProveError):
    """The acting identity lacks the role an action needs."""


def _norm(identity: str) -> str:
    return identity.strip().casefold()


def _contains(identities: Sequence[str], identity: str) -> bool:
    wanted = _norm(identity)
    return any(_norm(i) == wanted for i in identities)


def is_admin(access: Access, identity: str) -> bool:
    return _contains(access.admins, identity)


def role_of(access: Access, identity: str, repo: str | None = None) -> str:
    """``admin``, ``maintainer`` (of ``repo``), ``viewer`` or ``none``."""
    if is_admin(access, identity):
        return "admin"
    if repo is not None and _contains(access.maintainers.get(repo, []), identity):
        return "maintainer"
    if _contains(access.viewers, identity):
        return "viewer"
    return "none"


def waiver_refusal(waiver: Waiver, access: Access | None) -> str | None:
    """Why the waiver's approver may not approve it, or None when it may (or no roles)."""
    if access is None or role_of(access, waiver.approved_by, waiver.repo) in {
        "admin",
        "maintainer",
    }:
        return None
    return (
        f"approved by {waiver.approved_by}, who is neither a maintainer of"
        f" {waiver.repo} nor an admin"
    )


def require_admin(access: Access | None, actor: str, action: str) -> None:
    """:raises AccessDeniedError: ``access`` is set and ``actor`` is not an admin"""
    if access is not None and not is_admin(access, actor):
        raise AccessDeniedError(f"{action} is for admins only; {actor} is not one (access.admins)")


def check_access(access: Access, repo_names: Sequence[str], locate: Locate) -> None:
    """``access.maintainers`` names only repositories of the file (a typo grants nothing)."""
    for name in access.maintainers:
        if name not in repo_names:
            raise locate(
                f"no repository named {name!r} (known: {', '.join(repo_names)})",
                ("access", "maintainers", name),
            )
