"""``review_spec`` skips the base when the spec's files have the same bytes there."""

from __future__ import annotations

from pytest_prove.engines.contracts.refs import Reader
from pytest_prove.engines.contracts.review import review_spec
from pytest_prove.support.text import TextFile
from tests.contracts_samples import dump, mutated, pet_store


def _reader(files: dict[str, str], calls: list[str]) -> Reader:
    def read(path: str) -> TextFile:
        calls.append(path)
        text = files.get(path)
        return TextFile(path, text=text) if text is not None else TextFile(path, skipped="missing")

    return read


def test_unchanged_spec_is_compared_without_parsing_the_base() -> None:
    text = dump(pet_store())
    head_calls: list[str] = []
    base_calls: list[str] = []
    review = review_spec(
        "openapi.yaml",
        _reader({"openapi.yaml": text}, head_calls),
        "openapi.yaml",
        _reader({"openapi.yaml": text}, base_calls),
    )
    assert (review.compared, review.changes, review.findings) == (True, (), ())
    assert review.old_version == review.new_version == "1.0.0"
    assert base_calls == ["openapi.yaml"]  # read once to compare bytes, never bundled


def test_changed_referenced_file_is_still_diffed() -> None:
    spec = pet_store()
    pet = spec["components"]["schemas"].pop("Pet")
    spec["components"]["schemas"]["Pet"] = {"$ref": "pets.yaml#/Pet"}
    lighter = mutated({"Pet": pet}, lambda s: s["Pet"]["properties"].pop("weight"))
    root = dump(spec)
    calls: list[str] = []
    review = review_spec(
        "openapi.yaml",
        _reader({"openapi.yaml": root, "pets.yaml": dump(lighter)}, calls),
        "openapi.yaml",
        _reader({"openapi.yaml": root, "pets.yaml": dump({"Pet": pet})}, calls),
    )
    assert review.compared
    assert {c.rule for c in review.changes if c.breaking} == {"response-property-removed"}
