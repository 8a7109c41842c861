"""OpenAPI validity, as openapi-spec-validator decides it, on a bundled spec.

Two parts, as upstream has them: the spec's structure against the OpenAPI JSON
Schema openapi-spec-validator ships (compiled with jsonschema-rs, see
:mod:`.oas_schemas`), then its semantic rules (:mod:`.semantics`).  Running
upstream's validator itself took 7.6 s on a 5 MB spec; this takes a fraction
of a second and reports the same problems (``tests/engines/test_contracts_validate_agreement.py``
holds the two to the same verdicts; docs/contracts.md lists the differences).
The spec given here has only local references left (see :mod:`.refs`), all of
them checked; a ``$ref`` met where upstream would follow one and that points
outside the document is an error here, never a file read or a request.
Errors carry the JSON path of the offending value, which is what findings name.
"""

from __future__ import annotations

import dataclasses
import itertools
import re
from collections.abc import Iterable
from typing import Any, Final

from .loading import Json, JsonPath
from .oas_schemas import instance_path, non_finite, structure_validator, structure_validator_python
from .semantics import semantic_errors

__all__ = ["MAX_ERRORS", "SpecError", "spec_version", "structure_errors", "validate_spec"]

MAX_ERRORS: Final = 50
_MESSAGE_CHARS: Final = 300
_VERSIONS: Final = (
    ("2.0", re.compile(r"2\.0$")),
    ("3.0", re.compile(r"3\.0\.\d+$")),
    ("3.1", re.compile(r"3\.1\.\d+$")),
)


@dataclasses.dataclass(frozen=True)
class SpecError:
    """One validity problem at ``path`` (JSON keys and indexes from the spec's root)."""

    path: JsonPath
    message: str


def spec_version(data: Json) -> str | None:
    """``"2.0"``, ``"3.0"`` or ``"3.1"`` from ``swagger:``/``openapi:``; None otherwise."""
    if not isinstance(data, dict):
        return None
    declared = data.get("openapi", data.get("swagger"))
    for name, pattern in _VERSIONS:
        if isinstance(declared, str) and pattern.match(declared):
            return name
    return None


def validate_spec(data: Json) -> list[SpecError]:
    """Validity errors (at most :data:`MAX_ERRORS`); empty for a valid spec.

    Structure first (the OpenAPI JSON Schema), then the semantic rules, as
    openapi-spec-validator orders them.
    """
    version = spec_version(data)
    if version is None:
        declared = data.get("openapi", data.get("swagger")) if isinstance(data, dict) else None
        return [SpecError((), f"unsupported OpenAPI version {declared!r} (2.0, 3.0.x, 3.1.x)")]
    errors: list[SpecError] = []
    try:
        errors.extend(structure_errors(data, version))
    except RecursionError:  # in the Python fallback, for data deeper than jsonschema-rs goes
        return [SpecError((), "nested too deeply to validate")]
    limit = MAX_ERRORS - len(errors)
    if limit > 0:
        errors.extend(_error(p, m) for p, m in semantic_errors(data, version, limit))
    return errors


def structure_errors(data: Json, version: str) -> list[SpecError]:
    """The spec's errors against the OpenAPI JSON Schema of ``version`` (at most MAX_ERRORS)."""
    try:
        errors = structure_validator(version).iter_errors(data)
        found = [(instance_path(data, e.instance_path), str(e.message)) for e in _first(errors)]
        python = bool(found) and non_finite(data)  # jsonschema-rs reads .inf and .nan as null
    except ValueError:  # deeper than jsonschema-rs recurses
        python = True
    if python:  # upstream's own validator decides
        errors = structure_validator_python(version).iter_errors(data)
        found = [(tuple(e.absolute_path), str(e.message)) for e in _first(errors)]
    return [_error(path, message) for path, message in found]


def _first(errors: Iterable[Any]) -> list[Any]:
    return list(itertools.islice(errors, MAX_ERRORS))


def _error(path: JsonPath, message: str) -> SpecError:
    if len(message) > _MESSAGE_CHARS:
        # Head and tail: a long message is mostly the offending value, and its tail
        # says what is wrong with it ("... is not valid under any of ... 'oneOf'").
        tail = _MESSAGE_CHARS // 2
        message = f"{message[: _MESSAGE_CHARS - tail - 5]} ... {message[-tail:]}"
    return SpecError(path, message)
