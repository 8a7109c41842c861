"""Parsing spec documents: values as the safe loader gives them, lines, hostile input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from pytest_prove.engines.contracts.loading import MAX_NODES, SpecParseError, parse_document
from pytest_prove.engines.contracts.refs import bundle_spec, follow_ref
from pytest_prove.engines.contracts.validate import SpecError, validate_spec
from pytest_prove.support.text import read_text

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text() | st.floats(allow_nan=False),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=30,
)


@given(JSON_VALUES)
def test_yaml_round_trip_matches_the_safe_loader(value: object) -> None:
    text = yaml.safe_dump({"v": value})
    assert parse_document(text).data == yaml.safe_load(text)


def _outcome(text: str, *, json_only: bool) -> str:
    """``ok`` or the SpecParseError's message; anything else escapes and fails the test."""
    try:
        parse_document(text, json_only=json_only)
    except SpecParseError as exc:
        return str(exc)
    return "ok"


@given(st.text(max_size=200))
def test_arbitrary_text_parses_or_raises_spec_parse_error(text: str) -> None:
    assert _outcome(text, json_only=False)
    assert _outcome(text, json_only=True).startswith(("ok", "not valid JSON", "nested too deeply"))


def test_keys_become_strings_and_timestamps_stay_text() -> None:
    doc = parse_document("responses:\n  200: {description: ok}\n  yes: 1\nwhen: 2024-01-02\n")
    assert doc.data == {
        "responses": {"200": {"description": "ok"}, "true": 1},
        "when": "2024-01-02",
    }


def test_lines_of_keys_and_items() -> None:
    doc = parse_document("a:\n  b:\n    - x\n    - y\nc: 1\n")
    assert doc.lines == {("a",): 1, ("a", "b"): 2, ("a", "b", 0): 3, ("a", "b", 1): 4, ("c",): 5}
    assert doc.line_of(("a", "b", 1, "deeper")) == 4
    assert doc.line_of(("zzz",)) is None


def test_merge_keys_and_aliases() -> None:
    doc = parse_document("base: &b {x: 1, y: 2}\nmine:\n  <<: *b\n  y: 3\nsame: *b\n")
    assert doc.data["mine"] == {"x": 1, "y": 3}
    assert doc.data["same"] == {"x": 1, "y": 2}


def test_explicit_tags() -> None:
    doc = parse_document("a: !!str 12\nb: !!int '7'\nc: !custom value\nd: '12'\n")
    assert doc.data == {"a": "12", "b": 7, "c": "value", "d": "12"}


def test_alias_bomb_stops_at_the_node_limit() -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 9)]
    with pytest.raises(SpecParseError, match=f"more than {MAX_NODES:,} values"):
        parse_document("\n".join(lines))


def test_syntax_errors_carry_the_line() -> None:
    with pytest.raises(SpecParseError) as yaml_error:
        parse_document("a: 1\nb: [\n")
    assert yaml_error.value.line == 3
    with pytest.raises(SpecParseError) as json_error:
        parse_document('{\n"a": }', json_only=True)
    assert json_error.value.line == 2


def test_complex_keys_are_rejected() -> None:
    with pytest.raises(SpecParseError, match="a mapping key is a list or mapping"):
        parse_document("? [a, b]\n: 1\n")


def write(root: Path, files: dict[str, object]) -> None:
    for name, data in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(
            json.dumps(data) if name.endswith(".json") else yaml.safe_dump(data)
        )


def test_bundle_inlines_other_files_and_keeps_local_refs(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "api/openapi.yaml": {
                "openapi": "3.0.3",
                "components": {
                    "schemas": {
                        "Local": {"type": "string"},
                        "Pet": {"$ref": "parts/pet.json#/Pet"},
                    }
                },
            },
            "api/parts/pet.json": {
                "Pet": {
                    "properties": {
                        "name": {"$ref": "../openapi.yaml#/components/schemas/Local"},
                        "tag": {"$ref": "#/Tag"},
                        "default": {"$ref": "#/Tag"},  # a property named "default"
                    },
                    "example": {"$ref": "not a reference in literal data"},
                    "x-note": {"$ref": "nor in an extension"},
                },
                "Tag": {"type": "string"},
            },
        },
    )
    bundle = bundle_spec("api/openapi.yaml", lambda p: read_text(tmp_path, p))
    pet = bundle.data["components"]["schemas"]["Pet"]
    assert pet["properties"]["name"] == {"$ref": "#/components/schemas/Local"}
    assert pet["properties"]["tag"] == {"type": "string"}
    assert pet["properties"]["default"] == {"type": "string"}
    assert pet["example"] == {"$ref": "not a reference in literal data"}
    assert follow_ref(bundle.data, pet["properties"]["name"]) == {"type": "string"}
    assert bundle.problems == ()
    assert bundle.files == ("api/openapi.yaml", "api/parts/pet.json")


def test_follow_ref_gives_none_for_what_it_cannot_follow() -> None:
    data = {"a": {"$ref": "#/b"}, "b": {"$ref": "#/a"}, "c": {"$ref": "other.yaml#/x"}}
    assert follow_ref(data, data["a"]) is None
    assert follow_ref(data, data["c"]) is None
    assert follow_ref(data, {"$ref": "#/a/~1odd"}) is None
    assert follow_ref(data, {"$ref": "#Pet"}) is None


def test_unreadable_root_is_a_parse_error(tmp_path: Path) -> None:
    with pytest.raises(SpecParseError, match="does not exist"):
        bundle_spec("openapi.yaml", lambda p: read_text(tmp_path, p))


def test_validator_never_fetches_a_reference_in_literal_data() -> None:
    schema = {"type": "object", "default": {"$ref": "http://127.0.0.1:9/x.yaml"}}
    spec = {
        "openapi": "3.0.3",
        "info": {"title": "x", "version": "1"},
        "paths": {
            "/a": {
                "get": {
                    "parameters": [{"name": "x", "in": "query", "schema": schema}],
                    "responses": {"200": {"description": "ok"}},
                }
            }
        },
    }
    where = ("paths", "/a", "get", "parameters", 0, "schema", "default")
    assert validate_spec(spec) == [
        SpecError(where, "unresolvable reference 'http://127.0.0.1:9/x.yaml': not fetched")
    ]
