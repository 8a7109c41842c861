"""Git access for checks: the shared repository context and the diff parser."""

from __future__ import annotations

from pytest_prove.git.context import RepoContext, RepoContextError
from pytest_prove.git.diff import ChangedFile
from pytest_prove.git.log import Commit
from pytest_prove.git.runner import GitCommandError

__all__ = ["ChangedFile", "Commit", "GitCommandError", "RepoContext", "RepoContextError"]
