"""The ``coverage`` check: the changed lines that the tests ran (diff coverage).

Changed lines are diff-cover's by default: added or modified lines since the
merge-base with the base ref, including staged and unstaged changes, and
untracked files when ``include_untracked`` is set.  A changed line counts
only if the coverage report measures it (lists it as a statement); the
percentage is covered measurable lines over measurable lines, and it is
compared exactly (75 of 94 lines is 79.79%, below 80) where diff-cover
truncates to an integer first.

Reports are usually ignored by git, so the pass cache cannot see them
change by itself: the check gives it their digest (``cache_inputs``).
"""

from __future__ import annotations

import dataclasses
import datetime
import hashlib
import os
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Final, Literal

from pydantic import Field

from pytest_prove.engines.coverage.measure import Measurement, measure
from pytest_prove.engines.coverage.model import CoverageDataError, FileCoverage, Report, merge
from pytest_prove.engines.coverage.paths import PathMapper
from pytest_prove.engines.coverage.sources import DEFAULT_LOCATIONS, find_reports, read_report
from pytest_prove.support.files import digest_file
from pytest_prove.support.globs import matches_any

from ..api import Check, CheckResult, CheckSettings, Finding, MetricValue, Severity

if TYPE_CHECKING:
    from pytest_prove.git.context import RepoContext

__all__ = [
    "COVERAGE",
    "CoverageSettings",
    "DiffCoverage",
    "check_coverage",
    "diff_coverage",
    "line_ranges",
]

_HOW_TO: Final = (
    "produce it first: `coverage run -m pytest` (or `pytest --cov`) for Python, "
    "`vitest run --coverage --coverage.reporter=lcov` or "
    "`jest --coverage --coverageReporters=cobertura` for JS/TS; "
    "or name the file in the `reports` setting"
)


class CoverageSettings(CheckSettings):
    """``coverage`` settings; the defaults match diff-cover's with an 80% bar."""

    threshold: float = Field(
        default=80,
        ge=0,
        le=100,
        strict=True,
        description="Minimum percentage of changed measurable lines covered "
        "(SonarQube's 'Sonar way' bar for new code)",
    )
    reports: list[str] = Field(
        default_factory=list,
        description="Coverage files (repository-relative); empty: the first found of "
        + ", ".join(DEFAULT_LOCATIONS),
    )
    missing: Literal["fail", "skip"] = Field(
        default="fail", description="What a missing coverage file does to the gate"
    )
    include_untracked: bool = Field(
        default=False, description="Count untracked files' lines as changed (diff-cover's flag)"
    )
    branch: bool = Field(
        default=False,
        description="A changed line with a branch never taken counts as missed "
        "(diff-cover's --branch-coverage)",
    )
    source_roots: list[str] = Field(
        default_factory=list,
        description="Repository-relative directories that relative report paths may be "
        "relative to (tests run in a subdirectory)",
    )
    exclude: list[str] = Field(
        default_factory=list, description="Globs of changed files not to count (`**/migrations/**`)"
    )


@dataclasses.dataclass(frozen=True)
class DiffCoverage:
    """What the reports say about the change, before the threshold is applied."""

    measurement: Measurement
    reports: tuple[Report, ...]
    warnings: tuple[Finding, ...]


def check_coverage(context: RepoContext, settings: CoverageSettings) -> CheckResult:
    """Pass when the changed measurable lines are covered at least ``threshold`` percent.

    Metrics: ``coverage_percent`` (2 decimals), ``covered``, ``measurable``,
    ``missed``, ``changed_lines``, ``files``, and with branch data
    ``branches_covered``, ``branches_total``, ``branch_percent``.
    """
    outcome = diff_coverage(context, settings)
    if isinstance(outcome, CheckResult):
        return outcome
    return _verdict(outcome, settings)


