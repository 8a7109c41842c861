"""Workspace member patterns expanded to directories, never leaving the workspace root.

A pattern (``packages/*``, ``crates/**``, ``./mod``) is normalised first: a leading
``./`` goes, ``..`` is resolved by the text (a pattern whose result starts with ``..``,
or an absolute one, leaves the root and is refused), and it is then expanded one
segment at a time, as glob libraries do: a segment without ``*?[`` is looked up, a
wildcard segment is matched against the directory's entries (``support.globs`` rules:
``*`` and ``?`` stay within the segment), ``**`` stands for any number of directories.

Every directory found is held against the root's real path, so a symbolic link to
``/etc`` below ``packages/`` is reported, not read.  ``**`` does not follow symbolic
links (a link to a parent would loop) nor enter another repository (a ``.git`` inside):
that repository is found as a candidate and reported by the caller.

Exclusions follow each tool: npm's and pnpm's ``!`` patterns and uv's ``exclude`` globs
match the member path (an ignore ending in ``/**`` takes the directory too, as node-glob's
ignore does); Cargo's ``exclude`` entries are path prefixes (:func:`cargo_excluded`).
"""

from __future__ import annotations

import dataclasses
import os
import posixpath
import re
from collections.abc import Callable, Iterable
from pathlib import Path

from ...support.globs import compile_glob
from .manifests import Declaration, Pattern

MAX_VISITED = 20_000
"""Directories one ``**`` may walk: far above a monorepo's package directories, far
below a ``target/`` or ``node_modules/`` tree walked by mistake."""
MAX_BRACES = 64
"""Patterns one ``{a,b}`` pattern may expand to."""

_MAGIC = re.compile(r"[*?\[]")
_BRACE = re.compile(r"\{([^{}]*,[^{}]*)\}")


Excluded = Callable[[str], bool]
"""Whether a member path (POSIX, relative to the root) is excluded."""


@dataclasses.dataclass
class Expansion:
    """The directories a pattern names (POSIX, relative to the root) and what stopped it."""

    found: list[str] = dataclasses.field(default_factory=list)
    problems: list[str] = dataclasses.field(default_factory=list)


def normalised(pattern: str) -> tuple[str | None, str | None]:
    """``(pattern, None)`` made relative and clean (``""`` is the root itself), or
    ``(None, why)`` for one that cannot name a directory below the root."""
    if "\0" in pattern or not _encodable(pattern):
        return None, "is not a usable path"
    if pattern.startswith("/") or re.match(r"^[A-Za-z]:[\\/]", pattern):
        return None, "is an absolute path: members must be below the workspace root"
    clean = posixpath.normpath(pattern) if pattern else "."
    if clean == ".." or clean.startswith("../"):
        return None, "leaves the workspace root through '..'"
    return ("" if clean == "." else clean), None


def _encodable(text: str) -> bool:
    # A JSON "\ud800" is a lone surrogate: the file system cannot be asked about it.
    try:
        os.fsencode(text)
    except UnicodeError:
        return False
    return True


def braces(pattern: str) -> list[str]:
    """``packages/{a,b}`` -> ``packages/a``, ``packages/b`` (node-glob and tinyglobby
    expand braces; Cargo's and uv's ``glob`` crate does not, and callers say which)."""
    out: list[str] = []
    todo = [pattern]
    while todo and len(out) + len(todo) <= MAX_BRACES:
        current = todo.pop(0)
        match = _BRACE.search(current)
        if match is None:
            out.append(current)
            continue
        head, tail = current[: match.start()], current[match.end() :]
        todo.extend(f"{head}{option}{tail}" for option in match[1].split(","))
    return out + todo[: max(0, MAX_BRACES - len(out))]


def within(root_real: str, path: Path) -> bool:
    """Whether ``path``, its symbolic links followed, stays below ``root_real``."""
    try:
        real = os.path.realpath(path)
    except (OSError, ValueError):
        return False
    return real == root_real or real.startswith(root_real.rstrip(os.sep) + os.sep)


def is_dir(path: Path) -> bool:
    try:
        return path.is_dir()
    except (OSError, ValueError):
        return False


