"""Sending one message through every notifier, with retries, inside one time budget.

Each notifier runs in a daemon thread; the run waits for all of them together at most
``budget`` seconds and then goes on, so a server that never answers cannot hang it.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Final, Protocol

from pytest_prove.errors import ProveError

from ....redact.redactor import Redactor

if TYPE_CHECKING:
    from .message import Message

__all__ = ["Delivery", "Notifier", "NotifyError", "deliver"]

BACKOFF: Final = 0.5


class NotifyError(ProveError):
    """A notifier could not deliver; ``retry`` when trying again may help (5xx, timeouts)."""

    def __init__(self, message: str, *, retry: bool) -> None:
        super().__init__(message)
        self.retry = retry


class Notifier(Protocol):
    """One destination.  ``send`` raises :class:`NotifyError`; ``secrets`` are never shown."""

    @property
    def name(self) -> str: ...

    @property
    def secrets(self) -> tuple[str, ...]: ...

    def send(self, message: Message, timeout: float) -> None: ...


@dataclasses.dataclass(frozen=True)
class Delivery:
    """How one notifier fared; ``detail`` is safe to print (secrets masked)."""

    name: str
    ok: bool
    detail: str


def _attempts(
    notifier: Notifier, message: Message, *, deadline: float, retries: int, backoff: float
) -> Delivery:
    redact = Redactor(notifier.secrets)
    attempt = 0
    while True:
        attempt += 1
        try:
            notifier.send(message, max(deadline - time.monotonic(), 0.001))
        except NotifyError as exc:
            problem, retry = redact(str(exc)), exc.retry
        except Exception as exc:  # noqa: BLE001 - a broken notifier must never cost the run
            problem, retry = f"{type(exc).__name__}: {redact(str(exc))}", False
        else:
            return Delivery(notifier.name, True, "sent" + (f" (attempt {attempt})" * (attempt > 1)))
        tried = f"{attempt} attempt{'s' * (attempt > 1)}"
        pause = backoff * 2 ** (attempt - 1)
        if not retry or attempt > retries:
            return Delivery(notifier.name, False, f"failed after {tried}: {problem}")
        if time.monotonic() + pause >= deadline:
            return Delivery(notifier.name, False, f"out of time after {tried}: {problem}")
        time.sleep(pause)


def deliver(
    notifiers: Sequence[Notifier],
    message: Message,
    *,
    budget: float,
    retries: int,
    backoff: float = BACKOFF,
) -> list[Delivery]:
    """Send ``message`` through every notifier in parallel; one :class:`Delivery` each, in order.

    :param budget: seconds for all of them together, retries and backoff included
    :param retries: extra attempts after a retryable failure, pausing ``backoff`` then doubling
    """
    deadline = time.monotonic() + budget
    done: dict[str, Delivery] = {}
    lock = threading.Lock()

    def run(notifier: Notifier) -> None:
        delivery = _attempts(notifier, message, deadline=deadline, retries=retries, backoff=backoff)
        with lock:
            done.setdefault(notifier.name, delivery)

    threads = [
        threading.Thread(target=run, args=(n,), name=f"prove-notify-{n.name}", daemon=True)
        for n in notifiers
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(max(deadline - time.monotonic(), 0))
    with lock:
        # A thread still going after the deadline may finish later: its answer is ignored.
        late = Delivery("", False, f"no answer within the {budget:g} s budget")
        for notifier in notifiers:
            done.setdefault(notifier.name, dataclasses.replace(late, name=notifier.name))
        return [done[n.name] for n in notifiers]
