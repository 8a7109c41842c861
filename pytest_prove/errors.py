"""The one base of the errors pytest-prove raises, and the error of a command line that
cannot run.

Every exception class of the package derives from :class:`ProveError`, so a caller (a
third-party check, a script driving ``prove``) can tell ours from a bug with one
``except``.  A kind that is also a ``ValueError`` or ``OSError`` (a report that does not
parse, a path that is no regular file) keeps that base too.
"""

from __future__ import annotations

from typing import Final

__all__ = ["USAGE_ERROR", "ProveError", "UsageError"]

USAGE_ERROR: Final = 4  # pytest's ExitCode.USAGE_ERROR: prove's exit codes are pytest's


class ProveError(Exception):
    """An error pytest-prove raises on purpose: its message says what is wrong and the fix."""


class UsageError(ProveError):
    """Printed to stderr as it is, and the command exits with :data:`USAGE_ERROR`."""
