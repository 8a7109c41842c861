"""The manifests a workspace is declared in, and its members' own manifests, read.

A workspace manifest (at the root) gives a :class:`Declaration`: which patterns include
and exclude members, as its tool spells them.  A member's manifest gives a
:class:`MemberManifest`: the package's own name and what it depends on.  Each reader
follows its tool's documented rule, cited where it is applied.

A workspace manifest that cannot be read, is not valid JSON/YAML/TOML/go.work, or
declares its members with the wrong types raises :class:`WorkspaceError`; a member's
manifest with the same faults gives a ``MemberManifest`` with a ``problem`` instead, so
one broken package does not hide the others.
"""

from __future__ import annotations

import dataclasses
import posixpath
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final

from ...readers.errors import ConfigError
from ...readers.yamlfile import load_yaml_file
from .read import (
    WorkspaceError,
    at,
    go_directives,
    kind,
    line_of,
    normalise_name,
    parse_json,
    parse_toml,
    quoted,
    read_text,
    strings,
)

MEMBER_MANIFEST: Final = {
    "npm": "package.json",
    "pnpm": "package.json",
    "cargo": "Cargo.toml",
    "go": "go.mod",
    "uv": "pyproject.toml",
}
"""The manifest a member directory of each tool must hold."""

_JS_SECTIONS: Final = (
    "dependencies",
    "devDependencies",
    "peerDependencies",
    "optionalDependencies",
)
_CARGO_SECTIONS: Final = (
    *("dependencies", "dev-dependencies", "build-dependencies"),
    *("dev_dependencies", "build_dependencies"),  # the old spellings Cargo still reads
)
# PEP 508: a requirement starts with its name; PEP 503 normalises it for comparison.
_REQUIREMENT_NAME: Final = re.compile(r"\s*([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)")


@dataclasses.dataclass(frozen=True)
class Pattern:
    text: str
    line: int | None
    negated: bool = False


@dataclasses.dataclass(frozen=True)
class Declaration:
    """One tool's workspace, as its root manifest declares it."""

    tool: str
    file: str  # relative to the root: "package.json"
    key: str  # the key problems name: "workspaces", "[workspace] members"
    include: tuple[Pattern, ...]
    exclude: tuple[Pattern, ...] = ()
    # Cargo: [workspace.dependencies] entries with a path (name -> root-relative path),
    # and the root package's own path dependencies (they become members too).
    shared_paths: Mapping[str, str] = dataclasses.field(default_factory=dict)
    root_paths: tuple[str, ...] = ()
    # uv: the root's [tool.uv.sources], which apply to every member it does not override.
    sources: Mapping[str, object] = dataclasses.field(default_factory=dict)


@dataclasses.dataclass(frozen=True)
class MemberManifest:
    package: str | None = None
    names: frozenset[str] = frozenset()  # packages depended on by name (uv: normalised)
    paths: frozenset[str] = frozenset()  # Cargo: path dependencies, relative to the root
    problem: str | None = None
    unmanaged: bool = False  # uv: `tool.uv.managed = false` leaves the workspace


def npm_declaration(text: str) -> Declaration | None:
    """``package.json`` ``workspaces``: npm's list of globs, or yarn classic's
    ``{"packages": [...], "nohoist": [...]}`` (@npmcli/map-workspaces reads both).

    map-workspaces' ``appendNegatedPatterns``: a run of ``!`` of odd length negates, a
    leading ``/`` or ``./`` is dropped."""
    data = parse_json(text, "package.json")
    if not isinstance(data, dict):
        raise WorkspaceError(f"package.json: must be a JSON object, not {kind(data)}")
    if "workspaces" not in data:
        return None
    where = at("package.json", line_of(text, '"workspaces"'))
    value = data["workspaces"]
    if isinstance(value, dict) and "packages" in value:
        value = value["packages"]
    globs = strings(value, 'workspaces (or workspaces "packages")', where)
    patterns = []
    for glob in globs:
        bangs = len(glob) - len(glob.lstrip("!"))
        clean = re.sub(r"^\.?/+", "", glob[bangs:])
        patterns.append(Pattern(clean, line_of(text, *quoted(glob)), bangs % 2 == 1))
    return Declaration("npm", "package.json", "workspaces", tuple(patterns))


