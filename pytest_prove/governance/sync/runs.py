"""Records of ``prove sync --apply`` runs, so ``--rollback RUN_ID`` knows what to undo.

One JSON file per run in ``.prove/sync-runs/`` beside the orchestrator file, written
atomically.  Paths are stored absolute: a rollback runs from anywhere.
"""

from __future__ import annotations

import dataclasses
import datetime
import json
import re
import secrets
from pathlib import Path
from typing import Any, Final

from pytest_prove.errors import ProveError

from ...engines.command.reports import load_json
from ...support.files import write_atomic

RUNS_DIR: Final = ".prove/sync-runs"
_RUN_ID: Final = re.compile(r"^\d{8}T\d{6}Z-[0-9a-f]{6}$")


class RunNotFoundError(ProveError):
    """No record of that run id."""


@dataclasses.dataclass(frozen=True, kw_only=True)
class RepoRecord:
    """What a sync did to one repository.

    :param base: the commit the change was made on (HEAD then)
    :param commit: the sync's commit, on ``branch``
    :param created: the config file did not exist before
    """

    name: str
    root: str
    file: str
    branch: str
    base: str
    commit: str
    created: bool


@dataclasses.dataclass(frozen=True, kw_only=True)
class SyncRun:
    id: str
    time: str
    actor: str
    updates_file: str
    branch: str
    repos: tuple[RepoRecord, ...]
    rolled_back: bool = False
    rollback: tuple[dict[str, str], ...] = ()

    def to_json(self) -> str:
        data = dataclasses.asdict(self)
        data["repos"] = [dataclasses.asdict(r) for r in self.repos]
        data["rollback"] = list(self.rollback)
        return json.dumps(data, indent=2) + "\n"

    @classmethod
    def from_json(cls, text: str) -> SyncRun:
        data: dict[str, Any] = load_json(text)
        data["repos"] = tuple(RepoRecord(**r) for r in data["repos"])
        data["rollback"] = tuple(data.get("rollback", ()))
        return cls(**data)


def new_run_id(now: datetime.datetime) -> str:
    return f"{now.strftime('%Y%m%dT%H%M%SZ')}-{secrets.token_hex(3)}"


def save_run(runs_dir: Path, run: SyncRun) -> Path:
    target = runs_dir / f"{run.id}.json"
    write_atomic(target, run.to_json())
    return target


def load_run(runs_dir: Path, run_id: str) -> SyncRun:
    """:raises RunNotFoundError: unknown id (the message lists the latest known ones)"""
    path = runs_dir / f"{run_id}.json"
    if not _RUN_ID.match(run_id) or not path.is_file():
        known = sorted(p.stem for p in runs_dir.glob("*.json")) if runs_dir.is_dir() else []
        hint = f" (latest: {', '.join(known[-3:])})" if known else " (no sync has been applied)"
        raise RunNotFoundError(f"no sync run {run_id!r} in {runs_dir}{hint}")
    try:
        return SyncRun.from_json(path.read_text(encoding="utf-8"))
    except (ValueError, KeyError, TypeError) as exc:  # ReportError is a ValueError
        raise RunNotFoundError(f"{path}: unreadable run record ({exc})") from None
