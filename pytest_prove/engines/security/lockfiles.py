"""Installed package versions from lock files, for the dependency audit.

One parser per format, each ``(path, text) -> Lockfile``.  A file that cannot
be parsed at all raises :class:`LockfileError`; a line or entry that cannot
be understood is a ``problem`` and the rest of the file still counts.
Only exact versions are reported: a requirement without ``==`` names no
installed version, so it cannot be matched against advisories.
"""

from __future__ import annotations

import dataclasses
import json
import re
import tomllib
from collections.abc import Callable, Iterator, Mapping
from pathlib import PurePosixPath
from typing import Any, Final, Literal

import yaml
from packaging.requirements import InvalidRequirement, Requirement

from pytest_prove.errors import ProveError

__all__ = ["Ecosystem", "Lockfile", "LockfileError", "Package", "lockfile_parser", "parse_lockfile"]

Ecosystem = Literal["PyPI", "npm"]


class LockfileError(ProveError, ValueError):
    pass


@dataclasses.dataclass(frozen=True, kw_only=True)
class Package:
    ecosystem: Ecosystem
    name: str
    version: str
    file: str
    line: int | None = None


@dataclasses.dataclass(frozen=True, kw_only=True)
class Lockfile:
    packages: tuple[Package, ...]
    # (line or None, what was wrong)
    problems: tuple[tuple[int | None, str], ...] = ()


_REQUIREMENTS: Final = re.compile(r"requirements[^/]*\.txt")
_CONTINUATION: Final = re.compile(r"\\\r?$")


def _requirements(path: str, text: str) -> Lockfile:
    packages: list[Package] = []
    problems: list[tuple[int | None, str]] = []
    lines = text.splitlines()
    number = 0
    while number < len(lines):
        start = number + 1
        logical = lines[number]
        # A pinned line often continues with `\` and --hash options.
        while _CONTINUATION.search(logical) and number + 1 < len(lines):
            number += 1
            logical = _CONTINUATION.sub(" ", logical) + lines[number]
        number += 1
        spec = logical.split(" #", 1)[0].strip()
        if not spec or spec.startswith(("#", "-")) or "://" in spec:
            continue  # comments, options (-r, -e, --hash), URLs
        spec = spec.split(" --", 1)[0].strip()
        try:
            requirement = Requirement(spec)
        except InvalidRequirement as err:
            # Only the reason: the rest of packaging's message quotes the line,
            # which may hold a credential (an index URL with a token).
            problems.append((start, f"not a requirement: {str(err).splitlines()[0]}"))
            continue
        pins = [s.version for s in requirement.specifier if s.operator in ("==", "===")]
        if len(pins) == 1 and "*" not in pins[0]:
            packages.append(
                Package(
                    ecosystem="PyPI", name=requirement.name, version=pins[0], file=path, line=start
                )
            )
    return Lockfile(packages=tuple(packages), problems=tuple(problems))


