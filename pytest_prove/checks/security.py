"""The ``security`` check: secrets, forbidden files and vulnerable dependencies.

Three sub-checks, each with a settings section of its own:

- ``secrets``: token formats and high-entropy secret-like assignments in the
  added lines (``scope: diff``) or in every file (``scope: tree``), minus
  inline allow markers, allowed paths and the baseline;
- ``forbidden_files``: files such as ``.env`` or ``id_rsa`` among the changed
  (or, with ``scope: tree``, all) files;
- ``dependencies``: lock files matched against OSV advisories from a local
  directory.  Without one the sub-check says "not configured" (a warning).

A secret is only ever shown masked (:func:`pytest_prove.redact.mask.mask`).
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from typing import TYPE_CHECKING, Final

from pytest_prove.engines.security.forbidden import forbidden_paths
from pytest_prove.engines.security.outcome import Outcome
from pytest_prove.engines.security.scan import scan_secrets, secret_findings
from pytest_prove.engines.security.settings import (
    RULE_IDS,
    DependenciesSettings,
    ForbiddenFilesSettings,
    SecretsSettings,
    SecuritySettings,
)
from pytest_prove.support import clock
from pytest_prove.support.wording import count

from ..api import Check, CheckResult, Finding, Severity

if TYPE_CHECKING:
    from pytest_prove.git.context import RepoContext

__all__ = [
    "RULE_IDS",
    "SECURITY",
    "DependenciesSettings",
    "ForbiddenFilesSettings",
    "SecretsSettings",
    "SecuritySettings",
    "check_security",
    "scan_secrets",
]


def check_security(context: RepoContext, settings: SecuritySettings) -> CheckResult:
    """Run the enabled sub-checks on the diff (or the tree) of ``context``."""
    outcome = Outcome()
    targets = list(_targets(context, settings.scope))
    if settings.secrets.enabled:
        hits = scan_secrets(context.toplevel, targets, settings.secrets, outcome)
        secret_findings(context.toplevel, hits, settings.secrets, outcome)
    if settings.forbidden_files.enabled:
        forbidden = forbidden_paths(
            (path for path, _ in targets),
            settings.forbidden_files.patterns,
            settings.forbidden_files.allowed,
        )
        outcome.metrics["forbidden_files"] = len(forbidden)
        outcome.findings.extend(
            Finding(
                rule="forbidden-file",
                message=f"{path} must not be committed: remove it (and rotate what it holds)",
                file=path,
            )
            for path in forbidden
        )
    valid_until = None
    if settings.dependencies.enabled:
        # Here, not at the top: the audit brings the lockfile and advisory readers (and
        # `packaging`), 15 ms of every start-up that loads this check, cached or not.
        from pytest_prove.engines.security.audit import audit_dependencies

        files = (
            sorted(context.work_tree_files) if settings.scope == "diff" else [p for p, _ in targets]
        )
        audit_dependencies(context.toplevel, files, settings.dependencies, outcome)
        if settings.dependencies.advisories is not None:
            # The advisories live outside the repository: a pass is not reused.
            valid_until = clock.now_or_real(context.env)
    judged = {"files": len(targets)}
    if settings.scope == "diff":
        judged["added lines"] = sum(len(lines) for _, lines in targets if lines is not None)
    return CheckResult(
        findings=tuple(outcome.findings),
        metrics=outcome.metrics,
        summary=_summary(outcome, settings),
        valid_until=valid_until,
        judged=judged,
    )


def _targets(context: RepoContext, scope: str) -> Iterator[tuple[str, Collection[int] | None]]:
    """(path, lines to scan or None for all) for each file in scope."""
    if scope == "tree":
        for path in sorted(context.work_tree_files):
            yield path, None
        return
    for changed in context.changed_files:
        if changed.status != "deleted" and not changed.submodule:
            yield changed.path, None if changed.binary else changed.added_lines


def _summary(outcome: Outcome, settings: SecuritySettings) -> str:
    errors = [f for f in outcome.findings if f.severity is Severity.ERROR]
    where = "added lines" if settings.scope == "diff" else "the tree"
    parts = []
    if settings.secrets.enabled:
        parts.append(f"{count(outcome.metrics.get('secrets', 0), 'secret')} in {where}")
    if settings.forbidden_files.enabled:
        parts.append(count(outcome.metrics.get("forbidden_files", 0), "forbidden file"))
    if settings.dependencies.enabled:
        audit = outcome.metrics.get("dependency_audit")
        if audit == "done":
            vulnerable = outcome.metrics.get("vulnerable_packages", 0)
            parts.append(count(vulnerable, "vulnerable package"))
        else:
            parts.append("dependency audit not configured" if audit else "dependency audit failed")
    verdict = count(len(errors), "problem") if errors else "clean"
    return f"security {verdict}: {', '.join(parts) or 'every sub-check disabled'}"


SECURITY: Final = Check(
    name="security",
    run=check_security,
    settings_model=SecuritySettings,
    description="No secrets, forbidden files or vulnerable dependencies",
    prefetch=("changed_files",),
)
