"""Bundling a spec: references to other files in the repository inlined, never fetched.

The result is one document whose only ``$ref`` values point into itself
(``#/components/...``), which both the validator and the diff follow without
touching the file system or the network.  Every reference is checked on the
way: URLs (reported, not fetched), missing files and pointers, references
leaving the repository, and chains of references that loop (``A -> B -> A``
with nothing in between, which no tool can resolve).  A schema that refers to
itself through its properties (a tree) is recursion, not a cycle: within the
root file it stays a local reference; across files it cannot be inlined and is
reported as a warning.
"""

from __future__ import annotations

import dataclasses
import posixpath
import re
from collections.abc import Callable
from typing import Final
from urllib.parse import unquote

from pytest_prove.support.text import TextFile

from .loading import Document, Json, JsonPath, SpecParseError, parse_document

__all__ = ["Bundle", "Reader", "RefProblem", "bundle_spec", "follow_ref", "resolve_local"]

Reader = Callable[[str], TextFile]
"""Reads a repository-relative path (the work tree's or the base's version)."""

_URL: Final = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
# Values under these keys are literal data, where "$ref" is just a key...
_LITERAL_KEYS: Final = frozenset({"example", "default", "const", "enum"})
# ...except in maps whose keys are names: a property may be called "default".
_NAME_MAPS: Final = frozenset(
    {"properties", "patternProperties", "definitions", "$defs", "schemas", "paths"}
)
_MAX_CHAIN: Final = 64
_UNREADABLE: Final = {
    "missing": "does not exist",
    "binary": "is binary",
    "not-utf-8": "is not UTF-8",
    "too-large": "is too large",
    "outside": "is outside the repository",
}


@dataclasses.dataclass(frozen=True)
class RefProblem:
    """A reference that could not be followed; ``severity`` is ``error`` or ``warning``."""

    rule: str
    message: str
    file: str
    line: int | None
    severity: str = "error"


@dataclasses.dataclass(frozen=True)
class Bundle:
    """The bundled spec (``data``), its root document (for lines) and reference problems."""

    path: str
    data: Json
    root: Document
    problems: tuple[RefProblem, ...]
    files: tuple[str, ...]
    texts: dict[str, str] = dataclasses.field(default_factory=dict)
    """The text of each file read (to tell an unchanged spec without parsing its base)."""


def bundle_spec(path: str, read: Reader) -> Bundle:
    """Load ``path`` with ``read`` and inline every reference to another repository file.

    :raises SpecParseError: the root file itself cannot be read or parsed
    """
    bundler = _Bundler(path, read)
    source = read(path)
    if source.text is None:
        raise SpecParseError(_UNREADABLE.get(source.skipped or "missing", "cannot be read"))
    root = parse_document(source.text, json_only=path.endswith(".json"))
    bundler.docs[path] = root
    bundler.texts[path] = source.text
    data = bundler.inline(root.data, path, (), ())
    files = tuple(sorted(bundler.docs))
    return Bundle(path, data, root, tuple(bundler.problems), files, bundler.texts)


def follow_ref(root: Json, node: Json) -> Json:
    """``node``, or what its chain of local ``$ref`` s points at (``None`` if unresolvable)."""
    if not (isinstance(node, dict) and "$ref" in node):
        return node  # the common case, on the diff's hot path
    found = resolve_local(root, node, ())
    return None if found is None else found[0]


def resolve_local(root: Json, node: Json, where: JsonPath) -> tuple[Json, JsonPath] | None:
    """What ``node`` (at ``where``) is after its local ``$ref`` chain, and where that is.

    ``None`` if the chain leaves the document, loops, or points nowhere.
    """
    for _ in range(_MAX_CHAIN):
        if not (isinstance(node, dict) and isinstance(node.get("$ref"), str)):
            return node, where
        ref: str = node["$ref"]
        if not ref.startswith("#"):
            return None
        node = _pointer(root, ref[1:])
        if node is None:
            return None
        where = tuple(_segments(ref[1:]))
    return None


