"""Pure decisions about refs: which branch is the trunk, what a base name means."""

from __future__ import annotations

import difflib
import os
from collections.abc import Mapping, Sequence
from typing import Final

__all__ = [
    "BASE_VARIABLES",
    "BRANCH_VARIABLES",
    "REFS_ARGS",
    "TRUNK_NAMES",
    "branch_of",
    "ci_branch",
    "close_ref_names",
    "dwim",
    "find_trunk",
    "parse_refs",
    "ref_objects",
    "remote_head_target",
    "requested_base",
    "resolve_ref",
    "tracking_pair",
]

TRUNK_NAMES: Final = ("main", "master", "trunk", "develop")
# Target branch of a pull/merge request: GitHub Actions, GitLab CI, Jenkins.
# GitHub sets GITHUB_BASE_REF to "" on push events, so empty means unset.
BASE_VARIABLES: Final = ("GITHUB_BASE_REF", "CI_MERGE_REQUEST_TARGET_BRANCH_NAME", "CHANGE_TARGET")
# CI checkouts are detached; these name the branch being built.
BRANCH_VARIABLES: Final = ("GITHUB_HEAD_REF", "CI_COMMIT_REF_NAME", "BRANCH_NAME")
# Each ref's symref target, object and (for an annotated tag) the object it tags: one call
# answers the trunk, the base's commit and the tags at HEAD.
REFS_ARGS: Final = (
    "for-each-ref",
    "--format=%(refname)%00%(symref)%00%(objectname)%00%(*objectname)",
)
_ORIGIN: Final = "refs/remotes/origin/"
# A base given as a ref path or a remote-tracking name still names the branch it tracks.
_BRANCH_PREFIXES: Final = ("refs/heads/", _ORIGIN, "origin/")
# git's own lookup order for a short name (gitrevisions(7)).
_DWIM: Final = ("{}", "refs/{}", "refs/tags/{}", "refs/heads/{}", "refs/remotes/{}")


def parse_refs(output: bytes) -> dict[str, str]:
    """Map each full ref name to its symref target ("" for plain refs)."""
    return {name: fields[0] if fields else "" for name, *fields in _records(output)}


def ref_objects(output: bytes) -> dict[str, str]:
    """Map each full ref name to what it points at, an annotated tag peeled once.

    Once, as ``git tag --points-at`` and ``^{commit}`` of a tag of a commit see it.
    """
    objects = {}
    for name, *fields in _records(output):
        if len(fields) == 3:
            _, sha, tagged = fields
            objects[name] = tagged or sha
    return objects


def _records(output: bytes) -> list[list[str]]:
    # "\n" only: str.splitlines() also splits on U+2028 and U+0085, which a ref name may hold
    return [line.split("\0") for line in os.fsdecode(output).split("\n") if line]


def dwim(name: str) -> tuple[str, ...]:
    """The full ref names git tries for ``name``, in its order (gitrevisions(7))."""
    return (*(p.format(name) for p in _DWIM), f"refs/remotes/{name}/HEAD")


def find_trunk(refs: Mapping[str, str], branch: str | None = None) -> str | None:
    """The trunk's branch name: ``origin/HEAD``'s target, else a usual name, local first.

    ``origin/HEAD`` naming ``branch`` (the current one) is not taken unless the branch
    has a usual trunk name: a clone made while the origin had a feature branch checked
    out points there, and a branch taken for its own trunk leaves nothing to compare.
    """
    target = remote_head_target(refs)
    if (
        target is not None
        and _ORIGIN + target in refs
        and (target != branch or target in TRUNK_NAMES)
    ):
        return target
    for prefix in ("refs/heads/", _ORIGIN):
        for name in TRUNK_NAMES:
            if prefix + name in refs:
                return name
    return None


def remote_head_target(refs: Mapping[str, str]) -> str | None:
    """The branch ``origin/HEAD`` names, if any."""
    remote_head = refs.get(_ORIGIN + "HEAD", "")
    return remote_head.removeprefix(_ORIGIN) if remote_head.startswith(_ORIGIN) else None


def branch_of(ref: str) -> str:
    """The branch a ref names or tracks: ``main`` for ``origin/main`` or ``refs/heads/main``."""
    return next((ref.removeprefix(p) for p in _BRANCH_PREFIXES if ref.startswith(p)), ref)


def tracking_pair(name: str, refs: Mapping[str, str]) -> tuple[str, str] | None:
    """``(refs/heads/NAME, refs/remotes/origin/NAME)`` when both exist: a local trunk and
    the remote-tracking branch it may lag behind; None otherwise."""
    local, remote = f"refs/heads/{name}", _ORIGIN + name
    return (local, remote) if local in refs and remote in refs else None


def resolve_ref(name: str, refs: Mapping[str, str]) -> str | None:
    """``name`` if it names a ref, else ``origin/<name>`` if that exists, else ``None``."""
    if any(full in refs for full in dwim(name)):
        return name
    if _ORIGIN + name in refs:
        return f"origin/{name}"
    return None


def close_ref_names(name: str, refs: Mapping[str, str], limit: int = 3) -> list[str]:
    """The branch, remote-tracking branch and tag names most like ``name`` (a typo of one)."""
    known = {
        full.removeprefix(prefix)
        for full in refs
        for prefix in ("refs/heads/", "refs/remotes/", "refs/tags/")
        if full.startswith(prefix) and not full.endswith("/HEAD")
    }
    return difflib.get_close_matches(name, sorted(known), n=limit)


def requested_base(base: str | None, env: Mapping[str, str]) -> tuple[str, str] | None:
    """The base name asked for and who asked, or ``None`` to fall back to the trunk."""
    if base:
        return base, "--prove-base"
    return next(((env[v], v) for v in BASE_VARIABLES if env.get(v)), None)


def ci_branch(env: Mapping[str, str], variables: Sequence[str] = BRANCH_VARIABLES) -> str | None:
    """The branch a CI system says it is building, if any."""
    return next((env[v] for v in variables if env.get(v)), None)
