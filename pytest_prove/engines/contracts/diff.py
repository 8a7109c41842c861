"""Breaking changes between two bundled specs: paths, operations, parameters, bodies,
responses and security.

Pure functions of the two specs' data.  Swagger 2.0 and OpenAPI 3.x are read
through the same accessors (2.0's body parameter is the request body, its
``schema`` under a response the response content for each ``produces`` type),
so a 2.0 spec migrated to 3.0 is compared too.  Paths match by shape:
``/pets/{id}`` and ``/pets/{petId}`` are the same path, since clients send the
value, not the name.
"""

from __future__ import annotations

import re
from typing import Final

from .changes import Change, Changes, Side
from .loading import Json, JsonPath
from .schema_diff import SchemaComparer

__all__ = ["METHODS", "diff_specs"]

METHODS: Final = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
_TEMPLATE: Final = re.compile(r"\{[^}/]*\}")
_DEFAULT_MEDIA: Final = ("application/json",)
_ParamKey = tuple[str, str]


def diff_specs(old: Json, new: Json, *, old_major: int, new_major: int) -> list[Change]:
    """Every change from ``old`` to ``new``, breaking and safe, in spec order."""
    old_side, new_side = Side(old, old_major), Side(new, new_major)
    changes = Changes()
    old_paths = {_shape(p): p for p in old_side.mapping(old.get("paths"))}
    new_paths = {_shape(p): p for p in new_side.mapping(new.get("paths"))}
    for shape, old_key in old_paths.items():
        new_key = new_paths.get(shape)
        if new_key is None:
            changes.breaking("path-removed", f"paths.{old_key}", "path removed", ("paths",))
            continue
        _compare_path(changes, old_side, new_side, old_key, new_key)
    for shape in new_paths.keys() - old_paths.keys():
        key = new_paths[shape]
        changes.safe("path-added", f"paths.{key}", "path added", ("paths", key))
    _compare_security_schemes(changes, old_side, new_side)
    return changes.items


def _compare_path(
    changes: Changes, old_side: Side, new_side: Side, old_key: str, new_key: str
) -> None:
    old_item = old_side.mapping(old_side.mapping(old_side.root.get("paths")).get(old_key))
    new_item = new_side.mapping(new_side.mapping(new_side.root.get("paths")).get(new_key))
    where = ("paths", new_key)
    for method in METHODS:
        old_op, new_op = old_item.get(method), new_item.get(method)
        path = f"paths.{new_key}.{method}"
        if isinstance(old_op, dict) and not isinstance(new_op, dict):
            changes.breaking("operation-removed", path, "operation removed", where)
        elif isinstance(new_op, dict) and not isinstance(old_op, dict):
            changes.safe("operation-added", path, "operation added", (*where, method))
        elif isinstance(old_op, dict) and isinstance(new_op, dict):
            _Operation(changes, old_side, new_side, path, (*where, method)).compare(
                (old_item, old_op), (new_item, new_op)
            )


class _Operation:
    def __init__(
        self, changes: Changes, old_side: Side, new_side: Side, path: str, where: JsonPath
    ) -> None:
        self.changes = changes
        self.old_side, self.new_side = old_side, new_side
        self.path, self.where = path, where
        self.schemas = SchemaComparer(changes, old_side, new_side)

    def compare(self, old: tuple[Json, Json], new: tuple[Json, Json]) -> None:
        (old_item, old_op), (new_item, new_op) = old, new
        self.parameters(
            _parameters(self.old_side, old_item, old_op, ()),
            _parameters(self.new_side, new_item, new_op, self.where),
        )
        self.request_body(
            _request_body(self.old_side, old_op), _request_body(self.new_side, new_op)
        )
        self.responses(old_op, new_op)
        self.security(old_op, new_op)

    def parameters(
        self,
        old: dict[_ParamKey, tuple[Json, JsonPath]],
        new: dict[_ParamKey, tuple[Json, JsonPath]],
    ) -> None:
        for (place, name), (param, _) in old.items():
            here = f"{self.path}.parameters[{name}]"
            if (place, name) not in new:
                # A path parameter is positional: renaming it changes nothing for clients.
                if place != "path":
                    message = f"{place} parameter removed or renamed"
                    self.changes.breaking("parameter-removed", here, message, self.where)
                continue
            new_param, at = new[(place, name)]
            if new_param.get("required") is True and param.get("required") is not True:
                message = f"{place} parameter became required"
                self.changes.breaking("parameter-became-required", here, message, at)
            self.schemas.compare(
                _parameter_schema(param),
                _parameter_schema(new_param),
                here,
                at,
                request=True,
            )
        for (place, name), (param, at) in new.items():
            if (place, name) in old or place == "path":
                continue
            here = f"{self.path}.parameters[{name}]"
            if param.get("required") is True:
                message = f"new required {place} parameter"
                self.changes.breaking("new-required-parameter", here, message, at)
            else:
                self.changes.safe("parameter-added", here, f"optional {place} parameter", at)

    def request_body(self, old: dict[str, Json] | None, new: dict[str, Json] | None) -> None:
        here = f"{self.path}.requestBody"
        where = (*self.where, "requestBody")
        if new is None:
            return  # a body the server no longer reads does no harm
        if new.get("required") is True and (old is None or old.get("required") is not True):
            message = "request body became required" if old else "new required request body"
            self.changes.breaking("request-body-became-required", here, message, where)
        if old is None:
            return
        self.content(old, new, here, where, request=True)

    def responses(self, old_op: dict[str, Json], new_op: dict[str, Json]) -> None:
        old_responses = self.old_side.mapping(old_op.get("responses"))
        new_responses = self.new_side.mapping(new_op.get("responses"))
        where = (*self.where, "responses")
        for status in old_responses:
            here = f"{self.path}.responses[{status}]"
            if status not in new_responses:
                self.changes.breaking("response-status-removed", here, "response removed", where)
                continue
            old_response = _response_content(self.old_side, old_op, old_responses[status])
            new_response = _response_content(self.new_side, new_op, new_responses[status])
            self.content(old_response, new_response, here, (*where, status), request=False)
        for status in new_responses.keys() - old_responses.keys():
            here = f"{self.path}.responses[{status}]"
            self.changes.safe("response-status-added", here, "response added", where)

    def content(
        self,
        old: dict[str, Json],
        new: dict[str, Json],
        here: str,
        where: JsonPath,
        *,
        request: bool,
    ) -> None:
        old_media = self.old_side.mapping(old.get("content"))
        new_media = self.new_side.mapping(new.get("content"))
        kind = "request" if request else "response"
        for media in old_media:
            at = f"{here}.content[{media}]"
            if media not in new_media:
                message = f"{kind} media type removed"
                self.changes.breaking(f"{kind}-media-type-removed", at, message, where)
                continue
            self.schemas.compare(
                self.old_side.mapping(old_media[media]).get("schema"),
                self.new_side.mapping(new_media[media]).get("schema"),
                f"{at}.schema",
                (*where, "content", media, "schema"),
                request=request,
            )
        for media in new_media.keys() - old_media.keys():
            at = f"{here}.content[{media}]"
            self.changes.safe(f"{kind}-media-type-added", at, "media type added", where)

    def security(self, old_op: dict[str, Json], new_op: dict[str, Json]) -> None:
        old_alternatives = _security(self.old_side, old_op)
        new_alternatives = _security(self.new_side, new_op)
        for alternative in old_alternatives:
            # A client satisfying an old alternative still needs one new one it satisfies.
            if not any(option <= alternative for option in new_alternatives):
                needed = " or ".join("+".join(sorted(o)) or "none" for o in new_alternatives)
                message = f"security requirement added: now needs {needed}"
                where = (*self.where, "security")
                self.changes.breaking("security-requirement-added", self.path, message, where)
                return


