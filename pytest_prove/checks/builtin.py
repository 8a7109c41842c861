"""Registers the built-in checks through the same hook third-party checks use.

By reference: a run imports only the checks its configuration names (a test checks
that each reference's name and aliases are the ones its :class:`Check` declares).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from pytest_prove.checks.hook import hookimpl

from ..api import CheckRef

BUILTIN_CHECKS: Final = (
    CheckRef(name="command", target="pytest_prove.checks.command:COMMAND"),
    CheckRef(
        name="commit-msg",
        target="pytest_prove.checks.commit_msg:COMMIT_MSG",
        aliases=("commit-msg-convention",),
    ),
    CheckRef(name="contracts", target="pytest_prove.checks.contracts:CONTRACTS"),
    CheckRef(
        name="coverage", target="pytest_prove.checks.coverage:COVERAGE", aliases=("diffCoverage",)
    ),
    CheckRef(
        name="delivery-mode",
        target="pytest_prove.checks.delivery_mode:DELIVERY_MODE",
        aliases=("deliveryMode",),
    ),
    CheckRef(name="feature-flags", target="pytest_prove.checks.feature_flags:FEATURE_FLAGS"),
    CheckRef(name="killswitch", target="pytest_prove.checks.killswitch:KILLSWITCH"),
    CheckRef(name="security", target="pytest_prove.checks.security:SECURITY"),
    CheckRef(name="tdd", target="pytest_prove.checks.tdd:TDD"),
    CheckRef(name="trunk", target="pytest_prove.checks.trunk:TRUNK"),
)


@hookimpl
def prove_checks() -> Sequence[CheckRef]:
    return BUILTIN_CHECKS
