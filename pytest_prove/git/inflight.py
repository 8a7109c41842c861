"""The process groups of running git calls, by thread, so a run can end a thread's calls.

A prefetching thread (:mod:`pytest_prove.plugin.prefetch`) is a daemon: the interpreter
exits without waiting for it, and the git it waits on, with what git started (an
fsmonitor hook, a credential helper), would run on after pytest, reparented to
init.  Git starts in a session of its own (:mod:`.runner`), so its process group
holds all of that: each call notes its group here while it runs, and :func:`stop`
kills the groups of the given threads, now and as soon as they start another.
POSIX only, like the rest of the process handling.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
import weakref
from collections.abc import Iterable, Iterator

__all__ = ["stop", "tracked"]

_lock = threading.Lock()
_running: dict[int, threading.Thread] = {}
_stopped: weakref.WeakSet[threading.Thread] = weakref.WeakSet()


@contextlib.contextmanager
def tracked(group: int) -> Iterator[None]:
    """Note ``group`` as a process group the current thread waits on, for the block.

    A group started by a thread that was stopped already is killed at once: the
    thread may have taken its call from the queue just before it was stopped.
    """
    thread = threading.current_thread()
    with _lock:
        _running[group] = thread
        if thread in _stopped:
            _kill(group)
    try:
        yield
    finally:
        with _lock:
            del _running[group]


def stop(threads: Iterable[threading.Thread]) -> None:
    """Kill the git calls ``threads`` wait on, and any they start from now on.

    Each call then fails (killed by a signal) and the thread goes on to its next.
    """
    with _lock:
        _stopped.update(threads)
        for group, thread in _running.items():
            if thread in _stopped:
                _kill(group)


def _kill(group: int) -> None:
    # Gone already, or (pid reuse aside, which the running leader rules out) not ours.
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(group, signal.SIGKILL)
