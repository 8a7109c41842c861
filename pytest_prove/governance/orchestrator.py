"""What governance commands need of an orchestrator file: repositories, access, audit log.

Only the orchestrator file itself is read (its outline, :mod:`pytest_prove.config.outline`,
as a run reads it), not the repositories' own config files: ``prove sync`` must be able to
fix a repository whose file is broken.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from ..config.models import Access, RepositoryEntry
from ..config.outline import load_outline
from .audit.log import DEFAULT_AUDIT_LOG, AuditLog


@dataclasses.dataclass(frozen=True)
class Orchestrator:
    path: Path
    repos: tuple[RepositoryEntry, ...]
    access: Access | None
    audit: AuditLog


def load_orchestrator(path: Path) -> Orchestrator:
    """:raises ConfigError: every problem of the file, located as ``pytest`` would"""
    outline = load_outline(path)
    # Neither is None once the outline loaded: a missing one is a problem it raised.
    assert outline.model is not None
    assert outline.entries is not None
    audit = outline.model.global_.reporting.audit or DEFAULT_AUDIT_LOG
    return Orchestrator(
        path=outline.loaded.path,
        repos=tuple(e for _, e in outline.entries),
        access=outline.model.access,
        audit=AuditLog(outline.loaded.path.parent / audit),
    )
