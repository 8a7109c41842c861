"""The ``contracts`` check: OpenAPI specs are valid and keep their promises to clients.

Each spec file (2.0, 3.0, 3.1; YAML or JSON) in the work tree is bundled (its
references to other repository files inlined, never fetched), validated by
openapi-spec-validator's schemas and rules (see :mod:`pytest_prove.engines.contracts.validate`),
and compared with its version at the merge-base.  A breaking change fails the
gate unless it is declared: ``info.version``'s major number went up, or a
commit in range is a breaking Conventional Commit.  Then the changes are
reported as info and the gate passes.  Safe changes (a path, an optional
parameter, a response property added) are counted in the metrics.
"""

from __future__ import annotations

import collections
from collections.abc import Sequence
from typing import TYPE_CHECKING, Final, Literal

from pydantic import Field

from pytest_prove.engines.commits.conventional import parse_commit_message
from pytest_prove.engines.contracts.review import Review, base_reader, review_spec
from pytest_prove.support.globs import matches_any

from ..api import Check, CheckResult, CheckSettings, Finding, MetricValue, Severity
from ..support.text import TextFile, read_text

if TYPE_CHECKING:
    from pytest_prove.git.context import RepoContext

__all__ = ["CONTRACTS", "DEFAULT_SPECS", "ContractsSettings", "check_contracts"]

DEFAULT_SPECS: Final = (
    *("openapi.yaml", "openapi.yml", "openapi.json"),
    *("**/openapi*.yaml", "**/openapi*.yml", "**/openapi*.json"),
    *("**/swagger*.yaml", "**/swagger*.json"),
)


class ContractsSettings(CheckSettings):
    """``contracts`` settings."""

    specs: list[str] = Field(
        default_factory=lambda: list(DEFAULT_SPECS),
        description="Globs of spec files (repository-relative, ** for any directories)",
    )
    exclude: list[str] = Field(default_factory=list, description="Globs of files that are no spec")
    breaking_changes: bool = Field(
        default=True, description="Compare each spec with its version at the merge-base"
    )
    allow_major_bump: bool = Field(
        default=True, description="A major info.version bump declares breaking changes"
    )
    allow_breaking_commit: bool = Field(
        default=True,
        description="A breaking Conventional Commit in range (`!`, BREAKING CHANGE:) declares them",
    )
    missing: Literal["fail", "skip"] = Field(
        default="fail",
        description="What finding no spec does to the gate: an enabled gate that judged "
        "nothing fails unless told to skip",
    )
    max_spec_bytes: int = Field(
        default=20 * 1024 * 1024,
        gt=0,
        le=1 << 30,
        strict=True,
        description="Larger spec or referenced files are findings",
    )


def check_contracts(context: RepoContext, settings: ContractsSettings) -> CheckResult:
    """Validate every spec and, unless disabled, report breaking changes against the base.

    Metrics: ``specs`` reviewed, ``fragments`` (matched files that are no spec),
    ``compared`` (specs with a base version), ``breaking`` and ``safe`` changes,
    and one ``safe_<rule>`` count per kind of safe change.
    """
    root = context.toplevel
    found = {p for p in context.work_tree_files if _is_spec(p, settings)}
    if settings.breaking_changes:
        # `git mv openapi.yaml petstore-api.yaml`: the spec is still compared with its old
        # self, though its new name matches no glob.
        found.update(
            f.path
            for f in context.changed_files
            if f.old_path and f.status != "deleted" and _is_spec(f.old_path, settings)
        )
    paths = sorted(found)
    if not paths and not _deleted_specs(context, settings):
        return _no_spec(settings)

    def read_work(path: str) -> TextFile:
        return read_text(root, path, max_bytes=settings.max_spec_bytes)

    read_base = base_reader(context.read_at_base, settings.max_spec_bytes)
    reviews = []
    deleted: list[str] = []
    for path in paths:
        base_path = None
        if settings.breaking_changes:
            change = context.changed_file(path)
            base_path = change.old_path or path if change is not None else path
        reviews.append(review_spec(path, read_work, base_path, read_base))
    if settings.breaking_changes:
        deleted = _deleted_specs(context, settings)
    return _result(context, settings, reviews, deleted)


def _is_spec(path: str, settings: ContractsSettings) -> bool:
    return matches_any(path, settings.specs) and not matches_any(path, settings.exclude)


