"""``prove sync``: preview, apply or roll back a configuration update across repositories."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ...errors import UsageError

if TYPE_CHECKING:
    from ...governance.orchestrator import Orchestrator
    from ...governance.sync.updates import UpdatesFile


def register(sub: argparse._SubParsersAction[Any]) -> None:
    parser = sub.add_parser(
        "sync", help="apply a config update to many repositories (dry run unless --apply)"
    )
    parser.add_argument("--config", metavar="UPDATES", help="the updates file (updates.yaml)")
    parser.add_argument(
        "--orchestrator",
        metavar="FILE",
        help="the orchestrator file (default: `orchestrator:` of the updates file,"
        " else one found here)",
    )
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument(
        "--dry-run", action="store_true", help="print a unified diff per repository (default)"
    )
    mode.add_argument(
        "--apply", action="store_true", help="commit the change on a new branch per repository"
    )
    mode.add_argument("--rollback", metavar="RUN_ID", help="undo an applied sync")
    parser.set_defaults(handler=run_sync)


def _orchestrator(args: argparse.Namespace, updates: UpdatesFile | None) -> Orchestrator:
    from ...config.locate import ORCHESTRATOR_NAMES, find_orchestrator
    from ...governance.orchestrator import load_orchestrator
    from ...readers.errors import ConfigError

    if args.orchestrator:
        path = Path(args.orchestrator)
    elif updates is not None and updates.orchestrator:
        path = Path(args.config).parent / updates.orchestrator
    else:
        found = find_orchestrator()
        if found is None:
            raise UsageError(
                f"prove sync: no orchestrator file: pass --orchestrator, set `orchestrator:`"
                f" in the updates file, or run where one of {', '.join(ORCHESTRATOR_NAMES)} is"
            )
        path = found
    try:
        return load_orchestrator(path)
    except ConfigError as exc:
        raise UsageError(f"prove sync: {exc}") from None


def _audit(orchestrator: Orchestrator, kind: str, actor: str | None, data: dict[str, Any]) -> None:
    from ...governance.audit.log import AuditError

    try:
        orchestrator.audit.append(kind, actor, data)
    except AuditError as exc:
        # A sync that cannot be audited must not happen: this stops before any change.
        raise UsageError(f"prove sync: audit log: {exc}") from None


def _authorise(orchestrator: Orchestrator, action: str) -> str:
    """The acting identity, if it may act; refusals are audited."""
    from ...config.access import AccessDeniedError, require_admin
    from ...governance.audit.identity import IdentityError, require_actor

    try:
        actor = require_actor(orchestrator.path.parent, os.environ, action)
    except IdentityError as exc:
        _audit(orchestrator, "refused", None, {"action": action, "reason": str(exc)})
        raise UsageError(f"prove sync: {exc}") from None
    try:
        require_admin(orchestrator.access, actor, action)
    except AccessDeniedError as exc:
        _audit(orchestrator, "refused", actor, {"action": action, "reason": str(exc)})
        raise UsageError(f"prove sync: refused: {exc}") from None
    return actor


def run_sync(args: argparse.Namespace) -> int:
    if args.rollback:
        return _rollback(args)
    if not args.config:
        raise UsageError("prove sync: --config UPDATES is required (except with --rollback)")
    import datetime

    from ...checks.registry import load_registry
    from ...governance.sync.apply import SyncFailedError, apply_sync, plan_sync
    from ...governance.sync.runs import RUNS_DIR, SyncRun, new_run_id, save_run
    from ...governance.sync.updates import load_updates
    from ...readers.errors import ConfigError

    registry = load_registry()
    try:
        updates = load_updates(Path(args.config), registry)
    except ConfigError as exc:
        raise UsageError(f"prove sync: {exc}") from None
    orchestrator = _orchestrator(args, updates)
    actor = _authorise(orchestrator, "prove sync --apply") if args.apply else None
    now = datetime.datetime.now(datetime.UTC)
    run_id = new_run_id(now)
    branch = updates.branch or f"prove/sync-{run_id}"
    try:
        changes = plan_sync(orchestrator, updates, branch, registry)
    except ConfigError as exc:
        raise UsageError(f"prove sync: {exc}") from None
    refused = [c for c in changes if c.problem is not None]
    for change in changes:
        if change.problem is not None:
            print(f"{change.name}: refused: {change.problem}", file=sys.stderr)
        elif not args.apply:
            sys.stdout.write(change.diff() or f"{change.name}: no change\n")
    if not args.apply:
        return 1 if refused else 0
    if refused:
        _audit(
            orchestrator,
            "refused",
            actor,
            {
                "action": "prove sync --apply",
                "reason": "repositories refused; nothing changed",
                "repos": {c.name: c.problem for c in refused},
            },
        )
        print("prove sync: nothing applied: fix the refused repositories first", file=sys.stderr)
        return 1
    header = updates.message or f"chore(prove): apply {Path(args.config).name}"
    message = f"{header}\n\nApplied by `prove sync`.\n\nProve-Sync-Run: {run_id}\n"
    try:
        done = apply_sync(changes, branch, message)
    except SyncFailedError as exc:
        _audit(
            orchestrator,
            "sync-failed",
            actor,
            {"run_id": run_id, "repo": exc.repo, "error": exc.error, "undone": exc.restored},
        )
        print(f"prove sync: failed in {exc}", file=sys.stderr)
        return 1
    assert actor is not None
    run = SyncRun(
        id=run_id,
        time=now.isoformat(timespec="seconds"),
        actor=actor,
        updates_file=str(Path(args.config).resolve()),
        branch=branch,
        repos=tuple(done),
    )
    save_run(orchestrator.path.parent / RUNS_DIR, run)
    _audit(
        orchestrator,
        "sync",
        actor,
        {"run_id": run_id, "branch": branch, "repos": {r.name: r.commit for r in done}},
    )
    for record in done:
        print(f"{record.name}: committed {record.commit[:12]} on {branch}")
    print(
        f"sync run {run_id}: {len(done)} repositories changed"
        f" (undo: prove sync --rollback {run_id})"
    )
    return 0


def _rollback(args: argparse.Namespace) -> int:
    import dataclasses

    from ...governance.sync.rollback import rollback_run
    from ...governance.sync.runs import RUNS_DIR, RunNotFoundError, load_run, save_run

    orchestrator = _orchestrator(args, None)
    runs_dir = orchestrator.path.parent / RUNS_DIR
    actor = _authorise(orchestrator, "prove sync --rollback")
    try:
        run = load_run(runs_dir, args.rollback)
    except RunNotFoundError as exc:
        raise UsageError(f"prove sync --rollback: {exc}") from None
    if run.rolled_back:
        raise UsageError(f"prove sync --rollback: run {run.id} was already rolled back")
    outcomes = rollback_run(run)
    for outcome in outcomes:
        print(f"{outcome.repo}: {outcome.action}: {outcome.detail}")
    failed = [o for o in outcomes if o.failed]
    summary = tuple({"repo": o.repo, "action": o.action, "detail": o.detail} for o in outcomes)
    save_run(runs_dir, dataclasses.replace(run, rolled_back=not failed, rollback=summary))
    _audit(orchestrator, "rollback", actor, {"run_id": run.id, "repos": list(summary)})
    return 1 if failed else 0
