"""Our validation against openapi-spec-validator itself, on a corpus of valid and invalid specs.

The reference is upstream run as it runs by itself: its OpenAPI JSON Schemas
through pure-Python jsonschema, then its keyword validators over
jsonschema-path (no URL handlers, so nothing is fetched).  Ours must give the
same verdict, the same JSON paths for structural errors, and for each
semantic error the same message (meta-schema errors of OAS 3.0 schemas come
from jsonschema-rs, so there only the place must agree: upstream gives it
relative to the schema, we from the spec's root).
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema.exceptions import UnknownType  # type: ignore[import-untyped,unused-ignore]

from pytest_prove.engines.contracts.oas_schemas import meta_error_oas30, meta_error_oas31
from pytest_prove.engines.contracts.semantics import semantic_errors
from pytest_prove.engines.contracts.validate import (
    MAX_ERRORS,
    SpecError,
    spec_version,
    structure_errors,
    validate_spec,
)

Spec = dict[str, Any]
Mutation = Callable[[Spec], None]


def v30() -> Spec:
    pet = {
        "type": "object",
        "required": ["id"],
        "properties": {
            "id": {"type": "integer", "format": "int64", "default": 1},
            "name": {"type": "string", "pattern": "^[a-z]+$", "nullable": True, "default": None},
            "tags": {"type": "array", "items": {"$ref": "#/components/schemas/Tag"}},
        },
        "example": {"$ref": "literal data, not a reference"},
    }
    return {
        "openapi": "3.0.3",
        "info": {"title": "Pets", "version": "1.0.0"},
        "tags": [{"name": "pets"}, {"name": "admin"}],
        "paths": {
            "/pets/{petId}": {
                "parameters": [{"$ref": "#/components/parameters/PetId"}],
                "get": {
                    "operationId": "getPet",
                    "parameters": [
                        {"name": "verbose", "in": "query", "schema": {"type": "boolean"}}
                    ],
                    "responses": {
                        "200": {
                            "description": "a pet",
                            "content": {
                                "application/json": {"schema": {"$ref": "#/components/schemas/Pet"}}
                            },
                        },
                        "default": {"$ref": "#/components/responses/Error"},
                    },
                },
                "put": {
                    "operationId": "putPet",
                    "requestBody": {
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/Pet"}}
                        }
                    },
                    "responses": {"204": {"description": "stored"}},
                },
            },
            "/pets": {
                "get": {
                    "operationId": "listPets",
                    "parameters": [
                        {
                            "name": "limit",
                            "in": "query",
                            "schema": {"type": "integer", "maximum": 100, "default": 20},
                        }
                    ],
                    "responses": {
                        "200": {
                            "description": "pets",
                            "content": {
                                "application/json": {
                                    "schema": {
                                        "type": "array",
                                        "items": {"$ref": "#/components/schemas/Pet"},
                                    }
                                }
                            },
                        }
                    },
                }
            },
        },
        "components": {
            "schemas": {
                "Pet": pet,
                "Tag": {"type": "string", "enum": ["a", "b"]},
                "Cat": {
                    "allOf": [{"$ref": "#/components/schemas/Pet"}],
                    "required": ["id", "name"],
                },
                "Tree": {
                    "type": "object",
                    "properties": {"kids": {"items": {"$ref": "#/components/schemas/Tree"}}},
                },
            },
            "parameters": {
                "PetId": {
                    "name": "petId",
                    "in": "path",
                    "required": True,
                    "schema": {"type": "integer"},
                }
            },
            "responses": {"Error": {"description": "error"}},
        },
    }


def v20() -> Spec:
    return {
        "swagger": "2.0",
        "info": {"title": "Pets", "version": "1"},
        "paths": {
            "/pets/{petId}": {
                "get": {
                    "operationId": "getPet",
                    "parameters": [
                        {"name": "petId", "in": "path", "required": True, "type": "integer"},
                        {"name": "limit", "in": "query", "type": "integer", "default": 10},
                    ],
                    "responses": {
                        "200": {"description": "a pet", "schema": {"$ref": "#/definitions/Pet"}}
                    },
                }
            },
            "/pets": {
                "post": {
                    "operationId": "addPet",
                    "parameters": [
                        {"name": "body", "in": "body", "schema": {"$ref": "#/definitions/Pet"}}
                    ],
                    "responses": {"201": {"description": "added"}},
                }
            },
        },
        "definitions": {
            "Pet": {"type": "object", "properties": {"id": {"type": "integer", "default": 3}}}
        },
    }


def v31() -> Spec:
    return {
        "openapi": "3.1.0",
        "info": {"title": "Pets", "version": "1.0.0"},
        "paths": {
            "/pets/{petId}": {
                "get": {
                    "operationId": "getPet",
                    "parameters": [
                        {
                            "name": "petId",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "integer"},
                        }
                    ],
                    "responses": {
                        "200": {
                            "description": "a pet",
                            "content": {
                                "application/json": {"schema": {"$ref": "#/components/schemas/Pet"}}
                            },
                        }
                    },
                }
            }
        },
        "components": {
            "schemas": {
                "Pet": {
                    "type": "object",
                    "properties": {
                        "id": {"type": "integer", "default": 1},
                        "name": {"type": ["string", "null"], "default": None},
                        "meta": {"$ref": "#/components/schemas/Meta"},
                    },
                },
                "Meta": {"type": "object", "additionalProperties": {"type": "string"}},
            }
        },
    }


def _set(path: tuple[Any, ...], value: Any) -> Mutation:
    def mutate(spec: Spec) -> None:
        node: Any = spec
        for key in path[:-1]:
            node = node[key]
        if isinstance(node, list) and path[-1] == len(node):
            node.append(value)
        else:
            node[path[-1]] = value

    return mutate


def _delete(path: tuple[Any, ...]) -> Mutation:
    def mutate(spec: Spec) -> None:
        node: Any = spec
        for key in path[:-1]:
            node = node[key]
        del node[path[-1]]

    return mutate


def _both(*mutations: Mutation) -> Mutation:
    def mutate(spec: Spec) -> None:
        for mutation in mutations:
            mutation(spec)

    return mutate


def _none(spec: Spec) -> None:
    return None


PET = ("components", "schemas", "Pet")
GET = ("paths", "/pets/{petId}", "get")
LIST = ("paths", "/pets", "get")
P2 = ("paths", "/pets/{petId}", "get", "parameters")
CASES: list[tuple[str, Callable[[], Spec], Mutation]] = [
    ("3.0 valid", v30, _none),
    ("3.0 title not a string", v30, _set(("info", "title"), 5)),
    ("3.0 info missing", v30, _delete(("info",))),
    ("3.0 responses missing", v30, _delete((*GET, "responses"))),
    ("3.0 error under a status code", v30, _delete((*LIST, "responses", "200", "description"))),
    ("3.0 unknown top-level key", v30, _set(("servers2",), [])),
    ("3.0 extension key", v30, _set(("x-anything",), {"$ref": 5})),
    ("3.0 parameter in", v30, _set((*LIST, "parameters", 0, "in"), "body-ish")),
    ("3.0 path parameter undeclared", v30, _delete(("paths", "/pets/{petId}", "parameters"))),
    (
        "3.0 path parameter unused",
        v30,
        _set(
            ("paths", "/pets/{petId}", "parameters", 0),
            {"name": "x", "in": "path", "required": True, "schema": {}},
        ),
    ),
    ("3.0 duplicate operationId", v30, _set((*GET, "operationId"), "listPets")),
    # not strings, but upstream compares with ==: true twice, and 1 with true, are duplicates
    (
        "3.0 operationId true twice",
        v30,
        _both(_set((*GET, "operationId"), True), _set((*LIST, "operationId"), True)),
    ),
    (
        "3.0 operationId 1 and true",
        v30,
        _both(_set((*GET, "operationId"), 1), _set((*LIST, "operationId"), True)),
    ),
    (
        "3.0 operationId a list twice",
        v30,
        _both(_set((*GET, "operationId"), ["a"]), _set((*LIST, "operationId"), ["a"])),
    ),
    (
        "3.0 duplicate parameter",
        v30,
        _set((*LIST, "parameters", 1), {"name": "limit", "in": "query"}),
    ),
    ("3.0 duplicate tag", v30, _set(("tags", 1, "name"), "pets")),
    ("3.0 bad default", v30, _set((*PET, "properties", "id", "default"), "one")),
    (
        "3.0 bad default of a parameter",
        v30,
        _set((*LIST, "parameters", 0, "schema", "default"), 1000),
    ),
    ("3.0 default checked through a $ref", v30, _set((*PET, "default"), {"id": 1, "tags": ["z"]})),
    ("3.0 null default, not nullable", v30, _set((*PET, "properties", "id", "default"), None)),
    (
        "3.0 default refers into the spec",
        v30,
        _set((*PET, "properties", "id", "default"), {"$ref": "#/info/version"}),
    ),
    ("3.0 bad type keyword", v30, _set(("components", "schemas", "Tag", "type"), "strin")),
    ("3.0 bad pattern", v30, _set((*PET, "properties", "name", "pattern"), "([a-z")),
    ("3.0 infinite maximum", v30, _set(("components", "schemas", "Tag", "maximum"), float("inf"))),
    ("3.0 NaN where a string belongs", v30, _set(("info", "title"), float("nan"))),
    ("3.0 empty enum", v30, _set(("components", "schemas", "Tag", "enum"), [])),
    ("3.0 repeated enum value", v30, _set((*PET, "properties", "name", "enum"), ["a", "a"])),
    ("3.0 negative minLength", v30, _set(("components", "schemas", "Tag", "minLength"), -1)),
    ("3.0 schema not an object", v30, _set(("components", "schemas", "Tag"), "string")),
    ("3.0 property schema not an object", v30, _set((*PET, "properties", "id"), 5)),
    (
        "3.0 required names no property",
        v30,
        _set(("components", "schemas", "Cat", "required"), ["id", "whiskers"]),
    ),
    (
        "3.0 request body ignored upstream too",
        v30,
        _set(
            (
                "paths",
                "/pets/{petId}",
                "put",
                "requestBody",
                "content",
                "application/json",
                "schema",
            ),
            {"type": "integer", "default": "x"},
        ),
    ),
    (
        "3.0 two errors",
        v30,
        _both(_set(("info", "title"), 5), _set((*GET, "operationId"), "listPets")),
    ),
    ("2.0 valid", v20, _none),
    ("2.0 info missing", v20, _delete(("info",))),
    ("2.0 bad parameter default", v20, _set((*P2, 1, "default"), "ten")),
    (
        "2.0 bad schema default",
        v20,
        _set(("definitions", "Pet", "properties", "id", "default"), "x"),
    ),
    ("2.0 empty enum of a parameter", v20, _set((*P2, 1, "enum"), [])),
    ("2.0 duplicate operationId", v20, _set(("paths", "/pets", "post", "operationId"), "getPet")),
    ("2.0 path parameter undeclared", v20, _delete((*P2, 0))),
    (
        "2.0 bad pattern in a response schema",
        v20,
        _set((*GET, "responses", "200", "schema"), {"type": "string", "pattern": "(("}),
    ),
    ("3.1 valid", v31, _none),
    ("3.1 version missing", v31, _delete(("info", "version"))),
    ("3.1 bad default", v31, _set((*PET, "properties", "id", "default"), "one")),
    ("3.1 bad type keyword", v31, _set(("components", "schemas", "Meta", "type"), "strin")),
    ("3.1 bad pattern", v31, _set(("components", "schemas", "Meta", "pattern"), "((")),
    ("3.1 discriminator without propertyName", v31, _set((*PET, "discriminator"), {})),
    (
        "3.1 bad keyword under the 2020-12 dialect",
        v31,
        _set(
            ("components", "schemas", "Meta"),
            {"$schema": "https://json-schema.org/draft/2020-12/schema", "minLength": -1},
        ),
    ),
    ("3.1 dialect not a string", v31, _set((*PET, "$schema"), 4)),
    ("3.1 unknown dialect", v31, _set((*PET, "$schema"), "https://example.invalid/dialect")),
    (
        "3.1 duplicate operationId",
        v31,
        _set(
            ("paths", "/pets"),
            {"get": {"operationId": "getPet", "responses": {"200": {"description": "x"}}}},
        ),
    ),
    ("3.1 webhooks only", v31, _both(_delete(("paths",)), _set(("webhooks",), {}))),
]


def _upstream(spec: Spec) -> tuple[set[tuple[Any, ...]], list[Any]]:
    """Upstream's structural error paths and its semantic errors, pure Python."""
    import openapi_spec_validator as osv
    from jsonschema.validators import validator_for  # type: ignore[import-untyped]
    from jsonschema_path import SchemaPath
    from openapi_spec_validator import schemas

    version = spec_version(spec)
    schema, cls = {
        "2.0": (schemas.schema_v2, osv.OpenAPIV2SpecValidator),
        "3.0": (schemas.schema_v30, osv.OpenAPIV30SpecValidator),
        "3.1": (schemas.schema_v31, osv.OpenAPIV31SpecValidator),
    }[version or ""]
    content = dict(schema)
    structural = {tuple(e.absolute_path) for e in validator_for(content)(content).iter_errors(spec)}
    validator = cls(SchemaPath.from_dict(spec, handlers={}))
    return structural, list(validator.root_validator(validator.schema_path))


