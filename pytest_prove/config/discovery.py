"""``discover:`` entries: every git repository found below a directory.

Only the file system is read (a ``.git`` directory or file marks a repository), in
sorted order, so every xdist worker finds the same repositories.  The search does not
descend into a repository it found: nested repositories (submodules, vendored clones)
belong to the one that contains them.  Hidden directories and symbolic links are not
followed.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

from pytest_prove.errors import ProveError

from ..readers.errors import display_path, os_problem
from ..support.globs import compile_glob, matches_any
from .models import Discovery
from .paths import PathProblem, kind_of, resolved

_TEMPLATE_FIELD = re.compile(r"\{(\w*)\}")
# what a repository name may not hold (see models.NAME_PATTERN), and may not start with
_NOT_IN_NAME = re.compile(r"[^A-Za-z0-9._-]")
_NOT_FIRST = re.compile(r"^[._-]+")


class DiscoveryError(ProveError, ValueError):
    """A discovery that cannot be carried out (root missing, bad name template)."""


def _usable(text: str) -> str:
    """A directory's name made usable as a repository name: one odd directory (``spa ce``)
    must not stop the discovery of the others."""
    return _NOT_FIRST.sub("", _NOT_IN_NAME.sub("-", text)) or text


def _name(template: str, name: str, relpath: str) -> str:
    fields = {"name": _usable(name), "path": _usable(relpath.replace("/", "-"))}

    def field(match: re.Match[str]) -> str:
        if match[1] not in fields:
            raise DiscoveryError(
                f"unknown field {{{match[1]}}} in name template (use {{name}}, {{path}})"
            )
        return fields[match[1]]

    return _TEMPLATE_FIELD.sub(field, template)


def _root(base_dir: Path, discovery: Discovery) -> Path:
    try:
        root = resolved(base_dir / discovery.root)
        is_dir = kind_of(root) == "directory"
    except PathProblem as exc:
        raise DiscoveryError(f"discovery root: {exc}") from None
    if not is_dir:
        raise DiscoveryError(f"discovery root not found: {discovery.root}")
    return root


def discover_repositories(base_dir: Path, discovery: Discovery) -> list[tuple[str, Path]]:
    """``(name, path)`` of each repository ``discovery`` finds, sorted by path."""
    root = _root(base_dir, discovery)
    pattern = compile_glob(discovery.pattern)
    found: list[tuple[str, Path]] = []

    def walk(directory: Path, prefix: str, depth: int) -> None:
        try:
            children = sorted(
                (c for c in directory.iterdir() if c.is_dir() and not c.is_symlink()),
                key=lambda c: c.name,
            )
        except OSError as exc:  # unreadable: its repositories would silently go missing
            raise DiscoveryError(
                f"cannot list {display_path(directory)}: {os_problem(exc)}"
            ) from None
        for child in children:
            relpath = f"{prefix}{child.name}"
            if child.name.startswith(".") or matches_any(relpath, discovery.exclude):
                continue
            if (child / ".git").exists():
                if pattern.fullmatch(relpath):
                    found.append((_name(discovery.name or "{name}", child.name, relpath), child))
            elif depth > 1:
                walk(child, f"{relpath}/", depth - 1)

    walk(root, "", discovery.depth)
    return found


@dataclasses.dataclass
class Discovered:
    """What discovery learnt besides the entries, gathered over a whole file.

    :param notes: what it left out without failing (a workspace glob that matches nothing,
        a submodule member), one line each for the run's header
    :param uses: each workspace member's entry name -> the entry names of the members it
        depends on, as the manifests declare (``--prove-affected`` follows them)
    """

    notes: list[str] = dataclasses.field(default_factory=list)
    uses: dict[str, tuple[str, ...]] = dataclasses.field(default_factory=dict)


def discover_members(
    base_dir: Path, discovery: Discovery, discovered: Discovered
) -> list[tuple[str, Path]]:
    """``(name, path)`` of each member the workspace manifests at ``discovery.root`` declare
    (that ``pattern`` and ``exclude`` keep), sorted by path; the problems that left a
    pattern or member out, each naming its file, and the members' dependencies go to
    ``discovered``.

    :raises DiscoveryError: the root is missing, or a manifest cannot be read at all
    """
    from .workspaces import WorkspaceError, workspace_members

    root = _root(base_dir, discovery)
    try:
        workspace = workspace_members(root)
    except WorkspaceError as exc:
        raise DiscoveryError(str(exc)) from None
    pattern = compile_glob(discovery.pattern)
    names = {
        member.name: member.name
        if discovery.name is None
        else _name(discovery.name, member.path.rsplit("/", 1)[-1], member.path)
        for member in workspace.members
        if pattern.fullmatch(member.path) and not matches_any(member.path, discovery.exclude)
    }
    found = []
    for member in workspace.members:
        if member.name in names:
            name = names[member.name]
            found.append((name, root / member.path))
            discovered.uses[name] = tuple(names[d] for d in member.depends_on if d in names)
    shown = display_path(root)
    discovered.notes += [f"{shown}: {problem}" for problem in workspace.problems]
    return found
