"""Where a finding is, as a CI system wants it: relative to the job's checkout.

Findings carry repository-relative paths.  GitHub Actions and GitLab CI place an
annotation by a path relative to their workspace (``GITHUB_WORKSPACE``,
``CI_PROJECT_DIR``).  In a fleet the repositories usually sit inside that checkout
(``./services/api``), so the repository's own path relative to the workspace is put
in front.  A repository outside the workspace cannot be pointed at: callers then
fall back to a placeless annotation that names the file in its text.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..config.fleet import Fleet

__all__ = ["Locator", "Place"]


@dataclasses.dataclass(frozen=True)
class Place:
    path: str
    line: int | None = None
    end_line: int | None = None


def _within(path: str, root: str) -> str | None:
    relative = os.path.relpath(path, root)
    if relative == os.curdir:
        return ""
    if relative == os.pardir or relative.startswith(os.pardir + os.sep):
        return None
    return PurePosixPath(*Path(relative).parts).as_posix()


def _line(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None


class Locator:
    """Maps (repository, repo-relative file) to a workspace-relative :class:`Place`."""

    def __init__(self, fleet: Fleet, workspace: Path) -> None:
        self.fleet = fleet
        self.workspace = os.path.realpath(workspace)
        self._roots = {plan.name: os.path.realpath(plan.path) for plan in fleet.repos}
        self._lines = {plan.name: plan.line for plan in fleet.repos}

    def finding(self, repo: str, finding: Mapping[str, Any]) -> Place | None:
        """The finding's place, or ``None`` when it has none or it lies outside the workspace."""
        file, root = finding.get("file"), self._roots.get(repo)
        if not isinstance(file, str) or not file or root is None:
            return None
        # normpath, not resolve(): the file may be deleted, and must stay under the repo's path.
        path = _within(os.path.normpath(os.path.join(root, file)), self.workspace)
        if not path or _within(os.path.join(root, file), root) is None:
            return None
        return Place(path, _line(finding.get("line")), _line(finding.get("end_line")))

    def config_entry(self, repo: str) -> Place | None:
        """The configuration that declares ``repo``: the orchestrator entry or the repo's file."""
        source = self.fleet.source
        if source is None:
            return None
        path = _within(os.path.realpath(source), self.workspace)
        if not path:
            return None
        line = self._lines.get(repo) if self.fleet.kind == "orchestrator" else None
        return Place(path, line or 1)
