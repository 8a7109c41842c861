"""Running a tool in a process group of its own, with a deadline and bounded output.

Nothing the tool starts outlives the call: the whole group is killed on a timeout,
on ^C, and after the tool exits.  Output is kept in bounded memory.  POSIX only
(sessions, killpg).
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import selectors
import signal
import subprocess
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Final

__all__ = ["OutputCapture", "describe_exit", "run_in_own_group"]

_CHUNK: Final = 64 * 1024
_MAX_LINE_CHARS: Final = 1000
_POLL_S: Final = (0.001, 0.05)
# how long output may keep flowing after the tool itself exited (from stray background children)
_DRAIN_GRACE_S: Final = 2.0


@dataclasses.dataclass(kw_only=True)
class OutputCapture:
    """Output in bounded memory, however much the tool prints."""

    tail_bytes: int
    keep_stdout: bool
    max_stdout_bytes: int
    tail: bytearray = dataclasses.field(default_factory=bytearray)
    trimmed: bool = False
    stdout: bytearray = dataclasses.field(default_factory=bytearray)
    stdout_overflow: bool = False

    def feed(self, chunk: bytes, *, from_stdout: bool) -> None:
        self.tail += chunk
        if len(self.tail) > self.tail_bytes:
            del self.tail[: len(self.tail) - self.tail_bytes]
            self.trimmed = True
        if from_stdout and self.keep_stdout and not self.stdout_overflow:
            self.stdout += chunk
            if len(self.stdout) > self.max_stdout_bytes:
                self.stdout_overflow = True
                self.stdout = bytearray()

    def last_lines(self, count: int) -> list[str]:
        lines = self.tail.decode("utf-8", errors="replace").split("\n")
        if lines and not lines[-1]:
            lines.pop()
        if self.trimmed and len(lines) > 1:
            lines.pop(0)  # cut in the middle when the buffer was trimmed
        # a terminal shows only what follows the last carriage return (progress bars)
        shown = [line.rstrip("\r").rsplit("\r", 1)[-1] for line in lines[-count:] if count]
        return [
            line if len(line) <= _MAX_LINE_CHARS else line[:_MAX_LINE_CHARS] + "…" for line in shown
        ]


def run_in_own_group(
    argv: Sequence[str],
    *,
    cwd: Path,
    env: Mapping[str, str],
    timeout_ms: int | None,
    capture: OutputCapture,
) -> tuple[int, bool]:
    """Run ``argv`` to its end or its deadline; ``(exit code, timed out)``.

    stdout and stderr are merged into ``capture``, unless it keeps stdout apart
    (a report read from stdout must not be interleaved with warnings on stderr).

    :raises OSError: the program could not be started
    """
    proc = subprocess.Popen(
        argv,
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE if capture.keep_stdout else subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = None if timeout_ms is None else time.monotonic() + timeout_ms / 1000
    try:
        timed_out = _pump(proc, capture, deadline)
    finally:
        # also on ^C and on success: nothing the tool started outlives the gate
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        for stream in (proc.stdout, proc.stderr):
            if stream is not None:
                stream.close()
    return proc.returncode, timed_out


def _pump(proc: subprocess.Popen[bytes], capture: OutputCapture, deadline: float | None) -> bool:
    """Read output until the tool exited and its pipes closed; True if the deadline came first.

    The tool's exit is observed without reaping it (a pidfd, or ``waitid(WNOWAIT)``), so its
    process group id cannot be reused by another process before the group is killed.
    """
    pidfd = _open_pidfd(proc.pid)
    try:
        with selectors.DefaultSelector() as selector:
            for stream, label in ((proc.stdout, "stdout"), (proc.stderr, "stderr")):
                if stream is not None:
                    selector.register(stream, selectors.EVENT_READ, label)
            if pidfd is not None:
                selector.register(pidfd, selectors.EVENT_READ, "exit")
            return _pump_loop(proc, selector, capture, deadline, exit_fd=pidfd is not None)
    finally:
        if pidfd is not None:
            os.close(pidfd)


def _pump_loop(
    proc: subprocess.Popen[bytes],
    selector: selectors.BaseSelector,
    capture: OutputCapture,
    deadline: float | None,
    *,
    exit_fd: bool,
) -> bool:
    exited_at: float | None = None
    poll = _POLL_S[0]
    while True:
        now = time.monotonic()
        if exited_at is None and not exit_fd and _has_exited(proc):
            exited_at = now
        drain_until = None if exited_at is None else exited_at + _DRAIN_GRACE_S
        pipes_open = any(key.data != "exit" for key in selector.get_map().values())
        if drain_until is not None and (not pipes_open or now >= drain_until):
            return False
        if deadline is not None and now >= deadline:
            return True
        limits = [limit - now for limit in (deadline, drain_until) if limit is not None]
        if not exit_fd:
            limits.append(poll)
        events = selector.select(min(limits, default=None))
        poll = _POLL_S[0] if events else min(poll * 2, _POLL_S[1])
        if _consume(selector, events, capture):
            exited_at = time.monotonic()


def _consume(
    selector: selectors.BaseSelector,
    events: list[tuple[selectors.SelectorKey, int]],
    capture: OutputCapture,
) -> bool:
    """Feed what is readable into ``capture``; True if the tool's exit was among the events."""
    exited = False
    for key, _ in events:
        chunk = b"" if key.data == "exit" else os.read(key.fd, _CHUNK)
        if chunk:
            capture.feed(chunk, from_stdout=key.data == "stdout")
            continue
        selector.unregister(key.fileobj)
        exited = exited or key.data == "exit"
    return exited


def _open_pidfd(pid: int) -> int | None:
    if not hasattr(os, "pidfd_open"):
        return None
    try:
        return os.pidfd_open(pid)
    except OSError:  # Linux before 5.3
        return None


def _has_exited(proc: subprocess.Popen[bytes]) -> bool:
    if hasattr(os, "waitid"):
        try:
            return os.waitid(os.P_PID, proc.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None
        except ChildProcessError:
            return True
    # macOS has neither pidfd nor waitid: reaping here leaves a tiny pid-reuse window for killpg
    return proc.poll() is not None


def describe_exit(returncode: int) -> str:
    if returncode >= 0:
        return f"exited with {returncode}"
    try:
        return f"was killed by {signal.Signals(-returncode).name}"
    except ValueError:
        return f"was killed by signal {-returncode}"
