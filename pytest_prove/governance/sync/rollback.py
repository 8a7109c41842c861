"""``prove sync --rollback RUN_ID``: undo what one sync did, repository by repository.

- The sync branch nobody saw (its commit is on no other branch and no remote-tracking
  ref): it is deleted, and the repository is exactly as before the sync.
- The change was pushed or merged: history is not rewritten.  A revert commit that
  restores the file is made on a new branch ``<sync branch>-rollback`` (from the sync
  branch, or from the branch it was merged into) for the user to push or merge.
- The file changed again since: nothing is done there, and the report says so.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from ...git.runner import GitCommandError
from . import git_ops
from .runs import RepoRecord, SyncRun


@dataclasses.dataclass(frozen=True)
class Undone:
    repo: str
    action: str  # deleted-branch | reverted | already-gone | failed
    detail: str

    @property
    def failed(self) -> bool:
        return self.action == "failed"


def _revert(record: RepoRecord, run: SyncRun, root: Path, containing: list[str]) -> Undone:
    own = f"refs/heads/{record.branch}"
    others = [ref for ref in containing if ref != own]
    # Revert where the change landed (a merge target) so merging the rollback undoes it there.
    local = [ref for ref in others if ref.startswith("refs/heads/")]
    base_ref = local[0] if local else own if own in containing else containing[0]
    base = git_ops.resolve(root, base_ref)
    if base is None:
        return Undone(record.name, "failed", f"{base_ref} cannot be read")
    if git_ops.blob_at(root, base, record.file) != git_ops.blob_at(
        root, record.commit, record.file
    ):
        return Undone(
            record.name,
            "failed",
            f"{record.file} changed on {base_ref} since the sync: revert {record.commit[:12]}"
            " by hand",
        )
    target = f"{record.branch}-rollback"
    if git_ops.branch_exists(root, target):
        return Undone(record.name, "failed", f"branch {target} already exists")
    previous = None if record.created else git_ops.blob_at(root, record.base, record.file)
    message = f"revert: undo prove sync run {run.id}\n\nThis reverts commit {record.commit}.\n"
    commit = git_ops.commit_file(
        root, parent=base, path=record.file, content=previous, message=message, branch=target
    )
    return Undone(
        record.name,
        "reverted",
        f"the change reached {', '.join(others) or base_ref}: revert commit {commit[:12]}"
        f" on branch {target} (from {base_ref})",
    )


def undo_repo(record: RepoRecord, run: SyncRun) -> Undone:
    root = Path(record.root)
    try:
        if git_ops.resolve(root, record.commit) is None:
            return Undone(record.name, "already-gone", "the sync commit no longer exists")
        containing = git_ops.refs_containing(root, record.commit)
        own = f"refs/heads/{record.branch}"
        others = [ref for ref in containing if ref != own]
        tip = git_ops.resolve(root, own)
        if not others and tip == record.commit:
            git_ops.delete_branch(root, record.branch, record.commit)
            return Undone(record.name, "deleted-branch", f"branch {record.branch} deleted")
        if not containing:
            return Undone(record.name, "already-gone", f"branch {record.branch} is gone")
        return _revert(record, run, root, containing)
    except GitCommandError as exc:
        return Undone(record.name, "failed", str(exc))


def rollback_run(run: SyncRun) -> list[Undone]:
    """Undo every repository of ``run`` (all are tried, whatever fails)."""
    return [undo_repo(record, run) for record in run.repos]
