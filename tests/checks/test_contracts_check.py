"""The ``contracts`` check: declared breaking changes, spec versions, references, bad input."""

from __future__ import annotations

import json
from typing import Any

import pytest

from pytest_prove.api import Severity
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


def drop_item_path(spec: Spec) -> None:
    spec["paths"].pop("/pets/{id}")


def drop_and_bump(version: str) -> Mutation:
    def change(spec: Spec) -> None:
        drop_item_path(spec)
        spec["info"]["version"] = version

    return change


# --- declared breaking changes ---------------------------------------------------------


def test_major_version_bump_declares_breaking_changes(make_repo: MakeRepo) -> None:
    base = pet_store()
    head = mutated(base, drop_and_bump("2.0.0"))
    repo = branch_repo(make_repo, base, head)
    result = run(repo)
    assert result.passed
    (finding,) = result.findings
    assert (finding.rule, finding.severity) == ("path-removed", Severity.INFO)
    assert finding.message == "paths./pets/{id}: path removed (declared breaking)"
    assert result.summary is not None
    assert "info.version 1.0.0 -> 2.0.0" in result.summary
    assert errors(run(repo, allow_major_bump=False)) == ["path-removed"]


def test_minor_version_bump_declares_nothing(make_repo: MakeRepo) -> None:
    base = pet_store()
    head = mutated(base, drop_and_bump("1.1.0"))
    assert errors(run(branch_repo(make_repo, base, head))) == ["path-removed"]


@pytest.mark.parametrize(
    "message",
    ["feat!: drop single-pet endpoints", "feat: drop them\n\nBREAKING CHANGE: gone"],
)
def test_breaking_commit_declares_breaking_changes(make_repo: MakeRepo, message: str) -> None:
    base = pet_store()
    repo = branch_repo(make_repo, base, mutated(base, drop_item_path), message=message)
    result = run(repo)
    assert result.passed
    assert [f.severity for f in result.findings] == [Severity.INFO]
    assert result.summary is not None
    assert "breaking commit" in result.summary
    assert errors(run(repo, allow_breaking_commit=False)) == ["path-removed"]


def test_ordinary_commit_declares_nothing(make_repo: MakeRepo) -> None:
    base = pet_store()
    repo = branch_repo(make_repo, base, mutated(base, drop_item_path), message="fix: tidy up")
    result = run(repo)
    assert not result.passed
    assert result.summary == "1 problem(s): 1 spec(s), 1 breaking, 0 safe change(s)"


def test_breaking_changes_can_be_turned_off(make_repo: MakeRepo) -> None:
    base = pet_store()
    result = run(
        branch_repo(make_repo, base, mutated(base, drop_item_path)), breaking_changes=False
    )
    assert result.passed
    assert result.metrics["compared"] == 0


def test_uncommitted_changes_count(make_repo: MakeRepo) -> None:
    base = pet_store()
    repo = branch_repo(make_repo, base, mutated(base, drop_item_path), commit=False)
    assert errors(run(repo)) == ["path-removed"]


# --- OpenAPI 2.0 and 3.1 --------------------------------------------------------------


def swagger() -> Spec:
    return {
        "swagger": "2.0",
        "info": {"title": "Pets", "version": "1.0.0"},
        "produces": ["application/json"],
        "paths": {
            "/pets": {
                "post": {
                    "parameters": [
                        {"name": "body", "in": "body", "schema": {"$ref": "#/definitions/Pet"}},
                        {"name": "dry", "in": "query", "type": "string", "enum": ["yes", "no"]},
                    ],
                    "responses": {
                        "200": {"description": "ok", "schema": {"$ref": "#/definitions/Pet"}}
                    },
                }
            }
        },
        "definitions": {
            "Pet": {"type": "object", "properties": {"name": {"type": "string"}}},
        },
    }


def post2(spec: Spec) -> Any:
    return spec["paths"]["/pets"]["post"]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            lambda s: post2(s)["parameters"][0].update(required=True),
            ["request-body-became-required"],
        ),
        (lambda s: post2(s)["parameters"][1].update(enum=["no"]), ["request-enum-value-removed"]),
        (
            lambda s: s["definitions"]["Pet"]["properties"].pop("name"),
            ["response-property-removed"],
        ),
        (lambda s: s.update(produces=["application/xml"]), ["response-media-type-removed"]),
        (lambda s: post2(s)["parameters"][1].update(enum=["yes", "no", "maybe"]), []),
        (lambda s: s["definitions"]["Pet"]["properties"].update(age={"type": "integer"}), []),
    ],
)
def test_swagger_2(make_repo: MakeRepo, change: Mutation, expected: list[str]) -> None:
    base = swagger()
    result = run(branch_repo(make_repo, base, mutated(base, change), path="api/swagger.yaml"))
    assert [f.rule for f in result.findings if f.severity is Severity.ERROR] == expected
    assert result.metrics["compared"] == 1


