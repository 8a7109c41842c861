"""``prove config show``: the effective settings and where each value came from."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from ...config.locate import require_orchestrator
from ...errors import USAGE_ERROR

__all__ = ["register"]


def register(sub: argparse._SubParsersAction[Any]) -> None:
    config = sub.add_parser("config", help="inspect configuration")
    config.set_defaults(handler=_config_show)
    config_sub = config.add_subparsers(dest="config_command", metavar="ACTION", required=True)
    show = config_sub.add_parser("show", help="effective settings and where each value came from")
    show.add_argument("--config", metavar="FILE", help="orchestrator or repository config file")
    show.add_argument("--repo", metavar="NAME", help="only this repository")
    show.add_argument("--format", choices=("text", "json"), default="text")


def _config_show(args: argparse.Namespace) -> int:
    from ...config.load import Options, load_fleet
    from ...config.show import show_fleet
    from ...readers.errors import ConfigError

    # --repo names a repository of an orchestrator file: look for one as `orchestrate` does.
    if args.repo:
        path: Path | None = require_orchestrator(
            args.config, f"prove config show --repo {args.repo}"
        )
    else:
        path = Path(args.config) if args.config else None
    try:
        fleet = load_fleet(path, Path.cwd(), Options(repos=[args.repo] if args.repo else []))
    except ConfigError as exc:
        print(f"prove: {exc}", file=sys.stderr)
        return USAGE_ERROR
    print(show_fleet(fleet, args.format))
    return 0
