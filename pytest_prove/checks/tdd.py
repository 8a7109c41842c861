"""The ``tdd`` check: every changed source file has a matching test.

A changed file is a test, a source that needs one, a file of a language tdd cannot
map (reported as not judged), or none of these (docs, fixtures, generated code).
What is a test comes from the repository's own test configuration and each
language's conventions (:mod:`pytest_prove.engines.tdd.layout`).  A source is tested by, in turn:

1. a test at a path its templates name (``tests/test_{stem}.py``), globs allowed;
2. a test of its language named after it (``testing/python/calc.py``, ``CalcTest.java``);
3. for Rust, its own ``#[cfg(test)]`` module;
4. for Go and Maven/Gradle sources, a test of the same package (a test file beside a
   ``.go`` file; ``src/test/java/p/`` for ``src/main/java/p/``);
5. a changed test of its language that names it: imports its module, requires its path,
   names its class (:mod:`pytest_prove.engines.tdd.references`; ``by_reference``);
6. a changed test of its language that no other changed source claims by name (for Go,
   in its package): tests reach code they do not name (pytest's ``pytester``, a package's
   ``require('..')``), and a change's new test is rarely named after the file it fixes;
   ``other_tests: any`` drops the claim, ``never`` turns the step off.

``strict`` wants the test of 1-4 changed in the same diff, ``lenient`` existing.  A
file whose code did not change (a pure move; a change to comments, docstrings or blank
lines only, :mod:`pytest_prove.engines.tdd.comments`) needs only an existing test, and a
renamed file's test may match its old path too.
"""

from __future__ import annotations

import collections
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Final, Literal

from pydantic import Field, model_validator

from pytest_prove.support.globs import compile_glob, matches_any

from ..api import Check, CheckResult, CheckSettings, Finding, Severity
from ..engines.tdd.comments import changes_code
from ..engines.tdd.content import is_generated, touches_test_module
from ..engines.tdd.defaults import DEFAULT_TEMPLATES, EXCLUDE, INCLUDE, UNMAPPED
from ..engines.tdd.layout import TestLayout, conventional_layout, language_of, read_layout
from ..engines.tdd.repo_tests import RepoTests
from ..engines.tdd.templates import TestTemplate, expand_template

if TYPE_CHECKING:
    from pytest_prove.git.context import RepoContext
    from pytest_prove.git.diff import ChangedFile

__all__ = ["DEFAULT_TEMPLATES", "TDD", "TddSettings", "check_tdd", "expand_template"]

_SHOWN: Final = 10
_UNMIRRORED: Final = {"any-changed-test": "unclaimed", "missing-test": "never"}
_MAIN_SOURCES: Final = re.compile(r"/src/main/(java|kotlin|scala|groovy)/")


class TddSettings(CheckSettings):
    """``tdd`` settings."""

    mode: Literal["strict", "lenient"] = Field(
        default="strict",
        description="strict: a matching test changed in the same diff; lenient: one exists",
    )
    include: list[str] = Field(
        default_factory=lambda: list(INCLUDE), description="Globs of source files that need tests"
    )
    exclude: list[str] = Field(
        default_factory=lambda: list(EXCLUDE),
        description="Globs of files that need none (docs, config, fixtures, generated, tests)",
    )
    test_templates: dict[str, list[TestTemplate]] = Field(
        default_factory=lambda: {k: list(v) for k, v in DEFAULT_TEMPLATES.items()},
        description="Source glob -> test path templates ({dir}, {stem}, {ext}, {name}; globs)",
    )
    read_test_config: bool = Field(
        default=True,
        description="Read where tests are from pytest's, Jest's and Vitest's configuration",
    )
    other_tests: Literal["unclaimed", "any", "never"] = Field(
        default="unclaimed",
        description="A source whose own test did not change: tested by a changed test of its "
        "language that no other changed source is named after (unclaimed), by any changed "
        "test of its language (any), or untested (never)",
    )

    @model_validator(mode="before")
    @classmethod
    def _read_unmirrored(cls, data: Any) -> Any:
        """``unmirrored`` (one release before ``other_tests``) is still read."""
        if isinstance(data, dict) and "unmirrored" in data and "other_tests" not in data:
            data = dict(data)
            old = data.pop("unmirrored")
            data["other_tests"] = _UNMIRRORED.get(old, old) if isinstance(old, str) else old
        return data

    by_reference: bool = Field(
        default=True,
        description="A changed test that imports the source's module, requires its path or "
        "names its class counts as its test",
    )
    unmapped_code: list[str] = Field(
        default_factory=lambda: list(UNMAPPED),
        description="Globs of code tdd cannot map to tests: reported as not judged",
    )


