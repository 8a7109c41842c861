"""The dependency sub-check: lock files in the tree against OSV advisories."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from pytest_prove.api import Finding, Severity
from pytest_prove.support.globs import matches_any
from pytest_prove.support.text import read_text

from .advisories import SEVERITIES, AdvisoryDb, VersionError, load_advisories
from .lockfiles import LockfileError, Package, lockfile_parser
from .outcome import Outcome
from .settings import DependenciesSettings

__all__ = ["audit_dependencies"]


def audit_dependencies(
    root: Path, files: Sequence[str], settings: DependenciesSettings, outcome: Outcome
) -> None:
    if settings.advisories is None:
        outcome.metrics["dependency_audit"] = "not configured"
        outcome.findings.append(
            Finding(
                rule="advisories-not-configured",
                message="dependency audit not configured: set dependencies.advisories to a "
                "directory of OSV advisories, or dependencies.enabled: false",
                severity=Severity.WARNING,
            )
        )
        return
    directory = Path(os.path.expanduser(settings.advisories))
    directory = directory if directory.is_absolute() else root / directory
    try:
        db = load_advisories(directory)
    except FileNotFoundError:
        outcome.findings.append(
            Finding(
                rule="advisories",
                message=f"advisories directory {directory} does not exist: "
                "dependencies are not audited",
            )
        )
        return
    for source, problem in db.problems:
        outcome.findings.append(
            Finding(
                rule="advisory-file",
                message=f"advisory {source} skipped: {problem}",
                severity=Severity.WARNING,
            )
        )
    lockfiles = [
        f for f in files if lockfile_parser(f) is not None and not matches_any(f, settings.exclude)
    ]
    packages = vulnerable = 0
    for path in lockfiles:
        for package in _packages(root, path, outcome):
            packages += 1
            vulnerable += _check_package(db, package, settings, outcome)
    outcome.metrics.update(
        dependency_audit="done",
        advisories=db.count,
        lockfiles=len(lockfiles),
        packages=packages,
        vulnerable_packages=vulnerable,
    )


def _packages(root: Path, path: str, outcome: Outcome) -> list[Package]:
    parser = lockfile_parser(path)
    assert parser is not None  # only lock files get here
    file = read_text(root, path, max_bytes=64 * 1024 * 1024)
    if file.text is None:
        outcome.findings.append(
            Finding(rule="lockfile", message=f"lock file not readable: {file.skipped}", file=path)
        )
        return []
    try:
        parsed = parser(path, file.text)
    except LockfileError as err:
        outcome.findings.append(
            Finding(rule="lockfile", message=f"malformed lock file, not audited: {err}", file=path)
        )
        return []
    outcome.findings.extend(
        Finding(
            rule="lockfile",
            message=f"entry skipped: {problem}",
            severity=Severity.WARNING,
            file=path,
            line=line,
        )
        for line, problem in parsed.problems
    )
    return list(parsed.packages)


def _check_package(
    db: AdvisoryDb, package: Package, settings: DependenciesSettings, outcome: Outcome
) -> int:
    try:
        matches = db.matches(package)
    except VersionError as err:
        outcome.findings.append(
            Finding(
                rule="lockfile",
                message=f"{package.name}: {err}: not audited",
                severity=Severity.WARNING,
                file=package.file,
                line=package.line,
            )
        )
        return 0
    threshold = SEVERITIES.index(settings.min_severity)
    counted = [
        m
        for m in matches
        if m.advisory.severity is None or SEVERITIES.index(m.advisory.severity) >= threshold
    ]
    for match in counted:
        advisory = match.advisory
        fix = f"fixed in {match.fixed}" if match.fixed else "no fixed version"
        summary = f": {advisory.summary}" if advisory.summary else ""
        outcome.findings.append(
            Finding(
                rule="vulnerable-dependency",
                message=f"{package.name} {package.version} ({package.ecosystem}) is affected by "
                f"{advisory.id} ({advisory.severity or 'severity unknown'}){summary}; {fix}",
                file=package.file,
                line=package.line,
            )
        )
    return 1 if counted else 0
