"""The ``tdd`` check: every changed source file has a matching test.

Each source file (``include`` but not ``exclude``) maps to candidate test paths
through templates (``tests/test_{stem}.py``, ``{dir}/{stem}.test.{ext}``); a
template may hold globs, ``**`` included.  ``strict`` wants a matching test
changed in the same diff, ``lenient`` one that exists in the work tree.  A file
whose content did not change (a pure move, a mode change) needs only an existing
test in either mode, and a renamed file's test may match its old path too.
"""

from __future__ import annotations

import collections
import re
import string
from collections.abc import Collection, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Annotated, Final, Literal

from pydantic import AfterValidator, Field

from pytest_prove.globs import compile_glob, matches_any

from .api import Check, CheckResult, CheckSettings, Finding, Severity

if TYPE_CHECKING:
    from pytest_prove.git.context import RepoContext
    from pytest_prove.git.diff import ChangedFile

__all__ = ["DEFAULT_TEMPLATES", "TDD", "TddSettings", "check_tdd", "expand_template"]

_PLACEHOLDERS: Final = frozenset({"dir", "stem", "ext", "name"})
_GLOB_CHARS: Final = re.compile(r"[*?\[]")
_JS_EXTS: Final = ("js", "jsx", "ts", "tsx", "mjs", "cjs")
_JS_TEMPLATES: Final = (
    "{dir}/{stem}.test.{ext}",
    "{dir}/{stem}.spec.{ext}",
    "{dir}/__tests__/{stem}.test.{ext}",
)
DEFAULT_TEMPLATES: Final[Mapping[str, Sequence[str]]] = {
    "**/*.py": (
        "tests/test_{stem}.py",
        "tests/**/test_{stem}.py",
        "{dir}/test_{stem}.py",
        "{dir}/{stem}_test.py",
    ),
    **{f"**/*.{ext}": _JS_TEMPLATES for ext in _JS_EXTS},
    "**/*.go": ("{dir}/{stem}_test.go",),
}
_INCLUDE: Final = tuple(f"**/*.{ext}" for ext in ("py", *_JS_EXTS, "go"))
# fmt: off
_EXCLUDE: Final = (
    # docs and configuration
    "docs/**", "**/docs/**", "**/setup.py", "**/conftest.py", "**/noxfile.py",
    "**/*.config.js", "**/*.config.ts", "**/*.config.mjs", "**/*.config.cjs",
    # migrations
    "**/migrations/**", "**/alembic/versions/**",
    # generated and vendored
    "**/*_pb2.py", "**/*_pb2_grpc.py", "**/*.pb.go", "**/*_gen.go", "**/*.generated.*",
    "**/generated/**", "**/*.d.ts", "**/*.min.js", "**/dist/**", "**/build/**",
    "**/node_modules/**", "**/vendor/**",
    # package markers
    "**/__init__.py",
    # tests themselves
    "tests/**", "test/**", "**/tests/**", "**/__tests__/**", "**/__mocks__/**",
    "**/test_*.py", "**/*_test.py", "**/*_test.go", "**/*.test.*", "**/*.spec.*",
)
# fmt: on


def _valid_template(template: str) -> str:
    try:
        fields = {f for _, f, _, _ in string.Formatter().parse(template) if f is not None}
    except ValueError as exc:
        raise ValueError(f"not a valid template: {exc}") from None
    unknown = sorted(fields - _PLACEHOLDERS)
    if unknown:
        raise ValueError(
            f"unknown placeholder {{{unknown[0]}}}: use {{dir}}, {{stem}}, {{ext}} or {{name}}"
        )
    return template


TestTemplate = Annotated[str, AfterValidator(_valid_template)]


class TddSettings(CheckSettings):
    """``tdd`` settings."""

    mode: Literal["strict", "lenient"] = Field(
        default="strict",
        description="strict: a matching test changed in the same diff; lenient: one exists",
    )
    include: list[str] = Field(
        default_factory=lambda: list(_INCLUDE), description="Globs of source files that need tests"
    )
    exclude: list[str] = Field(
        default_factory=lambda: list(_EXCLUDE),
        description="Globs of files that need none (docs, config, migrations, generated, tests)",
    )
    test_templates: dict[str, list[TestTemplate]] = Field(
        default_factory=lambda: {k: list(v) for k, v in DEFAULT_TEMPLATES.items()},
        description="Source glob -> test path templates ({dir}, {stem}, {ext}, {name}; globs)",
    )


