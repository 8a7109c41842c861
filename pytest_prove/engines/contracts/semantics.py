"""openapi-spec-validator's semantic rules, walked over plain data.

openapi-spec-validator 0.9 (``validation/keywords.py``) checks, beyond the OpenAPI JSON Schema:
unique tag names, duplicate parameters, unique operationIds, path parameters declared and used,
each schema met on the way meta-valid, ``required`` naming defined properties (with ``allOf``), and
``default`` values valid against their schema. It walks the spec through jsonschema-path objects
and keeps the schemas it has seen in lists, which made a 2,000-operation spec take seconds. This
module walks the same places in the same order with the same messages, on dicts, following local
``$ref`` s where upstream's path objects follow them, and adds the JSON path of each error
(upstream reports these without one). Where upstream crashes on malformed input (a parameter
without ``name``) the structural validation has already reported it and the walk skips the node.
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable, Hashable
from typing import Any, Final

from ...errors import ProveError
from .loading import Json, JsonPath
from .oas_schemas import MetaError, Oas31MetaCheck, meta_error_oas30
from .refs import resolve_local

__all__ = ["SemanticError", "semantic_errors"]

SemanticError = tuple[JsonPath, str]

# What jsonschema's keyword functions raise on a schema they cannot apply.
_SCHEMA_FAULTS: Final = (re.error, TypeError, ValueError, KeyError, IndexError, AttributeError)
_OPERATIONS: Final = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


class Unresolved(ProveError):
    """A ``$ref`` met on the walk that points nowhere in the document (upstream stops there)."""

    def __init__(self, ref: object, where: JsonPath) -> None:
        super().__init__(f"unresolvable reference {ref!r}: not fetched")
        self.where = where


class _Full(ProveError):
    """Enough errors collected."""


def semantic_errors(spec: dict[str, Json], version: str, limit: int) -> list[SemanticError]:
    """At most ``limit`` errors, in upstream's order.

    A ``$ref`` on the walk that cannot be followed, or nesting deeper than Python
    recurses, ends the walk with one more error (upstream raised there).
    """
    walker = _Walker(spec, version, limit)
    try:
        walker.root()
    except _Full:
        pass
    except Unresolved as exc:
        walker.errors.append((exc.where, str(exc)))
    except RecursionError:
        walker.errors.append(((), "nested too deeply to validate"))
    return walker.errors[:limit]


class _Walker:
    def __init__(self, spec: dict[str, Json], version: str, limit: int) -> None:
        self.spec = spec
        self.version = version
        self.limit = limit
        self.errors: list[SemanticError] = []
        self.operation_ids: set[object] = set()
        self.meta_checked: set[int] = set()
        self.visited: set[int] = set()
        self.meta: Callable[[Json], MetaError | None] = (
            Oas31MetaCheck(spec) if version == "3.1" else meta_error_oas30
        )
        self._resolver: Any = None

    def add(self, where: JsonPath, message: str) -> None:
        self.errors.append((where, message))
        if len(self.errors) >= self.limit:
            raise _Full

    def deref(self, node: Json, where: JsonPath) -> tuple[Json, JsonPath]:
        """``node`` and its place, or what its local ``$ref`` chain points at and that place.

        jsonschema-path follows these where upstream walks; errors in a referenced
        schema are then named where it is defined, once.
        """
        if isinstance(node, dict) and isinstance(node.get("$ref"), str):
            found = resolve_local(self.spec, node, where)
            if found is None:
                raise Unresolved(node["$ref"], where)
            return found
        return node, where

    def child(self, node: dict[str, Json], key: str, where: JsonPath) -> tuple[Json, JsonPath]:
        return self.deref(node[key], (*where, key))

    def root(self) -> None:
        spec = self.spec
        if isinstance(spec.get("tags"), list):
            self.tags(spec["tags"], ("tags",))
        paths, at = self.deref(spec.get("paths"), ("paths",))
        if isinstance(paths, dict):
            for url, node in paths.items():
                item, item_at = self.deref(node, (*at, url))
                if isinstance(item, dict):
                    self.path_item(url, item, item_at)
        components, at = self.deref(spec.get("components"), ("components",))
        if isinstance(components, dict) and "schemas" in components:
            schemas, at = self.child(components, "schemas", at)
            if isinstance(schemas, dict):
                for name, schema in schemas.items():
                    self.schema(schema, (*at, name))

    def tags(self, tags: list[Json], where: JsonPath) -> None:
        seen: set[str] = set()
        for index, node in enumerate(tags):
            tag, at = self.deref(node, (*where, index))
            name = tag.get("name") if isinstance(tag, dict) else None
            if not isinstance(name, str):
                continue
            if name in seen:
                self.add((*at, "name"), f"Duplicate tag name '{name}'")
            seen.add(name)

    def path_item(self, url: str, item: dict[str, Json], where: JsonPath) -> None:
        shared: tuple[list[Json], JsonPath] | None = None
        if "parameters" in item:
            parameters, at = self.child(item, "parameters", where)
            if isinstance(parameters, list):
                shared = parameters, at
                self.parameters(parameters, at)
        for name, node in item.items():
            if name in _OPERATIONS:
                operation, at = self.deref(node, (*where, name))
                if isinstance(operation, dict):
                    self.operation(url, name, operation, shared, at)

    def parameters(self, parameters: list[Json], where: JsonPath) -> None:
        seen: set[tuple[str, str]] = set()
        for index, node in enumerate(parameters):
            parameter, at = self.deref(node, (*where, index))
            if not isinstance(parameter, dict):
                continue
            if "schema" in parameter:
                self.schema(parameter["schema"], (*at, "schema"))
            if self.version == "2.0" and "default" in parameter:
                self.default(parameter, self.child(parameter, "default", at)[0], at)
            name, location = parameter.get("name"), parameter.get("in")
            if not (isinstance(name, str) and isinstance(location, str)):
                continue
            if (name, location) in seen:
                self.add(at, f"Duplicate parameter '{name}'")
            seen.add((name, location))

    def operation(
        self,
        url: str,
        name: str,
        operation: dict[str, Json],
        shared: tuple[list[Json], JsonPath] | None,
        where: JsonPath,
    ) -> None:
        operation_id = operation.get("operationId")
        if operation_id is not None:  # upstream compares any value with ==: `true` twice too
            hashable = isinstance(operation_id, Hashable)
            key = operation_id if hashable else ("unhashable", repr(operation_id))
            if key in self.operation_ids:
                message = f"Operation ID '{operation_id}' for '{name}' in '{url}' is not unique"
                self.add((*where, "operationId"), message)
            self.operation_ids.add(key)
        if "responses" in operation:
            responses, at = self.child(operation, "responses", where)
            if isinstance(responses, dict):
                for code, response in responses.items():
                    self.response(response, (*at, code))
        declared: set[str] = set()
        if "parameters" in operation:
            parameters, at = self.child(operation, "parameters", where)
            if isinstance(parameters, list):
                self.parameters(parameters, at)
                declared |= self.path_parameter_names(parameters, at)
        if shared is not None:
            declared |= self.path_parameter_names(*shared)
        self.path_parameters(url, name, declared, where)

    def path_parameters(self, url: str, name: str, declared: set[str], at: JsonPath) -> None:
        """Each ``{name}`` in the URL declared ``in: path``, and each declared one used."""
        try:
            in_url = {field for _, field, _, _ in string.Formatter().parse(url) if field}
        except ValueError:  # upstream raises here ("Single '{' encountered")
            self.add(at, f"Path '{url}' is not a valid path template")
            return
        unresolved = [p for p in sorted(in_url) if p not in declared]
        unresolved += [p for p in sorted(declared) if p not in in_url]
        for parameter in unresolved:
            message = f"Path parameter '{parameter}' for '{name}' operation in '{url}'"
            self.add(at, f"{message} was not resolved")

    def path_parameter_names(self, parameters: list[Json], where: JsonPath) -> set[str]:
        names: set[str] = set()
        for index, node in enumerate(parameters):
            parameter, _ = self.deref(node, (*where, index))
            if isinstance(parameter, dict) and parameter.get("in") == "path":
                name = parameter.get("name")
                if isinstance(name, str):
                    names.add(name)
        return names

    def response(self, node: Json, where: JsonPath) -> None:
        response, where = self.deref(node, where)
        if not isinstance(response, dict):
            return
        if self.version == "2.0":
            if "schema" in response:
                self.schema(response["schema"], (*where, "schema"))
            return
        if "content" not in response:
            return
        content, where = self.child(response, "content", where)
        if not isinstance(content, dict):
            return
        for media, media_node in content.items():
            media_type, at = self.deref(media_node, (*where, media))
            if isinstance(media_type, dict) and "schema" in media_type:
                self.schema(media_type["schema"], (*at, "schema"))

    def schema(
        self,
        node: Json,
        where: JsonPath,
        *,
        require_properties: bool = True,
        meta_checked: bool = False,
    ) -> None:
        value, where = self.deref(node, where)
        if not isinstance(value, dict | bool):
            self.add(where, f"{value!r} is not of type 'object', 'boolean'")
            return
        key = id(value)
        if not meta_checked and key not in self.meta_checked:
            self.meta_checked.add(key)
            error = self.meta(value)
            if error is not None:
                self.add((*where, *error[0]), error[1])
                return
        if key in self.visited:
            return
        self.visited.add(key)
        if isinstance(value, dict):
            nested, properties = self.subschemas(value, where)
            self.required_and_default(value, where, nested, properties, require_properties)

    def subschemas(self, value: dict[str, Json], where: JsonPath) -> tuple[set[str], Json]:
        """Walk the schemas inside; the property names ``allOf`` brings, and ``properties``."""
        nested: set[str] = set()
        for keyword in ("allOf", "anyOf", "oneOf"):
            if keyword in value:
                inner_list, at = self.child(value, keyword, where)
                if not isinstance(inner_list, list):
                    continue
                for index, inner in enumerate(inner_list):
                    self.schema(inner, (*at, index), require_properties=False, meta_checked=True)
                    if keyword == "allOf":
                        nested |= self.property_names(inner, (*at, index), set())
        for keyword in ("not", "items"):
            if keyword in value:
                self.schema(
                    value[keyword], (*where, keyword), require_properties=False, meta_checked=True
                )
        properties: Json = None
        if "properties" in value:
            properties, at = self.child(value, "properties", where)
            if isinstance(properties, dict):
                for name, inner in properties.items():
                    self.schema(inner, (*at, name), require_properties=False, meta_checked=True)
        return nested, properties

    def required_and_default(
        self,
        value: dict[str, Json],
        where: JsonPath,
        nested: set[str],
        properties: Json,
        require_properties: bool,
    ) -> None:
        if "allOf" in value and require_properties:
            required = self.child(value, "required", where)[0] if "required" in value else []
            names = set(properties) if isinstance(properties, dict) else set()
            wanted = (
                {r for r in required if isinstance(r, str)} if isinstance(required, list) else set()
            )
            extra = sorted(wanted - names - nested)
            if extra:
                self.add(where, f"Required list has not defined properties: {extra}")
        if "default" in value:
            default = self.child(value, "default", where)[0]
            nullable = self.child(value, "nullable", where)[0] if "nullable" in value else False
            if default is not None or nullable is not True:
                self.default(value, default, where)

    def property_names(self, node: Json, where: JsonPath, seen: set[int]) -> set[str]:
        """Every property name reachable from a schema (upstream's ``_collect_properties``)."""
        schema, where = self.deref(node, where)
        if not isinstance(schema, dict) or id(schema) in seen:
            return set()  # upstream recursed forever on a schema that contains itself
        seen.add(id(schema))
        names: set[str] = set()
        properties = self.child(schema, "properties", where)[0] if "properties" in schema else None
        if isinstance(properties, dict):
            names.update(properties)
        for keyword in ("allOf", "anyOf", "oneOf"):
            if keyword in schema:
                inner_list, at = self.child(schema, keyword, where)
                if isinstance(inner_list, list):
                    for index, inner in enumerate(inner_list):
                        names |= self.property_names(inner, (*at, index), seen)
        for keyword in ("items", "not"):
            if keyword in schema:
                names |= self.property_names(schema[keyword], (*where, keyword), seen)
        return names

    def default(self, schema: dict[str, Json], default: Json, where: JsonPath) -> None:
        """Upstream's ``ValueValidator``: the default against its schema, refs into the spec.

        A schema upstream's validator cannot apply (an unknown ``type``, a broken
        ``pattern``, ``minimum: null``) crashed upstream; here it is one error at the
        default (the schema's own error is reported where its meta-schema check runs).
        """
        from jsonschema.exceptions import UnknownType  # type: ignore[import-untyped,unused-ignore]
        from referencing.exceptions import Unresolvable

        validator = self.value_validator_class()(
            schema, _resolver=self.resolver(), format_checker=self.format_checker()
        )
        try:
            errors = [(tuple(e.path), str(e.message)) for e in validator.iter_errors(default)]
        except Unresolvable as exc:
            raise Unresolved(getattr(exc, "ref", exc), (*where, "default")) from None
        except (*_SCHEMA_FAULTS, UnknownType) as exc:
            first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
            errors = [((), f"default not checked: {first}")]
        for path, message in errors:
            self.add((*where, "default", *path), message)

    def value_validator_class(self) -> Any:
        from openapi_schema_validator import OAS30Validator, OAS31Validator

        return OAS31Validator if self.version == "3.1" else OAS30Validator

    def format_checker(self) -> Any:
        from openapi_schema_validator import oas30_format_checker, oas31_format_checker

        return oas31_format_checker if self.version == "3.1" else oas30_format_checker

    def resolver(self) -> Any:
        if self._resolver is None:
            from referencing import Registry
            from referencing.jsonschema import DRAFT4, DRAFT202012

            specification = DRAFT202012 if self.version == "3.1" else DRAFT4
            registry: Any = Registry().with_resource("", specification.create_resource(self.spec))
            self._resolver = registry.resolver("")
        return self._resolver
