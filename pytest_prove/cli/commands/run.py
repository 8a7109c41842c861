"""``prove`` (no command), ``prove orchestrate`` and ``prove check``: the gates, run by pytest.

Every run builds an argv (never plugin objects: xdist workers rebuild their config from
argv alone) and returns pytest's exit code; arguments prove does not know go to pytest.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Final

from ...config.locate import require_orchestrator
from ...errors import UsageError

__all__ = ["RUN_COMMANDS", "add_run_options", "pytest_args", "register"]

RUN_COMMANDS: Final = frozenset({"orchestrate", "check"})


def add_run_options(parser: argparse.ArgumentParser, *, repo: bool) -> None:
    parser.add_argument("--config", metavar="FILE", help="orchestrator or repository config file")
    parser.add_argument("--quick", action="store_true", help="run only the quick gates")
    parser.add_argument(
        "-n",
        "--workers",
        metavar="N",
        help="parallel workers (default: global.concurrency of the orchestrator file)",
    )
    parser.add_argument("--base", metavar="REF", help="compare against this ref")
    parser.add_argument(
        "--set", action="append", default=[], metavar="KEY=VALUE", help="override a check setting"
    )
    if repo:
        parser.add_argument(
            "--repo", action="append", default=[], metavar="NAME", help="only this repository"
        )


def register(sub: argparse._SubParsersAction[Any]) -> None:
    orchestrate = sub.add_parser("orchestrate", help="run the gates of every repository in a file")
    add_run_options(orchestrate, repo=True)
    check = sub.add_parser("check", help="run the gates of one repository of the orchestrator file")
    add_run_options(check, repo=True)


def _concurrency(config: Path | None) -> int:
    """``global.concurrency`` as the model reads it (``"4"`` is 4); 1 if it cannot.

    Only the ``global`` block is validated here: pytest reports any problem of the file.
    """
    if config is None:
        return 1
    import pydantic

    from ...config.models import GlobalSettings
    from ...readers.errors import ConfigError
    from ...readers.yamlfile import load_yaml_file

    try:
        data = load_yaml_file(config).data
        section = data.get("global") if isinstance(data, dict) else None
        return GlobalSettings.model_validate(section or {}).concurrency
    except (ConfigError, pydantic.ValidationError):
        return 1


def pytest_args(args: argparse.Namespace, extra: Sequence[str]) -> list[str]:
    """The pytest argv for a run command."""
    argv: list[str] = []
    config: Path | None = None
    if args.command in {"orchestrate", "check"}:
        config = require_orchestrator(args.config, "prove")
        if args.command == "check" and not args.repo:
            raise UsageError("prove check: --repo NAME is required")
    elif args.config:
        config = Path(args.config)
    if config is not None:
        argv += ["--prove-config", str(config)]
    else:
        argv += ["--prove", "--prove-only"]
    for name in getattr(args, "repo", []):
        argv += ["--prove-repo", name]
    if args.quick:
        argv.append("--prove-quick")
    if args.base:
        argv += ["--prove-base", args.base]
    for item in args.set:
        argv += ["--prove-set", item]
    workers = args.workers or str(_concurrency(config))
    if workers not in {"0", "1"}:
        argv += ["-n", workers]
    return [*argv, *extra]
