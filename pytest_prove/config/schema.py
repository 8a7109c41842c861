"""``prove schema``: JSON Schema of the configuration files, for editors' YAML completion."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel
from pydantic.alias_generators import to_snake

from ..checks.registry import Registry
from .models import DiscoveryEntry, OrchestratorFile, RepositoryEntry, RepositoryFile
from .sections import COMMAND_CHECK, COMMANDS_KEY, MODES, MODES_KEY


def _ref(model: type[BaseModel], defs: dict[str, Any]) -> dict[str, Any]:
    """A reference to ``model``'s schema, which (with its own definitions) goes into ``defs``."""
    schema = model.model_json_schema(ref_template="#/$defs/{model}")
    _accept_snake_case(schema)
    defs.update(schema.pop("$defs", {}))
    defs[model.__name__] = schema
    return {"$ref": f"#/$defs/{model.__name__}"}


def _section_properties(registry: Registry, defs: dict[str, Any]) -> dict[str, Any]:
    props: dict[str, Any] = {}

    def ref(model: type[BaseModel]) -> dict[str, Any]:
        return _ref(model, defs)

    for name, check in registry.checks.items():
        if name == COMMAND_CHECK:
            continue
        # `coverage:` with nothing under it is an empty section, as the loader reads it.
        section = {"anyOf": [ref(check.settings_model), {"type": "null"}]}
        props[name] = section | {"description": check.description}
        for alias in check.aliases:
            props[alias] = section | {"description": f"Old name of {name}"}
    command = ref(registry.checks[COMMAND_CHECK].settings_model)
    props[COMMANDS_KEY] = {
        "type": "object",
        "description": "Command gates: name -> argv and options",
        "additionalProperties": {"anyOf": [command, {"type": "string"}, {"type": "array"}]},
    }
    per_mode = {"type": "object", "properties": dict(props), "additionalProperties": False}
    props[MODES_KEY] = {
        "type": "object",
        "description": "Settings that apply in one delivery mode",
        "properties": dict.fromkeys(MODES, per_mode),
        "additionalProperties": False,
    }
    return props


def _accept_snake_case(node: Any) -> None:
    """Both spellings of model fields validate (``failFast``, ``fail_fast``) as in the loader.

    Applied to models' own schemas only: check names in sections are not snake-cased.
    """
    if isinstance(node, dict):
        props = node.get("properties")
        if isinstance(props, dict):
            for key in list(props):
                props.setdefault(to_snake(key), props[key])
        for value in node.values():
            _accept_snake_case(value)
    elif isinstance(node, list):
        for value in node:
            _accept_snake_case(value)


def json_schema(registry: Registry, kind: str = "orchestrator") -> dict[str, Any]:
    """The schema of an orchestrator file or of a repository file (``kind="repository"``)."""
    model = OrchestratorFile if kind == "orchestrator" else RepositoryFile
    schema = model.model_json_schema(by_alias=True)
    _accept_snake_case(schema)
    defs: dict[str, Any] = schema.setdefault("$defs", {})
    sections = _section_properties(registry, defs)
    if kind == "orchestrator":
        defs["GlobalSettings"]["properties"].update(sections)
        defs["GlobalSettings"]["additionalProperties"] = False
        entry_kinds = [_ref(RepositoryEntry, defs), _ref(DiscoveryEntry, defs)]
        schema["properties"]["repositories"]["items"] = {"anyOf": entry_kinds}
        for entry in ("RepositoryEntry", "DiscoveryEntry"):
            defs[entry]["properties"]["overrides"] = {
                "type": "object",
                "properties": sections,
                "additionalProperties": False,
            }
    else:
        schema["properties"].update(sections)
        schema["additionalProperties"] = False
    if kind == "orchestrator":
        # YAML reads an unquoted `version: 1.0` as a number; the loader accepts it.
        schema["properties"]["version"] = {"enum": ["1", "1.0", 1, 1.0], "default": "1.0"}
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = (
        "pytest-prove " + ("orchestrator" if kind == "orchestrator" else "repository") + " file"
    )
    return schema
