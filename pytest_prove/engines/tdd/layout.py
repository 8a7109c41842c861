"""Where a repository's tests live and what they are called, from its own configuration.

The ``tdd`` check asks two questions of every changed file: is it a test (so no source
that needs one), and which tests are of the same language (to match a source with).
Conventions answer both for Go (``_test.go``), Maven and Gradle (``src/test/...``),
.NET (``*.Tests`` projects) and Rust (``tests/``); pytest, Jest and Vitest say where
their tests are in configuration, which is read here:

- pytest: ``testpaths`` and ``python_files`` from the first of ``pytest.ini``,
  ``.pytest.ini``, ``pyproject.toml`` (``[tool.pytest.ini_options]`` or ``[tool.pytest]``),
  ``tox.ini`` (``[pytest]``), ``setup.cfg`` (``[tool:pytest]``) that configures pytest,
  the order pytest itself looks in;
- Jest: ``testMatch`` or ``testRegex`` from ``jest.config.json`` or ``package.json``'s
  ``"jest"``; a ``jest.config.js`` (or ``.ts``, ``.mjs``, ``.cjs``) is code, which is
  never run, so Jest's documented defaults stand for it;
- Vitest: its configuration is always code (``vitest.config.*``, ``vite.config.*``), so
  its documented default ``include`` stands for it.

Only files at the repository root are read.  A file that cannot be read (invalid TOML,
JSON or INI, a setting of the wrong type) is a problem to report, never an exception;
the conventions still apply.
"""

from __future__ import annotations

import configparser
import dataclasses
import fnmatch
import json
import re
import shlex
import tomllib
from collections.abc import Callable, Collection, Mapping
from pathlib import Path
from typing import Any, Final

from pytest_prove.support.globs import compile_glob

from ...support.text import read_text
from .js_globs import compile_js_glob

__all__ = ["LANGUAGES", "TestLayout", "language_of", "read_layout", "test_stem"]

PathTest = Callable[[str], bool]

LANGUAGES: Final[Mapping[str, str]] = {
    "py": "python",
    **dict.fromkeys(("js", "jsx", "ts", "tsx", "mjs", "cjs", "mts", "cts"), "javascript"),
    "go": "go",
    **dict.fromkeys(("java", "kt", "kts", "groovy", "scala"), "jvm"),
    "cs": "dotnet",
    "rs": "rust",
}
_PYTEST_DEFAULT_FILES: Final = ("test_*.py", "*_test.py")
# Jest's and Vitest's documented defaults (jestjs.io/docs/configuration#testmatch-arraystring,
# vitest.dev/config/#include).
_JEST_DEFAULT_MATCH: Final = (
    "**/__tests__/**/*.?([mc])[jt]s?(x)",
    "**/?(*.)+(spec|test).?([mc])[jt]s?(x)",
)
_VITEST_DEFAULT_INCLUDE: Final = ("**/*.{test,spec}.?(c|m)[jt]s?(x)",)
_JS_CODE_CONFIGS: Final = ("js", "ts", "mjs", "cjs", "mts", "cts")
# Tests by name or place, whatever the configuration: what every runner of the
# language finds (mocha's and node --test's `test/`, tsd's `*.test-d.ts`, Jasmine's `_spec`, Maven's
# src/test, Gradle's src/integrationTest, .NET's Foo.Tests projects).
# fmt: off
_CONVENTIONS: Final[Mapping[str, tuple[str, ...]]] = {
    "python": ("tests/**", "test/**", "**/tests/**", "**/test_*.py", "**/*_test.py"),
    "javascript": (
        "test/**", "tests/**", "**/test/**", "**/tests/**", "**/__tests__/**",
        "**/*.test.*", "**/*.spec.*", "**/*.test-d.*", "**/*.tst.*",
        "**/*_spec.*",  # Jasmine's `*spec.js` as Angular names it: `i18n-inliner_spec.ts`
    ),
    "go": ("**/*_test.go",),
    "jvm": ("**/src/test/**", "**/src/*Test/**", "**/*Test.*", "**/*Tests.*", "**/*IT.*"),
    "dotnet": ("**/*.Tests/**", "**/*.UnitTests/**", "**/*.IntegrationTests/**", "**/*Tests.cs"),
    "rust": ("tests/**", "**/tests/**"),
}
# fmt: on
# Stripped from a test's name to find the source it is named after.
_TEST_AFFIXES: Final = re.compile(
    r"^(?:test_|test-)|(?:[._-](?:test|spec|test-d|tst)|_test|Tests?|IT|Spec)$", re.IGNORECASE
)
# A source named like its package (`index.js`, `mod.rs`) is tested under the package's name.
_PACKAGE_STEMS: Final = frozenset({"index", "mod", "lib", "main", "__init__", "__main__"})