def diff_coverage(context: RepoContext, settings: CoverageSettings) -> DiffCoverage | CheckResult:
    """The change's coverage; a finished result when there is no usable report."""
    toplevel = context.toplevel
    changed = _changed_lines(context, settings)
    paths, absent, folder = _reports(context, settings)
    if absent or not paths:
        return _missing(absent, toplevel, settings)
    mapper = PathMapper(toplevel, changed, settings.source_roots, folder=folder)
    reports: list[Report] = []
    broken: list[Finding] = []
    for path in paths:
        label = _label(path, toplevel)
        try:
            reports.append(read_report(path, label, mapper, toplevel))
        except CoverageDataError as exc:
            broken.append(Finding(rule="bad-report", message=str(exc)))
    if broken:
        return CheckResult(findings=tuple(broken), summary=broken[0].message)
    foreign = _foreign(reports, folder)
    if foreign is not None:
        return CheckResult(findings=(foreign,), summary=foreign.message)
    coverage = merge(reports)
    return DiffCoverage(
        measurement=measure(changed, coverage, branch=settings.branch),
        reports=tuple(reports),
        warnings=tuple(_stale(paths, reports, coverage, toplevel)),
    )


def _reports(context: RepoContext, settings: CoverageSettings) -> tuple[list[Path], list[str], str]:
    """:func:`find_reports` at the project's root, then (for a monorepo's project with no
    report of its own and none configured) at the repository's top, where a workspace-wide
    run writes one report for every project; and the project's folder when that one is read
    (its relative paths start at the top)."""
    paths, absent = find_reports(context.toplevel, settings.reports)
    whole = context.whole_repository
    if paths or absent or settings.reports or whole is context:
        return paths, absent, ""
    paths, absent = find_reports(whole.toplevel, ())
    return paths, absent, context.toplevel.relative_to(whole.toplevel).as_posix()


def _changed_lines(context: RepoContext, settings: CoverageSettings) -> dict[str, frozenset[int]]:
    return {
        f.path: f.added_lines
        for f in context.changed_files
        if f.added_lines
        and not (f.binary or f.submodule)
        and (settings.include_untracked or not f.untracked)
        and not (settings.exclude and matches_any(f.path, settings.exclude))
    }


def _missing(absent: Sequence[str], toplevel: Path, settings: CoverageSettings) -> CheckResult:
    if absent:
        what = f"coverage file {', '.join(absent)} not found in {toplevel}"
    else:
        what = f"no coverage data in {toplevel} (looked for {', '.join(DEFAULT_LOCATIONS)})"
    if settings.missing == "skip":
        return CheckResult(skipped=f"{what} (missing: skip)")
    message = f"{what}: {_HOW_TO}"
    return CheckResult(findings=(Finding(rule="no-coverage-data", message=message),), summary=what)


def _label(path: Path, toplevel: Path) -> str:
    try:
        return path.relative_to(toplevel).as_posix()
    except ValueError:
        return os.fspath(path)


def _foreign(reports: Sequence[Report], folder: str = "") -> Finding | None:
    """A finding when no report names any file of this repository (of this project, for
    the repository's report read by one of its projects: ``folder``)."""
    if not reports or any(r.foreign is None for r in reports):
        return None
    first = reports[0]
    if folder:
        return Finding(
            rule="no-project-data",
            message=f"{first.label} (the repository's report) lists {first.listed} files and "
            f"none is under {folder}/ (e.g. {first.foreign}): run this project's tests with "
            "coverage too, or give it a report of its own in its folder",
        )
    return Finding(
        rule="foreign-report",
        message=f"{first.label} lists {first.listed} files and none is in this repository "
        f"(e.g. {first.foreign}): it was written for another repository or checkout; "
        "regenerate it here or set `source_roots`",
    )


def _stale(
    paths: Sequence[Path],
    reports: Sequence[Report],
    coverage: Mapping[str, FileCoverage],
    toplevel: Path,
) -> Iterable[Finding]:
    """Warn when a source file changed after the report was written: lines may have moved."""
    newest: tuple[float, str] | None = None
    for source in coverage:
        try:
            modified = (toplevel / source).stat().st_mtime
        except OSError:
            continue
        if newest is None or modified > newest[0]:
            newest = (modified, source)
    if newest is None:
        return
    for path, report in zip(paths, reports, strict=True):
        try:
            written = path.stat().st_mtime
        except OSError:
            continue
        if written < newest[0]:
            yield Finding(
                rule="stale-report",
                message=f"{report.label} (written {_instant(written)}) is older than "
                f"{newest[1]} (modified {_instant(newest[0])}): its line numbers may not "
                "match the source; re-run the tests with coverage",
                severity=Severity.WARNING,
                file=newest[1],
            )


