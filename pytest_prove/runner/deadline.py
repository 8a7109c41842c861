"""A gate's time limit: ``global.timeout`` or the check's own ``timeout`` (milliseconds).

The check runs in the pytest process itself, so the limit is a real-time alarm that
raises :class:`GateTimeoutError` inside it; git calls kill their process when
interrupted (``git/runner.py``) and command gates kill their process group
(``process.py``).  Signals reach only the main thread, so elsewhere (and on platforms
without ``SIGALRM``) a gate has no limit but its own.
"""

from __future__ import annotations

import contextlib
import importlib
import signal
import threading
from collections.abc import Callable, Iterator
from types import FrameType
from typing import Any, Final

from pytest_prove.errors import ProveError


class GateTimeoutError(ProveError):
    """The gate ran past its time limit."""


def _handler_setter() -> Callable[[int, Any], Any]:
    """``signal.signal`` without its enum conversions: handed back a function (the handler
    of the previous gate), it tries that as an enum value and catches the ``ValueError``,
    about 30 us a gate (3% of a cached one's).  CPython's ``_signal`` is what it wraps."""
    with contextlib.suppress(ImportError):
        setter: Callable[[int, Any], Any] = importlib.import_module("_signal").signal
        return setter
    return signal.signal


_set_handler: Final = _handler_setter()


@contextlib.contextmanager
def deadline(milliseconds: int | None) -> Iterator[None]:
    """Raise :class:`GateTimeoutError` in the block once ``milliseconds`` have passed."""
    usable = (
        milliseconds is not None
        and hasattr(signal, "setitimer")
        and threading.current_thread() is threading.main_thread()
    )
    if not usable:
        yield
        return
    assert milliseconds is not None

    def expire(signum: int, frame: FrameType | None) -> None:
        raise GateTimeoutError(f"timed out after {milliseconds} ms")

    previous = _set_handler(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, milliseconds / 1000)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        _set_handler(signal.SIGALRM, previous)
