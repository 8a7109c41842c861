"""The members of a monorepo's workspaces: npm/yarn, pnpm, Cargo, Go and uv.

:func:`workspace_members` reads every workspace manifest at a repository's root
(``package.json`` ``workspaces``, ``pnpm-workspace.yaml``, ``Cargo.toml`` ``[workspace]``,
``go.work``, ``pyproject.toml`` ``[tool.uv.workspace]``), expands each tool's member
patterns as that tool does (``manifests`` reads, ``patterns`` expands and
excludes, ``read`` parses with located errors), and returns the
union, one :class:`Member` per directory, with the other members each depends on.

Errors and problems, the design:

- A workspace manifest that cannot be used at all (unreadable, not valid JSON, YAML, TOML
  or go.work, its member list of the wrong type: ``"workspaces": 5``) raises
  :class:`WorkspaceError`; every such manifest of the root is named in the one error,
  ``file:line: what`` each, so a fix is not followed by the next surprise.
- Anything narrower is a *problem*, a line of :attr:`Workspace.problems`, and the rest of
  the workspace is still returned: a pattern that matches no package, leaves the root
  (``../x``, ``/abs``) or reaches it through a symbolic link pointing outside; a member
  directory that is another git repository (a submodule: it is checked as a repository
  of its own, never as a member); a member without its manifest, or whose manifest is
  malformed (it stays a member, without a package name or dependencies); two members
  that declare one package name.  The caller decides whether problems fail a run.
- No workspace manifest at all is an empty workspace with one problem saying so.

The root itself is never a member (pnpm's root package, a Cargo root package, a go.work
``use .``, a uv root project): it is the repository the members belong to.

Names: a member's path with ``/`` turned into ``-`` and any character outside
``[A-Za-z0-9._-]`` into ``-``, leading ``._-`` dropped, as ``discover:`` names
repositories (``packages/ui-kit`` -> ``packages-ui-kit``).  When several paths give one
name, the path the name spells exactly (nothing was replaced) keeps it, else the first
path in sorted order; the others, in sorted order, get ``-2``, ``-3``... (skipping any name
already taken), so a name only changes when a colliding directory is added.
"""

from __future__ import annotations

import dataclasses
import os
import re
from collections import defaultdict
from pathlib import Path
from typing import Final

from .manifests import (
    MEMBER_MANIFEST,
    Declaration,
    MemberManifest,
    Pattern,
    cargo_declaration,
    go_declaration,
    npm_declaration,
    pnpm_declaration,
    read_member,
    uv_declaration,
)
from .patterns import braces, cargo_excluded, exclusion, expand, is_dir, normalised, within
from .read import WorkspaceError, normalise_name, read_text

__all__ = ["Member", "Workspace", "WorkspaceError", "workspace_members"]

NO_MANIFEST: Final = (
    "no workspace manifest (package.json workspaces, pnpm-workspace.yaml, Cargo.toml "
    "[workspace], go.work, pyproject.toml [tool.uv.workspace]) in {root}"
)
_NOT_IN_NAME: Final = re.compile(r"[^A-Za-z0-9._-]")  # discovery._usable's rule
_NOT_FIRST: Final = re.compile(r"^[._-]+")
_JS: Final = frozenset({"npm", "pnpm"})
# npm (map-workspaces) ignores **/node_modules/**; pnpm's find-packages bower_components too.
_JS_PRUNE: Final = frozenset({"node_modules", "bower_components"})


@dataclasses.dataclass(frozen=True)
class Member:
    """One package of a workspace."""

    name: str  # unique, usable in a node id: "packages/ui-kit" -> "packages-ui-kit"
    path: str  # POSIX, relative to the workspace root
    tool: str  # "npm" (npm and yarn), "pnpm", "cargo", "go", "uv"
    manifest: str  # its own manifest, relative to the root: "packages/ui-kit/package.json"
    package: str | None  # the name its manifest gives it (go: the module path)
    depends_on: tuple[str, ...]  # names of the other members it depends on, sorted


@dataclasses.dataclass(frozen=True)
class Workspace:
    root: Path
    members: tuple[Member, ...]  # sorted by path
    problems: tuple[str, ...]  # each "file[:line]: what", in the order found


@dataclasses.dataclass
class _Found:
    """A member directory while it is being gathered: each tool that claims it."""

    claims: list[tuple[Declaration, MemberManifest]] = dataclasses.field(default_factory=list)


