"""The members of a monorepo's workspaces (npm/yarn, pnpm, Cargo, Go, uv): see
:mod:`.members`; the per-tool readers are in :mod:`.manifests`, pattern expansion in
:mod:`.patterns`, located parsing in :mod:`.read`."""

from .members import Member, Workspace, workspace_members
from .read import WorkspaceError

__all__ = ["Member", "Workspace", "WorkspaceError", "workspace_members"]
