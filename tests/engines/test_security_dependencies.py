"""Lock file parsers and OSV advisory matching (PEP 440 for PyPI, semver for npm)."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pytest_prove.engines.security.advisories import VersionError, load_advisories
from pytest_prove.engines.security.lockfiles import LockfileError, Package, parse_lockfile

REQUIREMENTS = """\
# pinned
Django==4.2.1
requests[socks] == 2.31.0 ; python_version >= "3.8"  # trailing comment
flask>=2.0
-r other.txt
-e .
cryptography==41.0.0 \\
    --hash=sha256:abc
not a requirement !!
"""
POETRY = """\
[[package]]
name = "Jinja2"
version = "3.1.2"

[[package]]
name = "urllib3"
version = "1.26.5"
"""
UV = """\
version = 1
[[package]]
name = "app"
source = { editable = "." }

[[package]]
name = "pyyaml"
version = "5.3"
"""
PIPFILE = json.dumps(
    {"default": {"django": {"version": "==3.2.0"}}, "develop": {"pytest": {"version": "==7.0.0"}}}
)
PACKAGE_LOCK_V3 = json.dumps(
    {
        "lockfileVersion": 3,
        "packages": {
            "": {"name": "app", "version": "1.0.0"},
            "node_modules/lodash": {"version": "4.17.20"},
            "node_modules/a/node_modules/@scope/b": {"version": "2.0.0-beta.1"},
            "packages/ws": {"link": True},
        },
    }
)
PACKAGE_LOCK_V1 = json.dumps(
    {
        "lockfileVersion": 1,
        "dependencies": {
            "minimist": {"version": "1.2.0", "dependencies": {"x": {"version": "0.1.0"}}}
        },
    }
)
PNPM = """\
lockfileVersion: '9.0'
packages:
  lodash@4.17.20:
    resolution: {integrity: sha512-x}
  '@types/node@18.0.0':
    resolution: {integrity: sha512-y}
  /old/1.0.0_peer@2:
    resolution: {integrity: sha512-z}
"""
YARN_V1 = """\
# yarn lockfile v1

"@babel/code-frame@^7.0.0", "@babel/code-frame@^7.10.4":
  version "7.12.13"
  resolved "https://registry.yarnpkg.com/x"

lodash@^4.17.20:
  version "4.17.20"
"""
YARN_BERRY = """\
__metadata:
  version: 6

"lodash@npm:^4.17.20":
  version: 4.17.21

"app@workspace:.":
  version: 0.0.0-use.local
