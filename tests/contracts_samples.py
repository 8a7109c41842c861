"""Specs and repositories for the ``contracts`` tests: a pet store in 2.0, 3.0 and 3.1."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import yaml

from pytest_prove.api import CheckResult, Severity
from pytest_prove.checks.contracts import ContractsSettings, check_contracts
from pytest_prove.git import RepoContext
from tests.repo_builder import MakeRepo, RepoBuilder

Spec = dict[str, Any]
Mutation = Callable[[Spec], object]

_JSON = "application/json"
_XML = "application/xml"


def _content(schema: Spec, *media: str) -> Spec:
    return {m: {"schema": schema} for m in media or (_JSON,)}


def pet_store() -> Spec:
    """An OpenAPI 3.0 spec with something for every rule to change."""
    pet = {
        "type": "object",
        "required": ["id", "name"],
        "properties": {
            "id": {"type": "integer"},
            "name": {"type": "string"},
            "kind": {"type": "string", "enum": ["cat", "dog"]},
            "weight": {"type": "number"},
        },
    }
    new_pet = {
        "type": "object",
        "required": ["name"],
        "properties": {
            "name": {"type": "string", "maxLength": 50},
            "kind": {"type": "string", "enum": ["cat", "dog"]},
            "tag": {"type": "string"},
        },
    }
    pets = {"type": "array", "items": {"$ref": "#/components/schemas/Pet"}}
    return {
        "openapi": "3.0.3",
        "info": {"title": "Pets", "version": "1.0.0"},
        "paths": {
            "/pets": {
                "get": {
                    "parameters": [
                        {
                            "name": "limit",
                            "in": "query",
                            "schema": {"type": "integer", "maximum": 100},
                        },
                        {
                            "name": "status",
                            "in": "query",
                            "schema": {"type": "string", "enum": ["available", "sold"]},
                        },
                        {
                            "name": "X-Request-Id",
                            "in": "header",
                            "required": True,
                            "schema": {"type": "string"},
                        },
                    ],
                    "responses": {
                        "200": {"description": "ok", "content": _content(pets, _JSON, _XML)},
                        "404": {"description": "none"},
                    },
                },
                "post": {
                    "requestBody": {
                        "content": _content({"$ref": "#/components/schemas/NewPet"}, _JSON, _XML)
                    },
                    "responses": {"201": {"description": "created"}},
                },
            },
            "/pets/{id}": {
                "parameters": [
                    {"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}
                ],
                "get": {
                    "responses": {
                        "200": {
                            "description": "ok",
                            "content": _content({"$ref": "#/components/schemas/Pet"}),
                        }
                    }
                },
                "delete": {
                    "security": [{"key": []}],
                    "responses": {"204": {"description": "deleted"}},
                },
            },
        },
        "components": {
            "schemas": {"Pet": pet, "NewPet": new_pet},
            "securitySchemes": {
                "key": {"type": "apiKey", "in": "header", "name": "X-Key"},
                "basic": {"type": "http", "scheme": "basic"},
            },
        },
    }


def dump(spec: Spec) -> str:
    return yaml.safe_dump(spec, sort_keys=False)


def mutated(spec: Spec, mutation: Mutation) -> Spec:
    changed = copy.deepcopy(spec)
    mutation(changed)
    return changed


def branch_repo(
    make_repo: MakeRepo,
    base: Spec | str,
    head: Spec | str | None,
    *,
    path: str = "openapi.yaml",
    message: str = "feat: change the api",
    commit: bool = True,
    name: str = "api",
) -> RepoBuilder:
    """``base`` committed on main at ``path``; on branch ``feat/api``, ``head`` (None: deleted)."""
    repo = make_repo(name)
    repo.commit("feat: add the api", files={path: base if isinstance(base, str) else dump(base)})
    repo.git("checkout", "-q", "-b", "feat/api")
    if head is None:
        repo.delete(path)
    else:
        repo.write(path, head if isinstance(head, str) else dump(head))
    if commit:
        repo.commit(message)
    return repo


def run(repo: RepoBuilder, **settings: Any) -> CheckResult:
    return check_contracts(RepoContext(repo.path), ContractsSettings(**settings))


def errors(result: CheckResult) -> list[str]:
    return sorted({f.rule for f in result.findings if f.severity is Severity.ERROR})
