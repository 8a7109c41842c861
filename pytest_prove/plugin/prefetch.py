"""Ask git for the next gates' facts in the background while the current gate runs.

A gate's time is mostly git's: a 10,000-commit ``git log`` is a process of its own
that runs on one core while Python waits.  While one gate runs its rules, a small
thread pool asks git what the next repositories' gates will ask first (their
check's ``prefetch`` facts; none for a gate whose pass is likely to be reused).  The
pass cache's ``git status`` of those repositories is started from the main thread
itself (:meth:`PassCache.start`) and read when a gate asks.  Answers land in the
repository's :class:`RepoContext`, whose lazy facts are computed once each under a lock
of their own, so a gate that gets there first
just waits for that answer instead of asking again (while the facts it does not
depend on stay free), and a failure is re-raised in the gate exactly as if it had
asked itself.  Nothing here decides an outcome.

Each process (``-n 0``, or each xdist worker) looks ahead only at items it will
run itself, at the gates of the next four repositories: without xdist in the
session's order, which is the run's (the first ones as soon as the configuration is
loaded); an xdist worker at the ``nextitem`` pytest passes and the items queued for
it.  Four repositories and three threads keep git busy on the other core while a
gate's Python runs: with two of each, a 1,000-repository run waited on git for half
its time.  Nothing is asked under ``--collect-only``.
"""

from __future__ import annotations

import contextlib
import itertools
import queue
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Final

import pytest

from ..git import inflight
from ..git.context import RepoContext
from ..git.lazy import lazy
from .nodes import GateItem, context_of
from .pass_cache import PASS_CACHE_KEY, cache_wanted

if TYPE_CHECKING:
    from collections.abc import Sequence

    from ..config.fleet import Fleet

__all__ = ["Prefetcher", "register"]

# The facts runtest and the run record read for every gate.
_EVERY_GATE: Final = ("mode", "head", "base_ref")
_THREADS: Final = 3
# Repositories looked ahead at: enough that git always has a call to run on the other core.
_AHEAD: Final = 4
# A bound on the items scanned per look ahead, for repositories with very many gates.
_MAX_ITEMS: Final = 64


class Prefetcher:
    """A pytest plugin: warms the contexts of upcoming gates (see the module docstring).

    :param worker: an xdist worker, which runs what it is sent, not the session's order:
        it looks ahead at the items queued for it
    """

    def __init__(self, config: pytest.Config, *, worker: bool = False) -> None:
        self._config = config
        self._worker = worker
        self._queue: object = None
        self._pool: _Pool | None = None
        self._order: dict[str, int] = {}
        self._items: Sequence[pytest.Item] = ()
        self._submitted: set[str] = set()
        # Without xdist: where each item's look ahead ends, and how far it was submitted.
        self._window_ends: list[int] = []
        self._horizon = 0

    def start(self, fleet: Fleet) -> None:
        """Ask for the first repositories' facts before their gates are collected.

        Every gate reads the delivery mode, head and base; the checks' own facts too
        unless the pass cache is on, which may answer those gates without them.
        """
        config = self._config
        cache_off = not cache_wanted(config)
        for plan in fleet.repos[:_AHEAD]:
            facts = dict.fromkeys(_EVERY_GATE)
            if cache_off:
                facts.update(dict.fromkeys(f for gate in plan.gates for f in gate.check.prefetch))
            self._pool_of().submit(_warm, context_of(config, plan), tuple(facts))

    def _pool_of(self) -> _Pool:
        if self._pool is None:
            self._pool = _Pool(_THREADS)
        return self._pool

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        self._items = session.items
        if self._worker:
            self._queue = _worker_queue(self._config)
            return
        self._order = {item.nodeid: index for index, item in enumerate(session.items)}
        self._window_ends = _window_ends(session.items)
        if session.items:
            # The first gates' facts, while the session starts and the header is written.
            self._advance(0)

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_protocol(self, item: pytest.Item, nextitem: pytest.Item | None) -> None:
        if nextitem is None:
            return
        if self._worker:
            self._ahead(self._by_repository([nextitem, *self._queued()]))
            return
        index = self._order.get(nextitem.nodeid)
        if index is None:
            self._ahead([nextitem])
        else:
            self._advance(index)

    def _advance(self, index: int) -> None:
        """Submit the items up to the end of item ``index``'s look ahead not submitted yet.

        The window moves only when a new repository comes into it, so most gates submit
        nothing (scanning the window at every gate was 0.1 s of a 4,000-gate re-run).
        """
        end = self._window_ends[index]
        if end > self._horizon:
            self._ahead(self._items[max(index, self._horizon) : end])
            self._horizon = end

    def _queued(self) -> list[pytest.Item]:
        """The items queued for this xdist worker after the next one, as far as it can tell.

        pytest-xdist offers no API for this: its queue's deque is read (``_items`` since
        3.6, ``queue`` before).  Anything unexpected means no look ahead past the next item,
        which costs time, never a result.
        """
        pending = getattr(self._queue, "_items", None)
        if pending is None:
            pending = getattr(self._queue, "queue", None)
        try:
            indices = list(itertools.islice(pending, _MAX_ITEMS)) if pending is not None else []
        except RuntimeError:  # the thread receiving work appended meanwhile
            return []
        items = self._items
        return [items[i] for i in indices if type(i) is int and 0 <= i < len(items)]

    @staticmethod
    def _by_repository(items: Sequence[pytest.Item]) -> Sequence[pytest.Item]:
        """``items`` up to the end of the :data:`_AHEAD`-th repository they reach.

        By repository rather than by item: a cached gate takes a millisecond, so a few
        items ahead would leave git no time, while the next repository's facts take it
        several.
        """
        seen: list[str] = []
        for end, item in enumerate(items):
            repo = item.repo.name if isinstance(item, GateItem) else ""
            if repo not in seen:
                if len(seen) == _AHEAD:
                    return items[:end]
                seen.append(repo)
        return items

    def _ahead(self, items: Sequence[pytest.Item]) -> None:
        """Submit the new gates' facts: one call per repository, so the threads work on
        different repositories instead of waiting on each other's locks in one."""
        passes = self._config.stash.get(PASS_CACHE_KEY, None)
        facts: dict[RepoContext, dict[str, None]] = {}  # ordered, without repeats
        keyed: dict[RepoContext, None] = {}  # a gate of theirs may be a reused pass
        for gate in items:
            if not isinstance(gate, GateItem) or gate.nodeid in self._submitted:
                continue
            self._submitted.add(gate.nodeid)
            context = context_of(self._config, gate.repo)  # the main thread owns the dict
            wanted = facts.setdefault(context, {})
            if passes is not None and gate.gate.check.cacheable and passes.may_reuse(gate.nodeid):
                keyed[context] = None
            else:
                wanted.update(dict.fromkeys((*_EVERY_GATE, *gate.gate.check.prefetch)))
        if passes is not None:
            # Started here, not in a thread: see PassCache.start.  Only where a pass may be
            # reused: a run that fills the cache was 6% slower with a status started ahead
            # for every repository, its threads busy with the gates' own facts.
            for context in keyed:
                passes.start(context)
        for context, names in facts.items():
            if names:
                self._pool_of().submit(_warm, context, tuple(names))

    @pytest.hookimpl(tryfirst=True)
    def pytest_sessionfinish(self) -> None:
        self._close()

    def pytest_unconfigure(self) -> None:
        self._close()  # a session that never started (a usage error) after start()

    def _close(self) -> None:
        if self._pool is not None:
            self._pool.close()
            self._pool = None
        passes = self._config.stash.get(PASS_CACHE_KEY, None)
        if passes is not None:
            passes.close()


