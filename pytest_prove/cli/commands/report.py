"""``prove report``: pass rates, flaky and slow gates, trends of past runs; ``--merge`` shards.

The runs come from the history file (``--history``, else ``reporting.history`` of the
orchestrator file as a run would write it) or from pytest-json-report files
(``--from-json``).  ``--merge`` joins the reports of ``--prove-shard`` jobs instead.
"""

from __future__ import annotations

import argparse
import datetime
import os
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ...errors import UsageError

if TYPE_CHECKING:
    from ...report.run_record import RunRecord

_RELATIVE = re.compile(r"^(\d+)([dhw])$")
_UNITS = {"h": "hours", "d": "days", "w": "weeks"}


def register(sub: argparse._SubParsersAction[Any]) -> None:
    report = sub.add_parser(
        "report",
        help="pass rates, flaky and slow gates and trends from the history; --merge for shards",
    )
    report.add_argument(
        "--merge",
        nargs="+",
        metavar="REPORT",
        help="pytest-json-report JSON files, or JUnit XML files, of the shards: join them",
    )
    source = report.add_mutually_exclusive_group()
    source.add_argument("--history", metavar="PATH", help="the history file to read")
    source.add_argument(
        "--from-json", nargs="+", metavar="FILE", help="read runs from pytest-json-report files"
    )
    report.add_argument(
        "--config", metavar="FILE", help="orchestrator file whose reporting.history to read"
    )
    which = report.add_mutually_exclusive_group()
    which.add_argument("--all", action="store_true", help="every repository (the default)")
    which.add_argument(
        "--repo", action="append", default=[], metavar="NAME", help="only this repository"
    )
    report.add_argument(
        "--since", metavar="DATE", help="only runs since: YYYY-MM-DD, an ISO time, or 7d / 12h / 2w"
    )
    report.add_argument("--format", choices=("table", "md", "json", "csv", "html"), default="table")
    report.add_argument(
        "--compliance",
        action="store_true",
        help="per repo and check: runs, pass rate, active waivers and approvers, policy gaps",
    )
    report.add_argument("-o", "--output", metavar="FILE", help="write here (default: stdout)")
    report.add_argument(
        "--durations",
        metavar="FILE",
        help="with --merge of JSON reports: fold the shards' gate durations into this "
        "durations file (.prove/durations.json), for the next sharded run to balance by",
    )
    report.set_defaults(handler=run_report)


def parse_since(text: str, now: datetime.datetime) -> datetime.datetime:
    """``7d`` before ``now``, or an ISO date/time (UTC unless it says otherwise)."""
    relative = _RELATIVE.match(text.strip())
    if relative:
        count, unit = relative.groups()
        return now - datetime.timedelta(**{_UNITS[unit]: int(count)})
    try:
        moment = datetime.datetime.fromisoformat(text.strip())
    except ValueError:
        raise UsageError(
            f"prove report: --since {text!r}: expected YYYY-MM-DD, an ISO 8601 time, "
            "or a count of days, hours or weeks (7d, 12h, 2w)"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=datetime.UTC)


def _merge(args: argparse.Namespace) -> int:
    from ...report.views.merge import merge_reports

    if not args.merge:
        raise UsageError("prove report: --durations goes with --merge")

    used = [
        name
        for name, value in (
            ("--history", args.history),
            ("--from-json", args.from_json),
            ("--repo", args.repo),
            ("--since", args.since),
            ("--all", args.all),
            ("--config", args.config),
            ("--compliance", args.compliance),
        )
        if value
    ]
    if used or args.format != "table":
        used += [] if args.format == "table" else ["--format"]
        raise UsageError(f"prove report: --merge cannot be combined with {', '.join(used)}")
    # Refused before anything is read or written: a merge must not stop halfway.
    for option, value in (("-o", args.output), ("--durations", args.durations)):
        if value and Path(value).is_dir():
            raise UsageError(f"prove report: cannot write {value} ({option}): it is a directory")
    paths = [Path(p) for p in args.merge]
    _write(args.output, merge_reports(paths))
    if args.durations:
        _record_durations(paths, Path(args.durations))
    return 0