def _toml_packages(path: str, text: str) -> Lockfile:
    """poetry.lock and uv.lock: ``[[package]]`` tables with ``name`` and ``version``."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise LockfileError(f"not valid TOML: {err}") from None
    entries = data.get("package", [])
    if not isinstance(entries, list):
        raise LockfileError("'package' is not an array of tables")
    packages: list[Package] = []
    problems: list[tuple[int | None, str]] = []
    for index, entry in enumerate(entries):
        name = entry.get("name") if isinstance(entry, dict) else None
        version = entry.get("version") if isinstance(entry, dict) else None
        if not isinstance(name, str):
            problems.append((None, f"package[{index}] has no name"))
        elif isinstance(version, str):  # uv's own project entry may have none
            packages.append(Package(ecosystem="PyPI", name=name, version=version, file=path))
    return Lockfile(packages=tuple(packages), problems=tuple(problems))


def _json(text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as err:
        raise LockfileError(f"not valid JSON: {err}") from None


def _pipfile_lock(path: str, text: str) -> Lockfile:
    data = _json(text)
    if not isinstance(data, dict):
        raise LockfileError("expected a JSON object with 'default' and 'develop'")
    packages: list[Package] = []
    problems: list[tuple[int | None, str]] = []
    for section in ("default", "develop"):
        entries = data.get(section, {})
        if not isinstance(entries, dict):
            problems.append((None, f"'{section}' is not an object"))
            continue
        for name, entry in entries.items():
            version = entry.get("version") if isinstance(entry, dict) else None
            if isinstance(version, str) and version.startswith("=="):
                packages.append(
                    Package(ecosystem="PyPI", name=name, version=version[2:], file=path)
                )
    return Lockfile(packages=tuple(packages), problems=tuple(problems))


def _package_lock(path: str, text: str) -> Lockfile:
    """package-lock.json / npm-shrinkwrap.json: v2 and v3 ``packages``, v1 ``dependencies``."""
    data = _json(text)
    if not isinstance(data, dict):
        raise LockfileError("expected a JSON object")
    packages: list[Package] = []
    entries = data.get("packages")
    if isinstance(entries, dict):
        for key, entry in entries.items():
            if not key or not isinstance(entry, dict) or entry.get("link"):
                continue  # "" is the project itself; links point at workspace folders
            name = entry.get("name") or key.rpartition("node_modules/")[2]
            version = entry.get("version")
            if isinstance(name, str) and isinstance(version, str):
                packages.append(Package(ecosystem="npm", name=name, version=version, file=path))
    elif isinstance(data.get("dependencies"), dict):
        packages.extend(_v1_dependencies(path, data["dependencies"]))
    else:
        raise LockfileError("has neither 'packages' (lockfileVersion 2, 3) nor 'dependencies'")
    return Lockfile(packages=tuple(packages))


def _v1_dependencies(path: str, tree: Mapping[str, Any]) -> Iterator[Package]:
    for name, entry in tree.items():
        if not isinstance(entry, dict):
            continue
        version = entry.get("version")
        if isinstance(version, str) and not version.startswith(("file:", "git", "http")):
            yield Package(ecosystem="npm", name=name, version=version, file=path)
        nested = entry.get("dependencies")
        if isinstance(nested, dict):
            yield from _v1_dependencies(path, nested)


# /name/1.0.0 (v5), /name@1.0.0 (v6), name@1.0.0 (v9); scoped names start with @;
# peer suffixes are "(peer@x)" (v6+) or "_peer@x" (v5).
_PNPM_KEY: Final = re.compile(r"^/?(?P<name>@[^@/]+/[^@/]+|[^@/]+)[@/](?P<version>\d[^(_\s]*)")


def _pnpm_lock(path: str, text: str) -> Lockfile:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as err:
        # PyYAML's message quotes the offending line; keep the reason and the place only.
        mark = getattr(err, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark is not None else ""
        raise LockfileError(
            f"not valid YAML: {getattr(err, 'problem', None) or 'syntax error'}{where}"
        ) from None
    if not isinstance(data, dict):
        raise LockfileError("expected a YAML mapping")
    entries = data.get("packages") or {}
    if not isinstance(entries, dict):
        raise LockfileError("'packages' is not a mapping")
    packages: list[Package] = []
    problems: list[tuple[int | None, str]] = []
    for key in entries:
        match = _PNPM_KEY.match(str(key))
        if match is None:
            shown = "a URL" if "://" in str(key) else repr(str(key)[:80])  # URLs may hold tokens
            problems.append((None, f"package key {shown} names no version"))
            continue
        packages.append(
            Package(ecosystem="npm", name=match["name"], version=match["version"], file=path)
        )
    return Lockfile(packages=tuple(packages), problems=tuple(problems))


_YARN_VERSION: Final = re.compile(r'^\s+version:?\s+"?([^"\s]+)"?\s*$')


def _yarn_lock(path: str, text: str) -> Lockfile:
    """yarn.lock v1 (its own format) and Berry (YAML-like): headers, then ``version``."""
    packages: list[Package] = []
    problems: list[tuple[int | None, str]] = []
    name: str | None = None
    header_line = 0
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if not line[0].isspace():
            name, header_line = _yarn_name(line), number
            if name is None and "@" not in line[1:] and not line.startswith("__metadata"):
                problems.append((number, f"entry {line[:80]!r} names no package"))
            continue
        version = _YARN_VERSION.match(line)
        if version and name is not None:
            packages.append(
                Package(ecosystem="npm", name=name, version=version[1], file=path, line=header_line)
            )
            name = None
    if not packages and text.strip() and not problems:
        problems.append((None, "no package entries found"))
    return Lockfile(packages=tuple(packages), problems=tuple(problems))


def _yarn_name(header: str) -> str | None:
    first = header.rstrip().rstrip(":").split(",")[0].strip().strip('"')
    at = first.find("@", 1)
    if at <= 0:
        return None
    protocol = first[at + 1 :].partition(":")
    # Berry marks its source: only npm: (or none, in v1) comes from the registry.
    if protocol[1] and protocol[0] != "npm":
        return None
    return first[:at]


_PARSERS: Final[dict[str, Callable[[str, str], Lockfile]]] = {
    "poetry.lock": _toml_packages,
    "uv.lock": _toml_packages,
    "Pipfile.lock": _pipfile_lock,
    "package-lock.json": _package_lock,
    "npm-shrinkwrap.json": _package_lock,
    "pnpm-lock.yaml": _pnpm_lock,
    "yarn.lock": _yarn_lock,
}


def lockfile_parser(path: str) -> Callable[[str, str], Lockfile] | None:
    """The parser for ``path`` by its file name, None for a file that is no lock file."""
    name = PurePosixPath(path).name
    if _REQUIREMENTS.fullmatch(name):
        return _requirements
    return _PARSERS.get(name)


def parse_lockfile(path: str, text: str) -> Lockfile:
    """Parse ``text`` as the lock file ``path`` names.

    :raises LockfileError: not a known lock file name, or the file is unreadable as one
    """
    parser = lockfile_parser(path)
    if parser is None:
        raise LockfileError("not a known lock file name")
    return parser(path, text)
