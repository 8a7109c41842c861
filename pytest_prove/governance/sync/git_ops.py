"""The git operations of ``prove sync``: state checks, and commits that never touch the work tree.

The change is committed with plumbing on a temporary index (``read-tree`` /
``update-index`` / ``write-tree`` / ``commit-tree``) and the branch created with
``update-ref`` against the all-zero old value, so it is created only if it does not
exist.  The user's checkout, index and current branch are never changed; undoing a
sync that nobody saw is deleting one branch.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from pathlib import Path
from typing import Final

from ...git.runner import GIT_OPTIONS, GitCommandError, git_env, run_git

ZERO: Final = "0" * 40
# Loose refs are files, locked as <name>.lock: NAME_MAX (255) less the suffix.
_MAX_REF_PART: Final = 250
# Identity variables git_env drops for read-only calls; a commit needs them.
_IDENTITY: Final = (
    "GIT_AUTHOR_NAME",
    "GIT_AUTHOR_EMAIL",
    "GIT_AUTHOR_DATE",
    "GIT_COMMITTER_NAME",
    "GIT_COMMITTER_EMAIL",
    "GIT_COMMITTER_DATE",
)
_IN_PROGRESS: Final = {
    "rebase-merge": "a rebase",
    "rebase-apply": "a rebase or `git am`",
    "MERGE_HEAD": "a merge",
    "CHERRY_PICK_HEAD": "a cherry-pick",
    "REVERT_HEAD": "a revert",
    "BISECT_LOG": "a bisect",
}


def git_text(cwd: Path, *args: str, ok: tuple[int, ...] = (0,)) -> str:
    return run_git(cwd, *args, ok_returncodes=ok).decode("utf-8", "surrogateescape").strip()


def _writing_git(
    cwd: Path, *args: str, index: Path | None = None, input: bytes | None = None
) -> str:
    env = git_env(os.environ)
    env.pop("GIT_OPTIONAL_LOCKS", None)
    env.update({k: os.environ[k] for k in _IDENTITY if k in os.environ})
    if index is not None:
        env["GIT_INDEX_FILE"] = str(index)
    argv = ("git", *GIT_OPTIONS, *args)
    done = subprocess.run(argv, cwd=cwd, env=env, input=input, capture_output=True, check=False)
    if done.returncode != 0:
        raise GitCommandError(argv, done.returncode, done.stderr.decode("utf-8", "replace"))
    return done.stdout.decode("utf-8", "surrogateescape").strip()


def toplevel(path: Path) -> Path:
    return Path(git_text(path, "rev-parse", "--show-toplevel"))


def state_problem(root: Path, watched: str) -> str | None:
    """Why the repository at ``root`` must not be synced now, or None.

    :param watched: the config file (relative to ``root``): untracked, it counts as dirty
    """
    for marker, what in _IN_PROGRESS.items():
        if Path(root, git_text(root, "rev-parse", "--git-path", marker)).exists():
            return f"{what} is in progress: finish or abort it first"
    if git_text(root, "rev-parse", "--verify", "--quiet", "HEAD^{commit}", ok=(0, 1)) == "":
        return "it has no commits yet"
    dirty = git_text(root, "status", "--porcelain", "--untracked-files=no")
    if dirty:
        lines = dirty.splitlines()
        more = ", ..." if len(lines) > 1 else ""
        return f"uncommitted changes ({lines[0].strip()}{more}): commit or stash them first"
    if (root / watched).exists() and git_text(root, "ls-files", "--", watched) == "":
        return f"{watched} is not committed"
    return None


def branch_exists(root: Path, branch: str) -> bool:
    return bool(
        git_text(root, "rev-parse", "--verify", "--quiet", f"refs/heads/{branch}", ok=(0, 1))
    )


def branch_name_problem(cwd: Path, branch: str) -> str | None:
    """Why ``branch`` cannot name a new branch, or None.

    ``git check-ref-format --branch`` decides, and must print the name unchanged: in a
    repository it would expand ``@{-1}`` to another branch.  A leading ``-`` is refused
    here too (older gits accept it; it reads as an option to every later git command).
    """
    invalid = f"{branch[:80]!r}{'...' if len(branch) > 80 else ''} is not a valid branch name"
    if not branch or branch.startswith("-") or "\0" in branch:
        return invalid
    if any(
        len(part.encode("utf-8", "surrogateescape")) > _MAX_REF_PART for part in branch.split("/")
    ):
        return f"{invalid}: a part between slashes is longer than {_MAX_REF_PART} bytes"
    try:
        shown = run_git(cwd, "check-ref-format", "--branch", branch, ok_returncodes=(0, 128))
    except GitCommandError as exc:
        return f"{invalid}: {exc}"
    except OSError as exc:  # a name longer than the kernel takes as an argument
        return f"{invalid}: {exc.strerror or exc}"
    return None if shown.rstrip(b"\n") == branch.encode("utf-8", "surrogateescape") else invalid


def commit_file(
    root: Path,
    *,
    parent: str,
    path: str,
    content: bytes | None,
    message: str,
    branch: str,
    expected_old: str = ZERO,
) -> str:
    """Commit ``path`` = ``content`` (None: deleted) on top of ``parent`` as ``branch``.

    :param expected_old: the branch's current value; all zeros to create it
    :returns: the new commit
    :raises GitCommandError: any step failed (the branch is then left as it was)
    """
    with tempfile.TemporaryDirectory(prefix="prove-sync-") as tmp:
        index = Path(tmp) / "index"
        _writing_git(root, "read-tree", parent, index=index)
        if content is None:
            _writing_git(root, "update-index", "--force-remove", "--", path, index=index)
        else:
            blob = _writing_git(root, "hash-object", "-w", "--stdin", input=content)
            mode = _file_mode(root, parent, path)
            _writing_git(
                root, "update-index", "--add", "--cacheinfo", f"{mode},{blob},{path}", index=index
            )
        tree = _writing_git(root, "write-tree", index=index)
    commit = _writing_git(root, "commit-tree", tree, "-p", parent, input=message.encode())
    _writing_git(
        root, "update-ref", "-m", "prove sync", f"refs/heads/{branch}", commit, expected_old
    )
    return commit


def _file_mode(root: Path, commit: str, path: str) -> str:
    listed = git_text(root, "ls-tree", commit, "--", path)
    return listed.split()[0] if listed else "100644"


def delete_branch(root: Path, branch: str, expected: str) -> None:
    """Delete ``branch`` only if it still points at ``expected``."""
    _writing_git(
        root, "update-ref", "-m", "prove sync rollback", "-d", f"refs/heads/{branch}", expected
    )


def refs_containing(root: Path, commit: str) -> list[str]:
    """Every local branch and remote-tracking ref that contains ``commit``."""
    out = git_text(
        root,
        "for-each-ref",
        "--contains",
        commit,
        "--format=%(refname)",
        "refs/heads",
        "refs/remotes",
    )
    return [line for line in out.split("\n") if line]  # a ref name may hold U+2028


def blob_at(root: Path, commit: str, path: str) -> bytes | None:
    try:
        return run_git(root, "show", f"{commit}:{path}")
    except GitCommandError:
        return None


def resolve(root: Path, ref: str) -> str | None:
    return (
        git_text(root, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}", ok=(0, 1)) or None
    )
