"""The pass cache: a gate that passed is skipped while its inputs stay the same.

The inputs of a (repository, check) pair are ``HEAD``, the base ref and the sha it
resolves to, the branch, the delivery mode, a digest of the dirty tree (staged,
unstaged and untracked, not ignored), the gate's effective settings, the check's
``version`` and pytest-prove's version.  Their sha256 is the gate's key.

The store is pytest's cache (``.pytest_cache/v/prove/passes``): ``{nodeid: key}``, reached
through :class:`Store` so this module needs no pytest.  Every process reads it at session
start; only the controller writes it, once, at session finish, from the keys that reached
it on the reports (see :mod:`pytest_prove.plugin.pass_cache`).
"""

from __future__ import annotations

import contextlib
import datetime
import hashlib
import json
import os
import threading
import weakref
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Final, Protocol

from .. import __version__
from ..git.context import RepoContextError
from ..git.runner import GitCommandError, run_git
from ..support.clock import now_or_real
from ..support.files import digest_file

if TYPE_CHECKING:
    from ..api import CheckSettings
    from ..config.fleet import GatePlan
    from ..git.context import RepoContext
    from ..git.launcher import GitCall, GitLauncher

__all__ = [
    "PassCache",
    "Store",
    "gate_cache_key",
    "repo_state",
    "reuse_until",
    "settings_digest",
    "tree_digest",
]

STORE_KEY: Final = "prove/passes"
# A stored key may end with "|<ISO instant>": the pass is not reused after it.
_UNTIL: Final = "|"


class Store(Protocol):
    """Where passes are kept between runs: pytest's ``config.cache`` is one."""

    def get(self, key: str, default: object) -> object: ...

    def set(self, key: str, value: object) -> None: ...


def reuse_until(key: str, until: datetime.datetime) -> str:
    """``key`` for a pass that may be reused only until ``until``
    (:attr:`CheckResult.valid_until`)."""
    return f"{key}{_UNTIL}{until.isoformat()}"


_STATUS: Final = ("status", "--porcelain=v1", "-z", "--untracked-files=all")


def _git(context: RepoContext, *args: str, started: GitCall | None = None) -> bytes:
    """``git <args>``'s stdout, or that of ``started`` (the same call, started earlier)."""
    try:
        if started is not None:
            return started.result()
        # Counted like the context's own calls: they are asked on this repository's behalf.
        context.git_calls += 1
        return run_git(context.toplevel, *args, env=context.env)
    except GitCommandError as err:
        raise RepoContextError(f"git failed in {context.name}: {err}") from err


def start_status(context: RepoContext, launcher: GitLauncher) -> GitCall:
    """Start the ``git status`` :func:`tree_digest` reads, to hand it over later.

    :raises RepoContextError: not a repository
    :raises GitCommandError: git could not be started
    """
    return context.start_ahead(launcher, *_STATUS)


def _entries(status: bytes) -> Iterator[tuple[bytes, bytes | None]]:
    """The entries of ``git status --porcelain=v1 -z`` output (``XY path``), each with the
    source path that follows a rename or copy."""
    entries = iter(status.split(b"\0"))
    for entry in entries:
        if entry:
            yield entry, next(entries, b"") if entry[:1] in (b"R", b"C") else None


def _untracked(status: bytes) -> list[bytes]:
    """The untracked paths in ``git status --porcelain=v1 -z`` output."""
    # A trailing "/" is a nested repository, not a file.
    return [
        entry[3:]
        for entry, _ in _entries(status)
        if entry.startswith(b"?? ") and not entry.endswith(b"/")
    ]


def _inside(context: RepoContext, paths: Iterable[str | os.PathLike[str]]) -> set[bytes]:
    """``paths`` that lie in the work tree, as ``git status`` names them."""
    top = os.path.realpath(context.toplevel)
    found = set()
    for path in paths:
        relative = os.path.relpath(os.path.realpath(path), top)
        if relative != "." and not relative.startswith(os.pardir + os.sep):
            found.add(os.fsencode(relative.replace(os.sep, "/")))
    return found


def _without(status: bytes, paths: set[bytes]) -> tuple[bytes, list[bytes]]:
    """``status`` without the entries of ``paths``, and those of them git tracks."""
    if not paths or not status:
        return status, []
    kept: list[bytes] = []
    tracked: list[bytes] = []
    for entry, source in _entries(status):
        if entry[3:] in paths:
            if not entry.startswith(b"?? "):
                tracked.append(entry[3:])
            continue
        kept += [entry] if source is None else [entry, source]
    return b"".join(e + b"\0" for e in kept), tracked


