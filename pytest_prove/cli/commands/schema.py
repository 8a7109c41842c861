"""``prove schema``: the JSON Schema of the configuration files, for editors."""

from __future__ import annotations

import argparse
from typing import Any

__all__ = ["register"]


def register(sub: argparse._SubParsersAction[Any]) -> None:
    schema = sub.add_parser("schema", help="print the JSON Schema of the configuration files")
    schema.add_argument("--kind", choices=("orchestrator", "repository"), default="orchestrator")
    schema.set_defaults(handler=_schema)


def _schema(args: argparse.Namespace) -> int:
    import json

    from ...checks.registry import load_registry
    from ...config.schema import json_schema

    print(json.dumps(json_schema(load_registry(), args.kind), indent=2))
    return 0
