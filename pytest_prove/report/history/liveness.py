"""Whether the process behind a run is still running, as far as this machine can tell.

A run notes where it runs (:func:`this_process`): the host name, the pid and, where
``/proc`` says, when the process started.  A pid alone proves little: once the process
is gone the system may give its number to another one, so a different start time
means a different process.  A run of another host cannot be checked from here.
"""

from __future__ import annotations

import dataclasses
import os
import socket
from pathlib import Path
from typing import Final, Literal

__all__ = ["ProcessMark", "ProcessState", "process_state", "this_process"]

ProcessState = Literal["running", "gone", "unknown"]

_PROC: Final = Path("/proc")
# A zombie has exited and waits only for its parent to read its status; "X" is dead.
_ENDED: Final = frozenset("ZXx")


@dataclasses.dataclass(frozen=True, kw_only=True)
class ProcessMark:
    """Where a run runs.

    :param start: the process's start as ``/proc`` gives it (with the boot id, as the
        clock ticks restart at every boot); empty where the system does not say
    """

    host: str
    pid: int
    start: str = ""


def this_process() -> ProcessMark:
    pid = os.getpid()
    return ProcessMark(host=socket.gethostname(), pid=pid, start=_start_of(pid) or "")


def process_state(mark: ProcessMark) -> ProcessState:
    """``running`` or ``gone`` when this host can tell, else ``unknown``."""
    if mark.pid <= 0 or mark.host != socket.gethostname():
        return "unknown"
    start = _start_of(mark.pid)
    if start is None:
        return _signal_state(mark.pid)
    if start == "" or (mark.start and start != mark.start):
        return "gone"
    return "running"


def _start_of(pid: int) -> str | None:
    """The process's start (``""``: no such process, or it has ended); ``None`` without /proc."""
    try:
        stat = (_PROC / str(pid) / "stat").read_bytes()
    except FileNotFoundError:
        return "" if _PROC.joinpath("self").exists() else None
    except OSError:
        return None
    # The command name (field 2) is in parentheses and may hold spaces or ")".
    fields = stat.rpartition(b")")[2].split()
    if len(fields) < 20:
        return None
    if fields[0].decode(errors="replace") in _ENDED:
        return ""
    try:
        boot = (_PROC / "sys/kernel/random/boot_id").read_text().strip()
    except OSError:
        boot = ""
    return f"{boot}:{fields[19].decode(errors='replace')}"


def _signal_state(pid: int) -> ProcessState:
    if os.name == "nt":
        return "unknown"  # os.kill would end the process there, not probe it
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return "gone"
    except PermissionError:
        return "running"  # someone else's process: it exists
    except OSError:
        return "unknown"
    return "running"
