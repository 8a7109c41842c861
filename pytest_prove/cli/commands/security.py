"""``prove security baseline``: accept the secrets a repository holds today.

Writes the baseline file (salted hashes only) that the ``security`` check
reads, from a scan of the whole tree with the repository's own settings.
"""

from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ...errors import UsageError

if TYPE_CHECKING:
    from ...checks.security import SecuritySettings


def register(sub: argparse._SubParsersAction[Any]) -> None:
    parser = sub.add_parser("security", help="secrets baseline for the security check")
    actions = parser.add_subparsers(dest="security_command", metavar="ACTION", required=True)
    baseline = actions.add_parser(
        "baseline", help="accept every secret found in the tree now (stores salted hashes only)"
    )
    baseline.add_argument("repo", nargs="?", default=".", help="the repository (default: .)")
    baseline.add_argument(
        "--config", metavar="FILE", help="orchestrator or repository config file with its settings"
    )
    baseline.add_argument(
        "-o", "--output", metavar="FILE", help="where to write (default: secrets.baseline setting)"
    )
    parser.set_defaults(handler=run_baseline)


def _settings(root: Path, config: str | None) -> SecuritySettings:
    from ...checks.security import SecuritySettings
    from ...config.load import load_fleet
    from ...readers.errors import ConfigError

    try:
        fleet = load_fleet(Path(config) if config else None, root)
    except ConfigError as exc:
        raise UsageError(f"prove security baseline: {exc}") from None
    plans = [p for p in fleet.repos if p.path.resolve() == root.resolve()] or list(fleet.repos)
    for plan in plans[:1]:
        for gate in plan.gates:
            if isinstance(gate.settings, SecuritySettings):
                return gate.settings
    return SecuritySettings()


def run_baseline(args: argparse.Namespace) -> int:
    from ...checks.security import scan_secrets
    from ...engines.security.baseline import BaselineError, dump_baseline, load_baseline
    from ...git.context import RepoContext, RepoContextError
    from ...governance.output_file import write_output

    context = RepoContext(Path(args.repo))
    try:
        root = context.toplevel
        files = sorted(context.work_tree_files)
    except RepoContextError as exc:
        raise UsageError(f"prove security baseline: {exc}") from None
    settings = _settings(root, args.config).secrets
    output = Path(args.output) if args.output else root / settings.baseline
    if output.is_dir():  # before the scan, which can take a while
        raise UsageError(f"prove security baseline: cannot write {output}: it is a directory")
    try:
        previous = load_baseline(output)
    except BaselineError:
        previous = None  # replaced by a valid one
    # Same salt as before, so re-running changes only the lines that changed.
    hits = scan_secrets(root, [(path, None) for path in files], settings)
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(
            f"prove security baseline: cannot create {output.parent}: {exc.strerror or exc}"
        ) from None
    text = dump_baseline(hits, previous.salt if previous else None)
    write_output(output, text, who="prove security baseline")
    by_rule = ", ".join(f"{rule} {n}" for rule, n in sorted(Counter(h.rule for h in hits).items()))
    print(f"{output}: {len(hits)} findings accepted{f' ({by_rule})' if by_rule else ''}")
    return 0
