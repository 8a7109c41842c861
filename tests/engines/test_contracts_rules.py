"""Every breaking-change rule, breaking and not, on real repositories with history.

The base spec is committed on ``main``; the branch ``feat/api`` changes it.
Each case states the exact set of error rules the change must give; its safe
twin is the nearest change that must give none.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.contracts_samples import (
    Mutation,
    Spec,
    branch_repo,
    dump,
    errors,
    mutated,
    pet_store,
    run,
)
from tests.repo_builder import MakeRepo


def get(spec: Spec) -> Any:
    return spec["paths"]["/pets"]["get"]


def post(spec: Spec) -> Any:
    return spec["paths"]["/pets"]["post"]


def schema(spec: Spec, name: str) -> Any:
    return spec["components"]["schemas"][name]


def param(spec: Spec, name: str) -> Any:
    return next(p for p in get(spec)["parameters"] if p["name"] == name)


def rename_path(spec: Spec) -> None:
    paths = spec["paths"]
    item = paths.pop("/pets/{id}")
    item["parameters"][0]["name"] = "petId"
    paths["/pets/{petId}"] = item


def add_security(spec: Spec) -> None:
    get(spec)["security"] = [{"key": []}]


def widen_security(spec: Spec) -> None:
    spec["paths"]["/pets/{id}"]["delete"]["security"] = [{"key": []}, {"basic": []}]


# (rule, breaking change, its safe twin, the safe twin's metric)
CASES: list[tuple[str, Mutation, Mutation, str]] = [
    (
        "path-removed",
        lambda s: s["paths"].pop("/pets/{id}"),
        rename_path,  # same shape, parameter renamed: same URLs
        "",
    ),
    (
        "operation-removed",
        lambda s: s["paths"]["/pets/{id}"].pop("delete"),
        lambda s: s["paths"]["/pets/{id}"].update(put=s["paths"]["/pets/{id}"]["delete"]),
        "safe_operation_added",
    ),
    (
        "parameter-removed",
        lambda s: get(s)["parameters"].pop(0),
        lambda s: get(s)["parameters"].append({"name": "q", "in": "query", "schema": {}}),
        "safe_parameter_added",
    ),
    (
        "parameter-became-required",
        lambda s: param(s, "limit").update(required=True),
        lambda s: param(s, "X-Request-Id").update(required=False),
        "",
    ),
    (
        "new-required-parameter",
        lambda s: get(s)["parameters"].append(
            {"name": "owner", "in": "query", "required": True, "schema": {"type": "string"}}
        ),
        lambda s: get(s)["parameters"].append(
            {"name": "owner", "in": "query", "schema": {"type": "string"}}
        ),
        "safe_parameter_added",
    ),
    (
        "request-body-became-required",
        lambda s: post(s)["requestBody"].update(required=True),
        lambda s: post(s)["requestBody"].update(description="a new pet"),
        "",
    ),
    (
        "request-property-required",
        lambda s: schema(s, "NewPet")["required"].append("tag"),
        lambda s: schema(s, "NewPet")["properties"].update(color={"type": "string"}),
        "safe_request_property_added",
    ),
    (
        "request-type-changed",
        lambda s: schema(s, "NewPet")["properties"]["name"].update(type="integer"),
        lambda s: param(s, "limit")["schema"].update(type="number"),  # integer -> number widens
        "",
    ),
    (
        "request-type-narrowed",
        lambda s: param(s, "limit")["schema"].update(maximum=50),
        lambda s: param(s, "limit")["schema"].update(maximum=500),
        "",
    ),
    (
        "request-enum-value-removed",
        lambda s: param(s, "status")["schema"].update(enum=["available"]),
        lambda s: param(s, "status")["schema"].update(enum=["available", "sold", "pending"]),
        "safe_request_enum_value_added",
    ),
    (
        "response-enum-value-added",
        lambda s: schema(s, "Pet")["properties"]["kind"].update(enum=["cat", "dog", "bird"]),
        lambda s: schema(s, "Pet")["properties"]["kind"].update(enum=["cat"]),
        "safe_response_enum_value_removed",
    ),
    (
        "response-status-removed",
        lambda s: get(s)["responses"].pop("404"),
        lambda s: get(s)["responses"].update({"500": {"description": "oops"}}),
        "safe_response_status_added",
    ),
    (
        "response-property-removed",
        lambda s: schema(s, "Pet")["properties"].pop("kind"),
        lambda s: schema(s, "Pet")["properties"].update(age={"type": "integer"}),
        "safe_response_property_added",
    ),
    (
        "response-property-became-optional",
        lambda s: schema(s, "Pet")["required"].remove("name"),
        lambda s: schema(s, "Pet")["required"].append("kind"),
        "",
    ),
    (
        "response-type-changed",
        lambda s: schema(s, "Pet")["properties"]["id"].update(type="string"),
        lambda s: schema(s, "Pet")["properties"]["weight"].update(type="integer"),  # narrower
        "",
    ),
    (
        "security-scheme-removed",
        lambda s: s["components"]["securitySchemes"].pop("basic"),
        lambda s: s["components"]["securitySchemes"].update(
            bearer={"type": "http", "scheme": "bearer"}
        ),
        "",
    ),
    ("security-requirement-added", add_security, widen_security, ""),
    (
        "request-media-type-removed",
        lambda s: post(s)["requestBody"]["content"].pop("application/xml"),
        lambda s: post(s)["requestBody"]["content"].update({"text/plain": {}}),
        "safe_request_media_type_added",
    ),
    (
        "response-media-type-removed",
        lambda s: get(s)["responses"]["200"]["content"].pop("application/xml"),
        lambda s: get(s)["responses"]["200"]["content"].update({"text/csv": {}}),
        "safe_response_media_type_added",
    ),
]


@pytest.mark.parametrize(("rule", "breaking", "safe", "metric"), CASES, ids=[c[0] for c in CASES])
def test_breaking_change(
    make_repo: MakeRepo, rule: str, breaking: Mutation, safe: Mutation, metric: str
) -> None:
    base = pet_store()
    result = run(branch_repo(make_repo, base, mutated(base, breaking)))
    assert errors(result) == [rule]
    assert not result.passed
    finding = next(f for f in result.findings if f.rule == rule)
    assert finding.file == "openapi.yaml"
    assert finding.line is not None
    assert finding.message.startswith(("paths.", "components."))


@pytest.mark.parametrize(("rule", "breaking", "safe", "metric"), CASES, ids=[c[0] for c in CASES])
def test_safe_twin(
    make_repo: MakeRepo, rule: str, breaking: Mutation, safe: Mutation, metric: str
) -> None:
    base = pet_store()
    result = run(branch_repo(make_repo, base, mutated(base, safe)))
    assert result.findings == []
    assert result.metrics["compared"] == 1
    assert result.metrics["breaking"] == 0
    if metric:
        count = result.metrics[metric]
        assert isinstance(count, int)
        assert count >= 1


def test_message_names_the_json_path(make_repo: MakeRepo) -> None:
    base = pet_store()
    head = mutated(base, lambda s: param(s, "limit").update(required=True))
    (finding,) = run(branch_repo(make_repo, base, head)).findings
    assert finding.message == ("paths./pets.get.parameters[limit]: query parameter became required")
    assert finding.line == 9  # `- name: limit` in the dumped YAML


def test_spec_deleted_is_breaking(make_repo: MakeRepo) -> None:
    result = run(branch_repo(make_repo, pet_store(), None))
    assert errors(result) == ["spec-deleted"]


def test_spec_moved_unchanged_is_not_breaking(make_repo: MakeRepo) -> None:
    repo = branch_repo(make_repo, pet_store(), pet_store(), commit=False)
    (repo.path / "api").mkdir()
    repo.git("mv", "openapi.yaml", "api/openapi.yaml")
    repo.commit("refactor: move the spec")
    result = run(repo)
    assert result.findings == []
    assert result.metrics["compared"] == 1


def test_new_spec_only_needs_to_be_valid(make_repo: MakeRepo) -> None:
    repo = make_repo()
    repo.git("checkout", "-q", "-b", "feat/api")
    repo.commit("feat: api", files={"openapi.yaml": dump(pet_store())})
    result = run(repo)
    assert result.passed
    assert result.metrics == {**result.metrics, "specs": 1, "compared": 0}


def test_recursive_schema_is_compared_without_looping(make_repo: MakeRepo) -> None:
    base = pet_store()
    schema(base, "Pet")["properties"]["children"] = {
        "type": "array",
        "items": {"$ref": "#/components/schemas/Pet"},
    }
    head = mutated(base, lambda s: schema(s, "Pet")["properties"].pop("weight"))
    result = run(branch_repo(make_repo, base, head))
    assert errors(result) == ["response-property-removed"]


def test_all_of_parts_are_merged(make_repo: MakeRepo) -> None:
    base = pet_store()
    base["components"]["schemas"]["Dog"] = {
        "allOf": [
            {"$ref": "#/components/schemas/Pet"},
            {"type": "object", "properties": {"bark": {"type": "string"}}},
        ]
    }
    response = base["paths"]["/pets/{id}"]["get"]["responses"]["200"]
    response["content"]["application/json"]["schema"]["$ref"] = "#/components/schemas/Dog"

    def drop_bark_and_weight(spec: Spec) -> None:
        schema(spec, "Dog")["allOf"][1]["properties"].pop("bark")
        schema(spec, "Pet")["properties"].pop("weight")

    result = run(branch_repo(make_repo, base, mutated(base, drop_bark_and_weight)))
    removed = sorted(f.message for f in result.findings)
    assert removed == [
        "paths./pets.get.responses[200].content[application/json].schema.items.properties.weight:"
        " response property removed",
        "paths./pets.get.responses[200].content[application/xml].schema.items.properties.weight:"
        " response property removed",
        "paths./pets/{id}.get.responses[200].content[application/json].schema.properties.bark:"
        " response property removed",
        "paths./pets/{id}.get.responses[200].content[application/json].schema.properties.weight:"
        " response property removed",
    ]