def openapi_31() -> Spec:
    spec = pet_store()
    spec["openapi"] = "3.1.0"
    spec["components"]["schemas"]["NewPet"]["properties"]["tag"]["type"] = ["string", "null"]
    return spec


def tag_types(types: list[str], schema: str = "NewPet") -> Mutation:
    return lambda s: s["components"]["schemas"][schema]["properties"].update(tag={"type": types})


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (tag_types(["string"]), ["request-type-changed"]),  # null no longer accepted
        (tag_types(["string", "null", "integer"]), []),
        (tag_types(["string", "null"], "Pet"), []),  # a new response property
    ],
)
def test_openapi_31_type_lists(make_repo: MakeRepo, change: Mutation, expected: list[str]) -> None:
    base = openapi_31()
    result = run(branch_repo(make_repo, base, mutated(base, change)))
    assert errors(result) == expected


def test_openapi_30_nullable_in_a_response_is_a_type_change(make_repo: MakeRepo) -> None:
    base = pet_store()
    head = mutated(
        base,
        lambda s: s["components"]["schemas"]["Pet"]["properties"]["name"].update(nullable=True),
    )
    assert errors(run(branch_repo(make_repo, base, head))) == ["response-type-changed"]


def test_json_spec(make_repo: MakeRepo) -> None:
    base = pet_store()
    repo = branch_repo(
        make_repo,
        json.dumps(base),
        json.dumps(mutated(base, drop_item_path)),
        path="openapi.json",
    )
    result = run(repo)
    assert errors(result) == ["path-removed"]
    assert result.findings[0].line is None  # JSON is parsed without line numbers


# --- references across files ------------------------------------------------------------


def split_spec() -> tuple[Spec, Spec]:
    spec = pet_store()
    schemas = spec["components"]["schemas"]
    pet = schemas.pop("Pet")
    pet["properties"]["friend"] = {"$ref": "#/Pet"}  # recursion within the other file
    schemas["Pet"] = {"$ref": "schemas/pets.yaml#/Pet"}
    return spec, {"Pet": pet, "NewPet": schemas["NewPet"]}


def test_change_in_a_referenced_file_is_compared_with_its_base_version(make_repo: MakeRepo) -> None:
    spec, pets = split_spec()
    repo = make_repo()
    repo.commit(
        "feat: api", files={"api/openapi.yaml": dump(spec), "api/schemas/pets.yaml": dump(pets)}
    )
    repo.git("checkout", "-q", "-b", "feat/api")
    pets["Pet"]["properties"].pop("weight")
    repo.commit("feat: lighter pets", files={"api/schemas/pets.yaml": dump(pets)})
    result = run(repo)
    assert errors(result) == ["response-property-removed"]
    assert result.metrics["fragments"] == 0
    recursive = [f for f in result.findings if f.rule == "ref-recursive"]
    assert [(f.file, f.severity) for f in recursive] == [
        ("api/schemas/pets.yaml", Severity.WARNING)
    ]


@pytest.mark.parametrize(
    ("ref", "rule", "text"),
    [
        ("schemas/missing.yaml#/Pet", "ref-missing", "api/schemas/missing.yaml does not exist"),
        ("schemas/pets.yaml#/Cat", "ref-missing", "no /Cat in api/schemas/pets.yaml"),
        ("../../outside.yaml#/Pet", "ref-missing", "leaves the repository"),
        ("https://example.com/pets.yaml#/Pet", "ref-url", "is a URL: not fetched"),
        ("#/components/schemas/Nope", "ref-missing", "no such place"),
    ],
)
def test_broken_references(make_repo: MakeRepo, ref: str, rule: str, text: str) -> None:
    spec, pets = split_spec()
    spec["components"]["schemas"]["Pet"] = {"$ref": ref}
    repo = make_repo()
    repo.commit(
        "feat: api", files={"api/openapi.yaml": dump(spec), "api/schemas/pets.yaml": dump(pets)}
    )
    result = run(repo)
    assert errors(result) == [rule]
    (finding,) = [f for f in result.findings if f.rule == rule]
    assert text in finding.message
    pet_line = dump(spec).splitlines().index("    Pet:") + 1
    assert (finding.file, finding.line) == ("api/openapi.yaml", pet_line + 1)  # its $ref


def test_reference_cycle(make_repo: MakeRepo) -> None:
    spec = pet_store()
    spec["components"]["schemas"]["A"] = {"$ref": "#/components/schemas/B"}
    spec["components"]["schemas"]["B"] = {"$ref": "#/components/schemas/A"}
    spec["components"]["schemas"]["Pet"]["properties"]["a"] = {"$ref": "#/components/schemas/A"}
    repo = make_repo()
    repo.commit("feat: api", files={"openapi.yaml": dump(spec)})
    result = run(repo)
    assert errors(result) == ["ref-cycle"]
    assert "#/components/schemas/A -> #/components/schemas/B -> #/components/schemas/A" in (
        result.findings[0].message
    )


# --- bad input --------------------------------------------------------------------------


