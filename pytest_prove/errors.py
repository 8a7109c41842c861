"""The error of a ``prove`` command line that cannot run."""

from __future__ import annotations

from typing import Final

USAGE_ERROR: Final = 4  # pytest's ExitCode.USAGE_ERROR: prove's exit codes are pytest's


class UsageError(Exception):
    """Printed to stderr as it is, and the command exits with :data:`USAGE_ERROR`."""
