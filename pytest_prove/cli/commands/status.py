"""``prove status``: the latest run in a line, or ``--dashboard`` served on localhost."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from ...errors import UsageError


def register(sub: argparse._SubParsersAction[Any]) -> None:
    parser = sub.add_parser("status", help="the latest run; --dashboard serves the dashboard")
    parser.add_argument(
        "--config", metavar="FILE", help="the orchestrator file (default: found here)"
    )
    parser.add_argument(
        "--dashboard", action="store_true", help="serve the dashboard on 127.0.0.1 until Ctrl-C"
    )
    parser.add_argument(
        "--port", type=int, default=0, metavar="N", help="port to listen on (default 0: a free one)"
    )
    parser.add_argument(
        "--no-open", action="store_true", help="do not open the dashboard in a web browser"
    )
    parser.set_defaults(handler=run_status)


def _locations(config: str | None) -> tuple[Path | None, Path]:
    """The history file (``None`` when it does not exist) and the live file to read.

    They are found as a run finds them: from the orchestrator file (given, or one of
    the usual names here) or, without one, from the repository in this directory.
    """
    from ...config.load import load_fleet
    from ...config.locate import find_orchestrator
    from ...readers.errors import ConfigError
    from ...report.history.store import history_path
    from ...report.sinks.dashboard import LIVE_FILE

    found = find_orchestrator(config)
    try:
        fleet = load_fleet(found, Path.cwd())
    except ConfigError as exc:
        raise UsageError(f"prove status: {exc}") from None
    history = history_path(fleet.settings.reporting.history, fleet.base_dir)
    return (history if history.is_file() else None), fleet.base_dir / LIVE_FILE


def _print_summary(history: Path | None, live: Path) -> int:
    from ...report.history.live_file import LiveFileError, describe_live, read_live
    from ...report.sinks.dashboard import recent_runs

    runs, problem = recent_runs(history, limit=1)
    if problem:
        # The live file may still tell whether a run is going on.
        print(f"prove status: {problem}", file=sys.stderr)
    elif not runs:
        print("no run recorded yet")
    else:
        run = runs[-1]
        tally = ", ".join(f"{n} {outcome}" for outcome, n in run.counts().items() if n)
        if run.status == "finished":
            when = f"{run.finished:%Y-%m-%d %H:%M:%S %Z}"
            print(f"latest run {run.id[:12]} at {when}: {tally or 'no gates'}")
        else:
            when = f"{run.started:%Y-%m-%d %H:%M:%S %Z}"
            print(
                f"latest run {run.id[:12]} started at {when}, {run.status}: {tally or 'no gates'}"
            )
    try:
        state = read_live(live)
    except LiveFileError as exc:
        print(f"prove status: {live}: {exc}; ignored", file=sys.stderr)
        state = None
    line = describe_live(state) if state is not None else None
    if line:
        print(line)
    return 1 if problem else 0


def run_status(args: argparse.Namespace) -> int:
    if not 0 <= args.port <= 65535:
        raise UsageError(f"prove status: --port {args.port} is not a port (0 to 65535)")
    history, live = _locations(args.config)
    if not args.dashboard:
        return _print_summary(history, live)
    from ...report.views.dashboard_server import DashboardServer

    try:
        server = DashboardServer(history, live, port=args.port)
    except OSError as exc:
        print(
            f"prove status: cannot listen on 127.0.0.1:{args.port}: {exc.strerror}", file=sys.stderr
        )
        return 1
    print(f"dashboard at {server.url} (Ctrl-C to stop)", flush=True)
    if not args.no_open:
        import webbrowser

        webbrowser.open(server.url)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        print("stopped")
    finally:
        server.server_close()
    return 0
