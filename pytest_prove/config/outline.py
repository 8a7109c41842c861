"""An orchestrator file's outline: the one reading of it every command shares.

Its model, its repository entries (discovery expanded) with their names checked, and its
access roles checked against those names, each problem located as ``pytest`` reports it
(a list entry named by its ``name``, as cfgv does).  ``pytest --prove-config`` plans its
fleet from the outline (:mod:`.orchestrator`); the governance commands (``prove sync``,
``prove audit``) need no more than it, and must work while a repository's own file is broken.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from pathlib import Path

import pydantic

from ..readers.errors import ConfigError, KeyPath, Locate, Problems, format_key_path
from ..readers.validation import validation_error
from ..readers.yamlfile import LoadedFile, load_yaml_file
from .access import check_access
from .discovery import Discovered
from .entries import Entry, check_names, expand_entries
from .models import OrchestratorFile

__all__ = [
    "Outline",
    "check_outline_access",
    "entry_label",
    "load_outline",
    "locator",
    "read_outline",
]


def entry_label(index: int, name: object) -> str:
    return (
        f"repositories[{index}] (name={name!r})"
        if isinstance(name, str)
        else f"repositories[{index}]"
    )


def locator(loaded: LoadedFile) -> Locate:
    """Located errors of the file, naming list entries by their ``name``."""

    def locate(problem: str, path: KeyPath) -> ConfigError:
        shown = format_key_path(path)
        if len(path) >= 2 and path[0] == "repositories" and isinstance(path[1], int):
            entries = loaded.data.get("repositories")
            index = path[1]
            entry = entries[index] if isinstance(entries, list) and index < len(entries) else None
            name = entry.get("name") if isinstance(entry, Mapping) else None
            rest = format_key_path(path[2:])
            if rest and not rest.startswith("["):
                rest = "." + rest
            shown = entry_label(index, name) + rest
        return loaded.error(problem, path, shown_path=shown)

    return locate


@dataclasses.dataclass(frozen=True)
class Outline:
    """What an orchestrator file says, checked as a whole; None where it could not be read."""

    loaded: LoadedFile
    model: OrchestratorFile | None
    entries: list[Entry] | None
    # what discovery learnt besides the entries (notes for the header, workspace uses)
    discovered: Discovered = dataclasses.field(default_factory=Discovered)

    @property
    def names(self) -> list[str]:
        return [entry.name for _, entry in self.entries or ()]


def read_outline(loaded: LoadedFile, problems: Problems, named: Sequence[str] = ()) -> Outline:
    """The file's model and entries, every problem found added to ``problems``.

    :param named: ``--prove-repo`` names, which must name entries
    """
    locate = locator(loaded)
    model = None
    try:
        model = OrchestratorFile.model_validate(loaded.data)
    except pydantic.ValidationError as exc:
        problems.found.append(validation_error(exc, loaded.data, locate, OrchestratorFile))
    raw_entries = loaded.data.get("repositories")
    entries = None
    discovered = Discovered()
    if isinstance(raw_entries, list):
        with problems.collecting():
            entries = expand_entries(raw_entries, loaded.path.parent, locate, discovered)
    if entries is not None:
        with problems.collecting():
            check_names(entries, named, locate, loaded.path)
    return Outline(loaded, model, entries, discovered)


def check_outline_access(outline: Outline, problems: Problems) -> None:
    """The ``access:`` roles name repositories of the file."""
    if outline.model is not None and outline.model.access is not None:
        with problems.collecting():
            check_access(outline.model.access, outline.names, locator(outline.loaded))


def load_outline(path: Path) -> Outline:
    """The outline of the orchestrator file at ``path``, access checked.

    :raises ConfigError: every problem of the file, located as ``pytest`` would
    """
    loaded = load_yaml_file(path.resolve())
    if not isinstance(loaded.data, dict) or "repositories" not in loaded.data:
        raise loaded.error("not an orchestrator file (it has no 'repositories')")
    problems = Problems()
    outline = read_outline(loaded, problems)
    check_outline_access(outline, problems)
    problems.raise_any()
    return outline