def pnpm_declaration(root: Path) -> Declaration:
    """``pnpm-workspace.yaml`` ``packages``: globs, ``!`` excluding (pnpm.io/pnpm-workspace_yaml).
    Without ``packages`` only the root package is in the workspace (pnpm 10)."""
    try:
        loaded = load_yaml_file(root / "pnpm-workspace.yaml")
    except ConfigError as exc:
        where = at("pnpm-workspace.yaml", exc.line)
        raise WorkspaceError(f"{where}: {exc.problem}") from None
    data = loaded.data
    if not isinstance(data, dict):
        raise WorkspaceError(f"pnpm-workspace.yaml: must be a mapping, not {kind(data)}")
    value = data.get("packages", [])
    value = [] if value is None else value  # `packages:` with nothing under it
    where = at("pnpm-workspace.yaml", loaded.line_of(("packages",)))
    globs = strings(value, "packages", where)
    patterns = tuple(
        Pattern(g.lstrip("!"), loaded.line_of(("packages", i)), g.startswith("!"))
        for i, g in enumerate(globs)
    )
    return Declaration("pnpm", "pnpm-workspace.yaml", "packages", patterns)


def cargo_declaration(text: str) -> Declaration | None:
    """``Cargo.toml`` ``[workspace]``: ``members`` globs and ``exclude`` paths
    (doc.rust-lang.org/cargo/reference/workspaces.html)."""
    data = parse_toml(text, "Cargo.toml")
    workspace = data.get("workspace")
    if workspace is None:
        return None
    where = at("Cargo.toml", line_of(text, "[workspace]"))
    if not isinstance(workspace, dict):
        raise WorkspaceError(f"{where}: workspace must be a table, not {kind(workspace)}")

    def patterns(key: str) -> tuple[Pattern, ...]:
        place = at(
            "Cargo.toml", line_of(text, f"{key} =", f"{key}=") or line_of(text, "[workspace]")
        )
        listed = strings(workspace.get(key, []), f"workspace.{key}", place)
        return tuple(Pattern(g, line_of(text, *quoted(g))) for g in listed)

    shared: dict[str, str] = {}
    table = workspace.get("dependencies", {})
    if isinstance(table, dict):
        for name, spec in table.items():
            if isinstance(spec, dict) and isinstance(spec.get("path"), str):
                shared[name] = posixpath.normpath(spec["path"] or ".")
    root_paths = _cargo_paths(data, "", shared) if isinstance(data.get("package"), dict) else ()
    return Declaration(
        "cargo",
        "Cargo.toml",
        "[workspace] members",
        patterns("members"),
        patterns("exclude"),
        shared_paths=shared,
        root_paths=tuple(sorted(root_paths)),
    )


def go_declaration(text: str) -> Declaration:
    """``go.work`` ``use`` directives, one a line or in a ``use ( ... )`` block, each the
    directory of a go.mod (go.dev/ref/mod#go-work-file)."""
    patterns = []
    for verb, args, line in go_directives(text, "go.work"):
        if verb == "use":
            if len(args) != 1:
                raise WorkspaceError(f"go.work:{line}: usage: use <directory>")
            patterns.append(Pattern(args[0], line))
    return Declaration("go", "go.work", "use", tuple(patterns))


def uv_declaration(text: str) -> Declaration | None:
    """``pyproject.toml`` ``[tool.uv.workspace]``: ``members`` and ``exclude`` globs
    (docs.astral.sh/uv/concepts/projects/workspaces)."""
    data = parse_toml(text, "pyproject.toml")
    tool = data.get("tool")
    uv = tool.get("uv") if isinstance(tool, dict) else None
    workspace = uv.get("workspace") if isinstance(uv, dict) else None
    if workspace is None:
        return None
    where = at("pyproject.toml", line_of(text, "[tool.uv.workspace]"))
    if not isinstance(workspace, dict):
        raise WorkspaceError(f"{where}: tool.uv.workspace must be a table, not {kind(workspace)}")
    found = {}
    for key in ("members", "exclude"):
        listed = strings(workspace.get(key, []), f"tool.uv.workspace.{key}", where)
        found[key] = tuple(Pattern(g, line_of(text, *quoted(g))) for g in listed)
    sources = uv.get("sources") if isinstance(uv, dict) else None
    return Declaration(
        "uv",
        "pyproject.toml",
        "[tool.uv.workspace] members",
        found["members"],
        found["exclude"],
        sources=sources if isinstance(sources, dict) else {},
    )