@pytest.mark.parametrize(("name", "make", "mutate"), CASES, ids=[c[0] for c in CASES])
def test_same_verdict_and_places_as_openapi_spec_validator(
    name: str, make: Callable[[], Spec], mutate: Mutation
) -> None:
    spec = make()
    mutate(spec)
    version = spec_version(spec)
    assert version is not None
    ref_structural, ref_semantic = _upstream(copy.deepcopy(spec))
    ours_structural = {e.path for e in structure_errors(spec, version)}
    ours_semantic = semantic_errors(spec, version, MAX_ERRORS)
    assert ours_structural == ref_structural
    assert len(ours_semantic) == len(ref_semantic), (ours_semantic, ref_semantic)
    for (where, message), ref in zip(ours_semantic, ref_semantic, strict=True):
        assert tuple(where[len(where) - len(ref.path) :]) == tuple(ref.path)
        if not _is_meta_error(ref):
            assert message == ref.message
    expected_valid = not ref_structural and not ref_semantic
    assert (validate_spec(spec) == []) is expected_valid


def _is_meta_error(error: Any) -> bool:
    """Upstream's wrapped ``check_schema`` error (ours is worded by jsonschema-rs)."""
    from openapi_spec_validator.validation.exceptions import OpenAPIValidationError

    return type(error) is OpenAPIValidationError and isinstance(error.validator, str)


