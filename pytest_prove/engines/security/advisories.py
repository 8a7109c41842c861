"""OSV-format advisories from a local directory, matched against installed packages.

Advisories are the OSV schema (https://ossf.github.io/osv-schema/): one JSON
object per file (or a JSON array of them), read recursively, so an export of
osv.dev or of the GitHub Advisory Database works offline.  Ranges are
evaluated as the OSV spec describes: events sorted by version, ``introduced``
switches "affected" on, ``fixed`` (at that version) and ``last_affected``
(after it) switch it off.  Versions compare by PEP 440 for PyPI and by
semver precedence for npm; ``versions`` lists exact affected versions too.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, Final

from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from pytest_prove.errors import ProveError

from .lockfiles import Ecosystem, Package
from .semver import InvalidSemverError, parse_semver

__all__ = [
    "SEVERITIES",
    "Advisory",
    "AdvisoryDb",
    "Affected",
    "Match",
    "VersionError",
    "load_advisories",
]

SEVERITIES: Final = ("low", "moderate", "high", "critical")
_SEVERITY_ALIASES: Final = {"medium": "moderate"}
_ECOSYSTEMS: Final[Mapping[str, Ecosystem]] = {"pypi": "PyPI", "npm": "npm"}


class VersionError(ProveError, ValueError):
    pass


def _pep440(text: str) -> Any:
    try:
        return Version(text)
    except InvalidVersion:
        raise VersionError(f"not a PEP 440 version: {text!r}") from None


def _semver(text: str) -> Any:
    try:
        return parse_semver(text)
    except InvalidSemverError as err:
        raise VersionError(str(err)) from None


_PARSE_VERSION: Final[Mapping[Ecosystem, Callable[[str], Any]]] = {"PyPI": _pep440, "npm": _semver}


def package_key(ecosystem: Ecosystem, name: str) -> tuple[Ecosystem, str]:
    # PyPI names are case- and separator-insensitive (PEP 503); npm names are exact.
    return ecosystem, canonicalize_name(name) if ecosystem == "PyPI" else name


@dataclasses.dataclass(frozen=True, kw_only=True)
class Affected:
    """One ``affected[]`` entry: its ranges' events and exact versions."""

    ecosystem: Ecosystem
    name: str
    ranges: tuple[tuple[tuple[str, str], ...], ...]
    versions: frozenset[str]


@dataclasses.dataclass(frozen=True, kw_only=True)
class Advisory:
    id: str
    summary: str
    severity: str | None  # one of SEVERITIES, None when the advisory gives none
    affected: tuple[Affected, ...]
    source: str
    withdrawn: bool = False


@dataclasses.dataclass(frozen=True, kw_only=True)
class Match:
    advisory: Advisory
    fixed: str | None  # the first fixed version above the installed one, if any


@dataclasses.dataclass
class AdvisoryDb:
    """Advisories by (ecosystem, package), plus the files that could not be read."""

    by_package: dict[tuple[Ecosystem, str], list[tuple[Advisory, Affected]]] = dataclasses.field(
        default_factory=dict
    )
    problems: list[tuple[str, str]] = dataclasses.field(default_factory=list)
    count: int = 0

    def matches(self, package: Package) -> list[Match]:
        """Advisories affecting ``package``'s version.

        :raises VersionError: the installed version cannot be compared in its ecosystem
        """
        entries = self.by_package.get(package_key(package.ecosystem, package.name), [])
        if not entries:
            return []
        parse = _PARSE_VERSION[package.ecosystem]
        installed = parse(package.version)
        found: list[Match] = []
        for advisory, affected in entries:
            hit = _affects(affected, package.version, installed, parse)
            if hit is not None:
                found.append(Match(advisory=advisory, fixed=hit or None))
        return found


def _affects(
    affected: Affected, raw: str, installed: Any, parse: Callable[[str], Any]
) -> str | None:
    """None if not affected, else the fixed version ("" when none is known)."""
    if raw in affected.versions:
        return _fixed_after(affected, installed, parse)
    for events in affected.ranges:
        try:
            # "introduced: 0" means "from the very first version", pre-releases included.
            parsed = [(None if v == "0" else parse(v), kind) for kind, v in events]
        except VersionError:
            continue  # a range we cannot order says nothing; other ranges may
        state = False
        for version, kind in sorted(parsed, key=_event_order):
            if version is None:
                state = state or kind == "introduced"
            elif kind == "introduced" and installed >= version:
                state = True
            elif (kind == "fixed" and installed >= version) or (
                kind == "last_affected" and installed > version
            ):
                state = False
        if state:
            return _fixed_after(affected, installed, parse)
    return None


