"""Hook specifications for pytest-prove plugins (found via the ``pytest_prove`` entry points)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pytest_prove.checks.hook import hookspec

from ..api import Check, CheckRef


@hookspec
def prove_checks() -> Sequence[Check[Any] | CheckRef]:
    """Return the checks this plugin provides.

    A :class:`~pytest_prove.api.CheckRef` (name, aliases and
    ``"module:ATTRIBUTE"``) defers importing the check until a configuration
    uses it, which keeps every pytest start-up light; the built-ins do that.

    Called once per process when the check registry is built.  Each check's
    ``name`` must be unique across all plugins; a clash is a configuration error
    naming both plugins.

    :returns: the plugin's checks, in any order
    """
    raise NotImplementedError