def test_corpus_has_both_verdicts() -> None:
    verdicts = set()
    for _, make, mutate in CASES:
        spec = make()
        mutate(spec)
        verdicts.add(validate_spec(spec) == [])
    assert verdicts == {True, False}


def test_semantic_errors_name_their_place() -> None:
    spec = v30()
    _set((*GET, "operationId"), "listPets")(spec)
    _set((*PET, "properties", "id", "default"), "one")(spec)
    assert validate_spec(spec) == [  # Pet is met first through a response's $ref
        SpecError((*PET, "properties", "id", "default"), "'one' is not of type 'integer'"),
        SpecError(
            (*LIST, "operationId"),
            "Operation ID 'listPets' for 'get' in '/pets' is not unique",
        ),
    ]


def test_default_of_a_schema_with_an_unknown_type_is_an_error_not_a_crash() -> None:
    spec = v30()  # upstream raises jsonschema's UnknownType here
    _set((*PET, "properties", "id", "type"), "strin")(spec)
    errors = validate_spec(spec)
    assert {e.path for e in errors} == {
        PET,  # structure: neither a Schema nor a Reference Object
        (*PET, "properties", "id", "type"),
        (*PET, "properties", "id", "default"),
    }
    assert errors[0].message.endswith(
        "is not valid under any of the schemas listed in the 'oneOf' keyword"
    )
    assert len(errors[0].message) <= 300
    assert errors[-1].message.startswith("default not checked: Unknown type 'strin'")


