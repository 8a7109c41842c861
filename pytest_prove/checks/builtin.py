"""Registers the built-in checks through the same hook third-party checks use."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pytest_prove.hook import hookimpl

from .api import Check


@hookimpl
def prove_checks() -> Sequence[Check[Any]]:
    from .command import COMMAND
    from .commit_msg import COMMIT_MSG
    from .contracts import CONTRACTS
    from .coverage import COVERAGE
    from .delivery_mode import DELIVERY_MODE
    from .feature_flags import FEATURE_FLAGS
    from .killswitch import KILLSWITCH
    from .security import SECURITY
    from .tdd import TDD
    from .trunk import TRUNK

    return [
        COMMAND,
        COMMIT_MSG,
        CONTRACTS,
        COVERAGE,
        DELIVERY_MODE,
        FEATURE_FLAGS,
        KILLSWITCH,
        SECURITY,
        TDD,
        TRUNK,
    ]
