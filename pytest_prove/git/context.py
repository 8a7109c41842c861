"""The repository context: what every check may ask about one repository.

One process keeps one :class:`RepoContext` per repository.  It is built in three floors:
:class:`~pytest_prove.git.probe.RepoProbe` (what ``rev-parse`` tells, and git access),
:class:`~pytest_prove.git.base_choice.BaseChoice` (trunk and base), and this class (the
change: files, commits, mode, blobs at the base).  Building it costs nothing (collecting a
thousand repositories must not start git); each question is answered on first access by as
few git processes as possible and memoised, failures included, so git is asked once per
question per process.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Final

from pytest_prove.git.base_choice import BaseChoice
from pytest_prove.git.diff import ChangedFile, parse_diff
from pytest_prove.git.lazy import lazy
from pytest_prove.git.log import (
    LOG_FORMAT,
    PATHS_LOG_FORMAT,
    Commit,
    parse_log,
    parse_log_with_paths,
)
from pytest_prove.git.mode import ModeDecision, ModeOptions, resolve_mode
from pytest_prove.git.probe import RepoContextError
from pytest_prove.git.runner import GitCommandError
from pytest_prove.support.files import open_regular

__all__ = ["Commit", "RepoContext", "RepoContextError"]

# git's own binary test (FIRST_FEW_BYTES in xdiff-interface.c), so untracked
# and tracked files are classified alike.
_BINARY_SNIFF: Final = 8000
# paths named on one git command line (its length is limited)
_PATHS_PER_CALL: Final = 500
# fmt: off
# The work tree against the merge base, so committed, staged and unstaged
# changes come from one process; textconv and external drivers would replace
# the real lines.
_DIFF_ARGS: Final = (
    "diff", "--patch-with-raw", "-z", "-M", "-U0", "--no-color", "--no-ext-diff",
    "--no-textconv", "--submodule=short",
)
# fmt: on


class RepoContext(BaseChoice):
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
        super().__init__(root, name=name, env=env, base=base, trunk=trunk)
        self._mode_options = mode or ModeOptions()
        self._blobs: dict[str, bytes | None] = {}
        # Set for a repository whose monorepo projects are gated: its one log then says
        # which paths each commit changed, so a project's commits cost no git call.
        self.track_paths = False
        # Set when the log will be read anyway: the merge-base then comes from it.
        self.reads_log = False

    def __repr__(self) -> str:
        return f"RepoContext({str(self.root)!r}, name={self.name!r})"

    @lazy
    def changed_files(self) -> tuple[ChangedFile, ...]:
        """Committed, staged, unstaged and untracked changes since :attr:`merge_base`, by path."""
        diff = self._git(*_DIFF_ARGS, self.merge_base, "--")
        files = {f.path: f for f in parse_diff(diff)}
        files.update(self._diffed_as_text(f for f in files.values() if f.binary))
        for raw in self._listing.split(b"\0"):
            # A trailing "/" marks an untracked nested repository, not a file.
            if raw[:2] == b"? " and not raw.endswith(b"/"):
                path = os.fsdecode(raw[2:])
                files[path] = self._untracked(path, files.get(path))
        return tuple(files[path] for path in sorted(files))

    @lazy
    def _listing(self) -> bytes:
        """Every listed path, tagged: ``H`` (and ``S``, ``M``) tracked, ``R`` deleted from the
        work tree, ``?`` untracked and not ignored.

        One process answers both :attr:`changed_files` (the untracked files) and
        :attr:`work_tree_files`: the walk for untracked files is most of its cost either way.
        """
        return self._git(
            "ls-files", "-z", "-t", "--cached", "--others", "--deleted", "--exclude-standard"
        )

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
        listed: set[bytes] = set()
        gone: set[bytes] = set()
        for raw in self._listing.split(b"\0"):
            # A trailing "/" marks an untracked nested repository, not a file.
            if raw and not raw.endswith(b"/"):
                (gone if raw[:2] == b"R " else listed).add(raw[2:])
        return frozenset(map(os.fsdecode, listed - gone))

    @lazy
    def commits(self) -> tuple[Commit, ...]:
        """Commits in ``HEAD`` but not in :attr:`base_ref`, oldest first.

        That is ``merge_base..HEAD`` (the same commits whenever the merge-base is
        unique), without the ``git merge-base`` call, which walks the whole range a
        second time: on a branch of 10,000 commits that call costs as much as the log.
        """
        commits, _ = self._log
        return commits

    @lazy
    def _log(self) -> tuple[tuple[Commit, ...], dict[str, tuple[str, ...]] | None]:
        """The commits in range, and (with :attr:`track_paths`) each one's changed paths (a
        merge: against its first parent; a rename: both paths, so a file moved out of a
        folder touches it)."""
        head = self.head  # first: a repository without commits fails before refs are read
        order = ("--topo-order", "--reverse", f"{self.base_commit}..{head}")
        paths = None
        if self.track_paths:
            out = self._git(
                *("log", "-z", PATHS_LOG_FORMAT, "--name-only", "--no-renames"),
                *("--diff-merges=first-parent", *order),
            )
            commits, paths = parse_log_with_paths(out)
        else:
            commits = parse_log(self._git("log", "-z", LOG_FORMAT, *order))
        if any(not c.parent_ids for c in commits):
            # A root commit in range: HEAD's history may share nothing with the base,
            # which git's merge-base reports with its own message.
            _ = self._git_merge_base
        return commits, paths

    @lazy
    def merge_base(self) -> str:
        """The sha of the best common ancestor of :attr:`base_ref` and ``HEAD``.

        With :attr:`reads_log`, from the log when it can tell: a parent of a commit in range
        that is not in range itself is reachable from the base; when there is one such
        parent, every path from ``HEAD`` to a common ancestor leaves the range through it,
        so it is the merge-base (``HEAD`` itself for an empty range).  Otherwise (several
        such parents, a root or shallow commit in range) ``git merge-base`` is asked.
        """
        if self.reads_log:
            commits = self.commits
            if not commits:
                return self.head
            in_range = {c.sha for c in commits}
            outside = {p for c in commits for p in c.parent_ids.split() if p not in in_range}
            if len(outside) == 1 and all(c.parent_ids for c in commits):
                return outside.pop()
        return self._git_merge_base

    @property
    def range_commits(self) -> tuple[Commit, ...]:
        """Every commit in range, whatever it touches: for a repository :attr:`commits`; for
        a project (:class:`~pytest_prove.git.project.ProjectContext`) not only its own."""
        return self.commits

    @property
    def whole_repository(self) -> RepoContext:
        """The context of the whole repository: itself, or the one a project is a view of."""
        return self

    def commits_touching(self, folder: str) -> frozenset[str]:
        """The shas of the commits in range that change something under ``folder``.

        Turns :attr:`track_paths` on: asked before the log was read, it costs no call of
        its own; after (a rare order), the log is read again with the paths.
        """
        if not self.track_paths:
            self.track_paths = True
            self._memo.pop("_log", None)
        _, paths = self._log
        assert paths is not None
        prefix = folder.strip("/") + "/"
        return frozenset(
            sha for sha, changed in paths.items() if any(p.startswith(prefix) for p in changed)
        )

    @lazy
    def behind(self) -> int:
        """How many commits :attr:`base_ref` has that ``HEAD`` lacks."""
        # Without a merge-base the count would be the base's whole history, so
        # a shallow or unrelated clone fails with merge_base's message instead.
        head, merge_base = self.head, self.merge_base
        if merge_base == self.base_commit:
            return 0  # the base is an ancestor of HEAD: it has nothing HEAD lacks
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
