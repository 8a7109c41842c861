"""What governance commands need of an orchestrator file: repositories, access, audit log.

Only the orchestrator file itself is validated here, not the repositories' own
config files: ``prove sync`` must be able to fix a repository whose file is broken.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pydantic

from ..config.access import check_access
from ..config.entries import check_names, expand_entries
from ..config.models import Access, OrchestratorFile, RepositoryEntry
from ..readers.errors import ConfigError, KeyPath
from ..readers.validation import first_error
from ..readers.yamlfile import load_yaml_file
from .audit import DEFAULT_AUDIT_LOG, AuditLog


@dataclasses.dataclass(frozen=True)
class Orchestrator:
    path: Path
    repos: tuple[RepositoryEntry, ...]
    access: Access | None
    audit: AuditLog


def load_orchestrator(path: Path) -> Orchestrator:
    """:raises ConfigError: the file is missing or invalid, located as ``pytest`` would"""
    loaded = load_yaml_file(path.resolve())

    def locate(problem: str, key_path: KeyPath) -> ConfigError:
        return loaded.error(problem, key_path)

    if not isinstance(loaded.data, dict) or "repositories" not in loaded.data:
        raise loaded.error("not an orchestrator file (it has no 'repositories')")
    try:
        model = OrchestratorFile.model_validate(loaded.data)
    except pydantic.ValidationError as exc:
        raise first_error(exc, loaded.data, locate) from None
    base = loaded.path.parent
    entries = expand_entries(model.repositories, base, locate)
    check_names(entries, (), locate, loaded.path)
    if model.access is not None:
        check_access(model.access, [e.name for _, e in entries], locate)
    audit = model.global_.reporting.audit or DEFAULT_AUDIT_LOG
    return Orchestrator(
        path=loaded.path,
        repos=tuple(e for _, e in entries),
        access=model.access,
        audit=AuditLog(base / audit),
    )