def expand(
    root: Path, pattern: str, *, dot: bool, prune: frozenset[str] = frozenset()
) -> Expansion:
    """The directories below ``root`` that ``pattern`` (normalised) names.

    :param dot: whether a wildcard matches a name starting with ``.`` (node-glob: no,
        Rust's ``glob`` crate: yes)
    :param prune: directory names ``**`` does not enter (``node_modules``)
    """
    result = Expansion()
    root_real = os.path.realpath(root)
    segments = pattern.split("/") if pattern else []
    visited = [0]
    seen: set[str] = set()

    def add(relpath: str) -> None:
        if relpath not in seen:
            seen.add(relpath)
            result.found.append(relpath)

    def step(relpath: str, rest: list[str]) -> None:
        here = root / relpath if relpath else root
        if relpath and not within(root_real, here):
            result.problems.append(
                f"{relpath} resolves through a symbolic link outside the workspace root"
            )
            return
        if not rest:
            if relpath and is_dir(here):
                add(relpath)
            return
        segment, tail = rest[0], rest[1:]
        if segment == "**":
            for below in _descendants(
                root, relpath, dot=dot, prune=prune, visited=visited, out=result
            ):
                step(below, tail)
            return
        if not _MAGIC.search(segment):
            child = f"{relpath}/{segment}" if relpath else segment
            if is_dir(root / child):
                step(child, tail)
            return
        regex = compile_glob(segment)
        for name in _children(here, result):
            if (dot or not name.startswith(".")) and name != ".git" and regex.fullmatch(name):
                step(f"{relpath}/{name}" if relpath else name, tail)

    step("", segments)
    return result


def _children(directory: Path, result: Expansion) -> list[str]:
    """The names of ``directory``'s subdirectories, sorted (a stable order everywhere)."""
    try:
        entries = sorted(os.scandir(directory), key=lambda e: e.name)
    except OSError as exc:
        if not isinstance(exc, FileNotFoundError | NotADirectoryError):
            result.problems.append(f"cannot list {directory.name}: {exc.strerror or exc}")
        return []
    names: list[str] = []
    for entry in entries:
        try:
            if entry.is_dir():
                names.append(entry.name)
        except OSError:
            continue
    return names


def _descendants(
    root: Path,
    relpath: str,
    *,
    dot: bool,
    prune: frozenset[str],
    visited: list[int],
    out: Expansion,
) -> list[str]:
    """``relpath`` and every directory below it, depth first, as ``**`` names them."""
    found = [relpath]
    stack = [relpath]
    while stack:
        current = stack.pop()
        here = root / current if current else root
        if current != relpath and (here.is_symlink() or (here / ".git").exists()):
            continue  # a link may loop; another repository is not ours to walk
        for name in reversed(_children(here, out)):
            if name == ".git" or name in prune or (not dot and name.startswith(".")):
                continue
            visited[0] += 1
            if visited[0] > MAX_VISITED:
                if visited[0] == MAX_VISITED + 1:  # once, however many '**' the pattern has
                    out.problems.append(
                        f"'**' stopped after {MAX_VISITED} directories: narrow the pattern"
                    )
                return found
            child = f"{current}/{name}" if current else name
            found.append(child)
            stack.append(child)
    return found


def exclusion(
    declaration: Declaration, problems: list[str], where: Callable[[Declaration, Pattern], str]
) -> tuple[list[Pattern], Excluded]:
    """The include patterns that count, and the test of an excluded member path; a
    pattern that cannot be used is told to ``problems`` as ``where`` locates it."""
    if declaration.tool == "cargo":
        return list(declaration.include), cargo_excluded(declaration)
    includes: list[Pattern] = []
    negated: list[str] = []
    tagged = [(p, p.negated) for p in declaration.include]
    tagged += [(p, True) for p in declaration.exclude]  # uv's `exclude` globs
    for pattern, negative in tagged:
        if not negative:
            if declaration.tool == "npm":
                # map-workspaces: a positive pattern drops each earlier negation that matches
                # it, whole: ["packages/**", "!packages/b/**", "packages/b/a"] "becomes
                # ['packages/**', 'packages/b/a']" (its comment), so all of b/ is back.
                negated = [n for n in negated if not compile_glob(n).fullmatch(pattern.text)]
            includes.append(pattern)
            continue
        clean, why = normalised(pattern.text)
        if clean is None:
            problems.append(f"{where(declaration, pattern)} {why}")
        else:
            negated.append(clean)
    frozen = tuple(negated)

    def excluded(relpath: str) -> bool:
        # An ignore glob ending in /** ignores the directory too (node-glob's ignore).
        return any(
            compile_glob(n).fullmatch(relpath)
            or (n.endswith("/**") and compile_glob(n[:-3]).fullmatch(relpath))
            for n in frozen
        )

    return includes, excluded


def cargo_excluded(declaration: Declaration) -> Excluded:
    """Cargo's ``is_excluded``: below an ``exclude`` path, unless below a ``members``
    entry too (compared as paths, not globs: src/workspace/workspace.rs)."""

    def prefixes(patterns: Iterable[Pattern]) -> list[str]:
        return [n for p in patterns if (n := normalised(p.text)[0]) is not None]

    excludes, members = prefixes(declaration.exclude), prefixes(declaration.include)

    def below(relpath: str, paths: list[str]) -> bool:
        return any(p in ("", relpath) or relpath.startswith(f"{p}/") for p in paths)

    def excluded(relpath: str) -> bool:
        return below(relpath, excludes) and not below(relpath, members)

    return excluded