def check_tdd(context: RepoContext, settings: TddSettings) -> CheckResult:
    """Report each changed source file without a matching test.

    Metrics: ``sources`` (changed files that need a test), ``tested`` (of which
    ``by_name`` through a test named after them, ``by_package`` through a changed test
    of their package, ``by_reference`` through a changed test naming them, ``by_any_test``
    through any changed test of their language), ``comments_only`` (sources with no
    changed test whose change touched only comments, docstrings or blank lines, so an
    existing test would do), ``untested``,
    ``not_judged`` (files in languages tdd cannot map), and ``test_config`` (what told
    tdd where the tests are).
    """
    layout = (
        read_layout(context.root, context.work_tree_files)
        if settings.read_test_config
        else conventional_layout()
    )
    findings = [
        Finding(rule="test-config", message=problem, severity=Severity.WARNING)
        for problem in layout.problems
    ]
    sources, not_judged = _classify(context, settings, layout)
    tests = RepoTests(context, layout, [s.path for s in sources])
    how: collections.Counter[str] = collections.Counter()
    comments_only = 0
    for source in sources:
        templates = _templates_for(source.path, settings)
        if not templates and language_of(source.path) is None:
            findings.append(
                Finding(
                    rule="no-test-template",
                    message=f"{source.path} is included but no test_templates glob matches it: "
                    "add templates for it or exclude it",
                    severity=Severity.WARNING,
                    file=source.path,
                )
            )
            continue
        content_changed = bool(source.added_lines or source.removed_lines)
        found = _test_for(
            source, templates, tests, context, settings, content_changed=content_changed
        )
        if found is None and _comments_only(source, context, settings):
            # read only where it decides: a change with its test needs no second look
            comments_only += 1
            content_changed = False
            found = _test_for(source, templates, tests, context, settings, content_changed=False)
        if found is not None:
            how[found] += 1
            continue
        strict = settings.mode == "strict" and content_changed
        wanted = "changed without a matching test change" if strict else "has no matching test"
        expected = ", ".join(expand_template(t, source.path, as_glob=False) for t in templates)
        named = f"a {language_of(source.path)} test named after it"
        findings.append(
            Finding(
                rule="missing-test",
                message=f"{source.path} {wanted}: expected one of {expected}"
                if expected
                else f"{source.path} {wanted}: expected {named}",
                file=source.path,
            )
        )
    if not_judged:
        findings.append(_not_judged_finding(not_judged))
    untested = sum(f.rule == "missing-test" for f in findings)
    judged = len(sources)
    summary = (
        f"{untested} of {judged} changed source files lack a test ({settings.mode})"
        if untested
        else f"{judged} changed source files have tests ({settings.mode})"
    )
    if not_judged:
        summary += f"; {len(not_judged)} files in languages tdd cannot map not judged"
    return CheckResult(
        findings=tuple(findings),
        judged={"changed source files": judged},
        metrics={
            "mode": settings.mode,
            "sources": judged,
            "tested": sum(how.values()),
            "by_name": how["name"],
            "by_package": how["package"],
            "by_reference": how["reference"],
            "by_any_test": how["any"],
            "comments_only": comments_only,
            "untested": untested,
            "not_judged": len(not_judged),
            "test_config": layout.describe(),
        },
        summary=summary,
    )


def _classify(
    context: RepoContext, settings: TddSettings, layout: TestLayout
) -> tuple[list[ChangedFile], list[str]]:
    """The changed sources that need a test, and the changed code tdd cannot judge."""
    sources: list[ChangedFile] = []
    not_judged: list[str] = []
    for changed in context.changed_files:
        path = changed.path
        if changed.status == "deleted" or changed.binary or changed.submodule:
            continue
        if matches_any(path, settings.exclude) or layout.is_test_code(path):
            continue
        if matches_any(path, settings.include):
            if not is_generated(context.root, path):
                sources.append(changed)
        elif matches_any(path, settings.unmapped_code):
            not_judged.append(path)
    return sources, not_judged


