"""Git calls started by a helper process, so that starting them costs the caller nothing.

Starting a process blocks the process that starts it until the child has called
``exec``: 0.5-0.8 ms on a small cloud machine, for ``git`` or ``/bin/true`` alike.  An
unchanged fleet re-run asks each repository one ``git status`` and little else, so on
1,000 repositories the run's main thread spent about 0.8 s of its 3.8 s starting them.
A thread cannot take that over: it needs the GIL back after each start, behind the gates.
The launcher hands each call to a helper process (:mod:`.launcher_process`, started once,
on first use) with a line on a pipe, and reads the answer when it is asked for.

Anything the helper cannot do is done the usual way (:func:`.runner.start_git`): the
helper failed to start, or ended, or the answer was lost.  Errors read as
:func:`.runner.run_git`'s.
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Final, Protocol

from pytest_prove.errors import ProveError
from pytest_prove.git import launcher_process
from pytest_prove.git.ref_files import RepoFiles
from pytest_prove.git.runner import (
    GIT_OPTIONS,
    checked,
    git_env,
    start_git,
    starting,
)

__all__ = ["GitCall", "GitLauncher", "LaunchedGit"]

# How long the helper may take to end once told to (s): it kills its calls first.
_END_WAIT: Final = 5.0
# The call that starts the helper: the first is made here, so a run of one repository never
# starts it (the helper's own start, 20-30 ms, would have been that run's wait).
_SPAWN_AT: Final = 2


class GitCall(Protocol):
    """A git call under way: :class:`.runner.StartedGit` or :class:`LaunchedGit`."""

    def result(self, ok_returncodes: Sequence[int] = (0,)) -> bytes: ...

    def close(self) -> None: ...


class _Gone(ProveError):
    """The helper ended before it answered: the call is made the usual way."""


class GitLauncher:
    """The helper process and the calls handed to it (several threads may use one)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()  # writing requests, starting and ending the helper
        self._reading = threading.Lock()  # reading answers
        self._proc: subprocess.Popen[bytes] | None = None
        self._failed = False
        self._next = 0
        self._buffer = bytearray()
        self._answers: dict[int, tuple[int, bytes, bytes] | OSError] = {}
        # What the helper read of a repository, by call (None: it read nothing); see
        # start_in_repository.
        self._files: dict[int, RepoFiles | None] = {}
        self._dropped: set[int] = set()
        self._environment: dict[str, str] | None = None  # the helper's, as last sent
        self._calls = 0
        self._ready = False  # the helper said it takes requests: until then, calls go here
        self._unanswered: set[int] = set()

    def start(self, cwd: Path | str, *args: str, env: Mapping[str, str] | None = None) -> GitCall:
        """Start ``git <args>`` in ``cwd``, as :func:`.runner.start_git` does."""
        launched = self._launch({"cwd": os.fspath(cwd)}, cwd, args, env, count=True)
        return start_git(cwd, *args, env=env) if launched is None else launched

    def start_in_repository(
        self, root: Path | str, *args: str, env: Mapping[str, str] | None = None
    ) -> LaunchedGit | None:
        """Have the helper read the files of the repository at ``root`` (its probe and refs,
        :func:`.ref_files.read_repo_files`), then start ``git <args>`` at its top; ``None``
        when the helper does not take requests (the caller does both itself, and starts
        the call with :meth:`start`, which alone counts towards starting the helper).

        What it read is sent before git starts, so it never waits for git:
        :meth:`LaunchedGit.files`.  In a fleet's unchanged re-run those reads were a tenth
        of the run's main thread.
        """
        # As the run's process would resolve it now, even if the run moves later.
        where = os.path.join(os.getcwd(), root)
        return self._launch({"repo": where}, where, args, env, count=False)

    def _launch(
        self,
        request: dict[str, object],
        cwd: Path | str,
        args: tuple[str, ...],
        env: Mapping[str, str] | None,
        *,
        count: bool,
    ) -> LaunchedGit | None:
        argv = ("git", *GIT_OPTIONS, *args)
        environment = git_env(os.environ if env is None else env)
        with self._lock:
            self._calls += count
            if self._calls < _SPAWN_AT or not self._takes_requests():
                return None
            number = self._next
            self._next += 1
            request.update(id=number, argv=argv)
            if environment != self._environment:
                # Sent when it changes only: the helper keeps it (dumping it every time
                # was 5% of a re-run).
                request["env"] = environment
            if not self._send(request):
                return None
            self._environment = environment
            self._unanswered.add(number)
            return LaunchedGit(self, number, argv, cwd, env)

    def warm(self, timeout: float = _END_WAIT) -> bool:
        """Start the helper now and wait until it takes requests (at most ``timeout`` s)."""
        with self._lock:
            self._calls = max(self._calls, _SPAWN_AT)
            proc = self._helper()
            if proc is None:
                return False
            assert proc.stdout is not None
            until = time.monotonic() + timeout
            while not self._takes_requests() and (left := until - time.monotonic()) > 0:
                select.select([proc.stdout], [], [], left)
            return self._ready

    def _takes_requests(self) -> bool:
        """Whether the helper (started if need be) has said it is ready; never waits."""
        if self._ready:
            return not self._failed
        proc = self._helper()
        if proc is None:
            return False
        assert proc.stdout is not None
        with self._reading:
            while not self._ready:
                if self._buffer.startswith(launcher_process.READY):
                    del self._buffer[: len(launcher_process.READY)]
                    self._ready = True
                elif select.select([proc.stdout], [], [], 0)[0]:
                    try:
                        self._fill(proc)
                    except _Gone:
                        return False
                else:
                    return False
        return True

    def close(self) -> None:
        """End the helper: the calls it still runs are killed."""
        with self._lock:
            proc, self._proc = self._proc, None
            self._failed = True
        if proc is None:
            return
        assert proc.stdin is not None
        assert proc.stdout is not None
        with contextlib.suppress(OSError):
            proc.stdin.close()
        if not self._unanswered:
            proc.kill()  # nothing of ours runs: no need to wait for it to finish starting
        try:
            proc.wait(_END_WAIT)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        proc.stdout.close()

    def _send(self, request: dict[str, object]) -> bool:
        """Write ``request`` to the helper (started if need be); False if it cannot.

        The pipe does not block: the helper reads it at once, so a full pipe means a helper
        that is stuck, and a part of a request would garble every later one.  Either way
        nothing more is sent; calls sent before are still answered.
        """
        proc = self._helper()
        if proc is None:
            return False
        assert proc.stdin is not None
        line = json.dumps(request).encode() + b"\n"
        try:
            written = os.write(proc.stdin.fileno(), line)
        except OSError:  # it ended, or its pipe is full
            written = 0
        if written != len(line):
            self._failed = True
            return False
        return True

    def _helper(self) -> subprocess.Popen[bytes] | None:
        if self._failed:
            return None
        if self._proc is None:
            # -I -S: no site-packages, no PYTHON* variables; the helper needs the stdlib only.
            argv = [sys.executable, "-I", "-S", launcher_process.__file__]
            try:
                self._proc = subprocess.Popen(
                    argv,
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    # pytest's capture holds fd 2 while a gate runs; the helper has
                    # nothing to say that its answers (or their absence) do not
                    stderr=subprocess.DEVNULL,
                )
            except OSError:
                self._failed = True
                return None
            assert self._proc.stdin is not None
            os.set_blocking(self._proc.stdin.fileno(), False)
        return self._proc

    def kill(self, number: int) -> None:
        """Stop call ``number`` and forget its answer."""
        with self._reading:
            self._dropped.add(number)
            self._answers.pop(number, None)
            self._files.pop(number, None)
        with self._lock:
            self._send({"kill": number})

    def answer(self, number: int) -> tuple[int, bytes, bytes] | OSError:
        """Call ``number``'s status, stdout and stderr (or why it did not start).

        :raises _Gone: the helper ended without answering it
        """
        with self._reading:
            while number not in self._answers:
                self._read_answer()
            return self._answers.pop(number)

    def files(self, number: int) -> RepoFiles | None:
        """What the helper read for call ``number`` (:meth:`start_in_repository`); ``None``
        when it read nothing.  Asked once.

        :raises _Gone: the helper ended without sending them
        """
        with self._reading:
            while number not in self._files:
                self._read_answer()
            return self._files.pop(number)

    def _read_answer(self) -> None:
        proc = self._proc
        if proc is None:
            raise _Gone
        assert proc.stdout is not None
        while (end := self._buffer.find(b"\n")) < 0:
            self._fill(proc)
        header = json.loads(bytes(self._buffer[:end]))
        size = header.get("out", 0) + header.get("err", 0) + header.get("listing", 0)
        while len(self._buffer) < end + 1 + size:
            self._fill(proc)
        body = bytes(self._buffer[end + 1 : end + 1 + size])
        del self._buffer[: end + 1 + size]
        number = header["id"]
        if "files" in header:  # sent ahead of the call's answer
            if number not in self._dropped:
                fields = header["files"]
                self._files[number] = None if fields is False else RepoFiles.from_wire(fields, body)
            return
        self._unanswered.discard(number)
        if number in self._dropped:
            self._dropped.discard(number)
        elif "oserror" in header:
            code, message, filename = header["oserror"]
            self._answers[number] = OSError(code, message, filename)
        else:
            out = header["out"]
            self._answers[number] = (header["rc"], body[:out], body[out:])

    def _fill(self, proc: subprocess.Popen[bytes]) -> None:
        assert proc.stdout is not None
        # os.read either returns what it read or raises having read nothing, so a deadline
        # that interrupts it loses no answer.
        data = os.read(proc.stdout.fileno(), 1 << 16)
        if not data:
            self._failed = True
            raise _Gone
        self._buffer += data