def _instant(timestamp: float) -> str:
    return datetime.datetime.fromtimestamp(timestamp, datetime.UTC).isoformat(timespec="seconds")


def report_digest(context: RepoContext, settings: CoverageSettings) -> str:
    """sha256 of the reports the check would read (and of the configured ones that are absent)."""
    paths, absent, _ = _reports(context, settings)
    digest = hashlib.sha256("\0".join(absent).encode())
    for path in paths:
        digest.update(b"\0" + os.fsencode(path) + b"\0")
        digest_file(digest.update, os.fspath(path))
    return digest.hexdigest()


def _verdict(outcome: DiffCoverage, settings: CoverageSettings) -> CheckResult:
    result, findings = outcome.measurement, list(outcome.warnings)
    judged = {"changed files": len(result.files), "changed lines": result.changed_lines}
    metrics: dict[str, MetricValue] = {
        "changed_lines": result.changed_lines,
        "measurable": result.measurable,
        "covered": result.covered,
        "missed": result.measurable - result.covered,
        "files": len(result.files),
    }
    if result.branches_total:
        metrics.update(
            branches_covered=result.branches_taken,
            branches_total=result.branches_total,
            branch_percent=round(result.branches_taken * 100 / result.branches_total, 2),
        )
    if result.percent is None:
        names = ", ".join(r.label for r in outcome.reports)
        return CheckResult(
            findings=tuple(findings),
            metrics=metrics,
            summary=f"no measurable changes: {result.changed_lines} changed lines, "
            f"none measured by {names}",
            judged=judged,
        )
    metrics["coverage_percent"] = round(result.percent, 2)
    # Multiplied out, not divided: 4 of 5 lines must not fall below 80 by rounding.
    failing = result.covered * 100 < settings.threshold * result.measurable
    summary = (
        f"diff coverage {metrics['coverage_percent']:g}% ({result.covered} of "
        f"{result.measurable} changed lines) {'is below' if failing else 'meets'} "
        f"the threshold {settings.threshold:g}%"
    )
    if failing:
        findings.insert(0, Finding(rule="threshold", message=summary))
    severity = Severity.ERROR if failing else Severity.INFO
    for row in result.files:
        if not row.missed:
            continue
        ranges = line_ranges(row.missed)
        findings.append(
            Finding(
                rule="uncovered",
                message=f"{row.path}:{','.join(_span(r) for r in ranges)} not covered "
                f"({len(row.missed)} of {row.measurable} changed lines)",
                severity=severity,
                file=row.path,
                line=ranges[0][0],
                end_line=ranges[0][1],
            )
        )
    return CheckResult(findings=tuple(findings), metrics=metrics, summary=summary, judged=judged)


def line_ranges(lines: Sequence[int]) -> list[tuple[int, int]]:
    """Sorted line numbers as ``(first, last)`` runs.

    ``[12, 13, 14, 30]`` gives ``[(12, 14), (30, 30)]``.
    """
    ranges: list[tuple[int, int]] = []
    for line in lines:
        if ranges and line == ranges[-1][1] + 1:
            ranges[-1] = (ranges[-1][0], line)
        else:
            ranges.append((line, line))
    return ranges


def _span(run: tuple[int, int]) -> str:
    return str(run[0]) if run[0] == run[1] else f"{run[0]}-{run[1]}"


COVERAGE: Final = Check(
    name="coverage",
    run=check_coverage,
    settings_model=CoverageSettings,
    aliases=("diffCoverage",),
    # 2: cacheable, with the reports' digest in the key.
    version="2",
    description="Diff coverage: the share of changed measurable lines the tests ran",
    prefetch=("changed_files",),
    cache_inputs=report_digest,
)
