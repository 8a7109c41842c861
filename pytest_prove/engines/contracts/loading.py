"""Parsing one spec document (YAML or JSON) into plain data with the line of every key.

YAML is read as the safe C parser's event stream and built here without
recursion, for three reasons: each mapping key's line is kept; nesting depth
does not matter (the C composer recurses, and ``[[[[...`` 100,000 deep crashes
the process); and alias expansion is counted, so a "billion laughs" document
(aliases of aliases) stops at :data:`MAX_NODES` instead of exhausting memory
later.  Aliased values are shared, not copied.  Scalars resolve as the safe
loader's except timestamps, which stay strings, since JSON (what the specs
describe) has no dates.  Mapping keys become strings (``200:`` is ``"200"``).
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any, Final

import yaml

from pytest_prove.errors import ProveError

__all__ = [
    "MAX_DEPTH",
    "MAX_NODES",
    "Document",
    "Json",
    "JsonPath",
    "SpecParseError",
    "parse_document",
]

Json = Any
"""Data as JSON has it: dicts with str keys, lists, str, int, float, bool, None."""
JsonPath = tuple[str | int, ...]

# Generous for real specs (a 5 MB spec holds about 600,000 nodes); an alias
# bomb passes it after a few levels of expansion.
MAX_NODES: Final = 3_000_000
# Real specs nest a few dozen levels; paths are tuples, so depth costs depth² memory.
MAX_DEPTH: Final = 256

_Loader: Final = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_RESOLVER: Final = yaml.resolver.Resolver()
_SCALARS: Final = yaml.constructor.SafeConstructor()
_CONSTRUCT: Final = {
    "tag:yaml.org,2002:null": _SCALARS.construct_yaml_null,
    "tag:yaml.org,2002:bool": _SCALARS.construct_yaml_bool,
    "tag:yaml.org,2002:int": _SCALARS.construct_yaml_int,
    "tag:yaml.org,2002:float": _SCALARS.construct_yaml_float,
}


class SpecParseError(ProveError):
    """A document that cannot be read as data; ``line`` is 1-based when known."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.line = line


@dataclasses.dataclass(frozen=True)
class Document:
    """A parsed document and, for YAML, the 1-based line of each key and list item."""

    data: Json
    lines: dict[JsonPath, int] = dataclasses.field(default_factory=dict)

    def line_of(self, path: JsonPath) -> int | None:
        """The line of ``path``, or of its nearest ancestor that has one."""
        for end in range(len(path), 0, -1):
            line = self.lines.get(path[:end])
            if line is not None:
                return line
        return None


def parse_document(text: str, *, json_only: bool = False) -> Document:
    """Parse ``text``; ``json_only`` for ``.json`` files (faster, no line numbers).

    :raises SpecParseError: syntax errors, alias bombs, nesting too deep for JSON's parser
    """
    if json_only:
        try:
            return Document(json.loads(text))
        except json.JSONDecodeError as exc:
            raise SpecParseError(f"not valid JSON: {exc.msg}", exc.lineno) from None
        except RecursionError:
            raise SpecParseError("nested too deeply to parse") from None
    builder = _Builder()
    try:
        for event in yaml.parse(text, Loader=_Loader):
            builder.feed(event)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        line = None if mark is None else mark.line + 1
        if "nesting depth" in problem:
            # libyaml 0.2.5's scanner (PyYAML 6.0.4 wheels) stops at 1,000 levels of its
            # own, looking ahead of the event that would have passed MAX_DEPTH: same verdict.
            raise SpecParseError(f"nested more than {MAX_DEPTH} levels deep", line) from None
        raise SpecParseError(f"not valid YAML: {problem}", line) from None
    return Document(builder.root, builder.lines)


class _Frame:
    __slots__ = ("anchor", "container", "key", "key_line", "merge", "nodes_before", "path")

    def __init__(self, container: Json, path: JsonPath, anchor: str | None, nodes: int) -> None:
        self.container = container
        self.path = path
        self.anchor = anchor
        self.nodes_before = nodes
        self.key: str | None = None
        self.key_line = 0
        self.merge = False


