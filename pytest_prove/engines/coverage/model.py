"""What a coverage reader returns: measured and missed lines per repository file."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

from pytest_prove.errors import ProveError

__all__ = ["CoverageDataError", "FileCoverage", "Report", "merge"]


class CoverageDataError(ProveError):
    """A coverage report cannot be read; the message says which and why."""


@dataclasses.dataclass
class FileCoverage:
    """One source file's line coverage as one or more reports give it.

    :param measured: lines the report lists (statements); other lines are not measurable
    :param missed: measured lines that never ran
    :param branches: line -> (branches taken, branches in total), where the report has branches
    """

    measured: set[int] = dataclasses.field(default_factory=set)
    missed: set[int] = dataclasses.field(default_factory=set)
    branches: dict[int, tuple[int, int]] = dataclasses.field(default_factory=dict)

    def add_line(self, line: int, hits: int) -> None:
        # A line listed twice (a file split into two classes) is missed if
        # either entry missed it, as diff-cover counts it.
        self.measured.add(line)
        if hits == 0:
            self.missed.add(line)

    @property
    def partial(self) -> set[int]:
        """Lines with a branch that was never taken."""
        return {line for line, (taken, total) in self.branches.items() if taken < total}


@dataclasses.dataclass
class Report:
    """The part of one coverage report that the change needs.

    :param label: how messages name the report (its repository-relative path)
    :param files: repository path -> coverage, for changed files the report lists
    :param listed: how many source files the report lists in all
    :param foreign: a listed path that is no file of this repository, as an example
    :param has_branches: the report carries branch data
    """

    label: str
    files: dict[str, FileCoverage]
    listed: int
    foreign: str | None = None
    has_branches: bool = False


def merge(reports: Iterable[Report]) -> dict[str, FileCoverage]:
    """Combine reports as diff-cover does.

    A line is measured if any report measures it, and missed only if every
    report that lists its file misses it.
    """
    combined: dict[str, FileCoverage] = {}
    for report in reports:
        for path, cov in report.files.items():
            seen = combined.get(path)
            if seen is None:
                combined[path] = FileCoverage(
                    set(cov.measured), set(cov.missed), dict(cov.branches)
                )
                continue
            seen.measured |= cov.measured
            seen.missed &= cov.missed
            for line, (taken, total) in cov.branches.items():
                old = seen.branches.get(line, (0, 0))
                seen.branches[line] = (max(old[0], taken), max(old[1], total))
    return combined
