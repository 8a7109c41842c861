"""The repository context: what every check may ask about one repository.

One process keeps one :class:`RepoContext` per repository.  Building it costs
nothing (collecting a thousand repositories must not start git); each
question is answered on first access by as few git processes as possible and
memoised, failures included, so git is asked once per question per process.
"""

from __future__ import annotations

import dataclasses
import os
import threading
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Final

from pytest_prove.git import refs
from pytest_prove.git.diff import ChangedFile, parse_diff
from pytest_prove.git.lazy import lazy
from pytest_prove.git.log import LOG_FORMAT, Commit, parse_log
from pytest_prove.git.mode import ModeDecision, ModeOptions, resolve_mode
from pytest_prove.git.runner import NOT_FOUND, GitCommandError, hidden_git_redirects, run_git
from pytest_prove.support.files import open_regular

if TYPE_CHECKING:
    import git

__all__ = ["Commit", "RepoContext", "RepoContextError"]

# git's own binary test (FIRST_FEW_BYTES in xdiff-interface.c), so untracked
# and tracked files are classified alike.
_BINARY_SNIFF: Final = 8000
# paths named on one git command line (its length is limited)
_PATHS_PER_CALL: Final = 500
_FETCH_ADVICE: Final = (
    "the clone may be shallow or lack the branch — fetch it (actions/checkout: fetch-depth: 0)"
)
_FETCH_HINT: Final = f"{_FETCH_ADVICE}, or pass --prove-base REF"
# One rev-parse answers toplevel, git dirs, shallowness, HEAD and its branch.
# fmt: off
_PROBE_ARGS: Final = (
    "rev-parse", "--show-toplevel", "--absolute-git-dir", "--git-common-dir",
    "--git-path", "index", "--git-path", "objects", "--is-shallow-repository",
)
# The work tree against the merge base, so committed, staged and unstaged
# changes come from one process; textconv and external drivers would replace
# the real lines.
_DIFF_ARGS: Final = (
    "diff", "--patch-with-raw", "-z", "-M", "-U0", "--no-color", "--no-ext-diff",
    "--no-textconv", "--submodule=short",
)
# fmt: on


class RepoContextError(Exception):
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


