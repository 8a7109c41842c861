"""What one ``git rev-parse`` tells about a repository, and how the context asks git.

The bottom of :class:`~pytest_prove.git.context.RepoContext`: the probe (top of the work
tree, git directories, shallowness, ``HEAD`` and its branch; read from the files under
``.git`` where :mod:`~pytest_prove.git.ref_files` is sure of them), the errors a repository that
cannot be used gives, and :meth:`RepoProbe._git`, through which every git call is counted.
"""

from __future__ import annotations

import dataclasses
import os
import threading
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Final

from pytest_prove.errors import ProveError
from pytest_prove.git import refs
from pytest_prove.git.lazy import lazy
from pytest_prove.git.ref_files import RepoFiles, probe_files
from pytest_prove.git.runner import NOT_FOUND, GitCommandError, hidden_git_redirects, run_git

if TYPE_CHECKING:
    import git

    from pytest_prove.git.launcher import GitCall, GitLauncher

__all__ = ["RepoContextError", "RepoProbe"]

# One rev-parse answers toplevel, git dirs, shallowness, HEAD and its branch.
# fmt: off
_PROBE_ARGS: Final = (
    "rev-parse", "--show-toplevel", "--absolute-git-dir", "--git-common-dir",
    "--git-path", "index", "--git-path", "objects", "--is-shallow-repository",
)
# fmt: on


class RepoContextError(ProveError):
    """A repository cannot answer a question; the message names it and the fix."""


@dataclasses.dataclass(frozen=True, kw_only=True)
class _Probe:
    toplevel: Path
    git_dir: Path
    common_dir: Path
    index_file: Path
    object_dir: Path
    shallow: bool
    head: str | None
    symbolic_head: str | None