def workspace_members(root: Path) -> Workspace:
    """The members of every workspace declared at ``root``, and the problems met.

    :raises WorkspaceError: ``root`` is no directory, or a workspace manifest at it
        cannot be read or is malformed (all of them named in one message)
    """
    if not is_dir(root):
        raise WorkspaceError(f"{root}: not a directory")
    declarations = _declarations(root)
    if not declarations:
        return Workspace(root, (), (NO_MANIFEST.format(root=root),))
    problems: list[str] = []
    found: dict[str, _Found] = {}
    for declaration in declarations:
        if not declaration.include and not declaration.root_paths:
            problems.append(f"{declaration.file}: {declaration.key}: lists no members")
        for relpath in _select(root, declaration, problems):
            _claim(root, relpath, declaration, found, problems)
        if declaration.tool == "cargo":
            _cargo_path_members(root, declaration, found, problems)
    return _workspace(root, found, problems)


def _declarations(root: Path) -> list[Declaration]:
    """Each tool's declaration at ``root``, in the order npm, pnpm, cargo, go, uv."""
    declarations: list[Declaration] = []
    errors: list[str] = []
    readers = (
        ("package.json", npm_declaration),
        ("pnpm-workspace.yaml", None),
        ("Cargo.toml", cargo_declaration),
        ("go.work", go_declaration),
        ("pyproject.toml", uv_declaration),
    )
    root_real = os.path.realpath(root)
    for file, reader in readers:
        try:
            if os.path.lexists(root / file) and not within(root_real, root / file):
                raise WorkspaceError(
                    f"{file}: resolves through a symbolic link outside the workspace root"
                )
            text = read_text(root, file)
            if text is None:
                continue
            declaration = pnpm_declaration(root) if reader is None else reader(text)
        except WorkspaceError as exc:
            errors.append(str(exc))
            continue
        if declaration is not None:
            declarations.append(declaration)
    if errors:
        raise WorkspaceError("\n".join(errors))
    return declarations


def _where(declaration: Declaration, pattern: Pattern) -> str:
    line = f":{pattern.line}" if pattern.line is not None else ""
    shown = f"!{pattern.text}" if pattern.negated else pattern.text
    return f"{declaration.file}{line}: {declaration.key} pattern {shown!r}"


def _select(root: Path, declaration: Declaration, problems: list[str]) -> list[str]:
    """The member directories ``declaration``'s patterns name, its exclusions applied."""
    tool = declaration.tool
    manifest = MEMBER_MANIFEST[tool]
    includes, excluded = exclusion(declaration, problems, _where)
    chosen: list[str] = []
    for pattern in includes:
        clean, why = normalised(pattern.text)
        if clean is None:
            problems.append(f"{_where(declaration, pattern)} {why}")
            continue
        if clean == "":
            continue  # the root: the repository itself, not one of its members
        matched = 0
        # node-glob and tinyglobby expand {a,b}; Cargo's and uv's glob crate does not.
        for text in braces(clean) if tool in _JS else [clean]:
            # A wildcard skips dot-directories in node-glob, not in Rust's glob crate.
            expansion = expand(
                root, text, dot=tool not in _JS, prune=_JS_PRUNE if tool in _JS else frozenset()
            )
            problems.extend(f"{_where(declaration, pattern)}: {p}" for p in expansion.problems)
            for relpath in expansion.found:
                has_manifest = (root / relpath / manifest).is_file()
                # npm and pnpm glob for `<pattern>/package.json`: a directory without one
                # is no match.  uv skips a hidden directory without a pyproject.toml.
                if not has_manifest and (tool in _JS or (tool == "uv" and _hidden(relpath))):
                    continue
                matched += 1
                if not excluded(relpath):
                    chosen.append(relpath)
        if matched == 0:
            problems.append(f"{_where(declaration, pattern)} matches no package")
    return list(dict.fromkeys(chosen))


def _hidden(relpath: str) -> bool:
    return relpath.rsplit("/", 1)[-1].startswith(".")