def read_member(root: Path, relpath: str, declaration: Declaration) -> MemberManifest:
    """What ``relpath``'s manifest (of ``declaration``'s tool) says of its package."""
    file = f"{relpath}/{MEMBER_MANIFEST[declaration.tool]}"
    try:
        text = read_text(root, file)
        if text is None:
            return MemberManifest(problem=f"{file}: not found")
        if declaration.tool in ("npm", "pnpm"):
            return _js_member(parse_json(text, file), file)
        if declaration.tool == "go":
            return _go_member(go_directives(text, file), file)
        data = parse_toml(text, file)
        if declaration.tool == "cargo":
            package = data.get("package")
            name = package.get("name") if isinstance(package, dict) else None
            paths = _cargo_paths(data, relpath, declaration.shared_paths)
            return MemberManifest(_text_or_none(name), paths=frozenset(paths))
        return _uv_member(data, declaration.sources)
    except WorkspaceError as exc:
        return MemberManifest(problem=str(exc))


def _text_or_none(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _js_member(data: object, file: str) -> MemberManifest:
    if not isinstance(data, dict):
        return MemberManifest(problem=f"{file}: must be a JSON object, not {kind(data)}")
    # Any version spec names the package: "^1.0.0", "workspace:*", "file:../x".
    names = {n for s in _JS_SECTIONS if isinstance(data.get(s), dict) for n in data[s]}
    return MemberManifest(_text_or_none(data.get("name")), names=frozenset(names))


def _go_member(directives: list[tuple[str, list[str], int]], file: str) -> MemberManifest:
    modules = [args[0] for verb, args, _ in directives if verb == "module" and args]
    required = {args[0] for verb, args, _ in directives if verb == "require" and args}
    problem = None if modules else f"{file}: no module directive"
    return MemberManifest(modules[0] if modules else None, frozenset(required), problem=problem)


def _cargo_paths(data: Mapping[str, Any], relpath: str, shared: Mapping[str, str]) -> set[str]:
    """The root-relative directories of a Cargo manifest's path dependencies, its
    ``[target.'cfg(...)'.*]`` tables included; ``workspace = true`` takes the path of
    the ``[workspace.dependencies]`` entry of the same name."""
    tables = [data]
    targets = data.get("target")
    if isinstance(targets, dict):
        tables.extend(t for t in targets.values() if isinstance(t, dict))
    found: set[str] = set()
    for table in tables:
        for section in _CARGO_SECTIONS:
            entries = table.get(section)
            if not isinstance(entries, dict):
                continue
            for name, spec in entries.items():
                if not isinstance(spec, dict):
                    continue
                if isinstance(spec.get("path"), str) and not spec["path"].startswith("/"):
                    found.add(posixpath.normpath(posixpath.join(relpath, spec["path"])))
                elif spec.get("workspace") is True and name in shared:
                    found.add(shared[name])
    return found


def _uv_member(data: Mapping[str, Any], root_sources: Mapping[str, object]) -> MemberManifest:
    project = data.get("project")
    project = project if isinstance(project, dict) else {}
    tool = data.get("tool")
    uv = tool.get("uv") if isinstance(tool, dict) else None
    uv = uv if isinstance(uv, dict) else {}
    requirements: list[object] = []
    for listed in (project.get("dependencies"), uv.get("dev-dependencies")):
        requirements.extend(listed if isinstance(listed, list) else [])
    for groups in (project.get("optional-dependencies"), data.get("dependency-groups")):
        if isinstance(groups, dict):
            for group in groups.values():
                requirements.extend(group if isinstance(group, list) else [])
    # uv: the root's sources apply to every member, unless it gives its own for that name.
    own = uv.get("sources")
    sources = {
        normalise_name(k): v
        for table in (root_sources, own if isinstance(own, dict) else {})
        for k, v in table.items()
    }
    names = set()
    for requirement in requirements:
        match = _REQUIREMENT_NAME.match(requirement) if isinstance(requirement, str) else None
        if match is not None and _from_workspace(sources.get(normalise_name(match[1]))):
            names.add(normalise_name(match[1]))
    return MemberManifest(
        _text_or_none(project.get("name")),
        names=frozenset(names),
        unmanaged=uv.get("managed") is False,
    )


def _from_workspace(source: object) -> bool:
    """``{ workspace = true }``, or a list of sources (one per marker) holding one."""
    options = source if isinstance(source, list) else [source]
    return any(isinstance(o, dict) and o.get("workspace") is True for o in options)
