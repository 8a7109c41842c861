"""Turning pydantic's errors into one located :class:`ConfigError` naming every problem."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import pydantic
from pydantic.alias_generators import to_camel, to_snake

from ..support.wording import count, did_you_mean
from .errors import ConfigError, KeyPath, combined
from .suggest import keys_at

_NO_INPUT = frozenset({"model_type", "dict_type", "list_type"})


def _problem(error: Mapping[str, Any], model: Any = None) -> str:
    kind = error["type"]
    if kind == "extra_forbidden":
        loc = error["loc"]
        known = keys_at(model, loc) if model is not None and loc else ()
        return "unknown key" + (did_you_mean(loc[-1], known) if loc else "")
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


def validation_error(
    exc: pydantic.ValidationError,
    data: Any,
    locate: Callable[[str, KeyPath], ConfigError],
    model: Any = None,
) -> ConfigError:
    """Every problem of ``exc``, each located by ``locate(problem, key_path)``.

    :param model: the model (or type, ``list[Waiver]``) ``data`` was validated against,
        to suggest the key meant for an unknown one
    """
    errors = exc.errors(include_url=False)
    return combined([_located(e, _problem(e, model), data, locate) for e in errors])


def first_error(
    exc: pydantic.ValidationError,
    data: Any,
    locate: Callable[[str, KeyPath], ConfigError],
) -> ConfigError:
    """The first problem of ``exc`` only, with a count of the others, for a message that
    must stay on one line (a gate's finding)."""
    errors = exc.errors(include_url=False)
    problem = _problem(errors[0])
    if len(errors) > 1:
        problem += f" (and {count(len(errors) - 1, 'more problem')})"
    return _located(errors[0], problem, data, locate)


def _located(
    error: Mapping[str, Any],
    problem: str,
    data: Any,
    locate: Callable[[str, KeyPath], ConfigError],
) -> ConfigError:
    loc = tuple(p for p in error["loc"] if isinstance(p, str | int))
    return locate(problem, user_key_path(data, loc))
