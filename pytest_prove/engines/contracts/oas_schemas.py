"""The JSON Schemas openapi-spec-validator validates with, compiled by jsonschema-rs.

openapi-spec-validator checks a spec's structure against its OpenAPI JSON
Schemas with pure-Python jsonschema (seconds for a 5 MB spec); the same
schemas compiled by jsonschema-rs (Rust, offline: it fetches nothing) take
milliseconds.  Formats are not checked there, as upstream's validators (built
without a format checker) do not check them.

Each schema inside a spec is meta-validated as openapi-schema-validator's
``check_schema`` does it (OAS 3.0 and 2.0: the Draft 4 meta-schema; OAS 3.1:
its base dialect, over 2020-12), also in Rust, with upstream's own format
checker deciding ``format: regex``.  jsonschema-rs cannot read data nested
deeper than it recurses, and reads ``.inf`` and ``.nan`` as null; for those the
Python validators decide, so such input costs time, never a check.
"""

from __future__ import annotations

import functools
import importlib.util
import json
import math
import pathlib
from collections.abc import Callable
from typing import Any, Final

__all__ = [
    "OAS31_DIALECT",
    "MetaError",
    "Oas31MetaCheck",
    "instance_path",
    "meta_error_oas30",
    "meta_error_oas31",
    "non_finite",
    "structure_validator",
    "structure_validator_python",
]

MetaError = tuple[tuple[str | int, ...], str]
"""Where in the checked schema (relative) and what."""

_SCHEMA_DIRS: Final = {"2.0": "v2.0", "3.0": "v3.0", "3.1": "v3.1"}
OAS31_DIALECT: Final = "https://spec.openapis.org/oas/3.1/dialect/base"
_DRAFT4: Final = "http://json-schema.org/draft-04/schema"
_DRAFT4_COPY: Final = "urn:pytest-prove:draft-04-schema"


def _package_file(package: str, *parts: str) -> dict[str, Any]:
    # find_spec locates a package without importing it (imports cost 100-170 ms here).
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(f"{package} is not installed")
    path = pathlib.Path(next(iter(spec.submodule_search_locations)), *parts)
    content: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return content


@functools.cache
def oas_schema(version: str) -> dict[str, Any]:
    """The OpenAPI JSON Schema for ``version`` ("2.0", "3.0", "3.1"), as upstream uses it."""
    directory = _SCHEMA_DIRS[version]
    return _package_file("openapi_spec_validator", "resources", "schemas", directory, "schema.json")


@functools.cache
def structure_validator(version: str) -> Any:
    """A compiled jsonschema-rs validator of a whole spec's structure (offline)."""
    import jsonschema_rs

    # OAS 2.0's schema refers into the Draft 4 meta-schema: pointed at the same copy
    # Python's jsonschema reads (jsonschema-rs's own has no `minItems` for `enum`).
    schema = _pointed_at_draft4_copy(oas_schema(version))
    registry = jsonschema_rs.Registry([(_DRAFT4_COPY, _draft4_metaschema())])
    return jsonschema_rs.validator_for(
        schema, registry=registry, offline=True, validate_formats=False
    )


@functools.cache
def _draft4_metaschema() -> dict[str, Any]:
    """Draft 4's meta-schema as jsonschema has it, under a name of its own."""
    metaschema = _package_file("jsonschema_specifications", "schemas", "draft4", "metaschema.json")
    return {**metaschema, "id": f"{_DRAFT4_COPY}#"}


def _pointed_at_draft4_copy(node: Any) -> Any:
    if isinstance(node, list):
        return [_pointed_at_draft4_copy(item) for item in node]
    if not isinstance(node, dict):
        return node
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith(_DRAFT4):
        return {**node, "$ref": _DRAFT4_COPY + ref[len(_DRAFT4) :]}
    return {key: _pointed_at_draft4_copy(value) for key, value in node.items()}


@functools.cache
def structure_validator_python(version: str) -> Any:
    """Upstream's own validator (pure Python), for data too deep for jsonschema-rs."""
    from jsonschema.validators import validator_for  # type: ignore[import-untyped,unused-ignore]

    schema = oas_schema(version)
    return validator_for(schema)(schema)


@functools.cache
def _meta_validator_oas30() -> Any:
    import jsonschema_rs

    # The meta-schemas name the formats "regex", "uri" and "uri-reference"; upstream's
    # format checkers check "regex" only (jsonschema checks URIs only when rfc3987 is
    # installed, which nothing requires), so the others are accepted here too.
    formats = {"regex": _is_regex_oas30, "uri": _anything}
    return jsonschema_rs.Draft4Validator(
        _draft4_metaschema(), offline=True, validate_formats=True, formats=formats
    )


def meta_error_oas30(schema: Any) -> MetaError | None:
    """The first meta-schema error of an OAS 3.0 (or 2.0) schema object, as upstream reports one."""
    return _meta_error(_meta_validator_oas30, schema, _python_meta_error_oas30)


def _python_meta_error_oas30(schema: Any) -> MetaError | None:
    from openapi_schema_validator import OAS30Validator

    return _python_meta_error(OAS30Validator, schema, {})