def language_of(path: str) -> str | None:
    """The language family whose tests may test ``path`` (``javascript`` for a ``.ts``)."""
    name = path.rpartition("/")[2]
    return LANGUAGES.get(name.rpartition(".")[2]) if "." in name else None


def test_stem(path: str) -> str:
    """The name a test file is named after: ``test_calc.py``, ``calc.spec.ts``, ``CalcTest.java``
    are all ``calc``; case, ``-`` and ``_`` are ignored."""
    name = path.rpartition("/")[2]
    stem = name.partition(".")[0] if not name.startswith(".") else name
    if name.count(".") > 1:  # calc.spec.ts, calc.test-d.ts: the marker is an extension
        stem = name.rsplit(".", 1)[0]
    previous = None
    while previous != stem and stem:
        previous, stem = stem, _TEST_AFFIXES.sub("", stem)
    return _normal(stem or previous or name)


def source_stems(path: str) -> frozenset[str]:
    """The names a source's tests may be named after: its stem, and its directory's for an
    ``index.js``, ``mod.rs`` or ``__init__.py``."""
    directory, _, name = path.rpartition("/")
    stem = name.rpartition(".")[0] or name
    stems = {_normal(stem)}
    if stem in _PACKAGE_STEMS and directory:
        stems.add(_normal(directory.rpartition("/")[2]))
    return frozenset(stems)


def _normal(stem: str) -> str:
    return stem.lower().replace("-", "").replace("_", "")


@dataclasses.dataclass(frozen=True, kw_only=True)
class TestLayout:
    """What is a test in one repository, and where that was read.

    :param tests: per language family, predicates that each say "this path is a test"
    :param support: globs of test code that is no test itself (pytest's ``conftest.py``,
        helpers under ``testpaths``): never a source, never a match
    :param read: what was read, for the gate's metrics (``pyproject.toml [tool.pytest]``)
    :param assumed: defaults that stood in for configuration tdd does not run
    :param problems: configuration that could not be read, one line each
    """

    tests: Mapping[str, tuple[PathTest, ...]]
    support: tuple[str, ...] = ()
    read: tuple[str, ...] = ()
    assumed: tuple[str, ...] = ()
    problems: tuple[str, ...] = ()

    def is_test(self, path: str) -> bool:
        language = language_of(path)
        return language is not None and any(t(path) for t in self.tests.get(language, ()))

    def is_test_code(self, path: str) -> bool:
        """A test, or code that only tests use: never a source."""
        return self.is_test(path) or any(compile_glob(g).fullmatch(path) for g in self.support)

    def describe(self) -> str:
        return "; ".join([*self.read, *self.assumed]) or "conventions only"


def _glob_test(pattern: str) -> PathTest:
    regex = compile_glob(pattern)
    return lambda path: regex.fullmatch(path) is not None


def conventional_layout() -> TestLayout:
    """The layout from conventions alone (no configuration read)."""
    return TestLayout(
        tests={
            language: tuple(_glob_test(g) for g in globs)
            for language, globs in _CONVENTIONS.items()
        }
    )


