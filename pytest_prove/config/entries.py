"""The orchestrator's ``repositories`` list: plain entries and ``discover:`` entries, validated.

An entry that names ``discover`` stands for every repository discovery finds, each
getting the entry's other fields; the rest are validated as repository entries.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import pydantic

from ..readers.errors import ConfigError, KeyPath, Locate, Problems, display_path, prefixed
from ..readers.validation import validation_error
from .discovery import Discovered, DiscoveryError, discover_members, discover_repositories
from .models import DiscoveryEntry, RepositoryEntry

Entry = tuple[int, RepositoryEntry]  # the index of the list item it comes from, the entry


def _discovered(
    raw: Mapping[str, object],
    base_dir: Path,
    where: KeyPath,
    locate: Locate,
    discovered: Discovered,
) -> list[RepositoryEntry]:
    try:
        entry = DiscoveryEntry.model_validate(raw)
    except pydantic.ValidationError as exc:
        raise validation_error(exc, raw, prefixed(locate, where), DiscoveryEntry) from None
    try:
        if entry.discover.workspaces:
            found = discover_members(base_dir, entry.discover, discovered)
        else:
            found = discover_repositories(base_dir, entry.discover)
    except DiscoveryError as exc:
        raise locate(str(exc), (*where, "discover")) from None
    defaults = entry.model_dump(exclude={"discover"}, exclude_none=True)
    entries = []
    problems = Problems()
    for name, path in found:
        try:
            entries.append(
                RepositoryEntry.model_validate({**defaults, "name": name, "path": str(path)})
            )
        except pydantic.ValidationError as exc:
            problem = exc.errors(include_url=False)[0]["msg"].removeprefix("Value error, ")
            problems.found.append(
                locate(f"{display_path(path)}: {problem}", (*where, "discover", "name"))
            )
    problems.raise_any()
    return entries


def expand_entries(
    raw_entries: Sequence[object],
    base_dir: Path,
    locate: Locate,
    discovered: Discovered | None = None,
) -> list[Entry]:
    """Every repository entry, discovery expanded, in file order.

    :param discovered: gets what discovery learnt besides the entries
    :raises ConfigError: the problems of every entry, not only the first entry's
    """
    discovered = Discovered() if discovered is None else discovered
    entries: list[Entry] = []
    problems = Problems()
    for index, raw in enumerate(raw_entries):
        where: KeyPath = ("repositories", index)
        if isinstance(raw, Mapping) and "discover" in raw:
            with problems.collecting():
                found = _discovered(raw, base_dir, where, locate, discovered)
                entries += [(index, e) for e in found]
            continue
        try:
            entries.append((index, RepositoryEntry.model_validate(raw)))
        except pydantic.ValidationError as exc:
            problems.found.append(
                validation_error(exc, raw, prefixed(locate, where), RepositoryEntry)
            )
    problems.raise_any()
    return entries


def check_names(
    entries: Sequence[Entry], named: Sequence[str], locate: Locate, source: Path
) -> None:
    """Repository names are unique, and ``--prove-repo`` names exist."""
    seen: dict[str, int] = {}
    problems = Problems()
    for index, entry in entries:
        if entry.name in seen:
            problems.found.append(
                locate(
                    f"duplicate repository name {entry.name!r}"
                    f" (also repositories[{seen[entry.name]}])",
                    ("repositories", index, "name"),
                )
            )
            continue
        seen[entry.name] = index
    for name in named:
        if name not in seen:
            problems.found.append(
                ConfigError(
                    f"no repository named {name!r} in {display_path(source)}"
                    f" (known: {', '.join(seen)})"
                )
            )
    problems.raise_any()
