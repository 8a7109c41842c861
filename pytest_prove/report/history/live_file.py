"""Reading ``.prove/live.json``: is the run it describes going on, over, or dead?

A run rewrites the file as its gates finish and says ``running: false`` at its end;
a run that is killed leaves ``running: true`` behind.  The file names the run's host
and pid (:mod:`.liveness`), so on the same host a reader can tell.  The file is other
processes' output: anything that is not what a run writes is a :class:`LiveFileError`.
"""

from __future__ import annotations

import dataclasses
import datetime
import socket
from pathlib import Path
from typing import Any

from pytest_prove.errors import ProveError

from ...engines.command.reports import ReportError, load_json
from ...support.files import read_if_present
from ..gate_data import text_or_empty
from .liveness import ProcessMark, ProcessState, process_state

__all__ = ["LiveFileError", "LiveState", "describe_live", "parse_live", "read_live"]


class LiveFileError(ProveError):
    """The live file is not what a run writes; the message says why."""


@dataclasses.dataclass(frozen=True, kw_only=True)
class LiveState:
    """What the live file says.

    :param process: where the run runs; ``None`` in a file written by an older prove
    """

    running: bool
    run: str
    started: str
    gates: int
    process: ProcessMark | None

    def state(self) -> ProcessState:
        """Whether the run's process is still there (``unknown`` when it cannot be told)."""
        return "unknown" if self.process is None else process_state(self.process)


def read_live(path: Path) -> LiveState | None:
    """The live file's state; ``None`` when there is no such file.

    :raises LiveFileError: not UTF-8, not JSON, or not shaped like a live file
    """
    try:
        raw = read_if_present(path)  # a FIFO there must not hang `prove status`
    except OSError as exc:
        raise LiveFileError(f"cannot read it: {exc.strerror or exc}") from None
    if raw is None:
        return None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise LiveFileError("not UTF-8 text") from None
    try:
        data = load_json(text)
    except ReportError as exc:
        raise LiveFileError(str(exc)) from None
    return parse_live(data)


def parse_live(data: Any) -> LiveState:
    """The state a live file's parsed JSON describes.

    :raises LiveFileError: not shaped like a live file
    """
    if not isinstance(data, dict) or not isinstance(data.get("gates", []), list):
        raise LiveFileError("not a live file of a prove run")
    return LiveState(
        running=data.get("running") is True,
        run=text_or_empty(data.get("run")),
        started=text_or_empty(data.get("started")),
        gates=len(data.get("gates", [])),
        process=_process(data),
    )


def _process(data: dict[str, Any]) -> ProcessMark | None:
    host, pid = data.get("host"), data.get("pid")
    if not isinstance(host, str) or not isinstance(pid, int) or isinstance(pid, bool):
        return None
    return ProcessMark(host=host, pid=pid, start=text_or_empty(data.get("process_start")))


def _when(text: str) -> str:
    try:
        moment = datetime.datetime.fromisoformat(text)
    except ValueError:
        return repr(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.UTC)
    return f"{moment.astimezone(datetime.UTC):%Y-%m-%d %H:%M:%S} UTC"


def describe_live(live: LiveState) -> str | None:
    """One line on the run the file describes, or ``None`` when no run is going on."""
    if not live.running:
        return None
    gates = f"{live.gates} gate{'' if live.gates == 1 else 's'} finished"
    process = live.process
    state = live.state()
    if process is None or state == "running":
        return f"a run is in progress: {gates}"
    if state == "gone":
        # No count of its gates: the file is rewritten at most once a second, the
        # history (the line above this one) holds more of them.
        return (
            f"the run started at {_when(live.started)} (pid {process.pid}) is no longer "
            "running: interrupted"
        )
    if process.host != socket.gethostname():
        return (
            f"a run on host {process.host!r} (pid {process.pid}), started at "
            f"{_when(live.started)}, says it is in progress ({gates}); it cannot be checked "
            "from this host"
        )
    return f"a run is in progress: {gates} (pid {process.pid} cannot be checked on this system)"