def read_layout(root: Path, files: Collection[str]) -> TestLayout:
    """The test layout of the repository at ``root``, whose files are ``files``."""
    base = conventional_layout()
    tests = {language: list(found) for language, found in base.tests.items()}
    read: list[str] = []
    assumed: list[str] = []
    problems: list[str] = []
    support: list[str] = []
    pytest_config = _read_pytest(root, files, problems)
    if pytest_config is not None:
        origin, testpaths, python_files = pytest_config
        read.append(f"pytest: {origin}")
        tests["python"].append(_pytest_test(python_files))
        support += [f"{p.rstrip('/')}/**" for p in testpaths]
    else:
        tests["python"].append(_pytest_test(_PYTEST_DEFAULT_FILES))
    js_tests, js_read, js_assumed = _read_js(root, files, problems)
    tests["javascript"] += js_tests
    read += js_read
    assumed += js_assumed
    return TestLayout(
        tests={language: tuple(found) for language, found in tests.items()},
        support=tuple(support),
        read=tuple(read),
        assumed=tuple(assumed),
        problems=tuple(problems),
    )


# --- pytest ------------------------------------------------------------------------

# (file, INI section) in the order pytest looks; pyproject.toml has tables instead.
_PYTEST_FILES: Final = (
    ("pytest.ini", "pytest"),
    (".pytest.ini", "pytest"),
    ("pyproject.toml", ""),
    ("tox.ini", "pytest"),
    ("setup.cfg", "tool:pytest"),
)


def _read_pytest(
    root: Path, files: Collection[str], problems: list[str]
) -> tuple[str, tuple[str, ...], tuple[str, ...]] | None:
    """``(where, testpaths, python_files)`` from the file pytest would read, or None."""
    for name, section in _PYTEST_FILES:
        if name not in files:
            continue
        text = read_text(root, name).text
        if text is None:
            continue
        options = _pyproject_options(text, problems) if not section else None
        if section:
            options = _ini_options(name, text, section, problems)
        if options is None:
            continue
        where, values = options
        testpaths = _words(values.get("testpaths"), f"{name}: testpaths", problems)
        python_files = _words(values.get("python_files"), f"{name}: python_files", problems)
        shown = ", ".join(k for k in ("testpaths", "python_files") if k in values) or "defaults"
        return (
            f"{name if not where else f'{name} {where}'} ({shown})",
            testpaths,
            python_files or _PYTEST_DEFAULT_FILES,
        )
    return None


def _pyproject_options(text: str, problems: list[str]) -> tuple[str, Mapping[str, object]] | None:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        problems.append(f"pyproject.toml is not valid TOML ({exc}): pytest's defaults assumed")
        return None
    pytest_table = _table(_table(data.get("tool")).get("pytest"))
    if "ini_options" in pytest_table:
        return "[tool.pytest.ini_options]", _table(pytest_table["ini_options"])
    if pytest_table:  # pytest 9 reads native TOML settings from [tool.pytest]
        return "[tool.pytest]", pytest_table
    return None


def _ini_options(
    name: str, text: str, section: str, problems: list[str]
) -> tuple[str, Mapping[str, object]] | None:
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    try:
        parser.read_string(text, source=name)
    except configparser.Error as exc:
        problems.append(f"{name} is not valid INI ({exc.message}): pytest's defaults assumed")
        return None
    if not parser.has_section(section):
        # pytest.ini configures pytest even without a [pytest] section
        return ("", {}) if name in ("pytest.ini", ".pytest.ini") else None
    return f"[{section}]", dict(parser.items(section))