class RepoProbe:
    """A repository's probe and git access; see :class:`~pytest_prove.git.context.RepoContext`."""

    def __init__(
        self, root: Path | str, *, name: str | None, env: Mapping[str, str] | None
    ) -> None:
        self.root = Path(root)
        self.name = name or self.root.name or str(self.root)
        self.env: Mapping[str, str] = os.environ if env is None else env
        self.git_calls = 0
        self._memo: dict[str, object] = {}
        # One per lazy fact, held while it is computed: a prefetching thread may ask too.
        self._computing: dict[str, threading.RLock] = {}
        self._ahead: Callable[[], RepoFiles | None] | None = None

    def read_ahead(self, files: Callable[[], RepoFiles | None]) -> None:
        """Take the probe and the refs listing from ``files()`` when first needed, instead of
        reading them here: they are being read elsewhere (the pass cache's status call has
        the launcher's helper read them).  ``files()`` gives ``None`` when it could not."""
        self._ahead = files

    def start_ahead(self, launcher: GitLauncher, *args: str) -> GitCall:
        """Start ``git <args>`` at the top through ``launcher``, to be read later.

        When the probe is not made yet, the launcher's helper reads it and the refs with
        the call (:meth:`read_ahead`): off this thread, where a fleet's unchanged re-run
        spent a tenth of its time reading them.  Counted as one git call.

        :raises RepoContextError: not a repository (found here)
        :raises GitCommandError: git could not be started
        """
        started: GitCall | None = None
        if "_probe" not in self._memo:
            launched = launcher.start_in_repository(self.root, *args, env=self.env)
            if launched is not None:
                self.read_ahead(launched.files)
                started = launched
        if started is None:
            started = launcher.start(self.toplevel, *args, env=self.env)
        self.git_calls += 1
        return started

    @lazy
    def _files_ahead(self) -> RepoFiles | None:
        return None if self._ahead is None else self._ahead()

    @lazy
    def _probe(self) -> _Probe:
        if not self.root.is_dir():
            problem = "is not a directory" if self.root.exists() else "does not exist"
            raise RepoContextError(f"{self.name}: {self.root} {problem}: fix the repository path")
        ahead = self._files_ahead
        found = probe_files(self.root, self.env) if ahead is None else ahead.probe
        if found is not None:  # read from the files under .git: no process
            return _Probe(
                toplevel=found.toplevel,
                git_dir=found.git_dir,
                common_dir=found.common_dir,
                index_file=found.git_dir / "index",
                object_dir=found.common_dir / "objects",
                shallow=found.shallow,
                head=found.head,
                symbolic_head=found.symbolic_head,
            )
        try:
            out = self._git(
                *_PROBE_ARGS, "HEAD", "--symbolic-full-name", "HEAD", cwd=self.root, wrap=False
            )
        except GitCommandError as err:
            self._raise_unusable(err)
            # Anything else means HEAD does not resolve: ask again without it.
            out = self._git(*_PROBE_ARGS, cwd=self.root)
        lines = os.fsdecode(out).split("\n")
        return _Probe(
            toplevel=Path(lines[0]),
            git_dir=Path(lines[1]),
            # Relative answers are relative to the directory git ran in.
            common_dir=self.root.absolute() / lines[2],
            index_file=self.root.absolute() / lines[3],
            object_dir=self.root.absolute() / lines[4],
            shallow=lines[5] == "true",
            head=lines[6] if len(lines) > 8 else None,
            symbolic_head=lines[7] if len(lines) > 8 else None,
        )

    def _raise_unusable(self, err: GitCommandError) -> None:
        if err.returncode == NOT_FOUND:
            raise RepoContextError(f"{self.name}: {err.stderr}") from err
        if "dubious ownership" in err.stderr:
            raise RepoContextError(
                f"{self.name}: git refuses {self.root} (owned by another user): run "
                f"`git config --global --add safe.directory {self.root}`"
            ) from err
        if "must be run in a work tree" in err.stderr:
            raise RepoContextError(
                f"{self.name}: {self.root} is a bare repository: point at a clone with a work tree"
            ) from err
        if "not a git repository" in err.stderr.lower():
            raise RepoContextError(
                f"{self.name}: {self.root} is not a git repository: fix the path or `git init` it"
            ) from err

    @lazy
    def toplevel(self) -> Path:
        """The top of the work tree (``git rev-parse --show-toplevel``)."""
        return self._probe.toplevel

    @lazy
    def repo(self) -> git.Repo:
        """A GitPython ``Repo`` of :attr:`toplevel`, pinned to this repository."""
        import git  # GitPython is slow to import and most runs never need it

        probe = self._probe
        with hidden_git_redirects():
            repo = git.Repo(probe.toplevel)
        # GitPython starts git with os.environ; a hook's GIT_INDEX_FILE or
        # GIT_DIR there would otherwise win over the repository we opened.
        repo.git.update_environment(
            GIT_DIR=os.fspath(probe.git_dir),
            GIT_WORK_TREE=os.fspath(probe.toplevel),
            GIT_INDEX_FILE=os.fspath(probe.index_file),
            GIT_OBJECT_DIRECTORY=os.fspath(probe.object_dir),
            GIT_COMMON_DIR=os.fspath(probe.common_dir),
        )
        return repo

    @lazy
    def head(self) -> str:
        """The full sha of ``HEAD``."""
        head = self._probe.head
        if head is None:
            raise RepoContextError(f"{self.name}: the repository has no commits yet: commit first")
        return head

    @lazy
    def detached(self) -> bool:
        """``HEAD`` is not on a branch (CI checkouts usually are not)."""
        # Through `head`, so a repository without commits fails the same way.
        return bool(self.head) and self._probe.symbolic_head == "HEAD"

    @lazy
    def branch(self) -> str | None:
        """The current branch; in detached ``HEAD``, the CI's branch variable."""
        if not self.detached:
            return (self._probe.symbolic_head or "").removeprefix("refs/heads/")
        return refs.ci_branch(self.env)

    @lazy
    def shallow(self) -> bool:
        """The clone has a truncated history."""
        return self._probe.shallow

    def close(self) -> None:
        """Stop the git processes GitPython keeps open, if :attr:`repo` was used."""
        if lazy.computed(self, "repo"):
            self.repo.close()

    def _git(
        self,
        *args: str,
        cwd: Path | None = None,
        ok: tuple[int, ...] = (0,),
        input: bytes | None = None,
        wrap: bool = True,
    ) -> bytes:
        """Run git in this repository; ``wrap=False`` lets the caller read the failure."""
        self.git_calls += 1
        try:
            return run_git(
                self.toplevel if cwd is None else cwd,
                *args,
                env=self.env,
                input=input,
                ok_returncodes=ok,
            )
        except GitCommandError as err:
            if not wrap:
                raise
            if err.returncode == NOT_FOUND:  # no git, or the directory went away
                raise RepoContextError(f"{self.name}: {err.stderr}") from err
            # Unexpected, yet still the repository's problem: reported like
            # the expected failures, not as a traceback of ours.
            raise RepoContextError(f"git failed in {self.name}: {err}") from err