class _Bundler:
    def __init__(self, root_path: str, read: Reader) -> None:
        self.root_path = root_path
        self.read = read
        self.docs: dict[str, Document | str] = {}
        self.texts: dict[str, str] = {}
        self.problems: list[RefProblem] = []
        self.inlined: dict[str, Json] = {}
        self.checked_local: set[str] = set()
        self.missing_local: set[str] = set()

    def load(self, path: str) -> Document | str:
        """The parsed document, or why it cannot be had (memoised)."""
        if path not in self.docs:
            source = self.read(path)
            if source.text is not None:
                self.texts[path] = source.text
            self.docs[path] = _load(source)
        return self.docs[path]

    def problem(self, rule: str, message: str, file: str, where: JsonPath, **kw: str) -> None:
        doc = self.docs.get(file)
        line = doc.line_of(where) if isinstance(doc, Document) else None
        self.problems.append(RefProblem(rule, message, file, line, **kw))

    def inline(self, node: Json, file: str, where: JsonPath, stack: tuple[str, ...]) -> Json:
        if isinstance(node, list):
            return [self.inline(v, file, (*where, i), stack) for i, v in enumerate(node)]
        if not isinstance(node, dict):
            return node
        ref = node.get("$ref")
        if isinstance(ref, str):
            return self.reference(node, ref, file, where, stack)
        names = bool(where) and where[-1] in _NAME_MAPS
        return {
            key: value
            if not names and (key in _LITERAL_KEYS or key.startswith("x-"))
            else self.inline(value, file, (*where, key), stack)
            for key, value in node.items()
        }

    def reference(
        self, node: Json, ref: str, file: str, where: JsonPath, stack: tuple[str, ...]
    ) -> Json:
        at = (*where, "$ref")
        target = self.target_file(ref, file, at)
        if target is None:
            return {}
        file_part, _, pointer = ref.partition("#")
        if target == self.root_path:
            self.check_local(pointer, file, at)
            return {**node, "$ref": f"#{pointer}"} if file_part else node
        key = f"{target}#{pointer}"
        if key in stack:
            message = f"$ref {ref!r} recurses through another file: not inlined, not compared"
            self.problem("ref-recursive", message, file, at, severity="warning")
            return {}
        if key not in self.inlined:
            found = self.find(target, pointer, ref, (file, at))
            if found is None:
                return {}
            where_there = tuple(_segments(pointer))
            self.inlined[key] = self.inline(found, target, where_there, (*stack, key))
        return self.inlined[key]

    def target_file(self, ref: str, file: str, at: JsonPath) -> str | None:
        """The repository path ``ref`` points into; None (and a problem) if there is none."""
        if _URL.match(ref):
            self.problem("ref-url", f"$ref {ref!r} is a URL: not fetched, not checked", file, at)
            return None
        file_part = ref.partition("#")[0]
        if not file_part:
            return file
        target = posixpath.normpath(posixpath.join(posixpath.dirname(file), unquote(file_part)))
        if target.startswith("../") or target == ".." or posixpath.isabs(target):
            self.problem("ref-missing", f"$ref {ref!r} leaves the repository", file, at)
            return None
        return target

    def find(self, target: str, pointer: str, ref: str, site: tuple[str, JsonPath]) -> Json:
        doc = self.load(target)
        if isinstance(doc, str):
            self.problem("ref-missing", f"$ref {ref!r}: {target} {doc}", *site)
            return None
        found = _pointer(doc.data, pointer)
        if found is None:
            self.problem("ref-missing", f"$ref {ref!r}: no {pointer or '/'} in {target}", *site)
        return found

    def check_local(self, pointer: str, file: str, at: JsonPath) -> None:
        if pointer in self.checked_local:
            return
        self.checked_local.add(pointer)
        root = self.docs[self.root_path]
        assert isinstance(root, Document)  # loaded first, or bundling stopped
        seen = [pointer]
        node = _pointer(root.data, pointer)
        while isinstance(node, dict) and isinstance(node.get("$ref"), str):
            nxt: str = node["$ref"]
            if not nxt.startswith("#"):
                return  # into another file: inlined where it is met
            if nxt[1:] in seen:
                chain = " -> ".join(f"#{p}" for p in (*seen, nxt[1:]))
                self.problem("ref-cycle", f"$ref cycle: {chain}", file, at)
                return
            seen.append(nxt[1:])
            node = _pointer(root.data, nxt[1:])
        if node is None and seen[-1] not in self.missing_local:
            self.missing_local.add(seen[-1])  # once, not at each reference leading there
            if len(seen) > 1:  # the broken link is in the root file, where the chain ends
                file, at = self.root_path, (*_segments(seen[-2]), "$ref")
            self.problem("ref-missing", f"$ref '#{seen[-1]}': no such place", file, at)


def _load(source: TextFile) -> Document | str:
    if source.text is None:
        return _UNREADABLE.get(source.skipped or "missing", "cannot be read")
    try:
        return parse_document(source.text, json_only=source.path.endswith(".json"))
    except SpecParseError as exc:
        where = f" (line {exc.line})" if exc.line else ""
        return f"{exc}{where}"


def _segments(pointer: str) -> list[str]:
    if not pointer or pointer == "/":
        return []
    return [unquote(s).replace("~1", "/").replace("~0", "~") for s in pointer[1:].split("/")]


def _pointer(data: Json, pointer: str) -> Json:
    """The JSON Pointer's target in ``data``; ``None`` when it does not exist."""
    if pointer and not pointer.startswith("/"):
        return None  # a plain-name fragment ("#Pet"): not a place OpenAPI defines
    node = data
    for segment in _segments(pointer):
        if isinstance(node, dict) and segment in node:
            node = node[segment]
        elif isinstance(node, list) and segment.isdigit() and int(segment) < len(node):
            node = node[int(segment)]
        else:
            return None
    return node