def _table(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _words(value: object, where: str, problems: list[str]) -> tuple[str, ...]:
    """An ``args``-type pytest setting: a TOML list of strings, or a shell-split string."""
    if value is None:
        return ()
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    if isinstance(value, str):
        try:
            return tuple(shlex.split(value))
        except ValueError:
            return tuple(value.split())
    problems.append(f"{where} is neither a string nor a list of strings: ignored")
    return ()


def _pytest_test(patterns: tuple[str, ...]) -> PathTest:
    """pytest's ``fnmatch_ex``: a pattern without ``/`` matches the file name, one with
    ``/`` the whole path (``*`` crossing directories, as ``fnmatch`` does)."""

    def is_test(path: str) -> bool:
        if not path.endswith(".py"):
            return False
        name = path.rpartition("/")[2]
        for pattern in patterns:
            if "/" not in pattern:
                if fnmatch.fnmatchcase(name, pattern):
                    return True
            elif fnmatch.fnmatchcase(path, pattern) or fnmatch.fnmatchcase(path, f"*/{pattern}"):
                return True
        return False

    return is_test


# --- Jest and Vitest ---------------------------------------------------------------


def _read_js(
    root: Path, files: Collection[str], problems: list[str]
) -> tuple[list[PathTest], list[str], list[str]]:
    """Test predicates, what was read, and what was assumed for JavaScript."""
    package = _json_at_root(root, "package.json", files, problems)
    tests: list[PathTest] = []
    read: list[str] = []
    assumed: list[str] = []
    jest_json = _json_at_root(root, "jest.config.json", files, problems)
    jest_code = next(
        (f"jest.config.{e}" for e in _JS_CODE_CONFIGS if f"jest.config.{e}" in files), None
    )
    if jest_json is not None:
        tests += _jest_tests(jest_json, "jest.config.json", problems, read)
    elif isinstance(package, dict) and isinstance(package.get("jest"), dict):
        tests += _jest_tests(package["jest"], 'package.json "jest"', problems, read)
    elif jest_code is not None:
        tests += [_js_glob_test(g) for g in _JEST_DEFAULT_MATCH]
        assumed.append(f"jest: {jest_code} is code, not read: Jest's default testMatch assumed")
    vitest_code = next(
        (
            f"{tool}.config.{e}"
            for tool in ("vitest", "vite")
            for e in _JS_CODE_CONFIGS
            if f"{tool}.config.{e}" in files
        ),
        None,
    )
    if vitest_code is not None and _uses(package, "vitest"):
        tests += [_js_glob_test(g) for g in _VITEST_DEFAULT_INCLUDE]
        assumed.append(f"vitest: {vitest_code} is code, not read: Vitest's default include assumed")
    return tests, read, assumed


def _json_at_root(
    root: Path, name: str, files: Collection[str], problems: list[str]
) -> dict[str, Any] | None:
    if name not in files:
        return None
    text = read_text(root, name).text
    if text is None:
        return None
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as exc:
        problems.append(f"{name} is not valid JSON ({exc}): its test settings are not read")
        return None
    if not isinstance(data, dict):
        problems.append(f"{name} holds no JSON object: its test settings are not read")
        return None
    return data


def _uses(package: dict[str, Any] | None, tool: str) -> bool:
    if package is None:
        return False
    return any(
        isinstance(package.get(key), dict) and tool in package[key]
        for key in ("dependencies", "devDependencies")
    )


def _jest_tests(
    config: dict[str, Any], where: str, problems: list[str], read: list[str]
) -> list[PathTest]:
    match, regex = config.get("testMatch"), config.get("testRegex")
    if match is not None:
        if isinstance(match, list) and all(isinstance(m, str) for m in match):
            read.append(f"jest: {where} testMatch")
            return [_js_glob_test(m) for m in match if not m.startswith("!")]
        problems.append(f"{where} testMatch is not a list of strings: Jest's defaults assumed")
    elif regex is not None:
        patterns = [regex] if isinstance(regex, str) else regex
        if isinstance(patterns, list) and all(isinstance(p, str) for p in patterns):
            compiled = []
            for pattern in patterns:
                try:
                    compiled.append(re.compile(pattern))
                except re.error as exc:
                    problems.append(f"{where} testRegex {pattern!r} does not compile ({exc})")
            read.append(f"jest: {where} testRegex")
            return [_regex_test(r) for r in compiled]
        problems.append(f"{where} testRegex is not a string or a list of strings: ignored")
    else:
        read.append(f"jest: {where} (default testMatch)")
    return [_js_glob_test(g) for g in _JEST_DEFAULT_MATCH]


def _regex_test(regex: re.Pattern[str]) -> PathTest:
    # Jest searches the absolute path: a leading `/` gives `^`-less patterns their root
    return lambda path: regex.search(f"/{path}") is not None


def _js_glob_test(pattern: str) -> PathTest:
    regex = compile_js_glob(pattern)
    return lambda path: regex.fullmatch(path) is not None