def _write(output: str | None, text: str) -> None:
    """``text`` to ``output``, else stdout."""
    from ...governance.output_file import write_output

    if output:
        write_output(Path(output), text, who="prove report")
    else:
        sys.stdout.write(text)


def _record_durations(shards: Sequence[Path], target: Path) -> None:
    """Shards never write the durations file (see :mod:`pytest_prove.report.sinks.durations`);
    the merge does."""
    from ...config.durations import read_durations
    from ...report.sinks.durations import write_durations
    from ...report.views.from_json import read_json_runs

    if any(p.suffix.lower() != ".json" for p in shards):
        raise UsageError("prove report --durations: durations come from the JSON reports")
    previous, _ = read_durations(target)
    for run in read_json_runs(shards):
        try:
            previous = write_durations(target, previous, run)
        except OSError as exc:
            raise UsageError(
                f"prove report: cannot write {target} (--durations): {exc.strerror or exc}"
            ) from None


def default_history(config: str | None) -> Path:
    """Where a run with this orchestrator (given, or found here) writes its history."""
    import pydantic

    from ...config.locate import find_orchestrator
    from ...config.models import GlobalSettings
    from ...readers.errors import ConfigError
    from ...readers.yamlfile import load_yaml_file
    from ...report.history.store import history_path

    path = find_orchestrator(config)
    if path is None:
        return history_path(None, Path.cwd())
    try:
        data = load_yaml_file(path).data
        section = data.get("global") if isinstance(data, dict) else None
        configured = GlobalSettings.model_validate(section or {}).reporting.history
    except (ConfigError, pydantic.ValidationError) as exc:
        raise UsageError(f"prove report: cannot read reporting.history of {path}: {exc}") from None
    return history_path(configured, path.resolve().parent)


def _history_runs(path: Path, since: datetime.datetime | None) -> list[RunRecord]:
    from ...report.history.store import open_history

    if not path.is_file():
        raise UsageError(
            f"prove report: no history at {path} (every gates run writes one unless "
            "--prove-no-history); name one with --history or use --from-json"
        )
    with open_history(path) as history:
        return history.runs(since=since)


def _only_repos(runs: list[RunRecord], repos: list[str]) -> list[RunRecord]:
    import dataclasses

    kept = []
    for run in runs:
        gates = tuple(g for g in run.gates if g.repo in repos)
        if gates:
            kept.append(dataclasses.replace(run, gates=gates))
    return kept


def run_report(args: argparse.Namespace) -> int:
    if args.merge or args.durations:
        return _merge(args)
    from ...report.history.store import HistoryError
    from ...report.views.formats import RENDERERS
    from ...report.views.from_json import read_json_runs
    from ...report.views.summary import summarise
    from ...support.clock import now_or_real

    since = parse_since(args.since, now_or_real(os.environ)) if args.since is not None else None
    if args.from_json:
        runs = [
            r
            for r in read_json_runs([Path(p) for p in args.from_json])
            if not since or r.started >= since
        ]
    else:
        path = Path(args.history) if args.history else default_history(args.config)
        try:
            runs = _history_runs(path, since)
        except HistoryError as exc:
            print(f"prove report: {exc}", file=sys.stderr)
            return 1
    if args.repo:
        runs = _only_repos(runs, args.repo)
        seen = {g.repo for r in runs for g in r.gates}
        for name in args.repo:
            if name not in seen:
                print(
                    f"prove report: no gate of repository {name!r} in these runs", file=sys.stderr
                )
    if args.compliance:
        from ...governance.compliance import compliance_report

        text = compliance_report(args.config, runs, since, args.format)
    else:
        text = RENDERERS[args.format](summarise(runs))
    _write(args.output, text)
    return 0