class RepoContext:
    """The shared, lazily built facts about one repository.

    :param root: the repository directory (a subdirectory works too)
    :param name: how messages name the repository; ``root``'s name by default
    :param base: an explicit base ref (``--prove-base``), beating CI variables
    :param trunk: the trunk branch name, when configured
    :param env: CI variables are read from it and git runs with it (minus the
        ``GIT_*`` variables that would redirect git); ``os.environ`` by default
    :param mode: how configuration shapes the delivery mode (see :attr:`mode`)
    """

    def __init__(
        self,
        root: Path | str,
        *,
        name: str | None = None,
        base: str | None = None,
        trunk: str | None = None,
        env: Mapping[str, str] | None = None,
        mode: ModeOptions | None = None,
    ) -> None:
        self.root = Path(root)
        self.name = name or self.root.name or str(self.root)
        self.env: Mapping[str, str] = os.environ if env is None else env
        self.git_calls = 0
        self._base = base
        self._trunk = trunk
        self._mode_options = mode or ModeOptions()
        self._memo: dict[str, object] = {}
        self._blobs: dict[str, bytes | None] = {}
        # One per lazy fact, held while it is computed: a prefetching thread may ask too.
        self._computing: dict[str, threading.RLock] = {}

    def __repr__(self) -> str:
        return f"RepoContext({str(self.root)!r}, name={self.name!r})"

    @lazy
    def _probe(self) -> _Probe:
        if not self.root.is_dir():
            problem = "is not a directory" if self.root.exists() else "does not exist"
            raise RepoContextError(f"{self.name}: {self.root} {problem}: fix the repository path")
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

    @lazy
    def _refs_listing(self) -> bytes:
        return self._git(*refs.REFS_ARGS)

    @lazy
    def _refs(self) -> dict[str, str]:
        return refs.parse_refs(self._refs_listing)

    @lazy
    def _ref_objects(self) -> dict[str, str]:
        return refs.ref_objects(self._refs_listing)

    @lazy
    def trunk(self) -> str:
        """The trunk branch's name: configured, ``origin/HEAD``, or a usual name.

        Never guessed: the current branch taken for its own trunk would leave nothing
        to compare, and every gate that judges a change would pass without looking.
        """
        if self._trunk:
            return self._trunk
        branch = self.branch
        found = refs.find_trunk(self._refs, branch)
        if found is not None:
            return found
        fix = "set `trunk_branch: NAME` in prove.yaml (or the orchestrator entry), or pass "
        if branch is not None and refs.remote_head_target(self._refs) == branch:
            self._refuse_a_single_branch_clone(branch)
            raise RepoContextError(
                f"{self.name}: origin/HEAD names the current branch {branch!r}, which cannot be "
                f"its own trunk, and no {'/'.join(refs.TRUNK_NAMES)} is here: {fix}"
                "--prove-base REF"
            )
        on = f"; the current branch is {branch!r}" if branch else ""
        raise RepoContextError(
            f"{self.name}: cannot tell the trunk branch (no origin/HEAD, no "
            f"{'/'.join(refs.TRUNK_NAMES)}{on}): {fix}--prove-base REF"
        )

    @lazy
    def _origin_fetch(self) -> bytes:
        """``remote.origin.fetch``: no ``*`` in it is a single-branch clone; empty, no origin."""
        return self._git("config", "--get-all", "remote.origin.fetch", ok=(0, 1))

    def _refuse_a_single_branch_clone(self, branch: str) -> None:
        """``git clone --single-branch -b feat/x`` makes ``origin/HEAD`` name the branch itself
        and fetches nothing else: say how to fetch the trunk.
        """
        fetch = self._origin_fetch
        if fetch and b"*" not in fetch:
            raise RepoContextError(
                f"{self.name}: a single-branch clone of {branch} lacks the trunk to compare "
                f"with: {_FETCH_HINT}, or set trunk_branch in the configuration"
            )

    @lazy
    def _base_choice(self) -> tuple[str, str, str | None, str]:
        """The base's name, who asked for it, its commit when rev-parse had to find it, and
        a note on why a remote-tracking branch was taken instead of the local one."""
        name, source = refs.requested_base(self._base, self.env) or (self.trunk, "trunk")
        resolved = refs.resolve_ref(name, self._refs)
        commit = None
        note = ""
        # Not a ref name: maybe a sha or an expression such as HEAD~3.  A
        # leading "-" would be read as an option.
        if resolved is None and not name.startswith("-"):
            out = self._git("rev-parse", "--verify", "-q", f"{name}^{{commit}}", ok=(0, 1))
            commit = out.strip().decode() or None
            resolved = name if commit else None
        if resolved is None:
            raise RepoContextError(self._missing_base(name, source))
        if resolved == name and source != "--prove-base":
            # --prove-base is taken as written; a trunk or CI target name may be stale.
            resolved, note = self._fresher_of(name)
        return resolved, source, commit, note

    def _missing_base(self, name: str, source: str) -> str:
        """Why the base is not here. A ``--prove-base`` that names nothing is most often a
        typo, and its fix is not to pass ``--prove-base`` again (#20)."""
        missing = f"base ref {name!r} (from {source}) not found in {self.name}"
        if source != "--prove-base":
            return f"{missing}: {_FETCH_HINT}"
        close = refs.close_ref_names(name, self._refs)
        if close:
            missing += f" (did you mean {' or '.join(repr(c) for c in close)}?)"
        if self._fetch_would_help():
            missing += f": {_FETCH_ADVICE}"
        return missing

    def _fetch_would_help(self) -> bool:
        """The clone is shallow, fetches one branch only, or has fetched none yet."""
        if self.shallow:
            return True
        fetch = self._origin_fetch
        if not fetch:  # no origin to fetch from
            return False
        return b"*" not in fetch or not any(r.startswith("refs/remotes/") for r in self._refs)

    def _fresher_of(self, name: str) -> tuple[str, str]:
        """``name`` or ``origin/<name>``, whichever a branch cut today would start from.

        A local trunk that lags its remote-tracking branch would count other people's
        commits as the branch's own (diff-cover compares with ``origin/main`` for this
        reason); a local trunk ahead of it holds the developer's unpushed base.
        """
        pair = refs.tracking_pair(name, self._refs)
        objects = self._ref_objects
        if pair is None or objects.get(pair[0]) == objects.get(pair[1]):
            return name, ""
        local, remote = (objects[full] for full in pair)
        counts = self._git("rev-list", "--left-right", "--count", f"{local}...{remote}", "--")
        only_local, only_remote = (int(n) for n in counts.split())
        if only_local and not only_remote:
            return name, (
                f"local {name} is {only_local} ahead of origin/{name} (not pushed): "
                f"compared with local {name}"
            )
        if not only_local:
            return f"origin/{name}", (
                f"local {name} is {only_remote} behind origin/{name}: compared with origin/{name}"
            )
        return f"origin/{name}", (
            f"local {name} and origin/{name} have diverged ({only_local} and {only_remote} "
            f"commits of their own): compared with origin/{name}, as a pull request would be"
        )

    @property
    def base_ref(self) -> str:
        """The ref the changes are measured against, as given or as ``origin/<name>``."""
        return self._base_choice[0]

    @property
    def base_source(self) -> str:
        """Where :attr:`base_ref` came from: ``--prove-base``, a CI variable, or ``trunk``."""
        return self._base_choice[1]

    @property
    def base_note(self) -> str:
        """Why the remote-tracking trunk was compared with instead of the local one, or ''."""
        return self._base_choice[3]

    @lazy
    def merge_base(self) -> str:
        """The sha of the best common ancestor of :attr:`base_ref` and ``HEAD``."""
        # Shas, not names, go to git: a ref named like an option ("--output=...") is data.
        head, base_ref = self.head, self.base_ref
        out = self._git("merge-base", self.base_commit, head, ok=(0, 1)).strip()
        if not out:
            hint = (
                _FETCH_HINT
                if self.shallow
                else "the histories are unrelated — pass --prove-base REF"
            )
            raise RepoContextError(f"no merge-base of {base_ref!r} and HEAD in {self.name}: {hint}")
        return out.decode("ascii")

    @lazy
    def changed_files(self) -> tuple[ChangedFile, ...]:
        """Committed, staged, unstaged and untracked changes since :attr:`merge_base`, by path."""
        diff = self._git(*_DIFF_ARGS, self.merge_base, "--")
        files = {f.path: f for f in parse_diff(diff)}
        files.update(self._diffed_as_text(f for f in files.values() if f.binary))
        for raw in self._git("ls-files", "--others", "--exclude-standard", "-z").split(b"\0"):
            # A trailing "/" marks an untracked nested repository, not a file.
            if raw and not raw.endswith(b"/"):
                path = os.fsdecode(raw)
                files[path] = self._untracked(path, files.get(path))
        return tuple(files[path] for path in sorted(files))

    def _diffed_as_text(self, binary: Iterable[ChangedFile]) -> dict[str, ChangedFile]:
        """Files git called binary only because ``.gitattributes`` says so, diffed as text.

        The change under review brings its own attributes: ``*.py -diff`` would hide every
        line it changes from the gates.  Real binaries (a NUL in the first 8000 bytes on
        disk, git's own test) stay binary.
        """
        paths = [
            path
            for f in binary
            if _is_text_file(self.toplevel / f.path)
            for path in (f.path, f.old_path)  # both sides, so a rename stays one
            if path is not None
        ]
        found: dict[str, ChangedFile] = {}
        for start in range(0, len(paths), _PATHS_PER_CALL):
            specs = (f":(literal){path}" for path in paths[start : start + _PATHS_PER_CALL])
            diff = self._git(*_DIFF_ARGS, "--text", self.merge_base, "--", *specs)
            found.update((f.path, f) for f in parse_diff(diff))
        return found

    def _untracked(self, path: str, tracked: ChangedFile | None) -> ChangedFile:
        lines, binary = _count_lines(self.toplevel / path)
        return ChangedFile(
            path=path,
            # Removed from the index but still on disk: the base had it.
            status="added" if tracked is None else "modified",
            added_lines=frozenset(range(1, lines + 1)),
            removed_lines=frozenset() if tracked is None else tracked.removed_lines,
            binary=binary,
            untracked=True,
        )

    @lazy
    def _changed_by_path(self) -> dict[str, ChangedFile]:
        return {f.path: f for f in self.changed_files}

    def changed_file(self, path: str) -> ChangedFile | None:
        """The change to ``path`` (repository-relative, ``/``), if it changed."""
        return self._changed_by_path.get(path)

    @lazy
    def work_tree_files(self) -> frozenset[str]:
        """Every file in the work tree that git tracks or would track (untracked, not ignored).

        For checks that ask "does a file exist" or scan the tree: one listing instead of
        a file-system walk.  Files deleted in the work tree are left out.
        """
        listed = self._git("ls-files", "-z", "--cached", "--others", "--exclude-standard")
        deleted = self._git("ls-files", "-z", "--deleted")
        gone = {os.fsdecode(p) for p in deleted.split(b"\0") if p}
        # A trailing "/" marks an untracked nested repository, not a file.
        files = (os.fsdecode(p) for p in listed.split(b"\0") if p and not p.endswith(b"/"))
        return frozenset(files) - gone

    @lazy
    def commits(self) -> tuple[Commit, ...]:
        """Commits in ``HEAD`` but not in :attr:`base_ref`, oldest first.

        That is ``merge_base..HEAD`` (the same commits whenever the merge-base is
        unique), without the ``git merge-base`` call, which walks the whole range a
        second time: on a branch of 10,000 commits that call costs as much as the log.
        """
        head = self.head  # first: a repository without commits fails before refs are read
        out = self._git(
            "log", "-z", LOG_FORMAT, "--topo-order", "--reverse", f"{self.base_commit}..{head}"
        )
        commits = parse_log(out)
        if any(not c.parent_ids for c in commits):
            # A root commit in range: HEAD's history may share nothing with the base,
            # which merge_base reports with its own message.
            _ = self.merge_base
        return commits

    @lazy
    def behind(self) -> int:
        """How many commits :attr:`base_ref` has that ``HEAD`` lacks."""
        # Without a merge-base the count would be the base's whole history, so
        # a shallow or unrelated clone fails with merge_base's message instead.
        head, _ = self.head, self.merge_base
        return int(self._git("rev-list", "--count", f"{head}..{self.base_commit}", "--"))

    @lazy
    def tags_at_head(self) -> tuple[str, ...]:
        """Tags pointing at ``HEAD`` (annotated or not), sorted: ``git tag --points-at``'s."""
        head = self.head
        return tuple(
            sorted(
                name.removeprefix("refs/tags/")
                for name, target in self._ref_objects.items()
                if target == head and name.startswith("refs/tags/")
            )
        )

    @lazy
    def base_commit(self) -> str:
        """The sha of the commit :attr:`base_ref` names."""
        base_ref, _, commit, _ = self._base_choice
        if commit is not None:  # a sha or an expression such as HEAD~3, resolved already
            return commit
        objects = self._ref_objects
        found = next((objects[full] for full in refs.dwim(base_ref) if objects.get(full)), None)
        if found is None and base_ref.startswith("-"):  # git would read it as an option
            raise RepoContextError(f"base ref {base_ref!r} does not name a commit in {self.name}")
        if found is None:  # a ref git could not resolve (a dangling symref): let git say why
            found = self._git("rev-parse", "--verify", f"{base_ref}^{{commit}}").strip().decode()
        return found

    @lazy
    def mode(self) -> ModeDecision:
        """The delivery mode (``trunk``, ``pr``, ``release``) and why; see :mod:`.mode`."""
        if self._mode_options.explicit is not None:
            return resolve_mode(
                self._mode_options, env=self.env, branch=None, trunk=None, tags_at_head=()
            )
        try:
            trunk: str | None = self.trunk
        except RepoContextError:  # no trunk to compare with: only the branch name can tell
            trunk = None
        return resolve_mode(
            self._mode_options,
            env=self.env,
            branch=self.branch,
            trunk=trunk,
            tags_at_head=self.tags_at_head,
        )

    def read_at_base(self, path: str) -> bytes | None:
        """The content of ``path`` at :attr:`merge_base`; ``None`` if it was no file there."""
        if path not in self._blobs:
            self._blobs[path] = self._read_blob(f"{self.merge_base}:{path}")
        return self._blobs[path]

    def _read_blob(self, spec: str) -> bytes | None:
        if "\n" in spec:  # --batch reads one spec per line
            try:
                return self._git("cat-file", "blob", spec, wrap=False)
            except GitCommandError:
                return None
        out = self._git("cat-file", "--batch", input=os.fsencode(spec) + b"\n")
        header, _, rest = out.partition(b"\n")
        parts = header.split(b" ")
        if len(parts) != 3 or parts[1] != b"blob":
            return None  # "missing", a directory, or a submodule
        return rest[: int(parts[2])]

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
            # Unexpected, yet still the repository's problem: reported like
            # the expected failures, not as a traceback of ours.
            raise RepoContextError(f"git failed in {self.name}: {err}") from err


def _is_text_file(path: Path) -> bool:
    """A regular file, not a link, with no NUL in its first bytes."""
    try:
        if path.is_symlink():
            return False
        with open_regular(path) as stream:
            return b"\0" not in stream.read(_BINARY_SNIFF)
    except OSError:  # NotAFileError (a FIFO) and IsADirectoryError are OSErrors
        return False


def _count_lines(path: Path) -> tuple[int, bool]:
    """Line count and binary flag of a work-tree file, streamed (it may be large)."""
    try:
        if path.is_symlink():  # git stores a symlink as its target
            return 1, False
        with path.open("rb") as stream:
            head = stream.read(_BINARY_SNIFF)
            if b"\0" in head:
                return 0, True
            newlines, last = head.count(b"\n"), head[-1:]
            while chunk := stream.read(1 << 20):
                newlines, last = newlines + chunk.count(b"\n"), chunk[-1:]
    except OSError:
        return 0, False  # vanished or unreadable since git listed it
    return newlines + (1 if last not in (b"", b"\n") else 0), False