def test_meta_schema_error_is_placed_from_the_root() -> None:
    spec = v20()
    _set((*GET, "responses", "200", "schema"), {"type": "string", "pattern": "(("})(spec)
    ((where, message),) = [(e.path, e.message) for e in validate_spec(spec)]
    assert where == (*GET, "responses", "200", "schema", "pattern")
    assert "regex" in message


def test_malformed_input_upstream_crashes_on_is_reported() -> None:
    spec = v30()
    del spec["paths"]["/pets"]["get"]["parameters"][0]["name"]  # upstream: KeyError
    _set(("paths", "/a/{b"), {"get": {"responses": {"200": {"description": "x"}}}})(spec)
    errors = validate_spec(spec)
    assert (
        SpecError(("paths", "/a/{b", "get"), "Path '/a/{b' is not a valid path template") in errors
    )
    assert any(e.path == (*LIST, "parameters", 0) for e in errors)


def test_unresolvable_reference_on_the_walk_stops_it_with_one_error() -> None:
    spec = v30()
    _set((*GET, "operationId"), "listPets")(spec)  # found before, and kept
    _set(("paths", "/pets", "get", "parameters", 0), {"$ref": "#/components/parameters/Nope"})(spec)
    assert validate_spec(spec) == [
        SpecError(
            (*LIST, "operationId"), "Operation ID 'listPets' for 'get' in '/pets' is not unique"
        ),
        SpecError(
            (*LIST, "parameters", 0),
            "unresolvable reference '#/components/parameters/Nope': not fetched",
        ),
    ]


