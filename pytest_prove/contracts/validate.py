"""OpenAPI validity through openapi-spec-validator, on a bundled spec.

The spec given here has only local references left (see :mod:`.refs`), all of
them checked; the validator also gets no URL handlers, so a ``$ref`` left in
literal data (an ``example``) is an error here, never a file read or a request.  Its errors
carry the JSON path of the offending value, which is what findings name.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any, Final

from .loading import Json, JsonPath

__all__ = ["MAX_ERRORS", "SpecError", "spec_version", "validate_spec"]

MAX_ERRORS: Final = 50
_MESSAGE_CHARS: Final = 300
_VERSIONS: Final = (
    ("2.0", re.compile(r"2\.0$"), "OpenAPIV2SpecValidator"),
    ("3.0", re.compile(r"3\.0\.\d+$"), "OpenAPIV30SpecValidator"),
    ("3.1", re.compile(r"3\.1\.\d+$"), "OpenAPIV31SpecValidator"),
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
    for name, pattern, _ in _VERSIONS:
        if isinstance(declared, str) and pattern.match(declared):
            return name
    return None


def validate_spec(data: Json) -> list[SpecError]:
    """Validity errors (at most :data:`MAX_ERRORS`); empty for a valid spec."""
    # Imported here: the validator costs ~70 ms to import, and every pytest start-up that
    # registers the checks would pay it, with or without a contracts gate.
    import openapi_spec_validator
    from jsonschema_path import SchemaPath
    from referencing.exceptions import Unresolvable

    version = spec_version(data)
    validator_name = next((v for name, _, v in _VERSIONS if name == version), None)
    if validator_name is None:
        declared = data.get("openapi", data.get("swagger")) if isinstance(data, dict) else None
        return [SpecError((), f"unsupported OpenAPI version {declared!r} (2.0, 3.0.x, 3.1.x)")]
    errors: list[SpecError] = []
    try:
        spec = SchemaPath.from_dict(data, handlers={}, resolved_cache_maxsize=4096)
        validator: Any = getattr(openapi_spec_validator, validator_name)
        for error in validator(spec).iter_errors():
            path = tuple(getattr(error, "absolute_path", ()))
            message = str(getattr(error, "message", error))
            if len(message) > _MESSAGE_CHARS:
                message = message[: _MESSAGE_CHARS - 3] + "..."
            errors.append(SpecError(path, message))
            if len(errors) >= MAX_ERRORS:
                break
    except Unresolvable as exc:  # a $ref in literal data, which the bundler leaves alone
        ref = getattr(exc, "ref", None)
        errors.append(SpecError((), f"unresolvable reference {ref!r}: not fetched"))
    except RecursionError:
        errors.append(SpecError((), "nested too deeply to validate"))
    return errors
