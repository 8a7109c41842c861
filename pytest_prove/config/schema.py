"""``prove schema``: JSON Schema of the configuration files, for editors' YAML completion."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel
from pydantic.alias_generators import to_snake

from ..registry import Registry
from .models import OrchestratorFile, RepositoryFile
from .sections import COMMAND_CHECK, COMMANDS_KEY


def _section_properties(registry: Registry, defs: dict[str, Any]) -> dict[str, Any]:
    props: dict[str, Any] = {}

    def ref(model: type[BaseModel]) -> dict[str, Any]:
        schema = model.model_json_schema(ref_template="#/$defs/{model}")
        defs.update(schema.pop("$defs", {}))
        defs[model.__name__] = schema
        return {"$ref": f"#/$defs/{model.__name__}"}

    for name, check in registry.checks.items():
        if name == COMMAND_CHECK:
            continue
        entry = ref(check.settings_model) | {"description": check.description}
        props[name] = entry
        for alias in check.aliases:
            props[alias] = {"$ref": entry["$ref"], "description": f"Old name of {name}"}
    command = ref(registry.checks[COMMAND_CHECK].settings_model)
    props[COMMANDS_KEY] = {
        "type": "object",
        "description": "Command gates: name -> argv and options",
        "additionalProperties": {"anyOf": [command, {"type": "string"}, {"type": "array"}]},
    }
    return props


def _accept_snake_case(node: Any) -> None:
    """Both spellings validate (the seed's ``failFast`` and ``fail_fast``) as in the loader."""
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
    defs: dict[str, Any] = schema.setdefault("$defs", {})
    sections = _section_properties(registry, defs)
    if kind == "orchestrator":
        defs["GlobalSettings"]["properties"].update(sections)
        defs["GlobalSettings"]["additionalProperties"] = False
        defs["RepositoryEntry"]["properties"]["overrides"] = {
            "type": "object",
            "properties": sections,
            "additionalProperties": False,
        }
    else:
        schema["properties"].update(sections)
        schema["additionalProperties"] = False
    _accept_snake_case(schema)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = (
        "pytest-prove " + ("orchestrator" if kind == "orchestrator" else "repository") + " file"
    )
    return schema
