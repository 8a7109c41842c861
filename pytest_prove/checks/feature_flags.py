"""The ``feature-flags`` check: flags in code are declared, owned, alive and well named.

Declarations come from the flag registry (:mod:`pytest_prove.engines.flags.registry`);
references from the code files the settings' globs select, read once each.  With
``scan: tree`` (the default) every such file in the work tree is read, which is what
"declared but referenced nowhere" needs; ``scan: changed`` reads only the changed files and
skips that rule.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Final, Literal

from pydantic import Field

from pytest_prove.support import clock
from pytest_prove.support.clock import ClockError

from ..api import Check, CheckResult, Finding, MetricValue, Regex
from ..engines.flags.registry import (
    FlagReference,
    FlagRegistry,
    FlagScanSettings,
    FlagSpec,
    compile_patterns,
    find_references,
    flag_key,
    is_code,
    load_registry,
)
from ..support.text import read_text

if TYPE_CHECKING:
    from pytest_prove.git.context import RepoContext

__all__ = ["FEATURE_FLAGS", "FeatureFlagsSettings", "check_feature_flags"]

KEBAB_CASE: Final = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"


class FeatureFlagsSettings(FlagScanSettings):
    """``feature-flags`` settings."""

    naming_pattern: Regex = Field(
        default=KEBAB_CASE, description="Regex every declared flag name must match (re.search)"
    )
    require_owner: bool = Field(default=True, description="Every flag declares an owner")
    require_expiry: bool = Field(default=True, description="Every flag declares an expiry date")
    scan: Literal["tree", "changed"] = Field(
        default="tree",
        description="Where references are looked for: every code file (tree) or the changed "
        "ones (changed: no unused-flag rule)",
    )


def check_feature_flags(context: RepoContext, settings: FeatureFlagsSettings) -> CheckResult:
    """Judge the registry, then every reference found in the scanned files.

    Metrics: ``flags`` declared, ``references`` found, ``files_scanned``,
    ``files_skipped`` (binary, not UTF-8, too large), and the counts per rule.
    """
    root = context.toplevel
    registry = load_registry(root, settings.registry)
    if isinstance(registry, Finding):
        return CheckResult(findings=(registry,), summary="the flag registry cannot be used")
    try:
        now = clock.now(context.env)
    except ClockError as exc:
        return CheckResult(findings=(Finding(rule="clock", message=str(exc)),))
    today = now.astimezone(datetime.UTC).date()
    findings = list(_declaration_findings(registry, settings, today))

    patterns = compile_patterns(settings.call_patterns)
    references: list[FlagReference] = []
    scanned = skipped = 0
    for path in _scanned_paths(context, settings):
        text = read_text(root, path)
        if text.text is None:
            skipped += 1
            continue
        scanned += 1
        references.extend(find_references(path, text.text, patterns))

    declared = {flag_key(name) for name in registry.flags}
    findings.extend(
        Finding(
            rule="undeclared-flag",
            message=f"flag {ref.name!r} is not declared in {registry.path}",
            file=ref.file,
            line=ref.line,
        )
        for ref in references
        if flag_key(ref.name) not in declared
    )
    if settings.scan == "tree":
        used = {flag_key(ref.name) for ref in references}
        findings.extend(
            registry.finding(
                "unused-flag",
                name,
                f"flag {name!r} is declared but referenced nowhere in code: "
                f"remove it from {registry.path} or reference it",
            )
            for name in sorted(registry.flags)
            if flag_key(name) not in used
        )
    metrics: dict[str, MetricValue] = {
        "flags": len(registry.flags),
        "references": len(references),
        "files_scanned": scanned,
        "files_skipped": skipped,
    }
    for finding in findings:
        key = finding.rule.replace("-", "_")
        metrics[key] = int(metrics.get(key, 0)) + 1
    return CheckResult(
        findings=tuple(findings),
        metrics=metrics,
        judged={"files": scanned},
        summary=_summary(registry, references, findings),
        # The verdict of an unchanged tree changes by the clock alone when the next
        # declared flag expires, so a cached pass is reused until that instant rather
        # than never (cacheable=False would re-scan the tree on every run).
        valid_until=_next_expiry(registry.flags.values(), today),
    )


def _declaration_findings(
    registry: FlagRegistry, settings: FeatureFlagsSettings, today: datetime.date
) -> Iterable[Finding]:
    for name in sorted(registry.flags):
        spec = registry.flags[name]
        if not re.search(settings.naming_pattern, name):
            yield registry.finding(
                "flag-name",
                name,
                f"flag {name!r} does not match naming_pattern {settings.naming_pattern!r}",
            )
        if settings.require_owner and not (spec.owner or "").strip():
            yield registry.finding("missing-owner", name, f"flag {name!r} declares no owner")
        if spec.expires is None:
            if settings.require_expiry:
                yield registry.finding(
                    "missing-expiry", name, f"flag {name!r} declares no expiry date (expires)"
                )
        elif today > spec.expires:
            yield registry.finding(
                "expired-flag",
                name,
                f"flag {name!r} expired on {spec.expires.isoformat()} (today is "
                f"{today.isoformat()}): remove it or extend `expires`",
            )


def _scanned_paths(context: RepoContext, settings: FeatureFlagsSettings) -> list[str]:
    if settings.scan == "tree":
        candidates: Iterable[str] = context.work_tree_files
    else:
        candidates = (
            f.path
            for f in context.changed_files
            if f.status != "deleted" and not f.binary and not f.submodule
        )
    return sorted(p for p in candidates if p != settings.registry and is_code(p, settings))


def _next_expiry(specs: Iterable[FlagSpec], today: datetime.date) -> datetime.datetime | None:
    upcoming = [s.expires for s in specs if s.expires is not None and s.expires >= today]
    if not upcoming:
        return None
    # A flag is expired from the day after its `expires` date, at 00:00 UTC.
    day = min(upcoming) + datetime.timedelta(days=1)
    return datetime.datetime.combine(day, datetime.time(), tzinfo=datetime.UTC)


def _summary(
    registry: FlagRegistry, references: list[FlagReference], findings: list[Finding]
) -> str:
    base = f"{len(registry.flags)} flags declared, {len(references)} references"
    if not findings:
        return f"{base}: all declared, owned, unexpired and well named"
    rules = sorted({f.rule for f in findings})
    return f"{base}: {len(findings)} problems ({', '.join(rules)})"


FEATURE_FLAGS: Final = Check(
    name="feature-flags",
    run=check_feature_flags,
    settings_model=FeatureFlagsSettings,
    description="Flags in code are declared, owned, unexpired, used and well named",
    prefetch=("changed_files",),
)
