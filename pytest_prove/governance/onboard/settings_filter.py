"""Keeping only the settings a check accepts, with a note for each one dropped.

Generated files must load: a setting the installed check rejects is left out and
named, rather than written into a file ``pytest --prove`` would refuse.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pydantic

from ...checks.registry import Registry


def accepted_settings(
    name: str, settings: Mapping[str, Any], registry: Registry, origin: str = ""
) -> tuple[dict[str, Any], list[str]]:
    """The settings of check ``name`` that validate, and one note per rejected key.

    A check that is not installed cannot validate anything: its settings are kept
    as they are, with a note saying so.
    """
    kept = dict(settings)
    shown = f"{name} (was {origin})" if origin and origin != name else name
    check = registry.checks.get(name)
    if check is None:
        if not kept:
            return kept, []
        return kept, [f"check {shown} is not installed here: its settings were not validated"]
    notes: list[str] = []
    while kept:
        try:
            check.settings_model.model_validate(kept)
        except pydantic.ValidationError as exc:
            error = exc.errors(include_url=False)[0]
            key = error["loc"][0] if error["loc"] else None
            if not isinstance(key, str) or key not in kept:
                notes.append(f"{shown}: settings rejected: {error['msg']}; left out")
                return {}, notes
            problem = "unknown setting" if error["type"] == "extra_forbidden" else error["msg"]
            notes.append(f"{shown}.{key}: {problem}; left out")
            del kept[key]
            continue
        break
    return kept, notes
