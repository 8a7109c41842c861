"""The run consumer behind ``reporting.dashboard`` (see :mod:`pytest_prove.report.consumers`).

- A path (default ``.prove/dashboard.html`` under the fleet's base directory): after
  every run the page is rewritten (temporary file, then rename) from the recent runs
  of the history file, if there is one, plus the run just finished.  A missing or
  broken history only narrows the page to the current run.
- An http(s) URL: the run's JSON (:meth:`RunRecord.to_dict`) is POSTed there, with
  retries inside a time budget; a failure is a terminal-summary note, never the run's
  fate, and the URL is shown without its credentials or query.

Either way ``.prove/live.json`` follows the run as gates finish (``running: true``,
with the host and pid of the run, so that a reader can tell a killed run from a live
one), and says ``running: false`` at the end: ``prove status --dashboard`` serves it
to the page, which updates its matrix while the run goes on.
"""

from __future__ import annotations

import base64
import json
import time
import urllib.parse
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import pytest

from ...support.files import open_regular, write_atomic
from ..history.liveness import this_process
from ..run_record import RECORDER_KEY
from ..views.dashboard import (
    PAGE_TITLE,
    TRAIL_RUNS,
    GateOutcomes,
    gate_view,
    live_json,
    render_dashboard,
)

if TYPE_CHECKING:
    from ...config.fleet import Fleet
    from ..run_record import GateRecord, RunOutline, RunRecord
    from .notify.message import Message

__all__ = ["DEFAULT_DASHBOARD", "LIVE_FILE", "plugin", "recent_history", "recent_runs"]

DEFAULT_DASHBOARD: Final = Path(".prove/dashboard.html")
LIVE_FILE: Final = Path(".prove/live.json")
# The trend's length: past runs are read as outlines (gates counted by SQLite), the
# newest one in full for the matrix.
HISTORY_RUNS: Final = 50
# The page polls every 2 s: rewriting a 1,000-repo live file at every gate would be waste.
LIVE_INTERVAL: Final = 1.0
# what tells a page this sink wrote, in its first bytes (after the CSP meta)
_TITLE: Final = f"<title>{PAGE_TITLE}</title>".encode()
READ_TIMEOUT: Final = 5.0
POST_BUDGET: Final = 15.0
POST_TIMEOUT: Final = 5.0
POST_RETRIES: Final = 3
POST_BACKOFF: Final = 0.5


def recent_runs(
    history: Path | None, *, limit: int = HISTORY_RUNS
) -> tuple[list[RunOutline | RunRecord], str]:
    """The newest ``limit`` runs of the history file, oldest first, and a problem if any.

    The newest is a whole :class:`RunRecord`; the others are outlines.  A file that
    does not exist is not a problem (history off, or no run yet) and is never created here.
    """
    runs, _, problem = recent_history(history, limit=limit, trail=0)
    return runs, problem


def recent_history(
    history: Path | None,
    *,
    limit: int = HISTORY_RUNS,
    trail: int = TRAIL_RUNS,
    known: RunRecord | None = None,
) -> tuple[list[RunOutline | RunRecord], GateOutcomes, str]:
    """:func:`recent_runs`, and the outcome of every gate in the outlines among the newest
    ``trail`` runs (by run id, then repository and check): each gate's recent history.

    :param known: the run that just ended, when the caller has it: if it is the newest
        stored, it is not read back (a 4,000-gate run took 30 ms to read)
    """
    if history is None or not history.is_file():
        return [], {}, ""
    from ..history.store import HistoryError, open_history

    try:
        with open_history(history, timeout=READ_TIMEOUT) as store:
            newest = store.outlines(limit=limit)
            outlines = newest[:-1]
            whole = (
                [known]
                if known is not None and newest and newest[-1].id == known.id
                else store.runs(limit=1)
            )
            runs: list[RunOutline | RunRecord] = [*outlines, *whole]
            # One outline more than the trail shows: if this run did not reach the history,
            # the page adds it and the trail reaches one run further back.
            wanted = [r.id for r in outlines[-trail:]] if trail > 0 else []
            return runs, store.gate_outcomes(wanted), ""
    except HistoryError as exc:
        return [], {}, str(exc)


def _ignore_state_dir(directory: Path) -> None:
    """Keep ``.prove/`` out of git, as pytest does with ``.pytest_cache/``.

    With ``pytest --prove`` it lies inside the gated repository, and the gates count
    untracked files as changes: the live file, written as the run starts, would be one.
    """
    marker = directory / ".gitignore"
    if marker.exists():
        return
    try:
        directory.mkdir(parents=True, exist_ok=True)
        marker.write_text("# Created by pytest-prove: run state, not sources.\n*\n")
    except OSError:
        pass  # writing the live file next will fail too, and say so


def with_run(
    runs: Sequence[RunOutline | RunRecord], run: RunRecord
) -> list[RunOutline | RunRecord]:
    """``runs`` plus ``run``, once: the history sink may have stored it already."""
    return [r for r in runs if r.id != run.id] + [run]


class _DashboardPost:
    """A notifier (:class:`.notify.deliver.Notifier`) that POSTs the whole run as JSON.

    Credentials in the URL (``https://user:token@host/...``) become a Basic
    ``Authorization`` header: urllib would take them for part of the host name.
    """

    name = "dashboard"

    def __init__(self, url: str, run: RunRecord) -> None:
        parts = urllib.parse.urlsplit(url)
        self.secrets: tuple[str, ...] = (url,)
        self.headers: dict[str, str] = {}
        if parts.username is not None:
            user = urllib.parse.unquote(parts.username)
            password = urllib.parse.unquote(parts.password or "")
            token = base64.b64encode(f"{user}:{password}".encode()).decode()
            self.headers["Authorization"] = f"Basic {token}"
            self.secrets = (url, user, password, token)
            netloc = parts.netloc.rpartition("@")[2]
            url = urllib.parse.urlunsplit(parts._replace(netloc=netloc))
        self.url = url
        self.payload = run.to_dict()

    def send(self, message: Message, timeout: float) -> None:
        from .notify.webhook import post_json

        post_json(
            self.url,
            self.payload,
            min(timeout, POST_TIMEOUT),
            headers=self.headers,
            target="the dashboard URL",
        )


