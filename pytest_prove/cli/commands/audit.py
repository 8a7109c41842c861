"""``prove audit verify``: is the audit log's hash chain intact?"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from ...errors import UsageError


def register(sub: argparse._SubParsersAction[Any]) -> None:
    parser = sub.add_parser("audit", help="the audit log of runs, waivers and syncs")
    actions = parser.add_subparsers(dest="audit_command", metavar="ACTION", required=True)
    verify = actions.add_parser("verify", help="detect edited, removed or reordered entries")
    verify.add_argument(
        "log",
        nargs="?",
        help="the log (default: global.reporting.audit of the orchestrator file,"
        " else .prove/audit.jsonl beside it)",
    )
    verify.add_argument("--config", metavar="FILE", help="the orchestrator file")
    parser.set_defaults(handler=run_audit)


def _log_path(args: argparse.Namespace) -> Path:
    if args.log:
        return Path(args.log)
    from ...config.locate import find_orchestrator
    from ...governance.audit.log import DEFAULT_AUDIT_LOG
    from ...governance.orchestrator import load_orchestrator
    from ...readers.errors import ConfigError

    config = find_orchestrator(args.config)
    if config is None:
        return Path(DEFAULT_AUDIT_LOG)
    try:
        return load_orchestrator(config).audit.path
    except ConfigError as exc:
        raise UsageError(f"prove audit: {exc}") from None


def run_audit(args: argparse.Namespace) -> int:
    from ...governance.audit.log import verify_log

    path = _log_path(args)
    if not path.is_file():
        raise UsageError(f"prove audit verify: no audit log at {path}")
    result = verify_log(path)
    if result.bad_line is not None:
        print(f"{path}:{result.bad_line}: {result.problem}", file=sys.stderr)
        print(f"the first {result.entries} entries are intact")
        return 1
    print(f"{path}: {result.entries} entries, chain intact; head {result.head}")
    return 0
