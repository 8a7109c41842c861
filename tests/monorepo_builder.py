"""A monorepo in the shape of a JS workspace with Python packages, and a run of its gates.

``make_monorepo(root)``: ``package.json`` with ``workspaces: ["packages/*"]``, projects
``packages/a`` and ``packages/b`` (each ``src/`` and ``tests/``) committed on ``main``, then a
``feat/b2`` branch checked out with nothing on it yet.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from tests.repo_builder import RepoBuilder

__all__ = ["make_monorepo", "run_gates"]

WORKSPACE = {
    "package.json": '{"private": true, "workspaces": ["packages/*"]}\n',
    "packages/a/src/a1.py": "A = 1\n",
    "packages/a/tests/test_a1.py": "def test_a(): pass\n",
    "packages/b/src/b1.py": "B = 1\n",
    "packages/b/tests/test_b1.py": "def test_b(): pass\n",
}


def make_monorepo(root: Path, more: Mapping[str, str] | None = None) -> RepoBuilder:
    """The workspace (plus ``more`` files) on ``main``, and ``feat/b2`` checked out."""
    repo = RepoBuilder(root).init()
    repo.commit("chore: the workspace", files={**WORKSPACE, **(more or {})})
    repo.git("checkout", "-q", "-b", "feat/b2")
    return repo


def run_gates(
    pytester: pytest.Pytester, *args: str
) -> tuple[pytest.RunResult, dict[str, dict[str, Any]]]:
    """``pytest --prove-config multi.yaml`` (no pass cache) and its JSON report's tests by
    ``repo::check``."""
    result = pytester.runpytest_subprocess(
        "--prove-config", "multi.yaml", "-p", "no:cacheprovider", "--json-report",
        "--json-report-file=gates.json", *args,
    )  # fmt: skip
    assert "Traceback" not in result.stdout.str() + result.stderr.str()
    report = json.loads((pytester.path / "gates.json").read_text())
    return result, {t["nodeid"].split("::", 1)[1]: t for t in report["tests"]}
