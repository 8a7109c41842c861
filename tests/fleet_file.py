"""Orchestrator files for tests, built from data beside the repositories of repo_builder.py.

``write_fleet(where, entry("api", repo.path, ["tdd"]), global_={...})`` writes ``multi.yaml``
(or ``name``) and returns its path.  A test about how the file is written (its line numbers,
a malformed value, YAML syntax) writes the text itself; every other test builds it here.
"""

from __future__ import annotations

import datetime
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest
import yaml

__all__ = ["command", "entry", "fleet_yaml", "write_fleet", "write_waived_fleet"]


def entry(
    name: str, path: str | os.PathLike[str], checks: Sequence[str] | None = None, **more: Any
) -> dict[str, Any]:
    """One ``repositories`` entry; ``more`` adds keys as written (``when``, ``trunk_branch``)."""
    found: dict[str, Any] = {"name": name, "path": os.fspath(path)}
    if checks is not None:
        found["checks"] = list(checks)
    found.update(more)
    return found


def command(*argv: str, **more: Any) -> dict[str, Any]:
    """A ``commands`` entry running ``argv``."""
    return {"argv": list(argv), **more}


def fleet_yaml(
    *repositories: Mapping[str, Any],
    global_: Mapping[str, Any] | None = None,
    **top: Any,
) -> str:
    """The text of an orchestrator file: ``repositories``, ``global``, then ``top`` keys."""
    document: dict[str, Any] = {"repositories": [dict(r) for r in repositories]}
    if global_ is not None:
        document["global"] = dict(global_)
    document.update(top)
    return yaml.safe_dump(document, sort_keys=False, default_flow_style=False)


def write_fleet(
    where: pytest.Pytester | Path,
    *repositories: Mapping[str, Any],
    global_: Mapping[str, Any] | None = None,
    name: str = "multi.yaml",
    **top: Any,
) -> Path:
    """Write :func:`fleet_yaml` to ``name`` in ``where`` (a pytester's or any directory)."""
    folder = where.path if isinstance(where, pytest.Pytester) else where
    path = folder / name
    path.write_text(fleet_yaml(*repositories, global_=global_, **top), encoding="utf-8")
    return path


FAILING_LINT = ["python3", "-c", 'import sys; print("src/a.py:3: E1 bad"); sys.exit(1)']


def write_waived_fleet(
    pytester: pytest.Pytester,
    approver: str,
    *,
    api_checks: Sequence[str] = ("lint",),
    global_extra: Mapping[str, Any] | None = None,
) -> Path:
    """The two-repository fleet the access and compliance tests gate: ``api`` (``api_checks``;
    its ``lint`` always fails) and ``web`` (``ok``), roles, and one waiver of ``api::lint``
    whose approver the test chooses."""
    for name in ("api", "web"):
        (pytester.path / name).mkdir(exist_ok=True)
    return write_fleet(
        pytester,
        entry("api", "api", api_checks),
        entry("web", "web", ["ok"]),
        global_={
            **(global_extra or {}),
            "commands": {"lint": command(*FAILING_LINT), "ok": ["python3", "-c", "pass"]},
        },
        access={"admins": ["lead@example.com"], "maintainers": {"api": ["alice@example.com"]}},
        waivers=[
            {
                "repo": "api",
                "check": "lint",
                "reason": "legacy code",
                "approved_by": approver,
                "expires": datetime.date(2026, 12, 31),
            }
        ],
    )
