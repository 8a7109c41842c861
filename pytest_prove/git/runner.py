"""Running git: a sanitised environment, argv tuples, bytes out, one error type."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import IO, Final

from pytest_prove.errors import ProveError
from pytest_prove.git import inflight
from pytest_prove.git.launcher_process import kill_group, stderr_file

__all__ = [
    "GIT_OPTIONS",
    "NOT_FOUND",
    "GitCommandError",
    "StartedGit",
    "checked",
    "git_env",
    "hidden_git_redirects",
    "run_git",
    "start_git",
    "starting",
    "without_git_redirects",
]

# Inherited GIT_* variables are dropped because a run started from a git hook
# (or from inside another repository's alias) exports GIT_DIR, GIT_INDEX_FILE,
# GIT_WORK_TREE and friends, which would silently point every git call at the
# wrong repository (pre-commit learnt this the hard way, see pre-commit#300).
# The keep-list holds variables that only say *how* to reach a remote or which
# config to read, never *where* the repository is.
_KEEP: Final = frozenset(
    {
        "GIT_ALLOW_PROTOCOL",
        "GIT_ASKPASS",
        "GIT_CEILING_DIRECTORIES",  # only narrows repository discovery
        "GIT_CONFIG_COUNT",
        "GIT_CONFIG_GLOBAL",
        "GIT_CONFIG_NOSYSTEM",
        "GIT_EXEC_PATH",
        "GIT_SSH",
        "GIT_SSH_COMMAND",
        "GIT_SSH_VARIANT",
        "GIT_SSL_CAINFO",
        "GIT_SSL_NO_VERIFY",
        "GIT_TERMINAL_PROMPT",
    }
)
_KEEP_PREFIXES: Final = ("GIT_CONFIG_KEY_", "GIT_CONFIG_VALUE_", "GIT_HTTP_PROXY")

# Pinned on every call so a user's config cannot change what we parse:
# prefixes and relative paths change diff headers, quotepath escapes non-ASCII
# names, signatures and submodule logs inject extra lines into log/diff output,
# interHunkContext and suppressBlankEmpty put (empty) context lines into -U0 hunks.
GIT_OPTIONS: Final[tuple[str, ...]] = (
    "--no-pager",
    "-c",
    "core.quotepath=off",
    "-c",
    "diff.mnemonicprefix=no",
    "-c",
    "diff.noprefix=no",
    "-c",
    "diff.srcPrefix=a/",
    "-c",
    "diff.dstPrefix=b/",
    "-c",
    "diff.relative=false",
    "-c",
    "diff.submodule=short",
    "-c",
    "diff.interHunkContext=0",
    "-c",
    "diff.suppressBlankEmpty=false",
    "-c",
    "color.ui=never",
    "-c",
    "log.showSignature=false",
    "-c",
    "i18n.logOutputEncoding=UTF-8",
)

# The shell's "command not found" status, used when git cannot be started.
NOT_FOUND: Final = 127


class GitCommandError(ProveError):
    """A git process failed, or git could not be started at all.

    :param argv: the full command line that was run
    :param returncode: git's exit status (127 when git is not installed)
    :param stderr: what git printed on stderr, decoded for humans
    :param stdout: what git printed on stdout before failing
    """

    def __init__(
        self, argv: Sequence[str], returncode: int, stderr: str, stdout: bytes = b""
    ) -> None:
        self.argv = tuple(argv)
        self.returncode = returncode
        self.stderr = stderr
        self.stdout = stdout
        super().__init__(str(self))

    def __str__(self) -> str:
        detail = self.stderr.strip().splitlines()
        reason = detail[-1] if detail else "no error output"
        # The pinned options are the same on every call; they only hide the question.
        args = (
            self.argv[1 + len(GIT_OPTIONS) :]
            if self.argv[1:][: len(GIT_OPTIONS)] == GIT_OPTIONS
            else self.argv[1:]
        )
        return f"`git {' '.join(args)}` failed with exit code {self.returncode}: {reason}"


def git_env(environ: Mapping[str, str]) -> dict[str, str]:
    """The environment for a git process started on behalf of a repository.

    :param environ: the inherited environment (usually ``os.environ``)
    :returns: ``environ`` without the ``GIT_*`` variables that redirect git to
        another repository, with a fixed locale so messages can be matched
    """
    env = without_git_redirects(environ)
    # pytest sets it to the gate under way, so the environment would differ for every gate
    # (the launcher sends it again each time it changes); git has no use for it.
    env.pop("PYTEST_CURRENT_TEST", None)
    env["LC_ALL"] = "C"
    env.pop("LANGUAGE", None)  # LANGUAGE overrides LC_ALL for gettext messages
    # A read-only run must not take the index lock that `git diff` grabs to
    # refresh stat data: parallel workers (and the user's own git) would fail.
    env["GIT_OPTIONAL_LOCKS"] = "0"
    return env


def without_git_redirects(environ: Mapping[str, str]) -> dict[str, str]:
    """``environ`` minus the ``GIT_*`` variables that point git at another repository.

    Also for tools a gate starts in the repository: many run git themselves.
    """
    return {
        key: value
        for key, value in _snapshot(environ).items()
        if not key.startswith("GIT_") or key in _KEEP or key.startswith(_KEEP_PREFIXES)
    }


def _snapshot(environ: Mapping[str, str]) -> dict[str, str]:
    """A copy of ``environ``, taken again when a key went away while it was read.

    A prefetching thread starts git with ``os.environ`` while the main thread runs gates,
    and pytest sets and removes ``PYTEST_CURRENT_TEST`` there for every phase of every
    test: copying lists the keys, then reads each value, and a key removed in between
    raised ``KeyError`` in a gate (one of 4,000, in some runs of a 1,000-repository fleet).
    """
    for _ in range(_SNAPSHOT_TRIES):
        try:
            return dict(environ)
        except KeyError:
            continue
    # Keys that keep vanishing: keep those still there.
    return {key: value for key in list(environ) if (value := environ.get(key)) is not None}


_SNAPSHOT_TRIES: Final = 100


def run_git(
    cwd: Path | str,
    *args: str,
    env: Mapping[str, str] | None = None,
    input: bytes | None = None,
    ok_returncodes: Sequence[int] = (0,),
) -> bytes:
    """Run ``git <args>`` in ``cwd`` and return its stdout.

    :param cwd: the directory git runs in; it decides which repository is used
    :param args: git's arguments, after the pinned :data:`GIT_OPTIONS`
    :param env: the base environment, sanitised with :func:`git_env`;
        ``os.environ`` when absent
    :param input: bytes fed to git's stdin
    :param ok_returncodes: exit statuses that are not failures
    :returns: stdout, undecoded
    :raises GitCommandError: git failed or is not installed
    """
    if input is None:
        return start_git(cwd, *args, env=env).result(ok_returncodes)
    argv = ("git", *GIT_OPTIONS, *args)
    with starting(argv, cwd):
        completed = subprocess.run(
            argv,
            cwd=cwd,
            env=git_env(os.environ if env is None else env),
            input=input,
            capture_output=True,
            check=False,
        )
    if completed.returncode not in ok_returncodes:
        raise GitCommandError(
            argv,
            completed.returncode,
            completed.stderr.decode("utf-8", "replace"),
            completed.stdout,
        )
    return completed.stdout


@contextlib.contextmanager
def starting(argv: tuple[str, ...], cwd: Path | str) -> Iterator[None]:
    """Turn the errors of starting git into :class:`GitCommandError` (``NOT_FOUND``)."""
    try:
        yield
    except FileNotFoundError as err:
        if err.filename is not None and os.fspath(err.filename) == os.fspath(cwd):
            raise GitCommandError(argv, NOT_FOUND, f"directory {cwd} does not exist") from err
        raise GitCommandError(
            argv, NOT_FOUND, "git is not installed or not on PATH: install git"
        ) from err
    except NotADirectoryError as err:
        raise GitCommandError(argv, NOT_FOUND, f"{cwd} is not a directory") from err


def start_git(cwd: Path | str, *args: str, env: Mapping[str, str] | None = None) -> StartedGit:
    """Start ``git <args>`` in ``cwd`` and return at once; :meth:`StartedGit.result` reads it.

    For a call whose answer is wanted a little later: the caller goes on while git runs,
    with no thread that would have to win the GIL back to hand the answer over.  The
    parameters are :func:`run_git`'s.

    :raises GitCommandError: git is not installed, or ``cwd`` is no directory
    """
    argv = ("git", *GIT_OPTIONS, *args)
    errors = stderr_file()
    try:
        with starting(argv, cwd):
            proc = subprocess.Popen(
                argv,
                cwd=cwd,
                env=git_env(os.environ if env is None else env),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=errors,
                # its own group: what git starts (hooks, aliases, helpers) dies with it
                start_new_session=True,
            )
    except BaseException:
        errors.close()
        raise
    return StartedGit(argv, proc, errors)


def checked(
    argv: tuple[str, ...], outcome: tuple[int, bytes, bytes], ok_returncodes: Sequence[int]
) -> bytes:
    """The stdout of a finished call's ``(status, stdout, stderr)``.

    :raises GitCommandError: the status is not in ``ok_returncodes``
    """
    returncode, stdout, stderr = outcome
    if returncode not in ok_returncodes:
        raise GitCommandError(argv, returncode, stderr.decode("utf-8", "replace"), stdout)
    return stdout


class StartedGit:
    """A git call under way (see :func:`start_git`).

    Its stdout is read in one blocking read (``communicate`` polls both pipes and reads in
    small pieces: on a 10,000-commit ``git log`` that loop cost more than git itself);
    stderr goes to an anonymous file, so that read cannot deadlock on a full stderr pipe.
    """

    def __init__(
        self, argv: tuple[str, ...], proc: subprocess.Popen[bytes], errors: IO[bytes]
    ) -> None:
        self.argv = argv
        self._proc = proc
        self._errors = errors
        self._outcome: tuple[int, bytes, bytes] | None = None

    def result(self, ok_returncodes: Sequence[int] = (0,)) -> bytes:
        """git's stdout, once it has ended (read on the first call, kept for the next).

        :raises GitCommandError: git exited with a status not in ``ok_returncodes``
        """
        return checked(self.argv, self.outcome(), ok_returncodes)

    def outcome(self) -> tuple[int, bytes, bytes]:
        """git's exit status, stdout and stderr, once it has ended (kept for the next call)."""
        if self._outcome is None:
            self._outcome = self._finish()
        return self._outcome

    def _finish(self) -> tuple[int, bytes, bytes]:
        proc = self._proc
        assert proc.stdout is not None
        try:
            with inflight.tracked(proc.pid):  # a prefetching thread's call is ended with it
                stdout = proc.stdout.read()
                returncode = proc.wait()
        except BaseException:
            # A gate's deadline (or ^C) interrupted the read: git must not run on.
            self.close()
            raise
        proc.stdout.close()
        with self._errors:
            self._errors.seek(0)
            return returncode, stdout, self._errors.read()

    def close(self) -> None:
        """End a call nobody will read: git (and what it started) is killed and reaped."""
        if self._outcome is None:
            self._outcome = (-signal.SIGKILL, b"", b"killed: its answer was not needed")
        kill_group(self._proc)
        self._proc.wait()
        if self._proc.stdout is not None:
            self._proc.stdout.close()
        self._errors.close()


@contextlib.contextmanager
def hidden_git_redirects() -> Iterator[None]:
    """Remove the ``GIT_*`` variables :func:`git_env` drops from ``os.environ`` for a while.

    Only for code that reads ``os.environ`` itself with no way to pass an
    environment: ``git.Repo()`` takes ``GIT_WORK_TREE``, ``GIT_COMMON_DIR`` and
    ``GIT_OBJECT_DIRECTORY`` from there.  Nothing changes in the usual case
    where none is set.
    """
    kept = git_env(os.environ)
    hidden = {
        key: os.environ.pop(key)
        for key in list(os.environ)
        if key.startswith("GIT_") and key not in kept
    }
    try:
        yield
    finally:
        os.environ.update(hidden)