class _Builder:
    """Builds data from parser events, one event at a time.

    This loop runs once per event (400,000 for a 6 MB spec), so it dispatches on
    the event's exact type, looks a key's or item's line up only where one is
    kept, and resolves each distinct plain scalar once.
    """

    def __init__(self) -> None:
        self.root: Json = None
        self.lines: dict[JsonPath, int] = {}
        self.stack: list[_Frame] = []
        self.anchors: dict[str, tuple[Json, int]] = {}
        self.nodes = 0
        self.plain: dict[str, Json] = {}

    def count(self, nodes: int) -> None:
        self.nodes += nodes
        if self.nodes > MAX_NODES:
            raise SpecParseError(
                f"more than {MAX_NODES:,} values after expanding YAML aliases "
                "(an alias bomb, or a spec too large to check)"
            )

    def feed(self, event: yaml.Event) -> None:
        kind = type(event)
        if type(event) is yaml.ScalarEvent:
            self.count(1)
            value = self.scalar(event)
            if event.anchor is not None:
                self.anchors[event.anchor] = (value, 1)
            self.add(value, event, scalar=True)
        elif type(event) is yaml.MappingStartEvent or type(event) is yaml.SequenceStartEvent:
            self.count(1)
            container: Json = {} if kind is yaml.MappingStartEvent else []
            path = self.add(container, event, scalar=False)
            if len(self.stack) >= MAX_DEPTH:
                raise SpecParseError(f"nested more than {MAX_DEPTH} levels deep", _line(event))
            self.stack.append(_Frame(container, path, event.anchor, self.nodes))
        elif kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
            frame = self.stack.pop()
            if frame.anchor is not None:
                nodes = self.nodes - frame.nodes_before + 1
                self.anchors[frame.anchor] = (frame.container, nodes)
        elif type(event) is yaml.AliasEvent:
            if event.anchor not in self.anchors:
                raise SpecParseError(f"unknown alias *{event.anchor}", _line(event))
            value, nodes = self.anchors[event.anchor]
            self.count(nodes)
            self.add(value, event, scalar=False)

    def scalar(self, event: yaml.ScalarEvent) -> Json:
        if event.style or not event.implicit[0] or event.tag not in (None, "!"):
            return _scalar(event)
        value = event.value
        if value not in self.plain:  # resolution depends on the text alone
            self.plain[value] = _scalar(event)
        return self.plain[value]

    def add(self, value: Json, event: yaml.Event, *, scalar: bool) -> JsonPath:
        """Place ``value`` in the open container; the path it gets."""
        if not self.stack:
            self.root = value
            return ()
        frame = self.stack[-1]
        container = frame.container
        if type(container) is list:
            path = (*frame.path, len(container))
            self.lines[path] = _line(event)
            container.append(value)
            return path
        key = frame.key
        if key is None and not frame.merge:
            if not scalar:
                raise SpecParseError("a mapping key is a list or mapping", _line(event))
            if value == "<<" and isinstance(event, yaml.ScalarEvent) and not event.style:
                frame.merge = True  # YAML merge key: `<<: *base`
            else:
                frame.key, frame.key_line = _key(value), _line(event)
            return frame.path
        if frame.merge:
            frame.merge = False
            for part in value if isinstance(value, list) else [value]:
                if isinstance(part, dict):
                    for merged_key, item in part.items():
                        container.setdefault(merged_key, item)
            return frame.path
        assert key is not None  # set by the branch above on the previous event
        path = (*frame.path, key)
        self.lines[path] = frame.key_line
        container[key] = value
        frame.key = None
        return path


def _line(event: yaml.Event) -> int:
    return 0 if event.start_mark is None else event.start_mark.line + 1


def _key(value: Json) -> str:
    if isinstance(value, bool):  # `yes:` is YAML 1.1's true; JSON would write "true"
        return "true" if value else "false"
    return "null" if value is None else str(value)


def _scalar(event: yaml.ScalarEvent) -> Json:
    tag = event.tag
    if tag in (None, "!") and event.implicit[0] and not event.style:
        # PyYAML's stubs leave resolve untyped; it returns the tag string.
        tag = _RESOLVER.resolve(yaml.ScalarNode, event.value, (True, False))  # type: ignore[no-untyped-call]
    resolved = tag or ""
    construct = _CONSTRUCT.get(resolved)
    if construct is None:
        return event.value  # strings, timestamps, custom tags
    try:
        return construct(yaml.ScalarNode(resolved, event.value))
    except (ValueError, OverflowError):
        return event.value
