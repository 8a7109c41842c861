"""The keys a configuration's models accept, for ``did you mean`` hints on unknown keys (#20)."""

from __future__ import annotations

import types
import typing
from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import BaseModel


def model_keys(model: type[BaseModel]) -> tuple[str, ...]:
    """Every key ``model`` accepts: field names and their aliases (``failFast``).

    A name pydantic needs mangled (``global_`` for ``global``) is left out: only its
    alias is what a user would type.
    """
    keys: list[str] = []
    for name, field in model.model_fields.items():
        if not name.endswith("_"):
            keys.append(name)
        if field.alias and field.alias != name:
            keys.append(field.alias)
    return tuple(keys)


def keys_at(annotation: Any, loc: Sequence[str | int]) -> tuple[str, ...]:
    """The keys accepted by the mapping holding ``loc``'s last key, () when it is no model.

    :param annotation: what was validated: a model, or a type such as ``list[Waiver]``
    :param loc: pydantic's: field names or aliases, list indexes, dict keys, and for a
        union of several types the member's name (which matches no field: skipped)
    """
    for part in loc[:-1]:
        annotation = _inner(annotation, part)
        if annotation is None:
            return ()
    found = _model_of(annotation)
    return model_keys(found) if found is not None else ()


def _members(annotation: Any) -> tuple[Any, ...]:
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        return tuple(a for a in typing.get_args(annotation) if a is not type(None))
    return (annotation,)


def _model_of(annotation: Any) -> type[BaseModel] | None:
    for member in _members(annotation):
        if isinstance(member, type) and issubclass(member, BaseModel):
            return member
    return None


def _inner(annotation: Any, part: str | int) -> Any:
    """The annotation one step down ``part``, None when it cannot be told."""
    for member in _members(annotation):
        model = _model_of(member)
        if model is not None and isinstance(part, str):
            for name, field in model.model_fields.items():
                if part in (name, field.alias):
                    return field.annotation
            continue
        origin = typing.get_origin(member)
        args = typing.get_args(member)
        if isinstance(part, int) and origin in (list, tuple, Sequence) and args:
            return args[0]
        if isinstance(part, str) and origin in (dict, Mapping) and len(args) == 2:
            return args[1]
    # A union member's name (``list[str]``) or a dict key: the level stays the same.
    return annotation if isinstance(part, str) and len(_members(annotation)) > 1 else None