class DashboardSink:
    """Writes the live file as gates finish, then the page or the POST at the end.

    :param page: the HTML file to write, or ``None`` when ``url`` is set
    :param history: the history file to read past runs from (``None``: history off)
    """

    def __init__(
        self, *, page: Path | None, url: str | None, history: Path | None, live: Path, shown: str
    ) -> None:
        self.page = page
        self.url = url
        self.history = history
        self.live = live
        self.shown = shown
        self._gates: list[GateRecord] = []
        self._views: list[dict[str, Any]] = []
        self._gate_texts: list[str] = []  # the JSON of self._views[: self._dumped], in pieces
        self._dumped = 0
        self._written = 0.0
        self._live_ok = True
        self._process = this_process()

    def _write_live(self, config: pytest.Config, *, running: bool) -> None:
        if not self._live_ok:
            return
        recorder = config.stash[RECORDER_KEY]
        if len(self._views) > self._dumped:  # each view is dumped once, with those new with it
            self._gate_texts.append(
                json.dumps(self._views[self._dumped :], separators=(",", ":"))[1:-1]
            )
            self._dumped = len(self._views)
        text = live_json(
            recorder.id, recorder.started, self._gate_texts, running=running, process=self._process
        )
        try:
            write_atomic(self.live, text)
        except OSError as exc:
            self._live_ok = False  # one note, not one per gate
            recorder.note(f"dashboard: live file {self.live} not written: {exc.strerror or exc}")
        self._written = time.monotonic()

    def pytest_sessionstart(self, session: pytest.Session) -> None:
        _ignore_state_dir(self.live.parent)
        self._write_live(session.config, running=True)

    def pytest_prove_gate_finished(self, config: pytest.Config, gate: GateRecord) -> None:
        self._gates.append(gate)
        self._views.append(gate_view(gate))
        if time.monotonic() - self._written >= LIVE_INTERVAL:
            self._write_live(config, running=True)

    # trylast: after the history sink, so a page read from the history already has this run.
    @pytest.hookimpl(trylast=True)
    def pytest_prove_run_finished(self, config: pytest.Config, run: RunRecord) -> None:
        recorder = config.stash[RECORDER_KEY]
        self._write_live(config, running=False)
        if not run.gates:  # --collect-only, or nothing selected: nothing new to show
            return
        if self.url is not None:
            self._post(config, run)
            return
        assert self.page is not None
        foreign = _foreign_file(self.page)
        if foreign:
            recorder.note(f"dashboard not written to {self.page}: {foreign}")
            return
        runs, outcomes, problem = recent_history(self.history, known=run)
        if problem:
            recorder.note(f"dashboard: history not read, showing this run only: {problem}")
        try:
            write_atomic(self.page, render_dashboard(with_run(runs, run), outcomes=outcomes))
        except OSError as exc:
            recorder.note(f"dashboard not written to {self.page}: {exc.strerror or exc}")
            return
        recorder.note(f"dashboard: {self.page}")

    def _post(self, config: pytest.Config, run: RunRecord) -> None:
        from .notify.deliver import deliver
        from .notify.message import build_message

        assert self.url is not None
        (delivery,) = deliver(
            [_DashboardPost(self.url, run)],
            build_message(run),
            budget=POST_BUDGET,
            retries=POST_RETRIES,
            backoff=POST_BACKOFF,
        )
        outcome = "results posted" if delivery.ok else f"results not posted: {delivery.detail}"
        config.stash[RECORDER_KEY].note(f"dashboard: {outcome} to {self.shown}")


def _foreign_file(page: Path) -> str | None:
    """Why ``page`` must not be overwritten: it exists and is no dashboard (say, the history).

    The page is rewritten on every run, so a wrong path in the configuration would
    otherwise destroy whatever file it names, run after run.
    """
    try:
        with open_regular(page) as stream:
            head = stream.read(4096)
    except FileNotFoundError:
        return None
    except OSError:
        return None  # a FIFO is replaced; a directory or unreadable page fails with a note
    if not head or _TITLE in head:
        return None
    return "it exists and is not a pytest-prove dashboard: choose another path"


def as_url(target: str) -> str | None:
    """``target`` with its scheme in lower case if it is an http(s) URL, else ``None``."""
    scheme, sep, rest = target.partition("://")
    if sep and scheme.lower() in ("http", "https"):
        return f"{scheme.lower()}://{rest}"
    return None


def plugin(config: pytest.Config, fleet: Fleet) -> DashboardSink | None:
    if not fleet.repos:
        return None
    from ..history.store import history_path
    from .notify.message import dashboard_link

    reporting = fleet.settings.reporting
    target = reporting.dashboard or str(DEFAULT_DASHBOARD)
    history = (
        None
        if config.getoption("prove_no_history")
        else history_path(reporting.history, fleet.base_dir)
    )
    live = fleet.base_dir / LIVE_FILE
    url = as_url(target)
    if url is not None:
        shown = dashboard_link(url, fleet.base_dir) or "the dashboard URL"
        return DashboardSink(page=None, url=url, history=history, live=live, shown=shown)
    page = Path(target) if Path(target).is_absolute() else fleet.base_dir / target
    return DashboardSink(page=page, url=None, history=history, live=live, shown=str(page))