def test_data_too_deep_for_jsonschema_rs_falls_back_to_python() -> None:
    spec = v30()
    deep: Any = "leaf"
    for _ in range(400):
        deep = [deep]
    spec["components"]["schemas"]["Deep"] = {"example": deep, "type": 5}
    errors = validate_spec(json.loads(json.dumps(spec)))
    where = ("components", "schemas", "Deep")
    assert [e.path for e in errors] == [where, (*where, "type")]


def test_recursion_too_deep_for_python_is_one_error() -> None:
    spec = v30()
    deep: Any = {"type": "object"}
    for _ in range(5000):
        deep = {"type": "object", "properties": {"a": deep}}
    spec["components"]["schemas"]["Deep"] = deep
    assert validate_spec(spec) == [SpecError((), "nested too deeply to validate")]


def test_errors_are_capped() -> None:
    spec = v30()
    for i in range(MAX_ERRORS + 10):
        spec["paths"][f"/p{i}"] = {"get": {"operationId": "listPets", "responses": {}}}
    assert len(validate_spec(spec)) == MAX_ERRORS


def test_all_of_a_schema_containing_itself_is_checked_not_recursed_forever() -> None:
    spec = v30()  # upstream: RecursionError collecting the property names
    schemas = spec["components"]["schemas"]
    schemas["Loop"] = {"allOf": [{"$ref": "#/components/schemas/Chain"}], "required": ["q"]}
    schemas["Chain"] = {"items": {"$ref": "#/components/schemas/Chain"}}
    assert validate_spec(spec) == [
        SpecError(
            ("components", "schemas", "Loop"), "Required list has not defined properties: ['q']"
        )
    ]


_VALUES = st.sampled_from(
    [None, True, 0, -1, 1.5, "", "x", "string", "path", "query", "((", [], ["a"], {}, {"type": "x"}]
)
_PLACES = [
    ("info", "title"),
    ("info", "version"),
    ("tags", 0, "name"),
    (*GET, "operationId"),
    (*GET, "parameters", 0, "in"),
    (*GET, "parameters", 0, "name"),
    (*GET, "parameters", 0, "schema"),
    (*GET, "responses", "200", "description"),
    (*LIST, "parameters", 0, "schema", "default"),
    (*LIST, "parameters", 0, "schema", "type"),
    (*LIST, "operationId"),
    (*PET, "properties", "id", "default"),
    (*PET, "properties", "id", "minimum"),
    (*PET, "properties", "name", "pattern"),
    (*PET, "required"),
    (*PET, "type"),
    ("components", "schemas", "Tag", "enum"),
    ("components", "schemas", "Cat", "required"),
    ("components", "parameters", "PetId", "name"),
]


