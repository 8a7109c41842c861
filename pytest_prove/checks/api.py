"""Where the public API for third-party checks was imported from before it moved to
:mod:`pytest_prove.api`: kept so that checks written against it still load.  New code imports
from :mod:`pytest_prove` or :mod:`pytest_prove.api`."""

from __future__ import annotations

from ..api import (
    Check,
    CheckRef,
    CheckResult,
    CheckSettings,
    Finding,
    MetricValue,
    Regex,
    Severity,
)

__all__ = [
    "Check",
    "CheckRef",
    "CheckResult",
    "CheckSettings",
    "Finding",
    "MetricValue",
    "Regex",
    "Severity",
]