def _event_order(event: tuple[Any, str]) -> tuple[int, Any]:
    return (0, 0) if event[0] is None else (1, event[0])


def _fixed_after(affected: Affected, installed: Any, parse: Callable[[str], Any]) -> str:
    candidates = []
    for events in affected.ranges:
        for kind, raw in events:
            if kind != "fixed":
                continue
            try:
                version = parse(raw)
            except VersionError:
                continue
            if version > installed:
                candidates.append((version, raw))
    return min(candidates)[1] if candidates else ""


def _severity(data: Mapping[str, Any]) -> str | None:
    places = [data.get("database_specific")]
    places += [a.get("ecosystem_specific") for a in data.get("affected", []) if isinstance(a, dict)]
    places += [a.get("database_specific") for a in data.get("affected", []) if isinstance(a, dict)]
    for place in places:
        if isinstance(place, dict) and isinstance(place.get("severity"), str):
            value = str(place["severity"]).lower()
            value = _SEVERITY_ALIASES.get(value, value)
            if value in SEVERITIES:
                return value
    return None


def _affected(entry: Any) -> Affected | None:
    if not isinstance(entry, dict) or not isinstance(entry.get("package"), dict):
        return None
    ecosystem = _ECOSYSTEMS.get(str(entry["package"].get("ecosystem", "")).lower())
    name = entry["package"].get("name")
    if ecosystem is None or not isinstance(name, str):
        return None  # other ecosystems (Go, Maven, ...) are not audited
    ranges = []
    for item in entry.get("ranges") or []:
        # GIT ranges are commits, not versions.
        if isinstance(item, dict) and item.get("type") in ("ECOSYSTEM", "SEMVER"):
            events = tuple(
                (kind, str(value))
                for event in item.get("events") or []
                if isinstance(event, dict)
                for kind, value in event.items()
                if kind in ("introduced", "fixed", "last_affected")
            )
            ranges.append(events)
    versions = frozenset(str(v) for v in entry.get("versions") or [])
    return Affected(ecosystem=ecosystem, name=name, ranges=tuple(ranges), versions=versions)


def parse_advisory(data: Any, source: str) -> Advisory:
    """One OSV object; raises ``ValueError`` with the reason when it is not one."""
    if not isinstance(data, dict) or not isinstance(data.get("id"), str):
        raise ValueError("not an OSV advisory (no string 'id')")
    if not isinstance(data.get("affected", []), list):
        raise ValueError(f"{data['id']}: 'affected' is not a list")
    affected = tuple(a for a in map(_affected, data.get("affected", [])) if a is not None)
    summary = data.get("summary") or data.get("details") or ""
    return Advisory(
        id=data["id"],
        summary=str(summary).splitlines()[0][:200] if summary else "",
        severity=_severity(data),
        affected=affected,
        source=source,
        withdrawn=bool(data.get("withdrawn")),
    )


def _json_files(directory: Path) -> Iterator[Path]:
    # Sorted so that problems are reported in a stable order.
    yield from sorted(p for p in directory.rglob("*.json") if p.is_file())


def load_advisories(directory: Path) -> AdvisoryDb:
    """Every advisory under ``directory``; unreadable files become ``problems``.

    :raises FileNotFoundError: ``directory`` is not a directory
    """
    if not directory.is_dir():
        raise FileNotFoundError(directory)
    db = AdvisoryDb()
    for path in _json_files(directory):
        source = path.relative_to(directory).as_posix()
        try:
            data = json.loads(path.read_bytes())
            items: Sequence[Any] = data if isinstance(data, list) else [data]
            advisories = [parse_advisory(item, source) for item in items]
        except (OSError, UnicodeDecodeError, ValueError) as err:  # JSONDecodeError too
            db.problems.append((source, str(err)))
            continue
        for advisory in advisories:
            if advisory.withdrawn:
                continue
            db.count += 1
            for affected in advisory.affected:
                key = package_key(affected.ecosystem, affected.name)
                db.by_package.setdefault(key, []).append((advisory, affected))
    return db