def alias_bomb(levels: int = 9) -> str:
    """A billion laughs: each level is ten aliases of the one before."""
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for level in range(1, levels):
        aliases = ", ".join([f"*a{level - 1}"] * 10)
        lines.append(f"a{level}: &a{level} [{aliases}]")
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize(
    ("path", "text", "message", "line"),
    [
        ("openapi.yaml", "openapi: 3.0.3\npaths: [\n", "not valid YAML", 3),
        ("openapi.json", '{"openapi": "3.0.3",\n "paths": }', "not valid JSON", 2),
        ("openapi.yaml", alias_bomb(), "alias bomb", None),
        ("openapi.yaml", b"\x00\x01binary", "is binary", None),
        ("openapi.yaml", "[" * 100_000, "nested more than 256 levels deep", 1),
        ("openapi.json", "[" * 100_000, "nested too deeply", None),
    ],
    ids=["yaml", "json", "alias-bomb", "binary", "deep-yaml", "deep-json"],
)
def test_unparsable_specs(
    make_repo: MakeRepo, path: str, text: str | bytes, message: str, line: int | None
) -> None:
    repo = make_repo()
    repo.commit("feat: api", files={path: text})
    result = run(repo)
    (finding,) = result.findings
    assert finding.rule == "spec-unparsable"
    assert message in finding.message
    assert (finding.file, finding.line) == (path, line)


def test_huge_spec(make_repo: MakeRepo) -> None:
    repo = make_repo()
    repo.commit("feat: api", files={"openapi.yaml": dump(pet_store())})
    (finding,) = run(repo, max_spec_bytes=1000).findings
    assert (finding.rule, finding.message) == ("spec-unparsable", "is too large")


def test_invalid_spec_names_the_path_and_line(make_repo: MakeRepo) -> None:
    spec = pet_store()
    spec["paths"]["/pets"]["get"]["parameters"][0]["in"] = "body-ish"
    repo = make_repo()
    repo.commit("feat: api", files={"openapi.yaml": dump(spec)})
    result = run(repo)
    assert errors(result) == ["invalid-spec"]
    assert result.findings[0].message.startswith("paths./pets.get.parameters[0]: ")
    assert result.findings[0].line == 9


def test_unsupported_version(make_repo: MakeRepo) -> None:
    repo = make_repo()
    repo.commit("feat: api", files={"openapi.yaml": "openapi: 4.0.0\ninfo: {}\n"})
    (finding,) = run(repo).findings
    assert finding.message == "unsupported OpenAPI version '4.0.0' (2.0, 3.0.x, 3.1.x)"


def test_unreadable_base_version_is_noted_not_failed(make_repo: MakeRepo) -> None:
    repo = branch_repo(make_repo, "openapi: 3.0.3\npaths: [\n", pet_store())
    result = run(repo)
    assert result.passed
    (finding,) = result.findings
    assert (finding.rule, finding.severity) == ("base-unreadable", Severity.INFO)


def test_fragments_and_repos_without_specs(make_repo: MakeRepo) -> None:
    repo = make_repo()
    nothing = run(repo)
    assert not nothing.passed
    assert nothing.summary == "no OpenAPI spec found: nothing was judged"
    (finding,) = nothing.findings
    assert finding.rule == "no-spec"
    assert finding.message.startswith("no OpenAPI spec found: searched openapi.yaml, openapi.yml")
    assert finding.message.endswith(
        "set `contracts: {specs: [PATH]}` to your spec's path, or "
        "`contracts: {missing: skip}` where there is none"
    )
    skipped = run(repo, missing="skip")
    assert skipped.skipped is not None
    assert skipped.skipped.startswith(
        "no OpenAPI spec found (missing: skip); searched openapi.yaml"
    )
    repo.commit("feat: parts", files={"openapi-parts.yaml": "Pet: {type: object}\n"})
    result = run(repo)
    assert result.findings == []
    assert (result.metrics["specs"], result.metrics["fragments"]) == (0, 1)


def test_globs_are_settings(make_repo: MakeRepo) -> None:
    repo = make_repo()
    repo.commit("feat: api", files={"contract/api.yaml": "openapi: 3.0.3\npaths: [\n"})
    assert errors(run(repo)) == ["no-spec"]
    assert errors(run(repo, specs=["contract/*.yaml"])) == ["spec-unparsable"]
    assert errors(run(repo, specs=["contract/*.yaml"], exclude=["contract/**"])) == ["no-spec"]


def test_a_spec_renamed_out_of_the_globs_is_compared_with_its_old_self(
    make_repo: MakeRepo,
) -> None:
    # `git mv openapi.yaml petstore-api.yaml` in the same change that breaks it.
    base = pet_store()
    repo = branch_repo(make_repo, base, None, commit=False)
    repo.write("petstore-api.yaml", dump(mutated(base, drop_item_path)))
    repo.commit("refactor: rename the spec")
    result = run(repo)
    assert errors(result) == ["path-removed"]
    assert {f.file for f in result.findings} == {"petstore-api.yaml"}
    assert (result.metrics["specs"], result.metrics["compared"]) == (1, 1)