def _window_ends(items: Sequence[pytest.Item]) -> list[int]:
    """For each item, the end of its look ahead: the items up to the end of the
    :data:`_AHEAD`-th run of one repository's items from its own, at most
    :data:`_MAX_ITEMS` (a fleet's items come grouped by repository)."""
    keys = [item.repo.name if isinstance(item, GateItem) else "" for item in items]
    starts = [i for i, key in enumerate(keys) if i == 0 or key != keys[i - 1]]
    ends: list[int] = []
    block = 0
    for index in range(len(keys)):
        while block + 1 < len(starts) and starts[block + 1] <= index:
            block += 1
        end = starts[block + _AHEAD] if block + _AHEAD < len(starts) else len(keys)
        ends.append(min(end, index + _MAX_ITEMS))
    return ends


class _Pool:
    """Daemon threads running queued calls, fire and forget.

    Not a ``ThreadPoolExecutor``: its threads are joined when the interpreter exits,
    so one git call that hangs (a stale network mount) would hang the run after its
    last gate.  A gate that waits on such a fact still fails by its own deadline, and
    :meth:`close` kills the git calls under way, so none outlives the run.
    """

    def __init__(self, threads: int) -> None:
        self._calls: queue.SimpleQueue[Callable[[], object] | None] = queue.SimpleQueue()
        self._threads = [
            threading.Thread(target=self._work, name=f"prove-prefetch-{n}", daemon=True)
            for n in range(threads)
        ]
        for thread in self._threads:
            thread.start()

    def submit(self, function: Callable[..., object], *args: object) -> None:
        self._calls.put(lambda: function(*args))

    def close(self) -> None:
        """Drop what has not started and kill the git calls under way; the threads end.

        A killed call's failure is memoised like any other; nothing asks after the session.
        """
        with contextlib.suppress(queue.Empty):
            while True:
                self._calls.get_nowait()
        for _ in self._threads:
            self._calls.put(None)
        inflight.stop(self._threads)

    def _work(self) -> None:
        while (call := self._calls.get()) is not None:
            # What a call computes is memoised with its failure; nothing is lost here.
            with contextlib.suppress(Exception):
                call()


def _warm(context: RepoContext, names: Sequence[str]) -> None:
    """Compute ``context``'s facts ``names``."""
    for name in names:
        if isinstance(getattr(RepoContext, name, None), lazy | property):
            # A failure is memoised too: the gate that asks gets it raised, as if it had asked.
            with contextlib.suppress(Exception):
                getattr(context, name)


def _worker_queue(config: pytest.Config) -> object:
    """pytest-xdist's queue of the item indices sent to this worker, or None."""
    for plugin in config.pluginmanager.get_plugins():
        if hasattr(plugin, "torun") and hasattr(plugin, "nextitem_index"):
            return plugin.torun
    return None


def register(config: pytest.Config, fleet: Fleet) -> None:
    """Add the prefetcher to the plugins of a process that runs gates.

    An xdist worker knows only the next item it was sent; without xdist the
    session's order is the run's, so the next repositories are known, and their
    facts are asked for at once, while pytest collects and starts the session.
    An xdist controller runs no gate, nor does ``--collect-only``.
    """
    worker = hasattr(config, "workerinput")
    if config.option.collectonly or (not worker and getattr(config.option, "dist", "no") != "no"):
        return
    prefetcher = Prefetcher(config, worker=worker)
    config.pluginmanager.register(prefetcher, "prove-prefetch")
    if not worker:
        prefetcher.start(fleet)
