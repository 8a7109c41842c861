"""Delivery mode: how a change reaches the trunk (``trunk``, ``pr`` or ``release``).

Resolved once per repository from, in order: explicit configuration, the CI system's
event variables, a release tag at HEAD, and the branch.  Pure: the caller supplies
the facts, so every rule is testable without git or a CI system.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Literal

Mode = Literal["trunk", "pr", "release"]
MODES: tuple[Mode, ...] = ("trunk", "pr", "release")

DEFAULT_RELEASE_TAG = r"^v?\d+\.\d+\.\d+([-+.][0-9A-Za-z.-]+)?$"
DEFAULT_RELEASE_BRANCH = r"^(release|releases|hotfix)/"

# GitHub Actions events that build a proposed change rather than the trunk.
_GITHUB_PR_EVENTS = frozenset({"pull_request", "pull_request_target", "merge_group"})


@dataclasses.dataclass(frozen=True, kw_only=True)
class ModeOptions:
    """What configuration says about the mode.

    :param explicit: a fixed mode, winning over everything else
    :param release_tag: regex a tag at HEAD must match to make it a release
    :param release_branch: regex of branches that are release branches
    """

    explicit: Mode | None = None
    release_tag: str = DEFAULT_RELEASE_TAG
    release_branch: str = DEFAULT_RELEASE_BRANCH


@dataclasses.dataclass(frozen=True)
class ModeDecision:
    """The resolved mode and why, e.g. ``("pr", "GITHUB_EVENT_NAME=pull_request")``."""

    mode: Mode
    reason: str


# (variable, test of its value, mode), first match wins: GitHub Actions, GitLab CI, Jenkins.
_CI_RULES: tuple[tuple[str, Callable[[str], bool], Mode], ...] = (
    ("GITHUB_EVENT_NAME", lambda v: v in _GITHUB_PR_EVENTS, "pr"),
    ("GITHUB_EVENT_NAME", lambda v: v == "release", "release"),
    ("GITHUB_REF", lambda v: v.startswith("refs/tags/"), "release"),
    ("CI_MERGE_REQUEST_IID", bool, "pr"),
    (
        "CI_PIPELINE_SOURCE",
        lambda v: v in {"merge_request_event", "external_pull_request_event"},
        "pr",
    ),
    ("CI_COMMIT_TAG", bool, "release"),
    ("CHANGE_ID", bool, "pr"),  # Jenkins multibranch: a change request build
    ("TAG_NAME", bool, "release"),  # Jenkins: a tag build
)


def _from_ci(env: Mapping[str, str]) -> ModeDecision | None:
    for variable, matches, mode in _CI_RULES:
        value = env.get(variable, "")
        if value and matches(value):
            return ModeDecision(mode, f"{variable}={value}")
    return None


def _from_tags(options: ModeOptions, tags_at_head: Sequence[str]) -> ModeDecision | None:
    pattern = re.compile(options.release_tag)
    for name in sorted(tags_at_head):
        if pattern.search(name):
            return ModeDecision("release", f"tag {name} at HEAD")
    return None


def _from_branch(options: ModeOptions, branch: str | None, trunk: str | None) -> ModeDecision:
    if branch is None:
        return ModeDecision("trunk", "detached HEAD without a branch")
    if re.search(options.release_branch, branch):
        return ModeDecision("release", f"release branch {branch}")
    if branch == trunk:
        return ModeDecision("trunk", f"on trunk branch {branch}")
    return ModeDecision("pr", f"branch {branch}")


def resolve_mode(
    options: ModeOptions,
    *,
    env: Mapping[str, str],
    branch: str | None,
    trunk: str | None,
    tags_at_head: Sequence[str],
) -> ModeDecision:
    """The delivery mode, from configuration, CI variables, tags and the branch (in that order)."""
    if options.explicit is not None:
        return ModeDecision(options.explicit, "configured")
    return (
        _from_ci(env) or _from_tags(options, tags_at_head) or _from_branch(options, branch, trunk)
    )
