"""``prove config show``: the effective settings of every gate and where each value came from."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

from ..readers.errors import KeyPath, format_key_path
from .fleet import Fleet, RepoPlan
from .merge import Layer
from .sections import MODES_KEY

DEFAULT_ORIGIN = "default"


def _leaves(value: Any, path: KeyPath) -> Iterator[tuple[KeyPath, Any]]:
    if isinstance(value, Mapping) and value:
        for key, sub in value.items():
            yield from _leaves(sub, (*path, key))
    else:
        yield path, value


def _entry(value: Any, layer: Layer | None) -> dict[str, Any]:
    return {"value": value, "origin": layer.label if layer is not None else DEFAULT_ORIGIN}


def effective_settings(plan: RepoPlan) -> dict[str, Any]:
    """``{"checks": {...}, "gates": {gate: {key: {"value", "origin"}}}}`` for one repository."""
    merged = plan.merged
    checks_origin = merged.origin(("checks",))
    gates: dict[str, Any] = {}
    for gate in plan.gates:
        base = dict(_leaves(gate.settings.model_dump(mode="json"), ()))
        entries = {
            format_key_path(path): _entry(value, merged.origins.get((*gate.settings_path, *path)))
            for path, value in base.items()
        }
        # Only what a delivery mode changes: the rest is as above.
        per_mode = {
            mode: {
                format_key_path(path): _entry(
                    value, merged.origins.get((MODES_KEY, mode, *gate.settings_path, *path))
                )
                for path, value in _leaves(settings.model_dump(mode="json"), ())
                if base.get(path) != value
            }
            for mode, settings in gate.mode_settings.items()
        }
        gates[gate.name] = {
            "check": gate.check.name,
            "quick": gate.quick,
            "settings": entries,
            "modes": per_mode,
        }
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
            for mode, changed in info["modes"].items():
                for key, entry in changed.items():
                    rows.append(
                        (f"[{mode}] {gate}.{key}", json.dumps(entry["value"]), entry["origin"])
                    )
        # Long values (argv, type lists) would push every origin far right.
        width = min(max(len(k) + len(v) for k, v, _ in rows) + 3, 64)
        lines += [f"  {f'{k} = {v}':<{width}}  # {origin}" for k, v, origin in rows]
        lines.append("")
    return "\n".join(lines)
