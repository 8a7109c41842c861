"""Turning pydantic's errors into one located :class:`ConfigError`."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import pydantic
from pydantic.alias_generators import to_camel, to_snake

from .errors import ConfigError, KeyPath

_NO_INPUT = frozenset({"model_type", "dict_type", "list_type"})


def _problem(error: Mapping[str, Any]) -> str:
    kind = error["type"]
    if kind == "extra_forbidden":
        return "unknown key"
    if kind == "missing":
        return "required key is missing"
    message = str(error["msg"])
    if kind.startswith("value_error"):
        message = message.removeprefix("Value error, ")
    if "input" in error and not kind.startswith("value_error") and kind not in _NO_INPUT:
        value = error["input"]
        if isinstance(value, str | int | float | bool) or value is None:
            message += f" (got {value!r})"
    return message


def user_key_path(data: Any, loc: Sequence[str | int]) -> KeyPath:
    """``loc`` with each key spelt as the user wrote it (``failFast`` or ``fail_fast``)."""
    out: list[str | int] = []
    node = data
    for given in loc:
        part = given
        if isinstance(given, str) and isinstance(node, Mapping) and given not in node:
            part = next((s for s in (to_snake(given), to_camel(given)) if s in node), given)
        out.append(part)
        if isinstance(node, Mapping):
            node = node.get(part)
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
        else:
            node = None
    return tuple(out)


def first_error(
    exc: pydantic.ValidationError,
    data: Any,
    locate: Callable[[str, KeyPath], ConfigError],
) -> ConfigError:
    """The first problem of ``exc``, located by ``locate(problem, key_path)``."""
    errors = exc.errors(include_url=False)
    error = errors[0]
    problem = _problem(error)
    if len(errors) > 1:
        problem += f" (and {len(errors) - 1} more problem{'s' if len(errors) > 2 else ''})"
    loc = tuple(p for p in error["loc"] if isinstance(p, str | int))
    return locate(problem, user_key_path(data, loc))
