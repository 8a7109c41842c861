"""What a repository holds, as far as choosing its gates goes (for ``prove init``).

Only file names and a few small manifests are read: inspecting must stay fast on a
large repository and must never fail on odd content (a broken package.json is a
fact to report, not an exception).
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import tomllib
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, Final

from ...engines.command.reports import ReportError, load_json
from ...engines.tdd.layout import TestLayout, language_of, read_layout
from ...git.runner import GitCommandError, run_git
from ...support.text import read_text

_SKIPPED_DIRS: Final = frozenset(
    {".git", "node_modules", ".venv", "venv", "dist", "build", "vendor", "__pycache__", ".tox"}
)
_MAX_FILES: Final = 50_000
_OPENAPI_SUFFIXES: Final = (".yaml", ".yml", ".json")
# A top-level `openapi:` / `swagger:` key (YAML), or the first key of a JSON document.
_OPENAPI_KEY: Final = re.compile(
    r'^(?:openapi|swagger)\s*:|^\s*\{?\s*"(?:openapi|swagger)"\s*:', re.M
)
_NOT_SPECS: Final = frozenset({"package.json", "package-lock.json", "tsconfig.json"})
_FLAG_REGISTRIES: Final = ("feature-flags.yaml", "feature-flags.yml", "feature-flags.json")
_JS_COVERAGE: Final = ("c8", "nyc", "@vitest/coverage-v8", "@vitest/coverage-istanbul", "jest")
_PY_COVERAGE: Final = ("coverage", "pytest-cov")
# What tdd does with each language's tests, as the comment prove init writes says it.
_MAPPINGS: Final = {
    "python": "a source is tested by tests/test_<stem>.py or a test named after it",
    "javascript": "a source is tested by <stem>.test.<ext> beside it or a test named after it",
    "go": "a source is tested by <stem>_test.go or a test of its package",
    "jvm": "src/main/<lang>/p/X is tested by src/test/<lang>/**/XTest (or Tests, IT) "
    "or a test of package p",
    "dotnet": "X.cs is tested by XTests.cs in a *.Tests project",
    "rust": "a source is tested by tests/<stem>.rs or its own #[cfg(test)] module",
}


@dataclasses.dataclass(frozen=True, kw_only=True)
class RepoFacts:
    """What :func:`inspect_repository` found; each list is sorted."""

    languages: tuple[str, ...]
    test_files: tuple[str, ...]
    coverage_tools: tuple[str, ...]
    openapi_files: tuple[str, ...]
    flag_registry: str | None
    typescript: bool
    eslint: bool
    problems: tuple[str, ...]
    test_layout: str = "conventions only"
    test_mapping: tuple[str, ...] = ()


def _listed_files(root: Path) -> list[str]:
    """Tracked and untracked-but-not-ignored files (git), or a bounded walk without git."""
    try:
        out = run_git(root, "ls-files", "-z", "--cached", "--others", "--exclude-standard")
        return sorted({p for p in out.decode("utf-8", "surrogateescape").split("\0") if p})
    except GitCommandError:
        pass
    found: list[str] = []
    for directory, subdirs, files in os.walk(root):
        subdirs[:] = sorted(d for d in subdirs if d not in _SKIPPED_DIRS)
        rel = Path(directory).relative_to(root)
        found += [(rel / f).as_posix() for f in sorted(files)]
        if len(found) >= _MAX_FILES:
            break
    return found


def _test_mapping(test_files: Sequence[str], layout: TestLayout) -> tuple[str, ...]:
    """One line per language with tests: how tdd maps its sources to them."""
    lines = []
    for language in sorted({language_of(p) or "" for p in test_files} - {""}):
        tests = [p for p in test_files if language_of(p) == language and layout.is_test(p)]
        if not tests:
            continue
        places = sorted({p.split("/")[0] if "/" in p else "." for p in tests})
        lines.append(
            f"{language}: {len(tests)} tests in {', '.join(places[:4])}"
            f"{' and more' if len(places) > 4 else ''}: {_MAPPINGS[language]}"
        )
    return tuple(lines)


def _is_test_file(path: str) -> bool:
    name = path.rsplit("/", 1)[-1]
    parts = path.split("/")[:-1]
    return (
        (name.startswith("test_") and name.endswith(".py"))
        or name.endswith(("_test.py", "_test.go"))
        or any(f"{mark}." in name for mark in (".test", ".spec"))
        or any(p in {"tests", "test", "__tests__", "spec"} for p in parts)
    )


def _json_object(root: Path, name: str, problems: list[str]) -> dict[str, Any]:
    text = read_text(root, name).text
    if text is None:
        return {}
    try:
        data = load_json(text)
    except ReportError as exc:
        problems.append(f"{name}: {exc}; ignored")
        return {}
    return data if isinstance(data, dict) else {}


def _toml(root: Path, name: str, problems: list[str]) -> dict[str, Any]:
    text = read_text(root, name).text
    if text is None:
        return {}
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        problems.append(f"{name}: not valid TOML ({exc}); ignored")
        return {}


def _mentions(haystack: Iterable[str], needles: Sequence[str]) -> list[str]:
    text = "\n".join(haystack)
    return [n for n in needles if n in text]


def _is_openapi(root: Path, path: str) -> bool:
    if not path.endswith(_OPENAPI_SUFFIXES) or path.rsplit("/", 1)[-1] in _NOT_SPECS:
        return False
    text = read_text(root, path, max_bytes=1024 * 1024).text
    return text is not None and _OPENAPI_KEY.search(text[:4000]) is not None


def inspect_repository(root: Path) -> RepoFacts:
    """Read the manifests and list the files of the repository at ``root``."""
    problems: list[str] = []
    files = _listed_files(root)
    names = set(files)
    languages: list[str] = []
    coverage: list[str] = []
    package = _json_object(root, "package.json", problems) if "package.json" in names else {}
    if "package.json" in names:
        languages.append("javascript")
        deps = [
            *(package.get("dependencies") or {}),
            *(package.get("devDependencies") or {}),
        ]
        scripts = [str(v) for v in (package.get("scripts") or {}).values()]
        coverage += [f"{t} (package.json)" for t in _mentions([*deps, *scripts], _JS_COVERAGE)]
    typescript = "tsconfig.json" in names
    if typescript:
        languages.append("typescript")
    if "pyproject.toml" in names or "setup.py" in names:
        languages.append("python")
        pyproject = _toml(root, "pyproject.toml", problems) if "pyproject.toml" in names else {}
        manifest = json.dumps(pyproject)
        coverage += [f"{t} (pyproject.toml)" for t in _mentions([manifest], _PY_COVERAGE)]
    if "go.mod" in names:
        languages.append("go")
    if ".coveragerc" in names:
        coverage.append("coverage.py (.coveragerc)")
    eslint = any(f.split("/")[-1].startswith(("eslint.config.", ".eslintrc")) for f in files)
    openapi = [f for f in files if _is_openapi(root, f)]
    registry = next((f for f in _FLAG_REGISTRIES if f in names), None)
    layout = read_layout(root, names)
    test_files = tuple(f for f in files if _is_test_file(f) or layout.is_test(f))
    return RepoFacts(
        test_layout=layout.describe(),
        test_mapping=_test_mapping(test_files, layout),
        languages=tuple(languages),
        test_files=test_files,
        coverage_tools=tuple(sorted(set(coverage))),
        openapi_files=tuple(openapi),
        flag_registry=registry,
        typescript=typescript,
        eslint=eslint,
        problems=tuple(problems),
    )
