"""Hook specifications for pytest-prove plugins (found via the ``pytest_prove`` entry points)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pytest_prove.hook import hookspec

from .checks.api import Check


@hookspec
def prove_checks() -> Sequence[Check[Any]]:
    """Return the checks this plugin provides.

    Called once per process when the check registry is built.  Each check's
    ``name`` must be unique across all plugins; a clash is a configuration error
    naming both plugins.

    :returns: the plugin's checks, in any order
    """
    raise NotImplementedError
