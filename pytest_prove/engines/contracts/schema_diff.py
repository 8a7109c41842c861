"""Comparing two versions of a schema, in the direction the data flows.

A request schema describes what clients send: narrowing it (a type no longer
accepted, an enum value removed, a property now required) breaks them, and
widening it is safe.  A response schema describes what clients receive:
widening it (a new enum value, a new type such as ``null``) breaks them, since
they may not handle it, and so does taking away what they read (a property
removed or no longer always present).
"""

from __future__ import annotations

from typing import Final

from .changes import Changes, Side
from .loading import Json, JsonPath

__all__ = ["SchemaComparer"]

_MAX_DEPTH: Final = 48
# (keyword, True if a larger new value narrows what is accepted)
_BOUNDS: Final = (
    ("maxLength", False),
    ("maximum", False),
    ("maxItems", False),
    ("minLength", True),
    ("minimum", True),
    ("minItems", True),
)


class SchemaComparer:
    """Compares schemas of two spec versions, recording into ``changes``."""

    def __init__(self, changes: Changes, old_side: Side, new_side: Side) -> None:
        self.changes = changes
        self.old_side, self.new_side = old_side, new_side

    def compare(
        self, old: Json, new: Json, path: str, where: JsonPath, *, request: bool, depth: int = 0
    ) -> None:
        """Record the changes between schemas ``old`` and ``new`` found at ``path``."""
        key = (id(self.old_side.deref(old)), id(self.new_side.deref(new)), request)
        if depth > _MAX_DEPTH or key in self.changes.comparing:
            return  # a recursive schema, already being compared further up
        self.changes.comparing.add(key)
        try:
            old_schema = _flattened(self.old_side, old)
            new_schema = _flattened(self.new_side, new)
            _compare_types(self.changes, old_schema, new_schema, path, where, request=request)
            _compare_enums(self.changes, old_schema, new_schema, path, where, request=request)
            if request:
                _compare_bounds(self.changes, old_schema, new_schema, path, where)
            self.properties(old_schema, new_schema, path, where, request=request, depth=depth)
            if "items" in old_schema and "items" in new_schema:
                self.compare(
                    old_schema["items"],
                    new_schema["items"],
                    f"{path}.items",
                    (*where, "items"),
                    request=request,
                    depth=depth + 1,
                )
        finally:
            self.changes.comparing.discard(key)

    def properties(
        self,
        old: dict[str, Json],
        new: dict[str, Json],
        path: str,
        where: JsonPath,
        *,
        request: bool,
        depth: int,
    ) -> None:
        changes = self.changes
        old_props = _properties(self.old_side, old)
        new_props = _properties(self.new_side, new)
        old_required, new_required = _required(old), _required(new)
        for name in sorted(new_props.keys() - old_props.keys()):
            at, here = (*where, "properties", name), f"{path}.properties.{name}"
            if request and name in new_required:
                changes.breaking("request-property-required", here, "new required property", at)
            elif request:
                changes.safe("request-property-added", here, "optional property added", at)
            else:
                changes.safe("response-property-added", here, "property added", at)
        for name in sorted(old_props):
            at, here = (*where, "properties", name), f"{path}.properties.{name}"
            if name not in new_props:
                if not request:
                    message = "response property removed"
                    changes.breaking(
                        "response-property-removed", here, message, (*where, "properties")
                    )
                continue
            if request and name in new_required and name not in old_required:
                message = "request property became required"
                changes.breaking("request-property-required", here, message, (*where, "required"))
            if not request and name in old_required and name not in new_required:
                message = "response property became optional (may be absent)"
                changes.breaking("response-property-became-optional", here, message, at)
            self.compare(
                old_props[name], new_props[name], here, at, request=request, depth=depth + 1
            )


def _compare_types(
    changes: Changes,
    old: dict[str, Json],
    new: dict[str, Json],
    path: str,
    where: JsonPath,
    *,
    request: bool,
) -> None:
    old_types, new_types = _types(old), _types(new)
    if request:
        # Everything a client could send before must still be accepted.
        if new_types is not None and (
            old_types is None or not all(_accepts(new_types, t) for t in old_types)
        ):
            was = "any type" if old_types is None else _names(old_types)
            message = f"request type changed from {was} to {_names(new_types)}"
            changes.breaking("request-type-changed", path, message, (*where, "type"))
    elif old_types is not None and (
        new_types is None or not all(_accepts(old_types, t) for t in new_types)
    ):
        now = "any type" if new_types is None else _names(new_types)
        message = f"response type changed from {_names(old_types)} to {now}"
        changes.breaking("response-type-changed", path, message, (*where, "type"))


