"""The keys under which the adapter keeps its state in pytest's stash.

Apart from the modules that fill them, so that reading one never imports the entry point
or the items (which import each other's users).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from ..config.fleet import Fleet
    from ..git.context import RepoContext

__all__ = ["CONTEXTS_KEY", "FAILED_GATES_KEY", "FLEET_KEY", "REPOSITORIES_KEY", "RESULT_KEY"]

FLEET_KEY: pytest.StashKey[Fleet] = pytest.StashKey()
# an item's check result, as metadata, for the report hooks
RESULT_KEY = pytest.StashKey[dict[str, Any]]()
# repository -> its first failed gate, as this process saw them (see scheduling.py)
FAILED_GATES_KEY = pytest.StashKey[dict[str, str]]()
CONTEXTS_KEY: pytest.StashKey[dict[str, RepoContext]] = pytest.StashKey()
# a monorepo's shared context by (work tree top, trunk, mode options): its projects' views
# (in CONTEXTS_KEY) ask git through it, once for all of them
REPOSITORIES_KEY: pytest.StashKey[dict[tuple[object, ...], RepoContext]] = pytest.StashKey()
