"""Where a command finds its orchestrator file: the one given, else one of the usual names here.

Every subcommand that reads the fleet (``prove run``, ``sync``, ``report``, ``status``,
``audit``) finds the file through :func:`find_orchestrator`, so they agree on which file a
directory means.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Final

from ..errors import UsageError

__all__ = ["ORCHESTRATOR_NAMES", "find_orchestrator", "nearest_config_dir", "require_orchestrator"]

# Looked for in this order; the first that is a file wins.
ORCHESTRATOR_NAMES: Final = ("prove-orchestrator.yaml", "multi.yaml", "multi-repo.yaml")


def find_orchestrator(
    explicit: str | os.PathLike[str] | None = None, where: Path | None = None
) -> Path | None:
    """``explicit`` as given (not checked: reading it reports a missing file), else the first
    of :data:`ORCHESTRATOR_NAMES` that is a file in ``where`` (the working directory), else
    None."""
    if explicit:
        return Path(explicit)
    for name in ORCHESTRATOR_NAMES:
        candidate = Path(name) if where is None else where / name
        if candidate.is_file():
            return candidate
    return None


def nearest_config_dir(start: Path) -> Path:
    """The nearest folder from ``start`` upward with a repository config (``prove.yaml``,
    ``prove.config.yaml``, or a ``pyproject.toml`` with ``[tool.prove]``); ``start`` when none
    has one.  For a message judged outside any work tree, where no repository bounds the walk.
    """
    from ..readers.errors import ConfigError
    from ..readers.yamlfile import load_pyproject_table
    from .fleet import REPO_CONFIG_NAMES

    for folder in (start, *start.parents):
        for name in REPO_CONFIG_NAMES:
            candidate = folder / name
            if not candidate.is_file():
                continue
            if name != "pyproject.toml":
                return folder
            try:
                if load_pyproject_table(candidate) is not None:
                    return folder
            except ConfigError:
                return folder  # reading it there reports the problem, naming the file
    return start


def require_orchestrator(explicit: str | None, who: str) -> Path:
    """:func:`find_orchestrator`, or a usage error naming the names looked for.

    :raises UsageError: none was given and none is here
    """
    found = find_orchestrator(explicit)
    if found is None:
        names = ", ".join(ORCHESTRATOR_NAMES)
        raise UsageError(f"{who}: no orchestrator file given (--config) and none of {names} here")
    return found