def expand_template(template: str, path: str, *, as_glob: bool = True) -> str:
    """The test path ``template`` gives for source ``path``.

    With ``as_glob`` the file's own parts are escaped, so ``[id].ts`` or ``a*b.py``
    are matched literally while the template's globs stay globs.
    """
    directory, _, name = path.rpartition("/")
    stem, dot, ext = name.rpartition(".")
    if not dot:  # no extension
        stem, ext = name, ""
    values = {"dir": directory, "stem": stem, "ext": ext, "name": name}
    if as_glob:
        values = {k: _GLOB_CHARS.sub(lambda m: f"[{m.group()}]", v) for k, v in values.items()}
    # `{dir}/x` for a file at the root is `x`, not `/x`.
    return re.sub("/{2,}", "/", template.format_map(values)).lstrip("/")


class _TestIndex:
    """Test candidates (changed or existing paths), looked up by glob without a scan each time."""

    def __init__(self, paths: Collection[str]) -> None:
        self._paths = paths
        # Sorted once, so the first match is the same in every process.
        self._sorted = sorted(paths)
        self._by_name: dict[str, list[str]] = collections.defaultdict(list)
        for path in self._sorted:
            self._by_name[path.rpartition("/")[2]].append(path)

    def first_match(self, template: str, source: str) -> str | None:
        literal_name = not _GLOB_CHARS.search(template.rpartition("/")[2])
        if not _GLOB_CHARS.search(template):
            path = expand_template(template, source, as_glob=False)
            return path if path in self._paths else None
        if literal_name:  # `tests/**/test_{stem}.py`: only files of that name can match
            name = expand_template(template, source, as_glob=False).rpartition("/")[2]
            candidates: Iterable[str] = self._by_name.get(name, ())
        else:
            candidates = self._sorted
        glob = compile_glob(expand_template(template, source))
        return next((p for p in candidates if glob.fullmatch(p)), None)


def check_tdd(context: RepoContext, settings: TddSettings) -> CheckResult:
    """Report each changed source file without a matching test.

    Metrics: ``sources`` (changed files that need a test), ``tested``, ``untested``.
    """
    sources = [f for f in context.changed_files if _needs_test(f, settings)]
    changed_tests: _TestIndex | None = None
    existing_tests: _TestIndex | None = None
    findings: list[Finding] = []
    for source in sources:
        templates = _templates_for(source.path, settings)
        if not templates:
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
        if settings.mode == "strict" and content_changed:
            if changed_tests is None:
                changed_tests = _TestIndex(_changed_paths(context.changed_files))
            index, wanted = changed_tests, "changed without a matching test change"
        else:
            if existing_tests is None:
                existing_tests = _TestIndex(context.work_tree_files)
            index, wanted = existing_tests, "has no matching test"
        paths = [source.path] + ([source.old_path] if source.old_path else [])
        if any(index.first_match(t, p) for p in paths for t in templates):
            continue
        expected = ", ".join(expand_template(t, source.path, as_glob=False) for t in templates)
        findings.append(
            Finding(
                rule="missing-test",
                message=f"{source.path} {wanted}: expected one of {expected}",
                file=source.path,
            )
        )
    untested = sum(f.rule == "missing-test" for f in findings)
    return CheckResult(
        findings=tuple(findings),
        judged={"changed source files": len(sources)},
        metrics={
            "mode": settings.mode,
            "sources": len(sources),
            "tested": len(sources) - len(findings),
            "untested": untested,
        },
        summary=(
            f"{untested} of {len(sources)} changed source files lack a test ({settings.mode})"
            if untested
            else f"{len(sources)} changed source files have tests ({settings.mode})"
        ),
    )


def _needs_test(changed: ChangedFile, settings: TddSettings) -> bool:
    return (
        changed.status != "deleted"
        and not changed.binary
        and not changed.submodule
        and matches_any(changed.path, settings.include)
        and not matches_any(changed.path, settings.exclude)
    )


def _templates_for(path: str, settings: TddSettings) -> list[str]:
    templates: dict[str, None] = {}  # the union, in order, without repeats
    for glob, listed in settings.test_templates.items():
        if compile_glob(glob).fullmatch(path):
            templates.update(dict.fromkeys(listed))
    return list(templates)


def _changed_paths(changed: Iterable[ChangedFile]) -> frozenset[str]:
    return frozenset(f.path for f in changed if f.status != "deleted")


TDD: Final = Check(
    name="tdd",
    run=check_tdd,
    settings_model=TddSettings,
    description="Every changed source file has a matching test (changed, or existing)",
    prefetch=("changed_files", "work_tree_files"),
)