def _deleted_specs(context: RepoContext, settings: ContractsSettings) -> list[str]:
    if not settings.breaking_changes:
        return []
    renamed_from = {r.old_path for r in context.changed_files if r.old_path}
    return [
        f.path
        for f in context.changed_files
        if f.status == "deleted" and _is_spec(f.path, settings) and f.path not in renamed_from
    ]


def _no_spec(settings: ContractsSettings) -> CheckResult:
    searched = ", ".join(settings.specs) or "(no globs)"
    message = (
        f"no OpenAPI spec found: searched {searched}; set `contracts: {{specs: [PATH]}}` "
        "to your spec's path, or `contracts: {missing: skip}` where there is none"
    )
    if settings.missing == "skip":
        return CheckResult(skipped=f"no OpenAPI spec found (missing: skip); searched {searched}")
    return CheckResult(
        findings=[Finding(rule="no-spec", message=message)],
        summary="no OpenAPI spec found: nothing was judged",
        metrics={"specs": 0},
    )


def _result(
    context: RepoContext, settings: ContractsSettings, reviews: Sequence[Review], deleted: list[str]
) -> CheckResult:
    findings: list[Finding] = []
    safe: collections.Counter[str] = collections.Counter()
    breaking: list[Finding] = []
    declared: list[str] = []
    for review in reviews:
        findings.extend(review.findings)
        spec_breaking = []
        for change in review.changes:
            if not change.breaking:
                safe[change.rule] += 1
                continue
            finding = Finding(
                rule=change.rule, message=change.message, file=review.path, line=change.line
            )
            spec_breaking.append(finding)
        if spec_breaking and settings.allow_major_bump and review.major_bump:
            declared.append(
                f"{review.path}: info.version {review.old_version} -> {review.new_version}"
            )
            spec_breaking = [_declared(f) for f in spec_breaking]
        breaking.extend(spec_breaking)
    for path in deleted:
        breaking.append(Finding(rule="spec-deleted", message="spec file deleted", file=path))
    undeclared = [f for f in breaking if f.severity is Severity.ERROR]
    if undeclared and settings.allow_breaking_commit:
        commit = _breaking_commit(context)
        if commit is not None:
            declared.append(f"breaking commit {commit}")
            breaking = [_declared(f) for f in breaking]
    findings.extend(breaking)
    specs = [r for r in reviews if not r.fragment]
    metrics: dict[str, MetricValue] = {
        "specs": len(specs),
        "fragments": len(reviews) - len(specs),
        "compared": sum(r.compared for r in reviews),
        "breaking": len(breaking),
        "safe": sum(safe.values()),
    }
    metrics.update({f"safe_{rule.replace('-', '_')}": n for rule, n in sorted(safe.items())})
    return CheckResult(
        findings=findings,
        metrics=metrics,
        summary=_summary(findings, metrics, declared),
        judged={"specs": len(specs)},
    )


def _declared(finding: Finding) -> Finding:
    return Finding(
        rule=finding.rule,
        message=f"{finding.message} (declared breaking)",
        severity=Severity.INFO,
        file=finding.file,
        line=finding.line,
    )


def _breaking_commit(context: RepoContext) -> str | None:
    for commit in context.commits:
        if parse_commit_message(commit.message).breaking:
            return commit.sha[:12]
    return None


def _summary(
    findings: Sequence[Finding], metrics: dict[str, MetricValue], declared: list[str]
) -> str:
    if not metrics["specs"] and not findings:
        return "no OpenAPI spec found"
    errors = sum(f.severity is Severity.ERROR for f in findings)
    counts = (
        f"{metrics['specs']} spec(s), {metrics['breaking']} breaking, "
        f"{metrics['safe']} safe change(s)"
    )
    if errors:
        return f"{errors} problem(s): {counts}"
    if declared and metrics["breaking"]:
        return f"breaking changes declared ({'; '.join(declared)}): {counts}"
    return f"valid, no undeclared breaking change: {counts}"


CONTRACTS: Final = Check(
    name="contracts",
    run=check_contracts,
    settings_model=ContractsSettings,
    description="OpenAPI specs are valid and have no undeclared breaking change",
    # 2: specs that crashed openapi-spec-validator now fail with a finding.
    # 3: finding no spec fails (missing: skip to skip); a renamed spec keeps its base.
    version="3",
    prefetch=("changed_files", "work_tree_files"),
)