class LaunchedGit:
    """A git call handed to the helper (see :meth:`GitLauncher.start`)."""

    def __init__(
        self,
        launcher: GitLauncher,
        number: int,
        argv: tuple[str, ...],
        cwd: Path | str,
        env: Mapping[str, str] | None,
    ) -> None:
        self.argv = argv
        self._launcher = launcher
        self._number = number
        self._cwd = cwd
        self._env = env
        self._outcome: tuple[int, bytes, bytes] | OSError | None = None
        self._files: RepoFiles | None = None
        self._files_asked = False
        self._killed = False
        # Each answer is read once: a thread may ask for the files while another reads the
        # call's answer.
        self._finishing = threading.Lock()

    def result(self, ok_returncodes: Sequence[int] = (0,)) -> bytes:
        """git's stdout, as :meth:`.runner.StartedGit.result` gives it."""
        outcome = self._finish()
        if isinstance(outcome, OSError):
            with starting(self.argv, self._cwd):
                raise outcome
        return checked(self.argv, outcome, ok_returncodes)

    def files(self) -> RepoFiles | None:
        """What the helper read of the repository (:meth:`GitLauncher.start_in_repository`),
        without waiting for git; ``None`` when it read nothing, ended first or the call was
        closed (the caller reads the files itself)."""
        with self._finishing:
            if not self._files_asked:
                self._files_asked = True
                if not self._killed:
                    try:
                        self._files = self._launcher.files(self._number)
                    except _Gone:
                        self._files = None
            return self._files

    def _finish(self) -> tuple[int, bytes, bytes] | OSError:
        with self._finishing:
            if self._outcome is None:
                self._outcome = self._answer()
            return self._outcome

    def _answer(self) -> tuple[int, bytes, bytes] | OSError:
        try:
            answer = self._launcher.answer(self._number)
        except _Gone:
            # The helper ended before answering: the call is made here instead.
            return start_git(self._cwd, *self.argv[1 + len(GIT_OPTIONS) :], env=self._env).outcome()
        except BaseException:
            self._close()  # a deadline or ^C: git must not run on
            raise
        return answer

    def close(self) -> None:
        """End a call nobody will read (it is killed)."""
        with self._finishing:
            self._close()

    def _close(self) -> None:
        if self._outcome is None:
            self._outcome = (-signal.SIGKILL, b"", b"killed: its answer was not needed")
            self._killed = True
            self._launcher.kill(self._number)