def _claim(
    root: Path,
    relpath: str,
    declaration: Declaration,
    found: dict[str, _Found],
    problems: list[str],
) -> bool:
    """Record ``relpath`` as a member of ``declaration``'s tool, unless it is a problem."""
    manifest = f"{relpath}/{MEMBER_MANIFEST[declaration.tool]}"
    repository = _repository_at(root, relpath)
    if repository is not None:
        problems.append(
            f"{declaration.file}: {repository} is a separate git repository (a submodule?): "
            "not a member; check it as a repository of its own"
        )
        return False
    if not within(os.path.realpath(root), root / manifest):
        problems.append(
            f"{declaration.file}: {manifest} resolves through a symbolic link outside the "
            "workspace root"
        )
        return False
    if any(d.tool == declaration.tool for d, _ in found.get(relpath, _Found()).claims):
        return False
    read = read_member(root, relpath, declaration)
    if read.problem is not None:
        problems.append(read.problem)
    if read.unmanaged:
        return False  # uv leaves a `managed = false` project out of the workspace
    found.setdefault(relpath, _Found()).claims.append((declaration, read))
    return True


def _repository_at(root: Path, relpath: str) -> str | None:
    """The first directory from the root down to ``relpath`` that holds a ``.git``."""
    parts = relpath.split("/")
    for depth in range(1, len(parts) + 1):
        prefix = "/".join(parts[:depth])
        if os.path.lexists(root / prefix / ".git"):
            return prefix
    return None


def _cargo_path_members(
    root: Path, declaration: Declaration, found: dict[str, _Found], problems: list[str]
) -> None:
    """Cargo: "All path dependencies residing in the workspace directory automatically
    become members" (the reference's workspaces page), unless excluded, transitively."""
    excluded = cargo_excluded(declaration)
    todo = list(declaration.root_paths)
    for entry in found.values():
        todo.extend(p for d, read in entry.claims if d is declaration for p in read.paths)
    while todo:
        relpath = todo.pop(0)
        if relpath in (".", "") or relpath.startswith(("../", "/")) or relpath == "..":
            continue  # the root package, or outside the root: never a member here
        if excluded(relpath) or not (root / relpath / "Cargo.toml").is_file():
            continue
        if any(d is declaration for d, _ in found.get(relpath, _Found()).claims):
            continue
        if _claim(root, relpath, declaration, found, problems):
            todo.extend(found[relpath].claims[-1][1].paths)


def _ecosystem(tool: str) -> str:
    return "js" if tool in _JS else tool


def _workspace(root: Path, found: dict[str, _Found], problems: list[str]) -> Workspace:
    paths = sorted(found)
    names = _names(paths)
    by_package: dict[tuple[str, str], list[str]] = defaultdict(list)
    for relpath in paths:
        for declaration, read in found[relpath].claims:
            if read.package is not None:
                package = read.package
                if declaration.tool == "uv":
                    package = normalise_name(package)
                key = (_ecosystem(declaration.tool), package)
                if relpath not in by_package[key]:
                    by_package[key].append(relpath)
    for (_, package), holders in by_package.items():
        if len(holders) > 1:
            problems.append(
                f"package {package!r} is declared by {len(holders)} members: {', '.join(holders)}"
            )
    members = []
    for relpath in paths:
        claims = found[relpath].claims
        depends: set[str] = set()
        for declaration, read in claims:
            for package in read.names:
                # A name two members declare: depend on both, the safe side for a gate.
                depends.update(by_package.get((_ecosystem(declaration.tool), package), []))
            depends.update(p for p in read.paths if p in found)
        depends.discard(relpath)
        first, read = claims[0]
        members.append(
            Member(
                name=names[relpath],
                path=relpath,
                tool=first.tool,
                manifest=f"{relpath}/{MEMBER_MANIFEST[first.tool]}",
                package=read.package,
                depends_on=tuple(sorted(names[p] for p in depends)),
            )
        )
    return Workspace(root, tuple(members), tuple(dict.fromkeys(problems)))


def _usable(relpath: str) -> str:
    flat = relpath.replace("/", "-")
    return _NOT_FIRST.sub("", _NOT_IN_NAME.sub("-", flat)) or "member"


def _names(paths: list[str]) -> dict[str, str]:
    """Each path's unique name (the rule is in the module's docstring)."""
    wanted = {p: _usable(p) for p in paths}
    groups: dict[str, list[str]] = defaultdict(list)
    for path in paths:  # sorted
        groups[wanted[path]].append(path)
    taken = set(groups)
    names: dict[str, str] = {}
    for name, holders in groups.items():
        exact = [p for p in holders if p.replace("/", "-") == name]
        ordered = exact[:1] + [p for p in holders if p not in exact[:1]]
        names[ordered[0]] = name
        suffix = 2
        for path in ordered[1:]:
            while f"{name}-{suffix}" in taken:
                suffix += 1
            names[path] = f"{name}-{suffix}"
            taken.add(names[path])
            suffix += 1
    return names