def _compare_enums(
    changes: Changes,
    old: dict[str, Json],
    new: dict[str, Json],
    path: str,
    where: JsonPath,
    *,
    request: bool,
) -> None:
    old_enum, new_enum = old.get("enum"), new.get("enum")
    old_values = old_enum if isinstance(old_enum, list) else None
    new_values = new_enum if isinstance(new_enum, list) else None
    at = (*where, "enum")
    # The side that may only hold listed values: the server's input, the client's input.
    narrow_side, wide_side = (new_values, old_values) if request else (old_values, new_values)
    if narrow_side is None:
        return
    if wide_side is None:
        if request:
            message = "request values restricted to an enum"
            changes.breaking("request-enum-value-removed", path, message, at)
        else:
            message = "response enum removed: any value may now be returned"
            changes.breaking("response-enum-value-added", path, message, at)
        return
    extra = [v for v in wide_side if v not in narrow_side]
    fewer = [v for v in narrow_side if v not in wide_side]
    if request:
        if extra:
            message = f"request enum value(s) removed: {_values(extra)}"
            changes.breaking("request-enum-value-removed", path, message, at)
        if fewer:
            changes.safe("request-enum-value-added", path, f"added {_values(fewer)}", at)
    else:
        if extra:
            message = f"response enum value(s) added: {_values(extra)}"
            changes.breaking("response-enum-value-added", path, message, at)
        if fewer:
            changes.safe("response-enum-value-removed", path, f"removed {_values(fewer)}", at)


def _compare_bounds(
    changes: Changes, old: dict[str, Json], new: dict[str, Json], path: str, where: JsonPath
) -> None:
    for keyword, larger_narrows in _BOUNDS:
        before, after = old.get(keyword), new.get(keyword)
        if not _is_number(after) or (before is not None and not _is_number(before)):
            continue
        narrowed = before is None or (after > before if larger_narrows else after < before)
        if narrowed and after != before:
            message = f"request {keyword} narrowed from {before} to {after}"
            changes.breaking("request-type-narrowed", path, message, (*where, keyword))


def _flattened(side: Side, node: Json, depth: int = 0) -> dict[str, Json]:
    """The schema with ``allOf`` parts merged in (properties, required, type)."""
    schema = side.mapping(node)
    parts = schema.get("allOf")
    if not isinstance(parts, list) or depth > _MAX_DEPTH:
        return schema
    merged = {k: v for k, v in schema.items() if k != "allOf"}
    properties = dict(_properties(side, schema))
    required = set(_required(schema))
    for part in parts:
        sub = _flattened(side, part, depth + 1)
        properties.update(_properties(side, sub))
        required |= _required(sub)
        for key, value in sub.items():
            merged.setdefault(key, value)
    merged["properties"] = properties
    merged["required"] = sorted(required)
    return merged


def _properties(side: Side, schema: dict[str, Json]) -> dict[str, Json]:
    return side.mapping(schema.get("properties"))


def _required(schema: dict[str, Json]) -> set[str]:
    required = schema.get("required")
    return {r for r in required if isinstance(r, str)} if isinstance(required, list) else set()


def _types(schema: dict[str, Json]) -> frozenset[str] | None:
    declared = schema.get("type")
    if isinstance(declared, str):
        types = {declared}
    elif isinstance(declared, list):
        types = {t for t in declared if isinstance(t, str)}
    else:
        return None  # no type: any value
    if schema.get("nullable") is True or schema.get("x-nullable") is True:
        types.add("null")
    return frozenset(types)


def _accepts(types: frozenset[str], value_type: str) -> bool:
    return value_type in types or (value_type == "integer" and "number" in types)


def _is_number(value: Json) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _names(types: frozenset[str]) -> str:
    return "|".join(sorted(types))


def _values(values: list[Json]) -> str:
    shown = ", ".join(repr(v) for v in values[:5])
    return shown + (f" and {len(values) - 5} more" if len(values) > 5 else "")