"""


def _names(path: str, text: str) -> list[tuple[str, str, str, int | None]]:
    lock = parse_lockfile(path, text)
    return [(p.ecosystem, p.name, p.version, p.line) for p in lock.packages]


@pytest.mark.parametrize(
    ("path", "text", "expected"),
    [
        (
            "requirements-dev.txt",
            REQUIREMENTS,
            [
                ("PyPI", "Django", "4.2.1", 2),
                ("PyPI", "requests", "2.31.0", 3),
                ("PyPI", "cryptography", "41.0.0", 7),
            ],
        ),
        (
            "poetry.lock",
            POETRY,
            [("PyPI", "Jinja2", "3.1.2", None), ("PyPI", "urllib3", "1.26.5", None)],
        ),
        ("sub/uv.lock", UV, [("PyPI", "pyyaml", "5.3", None)]),
        (
            "Pipfile.lock",
            PIPFILE,
            [("PyPI", "django", "3.2.0", None), ("PyPI", "pytest", "7.0.0", None)],
        ),
        (
            "package-lock.json",
            PACKAGE_LOCK_V3,
            [("npm", "lodash", "4.17.20", None), ("npm", "@scope/b", "2.0.0-beta.1", None)],
        ),
        (
            "npm-shrinkwrap.json",
            PACKAGE_LOCK_V1,
            [("npm", "minimist", "1.2.0", None), ("npm", "x", "0.1.0", None)],
        ),
        (
            "pnpm-lock.yaml",
            PNPM,
            [
                ("npm", "lodash", "4.17.20", None),
                ("npm", "@types/node", "18.0.0", None),
                ("npm", "old", "1.0.0", None),
            ],
        ),
        (
            "yarn.lock",
            YARN_V1,
            [("npm", "@babel/code-frame", "7.12.13", 3), ("npm", "lodash", "4.17.20", 7)],
        ),
        ("yarn.lock", YARN_BERRY, [("npm", "lodash", "4.17.21", 4)]),
    ],
)
def test_parsers(path: str, text: str, expected: list[tuple[str, str, str, int | None]]) -> None:
    assert _names(path, text) == expected


def test_requirement_problems_name_the_line() -> None:
    assert parse_lockfile("requirements.txt", REQUIREMENTS).problems[0][0] == 9


@pytest.mark.parametrize(
    ("path", "text", "problem"),
    [
        ("poetry.lock", "[[package]\nname=", "not valid TOML"),
        ("uv.lock", "package = 3", "not an array"),
        ("Pipfile.lock", "{", "not valid JSON"),
        ("Pipfile.lock", "[]", "expected a JSON object"),
        ("package-lock.json", '{"lockfileVersion": 3}', "neither 'packages'"),
        ("package-lock.json", "", "not valid JSON"),
        ("pnpm-lock.yaml", "packages: [1, 2", "not valid YAML"),
        ("pnpm-lock.yaml", "packages: [1, 2]", "not a mapping"),
        ("README.md", "", "not a known lock file name"),
    ],
)
def test_malformed_lockfiles(path: str, text: str, problem: str) -> None:
    with pytest.raises(LockfileError, match=problem):
        parse_lockfile(path, text)


def test_garbage_yarn_lock_is_a_problem_not_a_crash() -> None:
    assert parse_lockfile("yarn.lock", "garbage\n  without versions\n").problems


@pytest.mark.parametrize(
    "path",
    [
        "requirements.txt",
        "poetry.lock",
        "uv.lock",
        "Pipfile.lock",
        "package-lock.json",
        "pnpm-lock.yaml",
        "yarn.lock",
    ],
)
@given(text=st.text(max_size=300))
def test_parsers_only_raise_lockfile_error(path: str, text: str) -> None:
    with contextlib.suppress(LockfileError):
        parse_lockfile(path, text)


def _osv(
    ident: str, ecosystem: str, name: str, events: list[dict[str, str]], **extra: Any
) -> dict[str, Any]:
    return {
        "id": ident,
        "summary": f"{name} is vulnerable",
        "affected": [
            {
                "package": {"ecosystem": ecosystem, "name": name},
                "ranges": [
                    {"type": "ECOSYSTEM" if ecosystem == "PyPI" else "SEMVER", "events": events}
                ],
                **extra,
            }
        ],
        "database_specific": {"severity": "HIGH"},
    }


@pytest.fixture
def advisories(tmp_path: Path) -> Path:
    directory = tmp_path / "osv"
    (directory / "pypi").mkdir(parents=True)
    (directory / "npm").mkdir()
    docs = {
        "pypi/PYSEC-1.json": _osv(
            "PYSEC-1", "PyPI", "django", [{"introduced": "4.0"}, {"fixed": "4.2.2"}]
        ),
        "pypi/PYSEC-2.json": _osv(
            "PYSEC-2", "PyPI", "Jinja2", [{"introduced": "0"}, {"last_affected": "3.1.2"}]
        ),
        "pypi/PYSEC-3.json": _osv(
            "PYSEC-3",
            "PyPI",
            "pyyaml",
            [{"introduced": "0"}, {"fixed": "5.4"}, {"introduced": "6.0a1"}, {"fixed": "6.0.1"}],
        ),
        "npm/GHSA-1.json": _osv(
            "GHSA-1", "npm", "lodash", [{"introduced": "0"}, {"fixed": "4.17.21"}]
        ),
        "npm/GHSA-2.json": _osv(
            "GHSA-2", "npm", "@scope/b", [{"introduced": "2.0.0-alpha"}, {"fixed": "2.0.0"}]
        ),
        "npm/GHSA-3.json": {
            **_osv("GHSA-3", "npm", "lodash", [{"introduced": "0"}]),
            "withdrawn": "2024-01-01T00:00:00Z",
        },
        "npm/GHSA-4.json": _osv("GHSA-4", "npm", "minimist", [], versions=["1.2.0"]),
        "go.json": _osv("GO-1", "Go", "example.com/x", [{"introduced": "0"}]),
    }
    for name, doc in docs.items():
        (directory / name).write_text(json.dumps(doc))
    (directory / "broken.json").write_text("{nope")
    (directory / "not-osv.json").write_text("[1, 2]")
    return directory


def _hits(directory: Path, ecosystem: str, name: str, version: str) -> list[tuple[str, str | None]]:
    db = load_advisories(directory)
    package = Package(ecosystem=ecosystem, name=name, version=version, file="x")  # type: ignore[arg-type]
    return [(m.advisory.id, m.fixed) for m in db.matches(package)]


@pytest.mark.parametrize(
    ("ecosystem", "name", "version", "expected"),
    [
        ("PyPI", "Django", "4.2.1", [("PYSEC-1", "4.2.2")]),
        ("PyPI", "django", "4.2.2", []),
        ("PyPI", "django", "3.9", []),
        ("PyPI", "django", "4.0rc1", []),  # a pre-release sorts before 4.0 (PEP 440)
        ("PyPI", "django", "4.2.2.dev1", [("PYSEC-1", "4.2.2")]),  # before the fix, too
        ("PyPI", "jinja2", "3.1.2", [("PYSEC-2", None)]),  # last_affected is inclusive
        ("PyPI", "JINJA2", "3.1.3", []),
        ("PyPI", "PyYAML", "5.3", [("PYSEC-3", "5.4")]),
        ("PyPI", "pyyaml", "5.4", []),
        ("PyPI", "pyyaml", "6.0", [("PYSEC-3", "6.0.1")]),
        ("npm", "lodash", "4.17.20", [("GHSA-1", "4.17.21")]),  # GHSA-3 is withdrawn
        ("npm", "lodash", "4.17.21", []),
        ("npm", "Lodash", "4.17.20", []),  # npm names are exact
        ("npm", "@scope/b", "2.0.0-beta.1", [("GHSA-2", "2.0.0")]),  # semver pre-release order
        ("npm", "@scope/b", "2.0.0", []),
        ("npm", "minimist", "1.2.0", [("GHSA-4", None)]),  # listed in versions
        ("npm", "minimist", "1.2.1", []),
    ],
)
def test_matching(
    advisories: Path,
    ecosystem: str,
    name: str,
    version: str,
    expected: list[tuple[str, str | None]],
) -> None:
    assert _hits(advisories, ecosystem, name, version) == expected


def test_loading_reports_bad_files_and_goes_on(advisories: Path) -> None:
    db = load_advisories(advisories)
    assert db.count == 7  # 8 documents, one withdrawn (the Go one counts, matching nothing)
    assert sorted(source for source, _ in db.problems) == ["broken.json", "not-osv.json"]
    assert "not valid JSON" not in db.problems[1][1]


def test_uncomparable_installed_version(advisories: Path) -> None:
    with pytest.raises(VersionError):
        _hits(advisories, "npm", "lodash", "latest")


def test_missing_directory(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        load_advisories(tmp_path / "none")


def test_lockfile_problems_do_not_quote_the_line() -> None:
    token = "ghp_" + "Ab1" * 12
    problems = parse_lockfile("requirements.txt", f"foo==1.0 {token}\n").problems
    assert problems
    assert token not in str(problems)
    with pytest.raises(LockfileError) as info:
        parse_lockfile("pnpm-lock.yaml", f"packages: [{token}, 2\n")
    assert token not in str(info.value)
    assert "(line 2)" in str(info.value)
    keys = parse_lockfile("pnpm-lock.yaml", f"packages:\n  https://u:{token}@h/x.tgz: {{}}\n")
    assert keys.problems == ((None, "package key a URL names no version"),)


_json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(
            st.sampled_from(
                [
                    "id",
                    "affected",
                    "package",
                    "ecosystem",
                    "name",
                    "ranges",
                    "type",
                    "events",
                    "introduced",
                    "fixed",
                    "versions",
                    "summary",
                    "withdrawn",
                ]
            ),
            children,
            max_size=4,
        )
    ),
    max_leaves=20,
)


@given(_json_values)
def test_any_json_is_an_advisory_or_a_clear_problem(
    tmp_path_factory: pytest.TempPathFactory, data: Any
) -> None:
    directory = tmp_path_factory.mktemp("osv")
    (directory / "a.json").write_text(json.dumps(data))
    db = load_advisories(directory)
    if not isinstance(data, (dict, list)) or (
        isinstance(data, dict) and not isinstance(data.get("id"), str)
    ):
        assert db.problems
    for ecosystem, name in (("PyPI", "x"), ("npm", "x")):
        package = Package(ecosystem=ecosystem, name=name, version="1.0.0", file="f")  # type: ignore[arg-type]
        db.matches(package)