_PLACES_20 = [
    ("info", "title"),
    (*P2, 0, "in"),
    (*P2, 0, "name"),
    (*P2, 1, "default"),
    (*P2, 1, "type"),
    (*P2, 1, "enum"),
    (*GET, "operationId"),
    (*GET, "responses", "200", "schema"),
    ("definitions", "Pet", "properties", "id", "default"),
    ("definitions", "Pet", "type"),
]
_PLACES_31 = [
    ("info", "version"),
    (*GET, "operationId"),
    (*GET, "parameters", 0, "in"),
    (*GET, "parameters", 0, "schema"),
    (*PET, "properties", "id", "default"),
    (*PET, "properties", "id", "type"),
    (*PET, "properties", "name", "pattern"),
    (*PET, "$schema"),
    ("components", "schemas", "Meta", "additionalProperties"),
    ("jsonSchemaDialect",),
]
_SPECS = {"2.0": (v20, _PLACES_20), "3.0": (v30, _PLACES), "3.1": (v31, _PLACES_31)}


@st.composite
def _damaged(draw: st.DrawFn) -> Spec:
    make, places = _SPECS[draw(st.sampled_from(sorted(_SPECS)))]
    spec = make()
    for _ in range(draw(st.integers(1, 3))):
        _set(draw(st.sampled_from(places)), draw(_VALUES))(spec)
    return spec


@settings(max_examples=150, deadline=None)
@given(_damaged())
def test_random_damage_gets_upstreams_verdict(spec: Spec) -> None:
    version = spec_version(spec)
    assert version is not None
    try:
        ref_structural, ref_semantic = _upstream(copy.deepcopy(spec))
    except (KeyError, TypeError, ValueError, AttributeError, RecursionError, UnknownType):
        assert validate_spec(spec)  # upstream crashes (docs/contracts.md); ours finds errors
        return
    ours = validate_spec(spec)
    assert (ours == []) is (not ref_structural and not ref_semantic)
    assert {e.path for e in structure_errors(spec, version)} == ref_structural
    ours_semantic = semantic_errors(spec, version, MAX_ERRORS)
    assert len(ours_semantic) == len(ref_semantic)
    for (_, message), ref in zip(ours_semantic, ref_semantic, strict=True):
        assert _is_meta_error(ref) or message == ref.message


SCHEMAS = [
    {"enum": []},
    {"enum": [1, 1]},
    {"required": []},
    {"required": ["a", "a"]},
    {"type": []},
    {"type": ["string", "string"]},
    {"type": "strin"},
    {"minLength": -1},
    {"multipleOf": 0},
    {"maximum": "1"},
    {"exclusiveMaximum": 3},
    {"exclusiveMaximum": True},
    {"properties": []},
    {"items": [{"type": 5}]},
    {"additionalProperties": 3},
    {"dependencies": {"a": 3}},
    {"dependentRequired": {"a": [1]}},
    {"allOf": []},
    {"oneOf": [3]},
    {"$defs": 3},
    {"definitions": {"a": 3}},
    {"format": 3},
    {"pattern": "(("},
    {"patternProperties": {"((": {}}},
    {"minItems": 1.5},
    {"uniqueItems": "x"},
    {"title": 3},
    {"$anchor": "1bad"},
    {"prefixItems": []},
    {"discriminator": {"mapping": {}}},
    {"xml": {"name": 3}},
    {"externalDocs": {}},
    {"properties": {"a": {"enum": []}}},
    {"items": {"required": []}},
    True,
    5,
]


@pytest.mark.parametrize("schema", SCHEMAS, ids=[json.dumps(s)[:40] for s in SCHEMAS])
def test_meta_schema_checks_agree_with_upstreams(schema: Any) -> None:
    from jsonschema.exceptions import SchemaError  # type: ignore[import-untyped,unused-ignore]
    from openapi_schema_validator import OAS30Validator, OAS31Validator, oas31_format_checker

    for ours, check in (
        (meta_error_oas30, OAS30Validator.check_schema),
        (
            meta_error_oas31,
            lambda s: OAS31Validator.check_schema(s, format_checker=oas31_format_checker),
        ),
    ):
        try:
            check(schema)
            expected = None
        except SchemaError as exc:
            expected = tuple(exc.path)
        found = ours(schema)
        assert (None if found is None else found[0]) == expected
