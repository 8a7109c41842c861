"""A project: one folder below the top of a git work tree, gated on its own subtree.

Monorepos keep many projects in one repository.  A :class:`ProjectContext` is a view of
the repository's one shared :class:`~pytest_prove.git.context.RepoContext`: every git
question (HEAD, the base, the diff, the log) is asked once by the repository, whatever
the number of its projects, and each project keeps what falls under its folder, with
paths relative to the folder, so a check sees the project as if it were a repository of
its own (``src/b2.py`` expects ``tests/test_b2.py`` in the project).

The repository's facts (trunk, base, branch, delivery mode, the commits of the whole
range) are the same for each of its projects: they are the repository's answers.  The
commits are those that touch the folder; :attr:`ProjectContext.range_commits` has them all.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path, PurePosixPath
from typing import Any, Final

from pytest_prove.git.context import RepoContext
from pytest_prove.git.diff import ChangedFile
from pytest_prove.git.lazy import lazy
from pytest_prove.git.log import Commit

__all__ = ["ProjectContext", "project_folder"]

# What the repository answers for each of its projects, unchanged: facts of the
# repository, not of a folder.
_REPOSITORY_FACTS: Final = (
    "head",
    "detached",
    "branch",
    "shallow",
    "repo",
    "trunk",
    "base_ref",
    "base_source",
    "base_note",
    "merge_base",
    "base_commit",
    "behind",
    "tags_at_head",
    "mode",
    "range_commits",
    "remote_url",
    "web_url",
    "git_calls",
    "whole_repository",
)


def project_folder(top: Path, path: Path) -> str | None:
    """``path`` below the work tree top ``top`` as a POSIX folder (``packages/b``); None when
    ``path`` is the top itself or lies outside it."""
    try:
        relative = path.relative_to(top)
    except ValueError:
        return None
    folder = relative.as_posix()
    return None if folder in ("", ".") else folder


class ProjectContext(RepoContext):
    """The facts of one project of a repository; see the module docstring.

    :param repository: the repository's shared context (built for its work tree top)
    :param folder: the project's folder below the top, POSIX (``packages/b``)
    :param name: how messages name the project
    """

    def __init__(self, repository: RepoContext, folder: str, *, name: str) -> None:
        super().__init__(repository.root / folder, name=name, env=repository.env)
        # Not `whole_repository`: that is one of the facts answered by the repository.
        self.repository = repository
        self.folder = folder.strip("/")
        self._prefix = f"{self.folder}/"

    def __repr__(self) -> str:
        return f"ProjectContext({self.folder!r} of {self.repository!r}, name={self.name!r})"

    def __getattribute__(self, name: str) -> Any:
        # The repository's facts come from the repository's memo: asked once for all of
        # its projects, and never answered by a project's own git call.
        if name in _REPOSITORY_FACTS:
            return getattr(object.__getattribute__(self, "repository"), name)
        return object.__getattribute__(self, name)

    @lazy
    def toplevel(self) -> Path:
        """The project's folder: paths checks read are relative to it."""
        return self.repository.toplevel / self.folder

    def _inside(self, path: str | None) -> str | None:
        """``path`` relative to the project, or None when it lies outside."""
        if path is None or not path.startswith(self._prefix):
            return None
        return path[len(self._prefix) :]

    @lazy
    def changed_files(self) -> tuple[ChangedFile, ...]:
        """The repository's changes under the project's folder, paths relative to it.

        A file renamed into the project from outside is added here, as the project sees it.
        """
        found = []
        for changed in self.repository.changed_files:
            path = self._inside(changed.path)
            if path is None:
                continue
            old_path = self._inside(changed.old_path)
            status = changed.status
            if changed.old_path is not None and old_path is None and status == "renamed":
                status = "added"
            found.append(dataclasses.replace(changed, path=path, old_path=old_path, status=status))
        return tuple(found)

    @lazy
    def work_tree_files(self) -> frozenset[str]:
        """The repository's files under the project's folder, relative to it."""
        inside = (self._inside(p) for p in self.repository.work_tree_files)
        return frozenset(p for p in inside if p)

    @lazy
    def commits(self) -> tuple[Commit, ...]:
        """The commits in range that touch the project's folder, oldest first."""
        touching = self.repository.commits_touching(self.folder)
        return tuple(c for c in self.repository.commits if c.sha in touching)

    def read_at_base(self, path: str) -> bytes | None:
        """The content at the merge base of ``path`` (relative to the project)."""
        return self.repository.read_at_base(str(PurePosixPath(self.folder, path)))

    def commits_touching(self, folder: str) -> frozenset[str]:
        return self.repository.commits_touching(str(PurePosixPath(self.folder, folder)))

    def close(self) -> None:
        """The repository is shared: whoever built it closes it."""