def tree_digest(
    context: RepoContext,
    written: Iterable[str | os.PathLike[str]] = (),
    status_call: GitCall | None = None,
) -> str:
    """sha256 of the work tree's difference from ``HEAD``: one git call when clean.

    :param written: files the run itself writes (its JUnit XML, JSON report, SARIF): one that
        lands in the work tree is no change of the repository's
    :param status_call: the ``git status`` :func:`start_status` started, when it did
    """
    status = _git(context, *_STATUS, started=status_call)
    status, tracked = _without(status, _inside(context, written) if status else set())
    digest = hashlib.sha256(status)
    if status:
        # The status tells staged from unstaged; the diff gives their content.
        left_out = [f":(exclude,literal){os.fsdecode(p)}" for p in tracked]
        digest.update(
            _git(
                context,
                *("diff", "HEAD", "--binary", "--no-ext-diff", "--no-textconv", "--"),
                *([".", *left_out] if left_out else []),
            )
        )
        for raw in _untracked(status):
            digest.update(b"\0" + raw + b"\0")
            digest_file(digest.update, os.path.join(context.toplevel, os.fsdecode(raw)))
    return digest.hexdigest()


def repo_state(
    context: RepoContext,
    written: Iterable[str | os.PathLike[str]] = (),
    status_call: GitCall | None = None,
) -> str:
    """sha256 of what every gate of the repository depends on.

    :param written: see :func:`tree_digest`
    :param status_call: see :func:`tree_digest`
    :raises RepoContextError: the repository cannot tell one of its inputs
    """
    state = {
        "toplevel": os.fspath(context.toplevel),
        "head": context.head,
        "base_ref": context.base_ref,
        "base": context.base_commit,
        "branch": context.branch,
        "mode": context.mode.mode,
        "tree": tree_digest(context, written, status_call),
    }
    return hashlib.sha256(json.dumps(state, sort_keys=True).encode()).hexdigest()


def gate_cache_key(
    context: RepoContext,
    gate: GatePlan,
    settings: CheckSettings,
    *,
    state: str | None = None,
) -> str:
    """The sha256 hex key of one gate's inputs.

    :param settings: the effective settings for the mode in force
    :param state: :func:`repo_state` of ``context``, when already known
    :raises RepoContextError: the repository cannot tell one of its inputs
    """
    extra = gate.check.cache_inputs
    inputs = {
        "prove": __version__,
        "gate": gate.name,
        # a project's folder (an entry pointed elsewhere under the same name is new)
        "path": os.fspath(context.root),
        "check": gate.check.name,
        "version": gate.check.version,
        # Sorted JSON, so reordering keys in YAML is not a change; its digest, so the
        # settings are not escaped into this JSON again for every gate.
        "settings": settings_digest(settings),
        "repo": repo_state(context) if state is None else state,
        "inputs": None if extra is None else extra(context, settings),
    }
    return hashlib.sha256(json.dumps(inputs, sort_keys=True).encode()).hexdigest()


# The sha256 of the settings as sorted JSON, by the settings object (kept alive here, so
# its id stays its own): a fleet's gates share few settings objects, and dumping one per
# gate cost more than the rest of a cached gate's key.
_SETTINGS_DIGEST: dict[int, tuple[CheckSettings, str]] = {}
_SETTINGS_DIGEST_MAX: Final = 4096


def settings_digest(settings: CheckSettings) -> str:
    """sha256 of ``settings`` as sorted JSON: what they mean, not how they were spelled;
    computed once per settings object."""
    known = _SETTINGS_DIGEST.get(id(settings))
    if known is not None and known[0] is settings:
        return known[1]
    text = json.dumps(settings.model_dump(mode="json"), sort_keys=True)
    digest = hashlib.sha256(text.encode()).hexdigest()
    if len(_SETTINGS_DIGEST) >= _SETTINGS_DIGEST_MAX:
        _SETTINGS_DIGEST.clear()
    _SETTINGS_DIGEST[id(settings)] = (settings, digest)
    return digest


def _expired(until: str, context: RepoContext) -> bool:
    try:
        limit = datetime.datetime.fromisoformat(until)
    except ValueError:
        return True  # a hand-edited store: run the gate
    return now_or_real(context.env) > limit


