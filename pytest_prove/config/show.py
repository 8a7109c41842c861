"""``prove config show``: the effective settings of every gate and where each value came from."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

from .errors import KeyPath, format_key_path
from .fleet import Fleet, RepoPlan

DEFAULT_ORIGIN = "default"


def _leaves(value: Any, path: KeyPath) -> Iterator[tuple[KeyPath, Any]]:
    if isinstance(value, Mapping) and value:
        for key, sub in value.items():
            yield from _leaves(sub, (*path, key))
    else:
        yield path, value


def effective_settings(plan: RepoPlan) -> dict[str, Any]:
    """``{"checks": {...}, "gates": {gate: {key: {"value", "origin"}}}}`` for one repository."""
    merged = plan.merged
    checks_origin = merged.origin(("checks",))
    gates: dict[str, Any] = {}
    for gate in plan.gates:
        values = gate.settings.model_dump(mode="json")
        entries = {}
        for path, value in _leaves(values, ()):
            full = (*gate.settings_path, *path)
            layer = merged.origins.get(full)
            entries[format_key_path(path)] = {
                "value": value,
                "origin": layer.label if layer is not None else DEFAULT_ORIGIN,
            }
        gates[gate.name] = {"check": gate.check.name, "quick": gate.quick, "settings": entries}
    return {
        "path": str(plan.path),
        "config": str(plan.config_file) if plan.config_file else None,
        "checks": {
            "value": [g.name for g in plan.gates],
            "origin": checks_origin.label if checks_origin is not None else DEFAULT_ORIGIN,
        },
        "gates": gates,
    }


def show_fleet(fleet: Fleet, fmt: str = "text") -> str:
    data = {plan.name: effective_settings(plan) for plan in fleet.repos}
    if fmt == "json":
        return json.dumps(data, indent=2)
    lines: list[str] = []
    for name, repo in data.items():
        config = repo["config"] or "no config file"
        lines.append(f"{name}  ({repo['path']}; {config})")
        rows = [("checks", json.dumps(repo["checks"]["value"]), repo["checks"]["origin"])]
        for gate, info in repo["gates"].items():
            for key, entry in info["settings"].items():
                rows.append((f"{gate}.{key}", json.dumps(entry["value"]), entry["origin"]))
        width = max(len(k) + len(v) for k, v, _ in rows) + 3
        lines += [f"  {f'{k} = {v}':<{width}}  # {origin}" for k, v, origin in rows]
        lines.append("")
    return "\n".join(lines)
