"""Benchmark: the ``contracts`` work on one large spec (validation + diff against a base).

Generates a YAML spec of about 5 MB with 2,000 operations (1,000 paths, each a
GET with query parameters and a POST with a request body, every schema
inline plus shared components), a base version and a changed version (a few
breaking and safe changes), then times parsing + bundling, validation and the
diff of the two, as :func:`pytest_prove.engines.contracts.review.review_spec` does them.

    python3 bench/contracts.py [--operations 2000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import copy
import time
from typing import Any

import yaml

from pytest_prove.engines.contracts.diff import diff_specs
from pytest_prove.engines.contracts.refs import Reader, bundle_spec
from pytest_prove.engines.contracts.review import review_spec
from pytest_prove.engines.contracts.validate import validate_spec
from pytest_prove.support.text import TextFile


def _schema(i: int) -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["id", "name"],
        "description": f"Resource {i}: " + "a description that real specs carry. " * 6,
        "properties": {
            "id": {"type": "integer", "format": "int64", "description": "identifier " * 4},
            "name": {"type": "string", "maxLength": 200, "description": "display name " * 4},
            "status": {"type": "string", "enum": ["active", "suspended", "closed"]},
            "tags": {"type": "array", "items": {"type": "string", "maxLength": 40}},
            "owner": {"$ref": "#/components/schemas/Owner"},
            "created": {"type": "string", "format": "date-time"},
            "limits": {
                "type": "object",
                "properties": {
                    "daily": {"type": "integer", "minimum": 0},
                    "monthly": {"type": "integer", "minimum": 0},
                },
            },
        },
    }


def generate(operations: int) -> dict[str, Any]:
    paths: dict[str, Any] = {}
    for i in range(operations // 2):
        body = _schema(i)
        paths[f"/resources{i}/{{id}}/items"] = {
            "parameters": [
                {"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}
            ],
            "get": {
                "operationId": f"list{i}",
                "summary": f"List the items of resource {i}",
                "parameters": [
                    {"name": "limit", "in": "query", "schema": {"type": "integer", "maximum": 500}},
                    {"name": "cursor", "in": "query", "schema": {"type": "string"}},
                    {
                        "name": "status",
                        "in": "query",
                        "schema": {"type": "string", "enum": ["active", "suspended", "closed"]},
                    },
                ],
                "responses": {
                    "200": {
                        "description": "the page",
                        "content": {
                            "application/json": {"schema": {"type": "array", "items": body}}
                        },
                    },
                    "404": {"$ref": "#/components/responses/NotFound"},
                },
            },
            "post": {
                "operationId": f"create{i}",
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": copy.deepcopy(body)}},
                },
                "responses": {
                    "201": {
                        "description": "created",
                        "content": {"application/json": {"schema": copy.deepcopy(body)}},
                    }
                },
            },
        }
    return {
        "openapi": "3.0.3",
        "info": {"title": "Bench", "version": "1.0.0"},
        "paths": paths,
        "components": {
            "schemas": {
                "Owner": {"type": "object", "properties": {"email": {"type": "string"}}},
            },
            "responses": {"NotFound": {"description": "not found"}},
        },
    }


def change(spec: dict[str, Any]) -> dict[str, Any]:
    new = copy.deepcopy(spec)
    keys = list(new["paths"])
    new["paths"].pop(keys[0])  # breaking: path removed
    new["paths"][keys[1]]["get"]["parameters"][0]["required"] = True  # breaking
    new["paths"][keys[2]]["post"]["responses"]["400"] = {"description": "bad"}  # safe
    return new


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--operations", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    base = generate(args.operations)
    base_text = yaml.dump(base, Dumper=yaml.CSafeDumper, sort_keys=False)
    head_text = yaml.dump(change(base), Dumper=yaml.CSafeDumper, sort_keys=False)

    def read_head(path: str) -> TextFile:
        return TextFile(path, text=head_text)

    def read_base(path: str) -> TextFile:
        return TextFile(path, text=base_text)

    print(f"spec: {len(head_text) / 1e6:.1f} MB, {args.operations} operations")
    for run in range(args.repeat):
        # The first run is cold: nothing compiled or imported by an earlier one.
        wall, cpu = time.perf_counter(), time.process_time()
        review = review_spec("openapi.yaml", read_head, "openapi.yaml", read_base)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        breaking = sum(c.breaking for c in review.changes)
        print(
            f"review {'cold' if run == 0 else 'warm'} (parse+bundle x2, validate, diff): "
            f"{wall:.2f} s wall, {cpu:.2f} s CPU; {len(review.findings)} findings, "
            f"{breaking} breaking, {len(review.changes) - breaking} safe"
        )
    _stages(read_head, read_base)


def _stages(read_head: Reader, read_base: Reader) -> None:
    """CPU time of each part of the review, measured once more, warm."""
    cpu = time.process_time()
    head = bundle_spec("openapi.yaml", read_head)
    parsed = time.process_time()
    errors = validate_spec(head.data)
    validated = time.process_time()
    base = bundle_spec("openapi.yaml", read_base)
    based = time.process_time()
    diff_specs(base.data, head.data, old_major=3, new_major=3)
    done = time.process_time()
    print(
        f"stages (CPU): parse+bundle {parsed - cpu:.2f} s, validate {validated - parsed:.2f} s "
        f"({len(errors)} errors), parse+bundle base {based - validated:.2f} s, "
        f"diff {done - based:.2f} s"
    )


if __name__ == "__main__":
    main()
