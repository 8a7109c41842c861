"""Diff coverage arithmetic: changed lines against measured and missed lines."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

from .model import FileCoverage

__all__ = ["FileResult", "Measurement", "measure"]


@dataclasses.dataclass(frozen=True)
class FileResult:
    """One changed file with measurable changed lines.

    :param measurable: changed lines the report lists as statements
    :param missed: those that never ran (or, counting branches, left a branch untaken), sorted
    """

    path: str
    measurable: int
    missed: tuple[int, ...]

    @property
    def covered(self) -> int:
        return self.measurable - len(self.missed)

    @property
    def percent(self) -> float:
        """As diff-cover computes a file's figure (``100 - missed / measurable * 100``)."""
        return 100 - len(self.missed) / self.measurable * 100


@dataclasses.dataclass(frozen=True)
class Measurement:
    """Diff coverage over every changed file the reports measure."""

    files: tuple[FileResult, ...]
    changed_lines: int
    branches_taken: int = 0
    branches_total: int = 0

    @property
    def measurable(self) -> int:
        return sum(f.measurable for f in self.files)

    @property
    def covered(self) -> int:
        return sum(f.covered for f in self.files)

    @property
    def percent(self) -> float | None:
        """Covered over measurable lines; ``None`` with nothing measurable."""
        return self.covered * 100 / self.measurable if self.measurable else None


def measure(
    changed: Mapping[str, frozenset[int]],
    coverage: Mapping[str, FileCoverage],
    *,
    branch: bool = False,
) -> Measurement:
    """Diff coverage of ``changed`` lines (path -> line numbers).

    :param branch: a measured line with an untaken branch counts as missed
        (diff-cover's ``--branch-coverage``)
    """
    files: list[FileResult] = []
    taken = total = 0
    for path in sorted(changed):
        cov = coverage.get(path)
        if cov is None:
            continue
        measured = cov.measured & changed[path]
        if not measured:
            continue
        missed = cov.missed & measured
        if branch:
            missed |= cov.partial & measured
        files.append(FileResult(path, len(measured), tuple(sorted(missed))))
        for line in measured & cov.branches.keys():
            taken, total = taken + cov.branches[line][0], total + cov.branches[line][1]
    return Measurement(
        files=tuple(files),
        changed_lines=sum(len(lines) for lines in changed.values()),
        branches_taken=taken,
        branches_total=total,
    )
