"""Finding a repository's coverage data and reading it in the format it has."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Final, Literal

from .cobertura import read_cobertura
from .coveragepy import read_coverage_data
from .lcov import read_lcov
from .model import CoverageDataError, Report
from .paths import PathMapper

__all__ = ["DEFAULT_LOCATIONS", "Format", "find_reports", "read_report", "sniff"]

DEFAULT_LOCATIONS: Final = (
    ".coverage",
    "coverage.xml",
    "coverage/cobertura-coverage.xml",
    "coverage/lcov.info",
    "lcov.info",
)
Format = Literal["coverage.py", "cobertura", "lcov"]

_SQLITE: Final = b"SQLite format 3\0"
# coverage.py before 5.0 wrote JSON behind this banner.
_OLD_COVERAGE: Final = b"!coverage.py"
_BOM: Final = b"\xef\xbb\xbf"


def find_reports(toplevel: Path, configured: Sequence[str]) -> tuple[list[Path], list[str]]:
    """The report files to read, and the configured ones that do not exist.

    With nothing configured, the first of :data:`DEFAULT_LOCATIONS` that exists.
    """
    if not configured:
        found = next((toplevel / p for p in DEFAULT_LOCATIONS if (toplevel / p).is_file()), None)
        return ([found] if found else []), []
    paths = [toplevel / os.path.expanduser(p) for p in configured]
    return [p for p in paths if p.is_file()], [
        name for name, p in zip(configured, paths, strict=True) if not p.is_file()
    ]


def sniff(path: Path, label: str) -> Format:
    """Tell the format from the first bytes (names lie: ``coverage.info``, ``cov.out``)."""
    try:
        with path.open("rb") as stream:
            head = stream.read(512)
    except OSError as exc:
        raise CoverageDataError(f"cannot read {label}: {exc.strerror or exc}") from exc
    if not head.strip():
        raise CoverageDataError(f"{label} is empty")
    if head.startswith(_SQLITE):
        return "coverage.py"
    if head.startswith(_OLD_COVERAGE):
        raise CoverageDataError(
            f"{label} was written by coverage.py older than 5.0: re-run the tests with a "
            "current coverage.py"
        )
    if path.name.startswith(".coverage"):
        raise CoverageDataError(
            f"{label} is not coverage.py data (no SQLite header): it is damaged; "
            "re-run the tests with coverage"
        )
    if head.removeprefix(_BOM).lstrip().startswith(b"<"):
        return "cobertura"
    return "lcov"


def read_report(path: Path, label: str, mapper: PathMapper, toplevel: Path) -> Report:
    """Read the report at ``path`` (its format sniffed) for the changed files.

    :raises CoverageDataError: also for a path in the repository that links out of it: the
        change under review could point it at any file, and errors quote what they read
    """
    if path.is_relative_to(toplevel) and not path.resolve().is_relative_to(toplevel.resolve()):
        raise CoverageDataError(f"{label} is a link leading out of the repository: not read")
    fmt = sniff(path, label)
    if fmt == "coverage.py":
        return read_coverage_data(path, label, mapper, toplevel)
    if fmt == "cobertura":
        return read_cobertura(path, label, mapper)
    return read_lcov(path, label, mapper)