def _test_for(
    source: ChangedFile,
    templates: Sequence[str],
    tests: RepoTests,
    context: RepoContext,
    settings: TddSettings,
    *,
    content_changed: bool,
) -> str | None:
    """How ``source`` is tested (``template``, ``name``, ``module``, ``package``,
    ``reference``, ``any``)."""
    want_changed = settings.mode == "strict" and content_changed
    paths = [source.path] + ([source.old_path] if source.old_path else [])
    index = tests.changed if want_changed else tests.existing
    if any(index.first_match(t, p) for p in paths for t in templates):
        return "template"
    named = [n for p in paths for n in tests.named_after(p)]
    changed_tests = tests.changed_by_language.get(language_of(source.path) or "", [])
    if any(n in changed_tests for n in named) or (named and not want_changed):
        return "name"
    if source.path.endswith(".rs") and _rust_module_tested(source, context, want_changed):
        return "module"
    related = _related_change(source.path, changed_tests, tests, settings)
    if related is not None:
        return related
    claims = settings.other_tests == "unclaimed"
    if settings.other_tests != "never" and tests.other_test_changed(source.path, claims=claims):
        return "any"
    return None


def _related_change(
    source: str, changed_tests: Sequence[str], tests: RepoTests, settings: TddSettings
) -> str | None:
    """``package`` for a changed test of the source's package (Go, Maven/Gradle),
    ``reference`` for a changed test that names it."""
    package = _test_package(source)
    if package is not None and any(t.rpartition("/")[0] == package for t in changed_tests):
        return "package"
    if settings.by_reference and tests.texts.named_by_any(language_of(source) or "", source):
        return "reference"
    return None


def _comments_only(source: ChangedFile, context: RepoContext, settings: TddSettings) -> bool:
    """Whether strict mode's want of a changed test is lifted: the change touched only
    comments, docstrings and blank lines."""
    if settings.mode != "strict" or not (source.added_lines or source.removed_lines):
        return False
    return not changes_code(context.root, source, context.read_at_base)


def _test_package(path: str) -> str | None:
    """Where the tests of ``path``'s package are, for languages whose tests test a package:
    Go's beside it, Maven's and Gradle's in the mirrored ``src/test/<lang>`` directory."""
    directory = path.rpartition("/")[0]
    if path.endswith(".go"):
        return directory
    match = _MAIN_SOURCES.search(f"/{directory}/")
    if match is None or language_of(path) != "jvm":
        return None
    mirrored = f"/{directory}/".replace(match.group(), f"/src/test/{match.group(1)}/", 1)
    return mirrored.strip("/")


def _rust_module_tested(source: ChangedFile, context: RepoContext, want_changed: bool) -> bool:
    if want_changed:
        return touches_test_module(context.root, source.path, source.added_lines)
    return touches_test_module(context.root, source.path, (1 << 62,))


def _not_judged_finding(paths: Sequence[str]) -> Finding:
    shown = ", ".join(paths[:_SHOWN])
    more = f" and {len(paths) - _SHOWN} more" if len(paths) > _SHOWN else ""
    return Finding(
        rule="not-judged",
        message=f"{len(paths)} changed files in languages tdd cannot map were not judged "
        f"(configure test_templates and include for them): {shown}{more}",
        severity=Severity.INFO,
    )


def _templates_for(path: str, settings: TddSettings) -> list[str]:
    templates: dict[str, None] = {}  # the union, in order, without repeats
    for glob, listed in settings.test_templates.items():
        if compile_glob(glob).fullmatch(path):
            templates.update(dict.fromkeys(listed))
    return list(templates)


TDD: Final = Check(
    name="tdd",
    run=check_tdd,
    settings_model=TddSettings,
    version="4",
    description="Every changed source file has a matching test (changed, or existing)",
    prefetch=("changed_files", "work_tree_files"),
)