def _compare_security_schemes(changes: Changes, old_side: Side, new_side: Side) -> None:
    old_schemes, old_where = _security_schemes(old_side)
    new_schemes, new_where = _security_schemes(new_side)
    for name in old_schemes.keys() - new_schemes.keys():
        path = f"{'.'.join(str(k) for k in old_where)}.{name}"
        changes.breaking("security-scheme-removed", path, "security scheme removed", new_where)


def _security_schemes(side: Side) -> tuple[dict[str, Json], JsonPath]:
    if side.major == 2:
        return side.mapping(side.root.get("securityDefinitions")), ("securityDefinitions",)
    components = side.mapping(side.root.get("components"))
    return side.mapping(components.get("securitySchemes")), ("components", "securitySchemes")


def _security(side: Side, op: dict[str, Json]) -> list[frozenset[str]]:
    declared = op.get("security", side.root.get("security"))
    if not isinstance(declared, list):
        return [frozenset()]
    alternatives = [frozenset(r) for r in declared if isinstance(r, dict)]
    return alternatives or [frozenset()]


def _shape(path: str) -> str:
    return _TEMPLATE.sub("{}", path)


def _parameters(
    side: Side, item: dict[str, Json], op: dict[str, Json], where: JsonPath
) -> dict[_ParamKey, tuple[Json, JsonPath]]:
    """Path-item then operation parameters by (in, name), the operation's winning."""
    found: dict[_ParamKey, tuple[Json, JsonPath]] = {}
    for owner, owner_where in ((item, where[:-1]), (op, where)):
        declared = owner.get("parameters")
        for index, raw in enumerate(declared if isinstance(declared, list) else []):
            param = side.mapping(raw)
            place, name = param.get("in"), param.get("name")
            if isinstance(place, str) and isinstance(name, str) and place != "body":
                found[(place, name)] = (param, (*owner_where, "parameters", index))
    return found


def _parameter_schema(param: dict[str, Json]) -> Json:
    # 2.0 non-body parameters carry type, enum and items themselves.
    return param.get("schema", param)


def _media_types(side: Side, op: dict[str, Json], key: str) -> list[str]:
    declared = op.get(key, side.root.get(key))
    if isinstance(declared, list) and declared:
        return [m for m in declared if isinstance(m, str)]
    return list(_DEFAULT_MEDIA)


def _request_body(side: Side, op: dict[str, Json]) -> dict[str, Json] | None:
    if side.major >= 3:
        body = side.deref(op.get("requestBody"))
        return body if isinstance(body, dict) else None
    for raw in op.get("parameters") or []:
        param = side.mapping(raw)
        if param.get("in") == "body":
            content = {
                m: {"schema": param.get("schema")} for m in _media_types(side, op, "consumes")
            }
            return {"required": param.get("required") is True, "content": content}
    return None


def _response_content(side: Side, op: dict[str, Json], response: Json) -> dict[str, Json]:
    found = side.mapping(response)
    if side.major >= 3 or "schema" not in found:
        return found
    return {"content": {m: {"schema": found["schema"]} for m in _media_types(side, op, "produces")}}
