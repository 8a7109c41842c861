"""``prove migrate OLD.json``: the old tool's configuration as a ``prove.yaml``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from ...errors import UsageError


def register(sub: argparse._SubParsersAction[Any]) -> None:
    parser = sub.add_parser(
        "migrate", help="translate the old tool's config (prove.config.ts exported to JSON)"
    )
    parser.add_argument("old", metavar="OLD.json", help="the old configuration, as JSON")
    parser.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        help="where to write (default: prove.yaml beside OLD.json; '-' for stdout)",
    )
    parser.add_argument("--force", action="store_true", help="overwrite an existing file")
    parser.set_defaults(handler=run_migrate)


def run_migrate(args: argparse.Namespace) -> int:
    from ...checks.registry import load_registry
    from ...governance.onboard.migrate import MigrationError, migrate_config, parse_old_config
    from ...governance.output_file import write_new_file

    source = Path(args.old)
    try:
        raw = source.read_bytes()
    except OSError as exc:
        raise UsageError(f"prove migrate: cannot read {source}: {exc.strerror or exc}") from None
    try:
        data = parse_old_config(raw)
    except MigrationError as exc:
        raise UsageError(f"prove migrate: {source}: {exc}") from None
    migration = migrate_config(data, load_registry(), source.name)
    for note in migration.notes:
        print(f"prove migrate: note: {note}", file=sys.stderr)
    if args.output == "-":
        sys.stdout.write(migration.text)
        return 0
    target = Path(args.output) if args.output else source.with_name("prove.yaml")
    write_new_file(target, migration.text, force=args.force, who="prove migrate")
    print(f"wrote {target} ({len(migration.checks)} checks, {len(migration.notes)} notes)")
    return 0