@functools.cache
def _meta_validator_oas31() -> Any:
    import jsonschema_rs

    dialect = _package_file("openapi_schema_validator", "schemas", "oas3.1", "metaschema.json")
    vocabulary = _package_file(
        "openapi_schema_validator", "schemas", "oas3.1", "vocabularies", "base"
    )
    registry = jsonschema_rs.Registry([(dialect["$id"], dialect), (vocabulary["$id"], vocabulary)])
    formats = {"regex": _is_regex_oas31, "uri": _anything, "uri-reference": _anything}
    return jsonschema_rs.Draft202012Validator(
        dialect, registry=registry, offline=True, validate_formats=True, formats=formats
    )


def meta_error_oas31(schema: Any) -> MetaError | None:
    """The first error of a schema against OAS 3.1's base dialect, as upstream reports one."""
    return _meta_error(_meta_validator_oas31, schema, _python_meta_error_oas31)


class Oas31MetaCheck:
    """Upstream's OAS 3.1 schema check: the schema's dialect (``$schema``, else the spec's
    ``jsonSchemaDialect``, else OAS 3.1's base) picks the meta-schema; OAS 3.1's base
    dialect is checked by jsonschema-rs, any other the way upstream does it, in Python."""

    def __init__(self, spec: dict[str, Any]) -> None:
        dialect = spec.get("jsonSchemaDialect")
        self.default_dialect = dialect if isinstance(dialect, str) else OAS31_DIALECT
        self.classes: dict[str, Any] = {}

    def __call__(self, schema: Any) -> MetaError | None:
        from jsonschema.exceptions import SchemaError, ValidationError  # type: ignore[import-untyped,unused-ignore]
        from jsonschema.validators import validator_for  # type: ignore[import-untyped,unused-ignore]
        from openapi_schema_validator import oas31_format_checker

        dialect = self.default_dialect
        if isinstance(schema, dict) and "$schema" in schema:
            dialect = schema["$schema"]
            if not isinstance(dialect, str):
                return (), f"Unknown JSON Schema dialect: {dialect!r}"
        if dialect == OAS31_DIALECT:
            return meta_error_oas31(schema)  # the usual case, compiled
        if dialect not in self.classes:
            self.classes[dialect] = validator_for({"$schema": dialect}, default=None)
        validator_class = self.classes[dialect]
        if validator_class is None:
            return (), f"Unknown JSON Schema dialect: {dialect!r}"
        try:
            validator_class.check_schema(schema, format_checker=oas31_format_checker)
        except (SchemaError, ValidationError) as exc:
            return tuple(exc.path), str(exc.message)
        return None


def _python_meta_error_oas31(schema: Any) -> MetaError | None:
    from openapi_schema_validator import OAS31Validator, oas31_format_checker

    return _python_meta_error(OAS31Validator, schema, {"format_checker": oas31_format_checker})


def _meta_error(
    compiled: Callable[[], Any], schema: Any, python: Callable[[Any], MetaError | None]
) -> MetaError | None:
    try:
        for error in compiled().iter_errors(schema):
            if non_finite(schema):
                break
            return instance_path(schema, error.instance_path), str(error.message)
        else:
            return None
    except ValueError:
        pass
    return python(schema)


def _python_meta_error(
    validator_class: Any, schema: Any, options: dict[str, Any]
) -> MetaError | None:
    """Upstream's own check, for what jsonschema-rs cannot read as it is: data nested
    deeper than it recurses, and ``.inf``/``.nan`` (it reads them as null)."""
    from jsonschema.exceptions import SchemaError  # type: ignore[import-untyped,unused-ignore]

    try:
        validator_class.check_schema(schema, **options)
    except SchemaError as exc:
        return tuple(exc.path), str(exc.message)
    return None


def non_finite(data: Any) -> bool:
    """Whether ``data`` holds an infinite or NaN float anywhere."""
    stack = [data]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
        elif isinstance(node, float) and not math.isfinite(node):
            return True
    return False


def instance_path(instance: Any, path: list[str | int]) -> tuple[str | int, ...]:
    """jsonschema-rs's ``instance_path`` with each key as the data has it.

    It gives a mapping key that looks like a number (a status code, ``"200"``) as
    an int; JSON paths (and the lines looked up by them) need the string.
    """
    located: list[str | int] = []
    node = instance
    for step in path:
        key: str | int = str(step) if isinstance(node, dict) else step
        located.append(key)
        try:
            node = node[key]
        except (KeyError, IndexError, TypeError):
            node = None
    return tuple(located)


def _is_regex_oas31(value: str) -> bool:
    from openapi_schema_validator import oas31_format_checker

    return bool(oas31_format_checker.conforms(value, "regex"))


def _is_regex_oas30(value: str) -> bool:
    # The very check upstream applies (Python's re, or ECMA regex if `regress` is installed).
    from openapi_schema_validator import oas30_format_checker

    return bool(oas30_format_checker.conforms(value, "regex"))


def _anything(value: str) -> bool:
    return True