class PassCache:
    """One process's view of the store, plus (on the controller) this run's changes."""

    def __init__(
        self,
        store: Store,
        written: Iterable[str | os.PathLike[str]] = (),
        launcher: GitLauncher | None = None,
    ) -> None:
        """:param written: the files this run writes (see :func:`tree_digest`)
        :param launcher: starts the calls of :meth:`start` (made on first use by default)"""
        self._store = store
        self._written = tuple(written)
        passes = store.get(STORE_KEY, {})
        # A hand-edited or foreign value is ignored rather than trusted.
        self.passes: dict[str, str] = (
            {k: v for k, v in passes.items() if isinstance(k, str) and isinstance(v, str)}
            if isinstance(passes, dict)
            else {}
        )
        # By repository context (a monorepo's projects share their repository's): held
        # weakly, as the run drops a repository's context after its last gate.
        self._states: weakref.WeakKeyDictionary[RepoContext, str | None] = (
            weakref.WeakKeyDictionary()
        )
        # One per repository: a state that hangs (a git hook) holds up no other repository.
        self._computing: weakref.WeakKeyDictionary[RepoContext, threading.Lock] = (
            weakref.WeakKeyDictionary()
        )
        self._guard = threading.Lock()
        # The `git status` of states not computed yet, started ahead (see start).
        self._started: dict[RepoContext, GitCall] = {}
        self._launcher = launcher
        self._changes: dict[str, str | None] = {}

    def lookup(
        self, nodeid: str, context: RepoContext, gate: GatePlan, settings: CheckSettings
    ) -> tuple[str | None, str | None]:
        """The gate's key (None when it has none), and the skip reason when ``nodeid`` passed
        before with these inputs (None when it must run).

        The key goes on the gate's report whatever the outcome: a pass stores it.
        """
        if not gate.check.cacheable:
            return None, None
        try:
            state = self.state(context)
            if state is None:
                return None, None
            key = gate_cache_key(context, gate, settings, state=state)
        except RepoContextError:
            return None, None  # without a key the gate just runs
        stored, _, until = self.passes.get(nodeid, "").partition(_UNTIL)
        if stored != key:
            return key, None
        if until and _expired(until, context):
            return key, None
        return key, f"cached: passed at {context.head[:7]} with the same inputs"

    def state(self, context: RepoContext) -> str | None:
        """:func:`repo_state` of ``context``'s repository, computed once for the repository
        and all its projects (``None`` when it cannot tell).

        Under a lock of the repository's: a prefetching thread may compute it too.
        """
        whole = context.whole_repository
        with self._guard:
            lock = self._computing.setdefault(whole, threading.Lock())
        with lock:
            if whole not in self._states:
                self._states[whole] = None  # a failure is not retried per gate
                with self._guard:
                    started = self._started.pop(whole, None)
                try:
                    with contextlib.suppress(RepoContextError):
                        self._states[whole] = repo_state(whole, self._written, started)
                finally:
                    if started is not None:  # not read when an earlier fact failed
                        started.close()
            return self._states[whole]

    def start(self, context: RepoContext) -> None:
        """Start the ``git status`` of ``context``'s repository state for :meth:`state`.

        For the thread that runs the gates, a few repositories ahead of them: git runs
        while it goes on, and the answer is there when a gate asks.  Answered by a
        prefetching thread instead, the answer waited for that thread to win the GIL back
        from the gates, several times per call (1,000 repositories: 1 s of a 5 s re-run).
        Anything that goes wrong is left for :meth:`state` to meet as before.
        """
        whole = context.whole_repository
        with self._guard:
            if whole in self._states or whole in self._started:
                return
        if self._launcher is None:
            from ..git.launcher import GitLauncher

            self._launcher = GitLauncher()
        try:
            started = start_status(whole, self._launcher)
        except (RepoContextError, GitCommandError):
            return
        with self._guard:
            self._started[whole] = started

    def close(self) -> None:
        """End the started calls no gate read (the run stopped early, a skipped gate)."""
        with self._guard:
            started, self._started = list(self._started.values()), {}
        for call in started:
            call.close()
        if self._launcher is not None:
            self._launcher.close()

    def may_reuse(self, nodeid: str) -> bool:
        """Whether a pass of ``nodeid`` is stored (it is reused only if its key still matches)."""
        return nodeid in self.passes

    def keep(self, nodeid: str, key: str) -> None:
        """Note a pass with its key (controller only)."""
        self._changes[nodeid] = key

    def forget(self, nodeid: str) -> None:
        """Note a failure or a waived failure (controller only): its old pass goes."""
        self._changes[nodeid] = None

    def save(self) -> None:
        """Write this run's changes over the store as it is now (controller only)."""
        if not self._changes:
            return
        # Read again so a concurrent run's entries for other gates survive.
        current = self._store.get(STORE_KEY, {})
        passes: dict[str, str] = current if isinstance(current, dict) else {}
        for nodeid, key in self._changes.items():
            if key is None:
                passes.pop(nodeid, None)
            else:
                passes[nodeid] = key
        self._store.set(STORE_KEY, dict(sorted(passes.items())))
        self._changes.clear()
