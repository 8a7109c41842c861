"""The ``killswitch`` check: a change that adds a feature guards it with a kill switch.

A change adds a feature when a commit in range has one of the configured
Conventional Commit types (``feat``), or when it adds lines to code under the
configured feature paths.  It is guarded when an added line of a changed code
file references a flag the registry declares with ``killswitch: true``.  Only
the changed files are read, and of those only the added lines count.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from pydantic import Field

from pytest_prove.engines.commits.conventional import parse_commit_message
from pytest_prove.support.globs import matches_any

from ..api import Check, CheckResult, Finding
from ..engines.flags.registry import (
    FlagScanSettings,
    compile_patterns,
    find_references,
    flag_key,
    is_code,
    load_registry,
)
from ..support.text import read_text

if TYPE_CHECKING:
    from pytest_prove.git.context import Commit, RepoContext
    from pytest_prove.git.diff import ChangedFile

__all__ = ["KILLSWITCH", "KillswitchSettings", "check_killswitch"]

_SHOWN_SWITCHES: Final = 5


class KillswitchSettings(FlagScanSettings):
    """``killswitch`` settings."""

    feature_paths: list[str] = Field(
        default_factory=lambda: ["src/features/**"],
        description="Globs of code where any added line is feature work",
    )
    commit_types: list[str] = Field(
        default_factory=lambda: ["feat"],
        description="Conventional Commit types that add a feature",
    )
    per_file: bool = Field(
        default=False,
        description="Each changed file under feature_paths must reference a kill switch itself "
        "(otherwise one reference anywhere in the added lines guards the change)",
    )


def check_killswitch(context: RepoContext, settings: KillswitchSettings) -> CheckResult:
    """Find the feature commits and files; fail those no kill switch guards.

    Metrics: ``feature_commits``, ``feature_files``, ``guarded_files`` (changed files
    whose added lines reference a kill switch) and ``files_skipped``.
    """
    types = {t.lower() for t in settings.commit_types}
    commits = [c for c in context.commits if _is_feature_commit(c, types)]
    code = [f for f in context.changed_files if _has_added_code(f, settings)]
    features = [f for f in code if matches_any(f.path, settings.feature_paths)]
    if not commits and not features:
        return CheckResult(
            summary="no feature added (no "
            f"{'/'.join(sorted(types))} commit, no code added under feature_paths)",
            metrics={"feature_commits": 0, "feature_files": 0},
        )

    findings: list[Finding] = []
    registry = load_registry(context.toplevel, settings.registry)
    if isinstance(registry, Finding):
        findings.append(registry)
        switches: list[str] = []
    else:
        switches = sorted(n for n, spec in registry.flags.items() if spec.killswitch)
    switch_keys = {flag_key(n) for n in switches}

    patterns = compile_patterns(settings.call_patterns)
    guarded: set[str] = set()
    skipped = 0
    for changed in code:
        text = read_text(context.toplevel, changed.path)
        if text.text is None:
            skipped += 1
            continue
        refs = find_references(changed.path, text.text, patterns, changed.added_lines)
        if any(flag_key(r.name) in switch_keys for r in refs):
            guarded.add(changed.path)

    hint = _hint(switches, settings.registry)
    if not guarded:
        findings.extend(
            Finding(
                rule="unguarded-commit",
                message=f"commit {c.sha[:10]} {c.subject!r} adds a feature, but no added line "
                f"references a kill switch: {hint}",
            )
            for c in commits
        )
    findings.extend(
        Finding(
            rule="unguarded-file",
            message=f"{f.path} adds feature code without a kill switch: {hint}",
            file=f.path,
        )
        for f in features
        if f.path not in guarded and (settings.per_file or not guarded)
    )
    unguarded = [f for f in findings if f.rule.startswith("unguarded")]
    return CheckResult(
        findings=tuple(findings),
        judged={"commits": len(context.commits), "changed files": len(context.changed_files)},
        metrics={
            "feature_commits": len(commits),
            "feature_files": len(features),
            "guarded_files": len(guarded),
            "files_skipped": skipped,
        },
        summary=(
            f"{len(unguarded)} feature commits/files lack a kill switch"
            if unguarded
            else f"feature change guarded by a kill switch in {len(guarded)} files"
        ),
    )


def _is_feature_commit(commit: Commit, types: set[str]) -> bool:
    if commit.is_merge:  # a merge adds what its branch's own commits added
        return False
    parsed = parse_commit_message(commit.message, comment_char=None)
    return parsed.type is not None and parsed.type.lower() in types


def _has_added_code(changed: ChangedFile, settings: KillswitchSettings) -> bool:
    return (
        changed.status != "deleted"
        and bool(changed.added_lines)
        and not changed.binary
        and not changed.submodule
        and is_code(changed.path, settings)
    )


def _hint(switches: list[str], registry: str) -> str:
    if not switches:
        return f"{registry} declares no flag with `killswitch: true`; declare one and check it"
    shown = ", ".join(switches[:_SHOWN_SWITCHES])
    more = (
        f" (and {len(switches) - _SHOWN_SWITCHES} more)" if len(switches) > _SHOWN_SWITCHES else ""
    )
    return f"check one of the kill switches in {registry}: {shown}{more}"


KILLSWITCH: Final = Check(
    name="killswitch",
    run=check_killswitch,
    settings_model=KillswitchSettings,
    description="A change that adds a feature references a kill-switch flag in its added lines",
    prefetch=("commits", "changed_files"),
)
