"""LCOV tracefiles (``lcov.info``: Vitest/c8, Istanbul, lcov, grcov).

Read line by line; records of files the change does not touch are skipped
without parsing their lines.  A kept record is read as diff-cover reads it:
``DA`` counts per line (summed over repeated records); a line known only
from ``BRDA`` is missed when any of its branches was not taken, a line
known only from ``FN`` takes its function's ``FNDA`` count.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Final

from .model import CoverageDataError, FileCoverage, Report
from .paths import PathMapper

__all__ = ["read_lcov"]

_IGNORED: Final = frozenset({"TN", "FNF", "FNH", "LH", "LF", "BRF", "BRH", "VER", "FNL", "FNA", ""})


@dataclasses.dataclass
class _Record:
    path: str
    lines: dict[int, int] = dataclasses.field(default_factory=dict)
    # line -> [branches, taken, executions]
    branches: dict[int, list[int]] = dataclasses.field(default_factory=dict)
    functions: dict[str, tuple[int, int]] = dataclasses.field(default_factory=dict)


def read_lcov(path: Path, label: str, mapper: PathMapper) -> Report:
    """The changed files' coverage in the LCOV tracefile at ``path``.

    :raises CoverageDataError: the file is empty, not LCOV, truncated, or a changed
        file's record has a line that is not LCOV
    """
    hits: dict[str, dict[int, int]] = {}
    branches: dict[str, dict[int, tuple[int, int]]] = {}
    listed: set[str] = set()
    record: _Record | None = None
    skipping = False
    opened: tuple[str, int] | None = None  # the SF: of the record being read
    number = 0
    try:
        with path.open(encoding="utf-8", errors="surrogateescape") as stream:
            for number, raw in enumerate(stream, 1):
                line = raw.strip()
                if line.startswith("SF:"):
                    name = line[3:]
                    listed.add(name)
                    opened = (name, number)
                    repo_path = mapper.changed(name)
                    record = None if repo_path is None else _Record(repo_path)
                    skipping = record is None
                elif line == "end_of_record":
                    if record is not None:
                        _finish(record, hits, branches)
                    record, skipping, opened = None, False, None
                elif not skipping:
                    _directive(record, line, number, label, started=bool(listed))
    except OSError as exc:
        raise CoverageDataError(f"cannot read {label}: {exc.strerror or exc}") from exc
    if number == 0:
        raise CoverageDataError(f"{label} is empty")
    if not listed:
        raise CoverageDataError(f"{label} is not an LCOV tracefile: it has no SF: line")
    if opened is not None:
        raise CoverageDataError(
            f"{label} is truncated: the record of {opened[0]} (line {opened[1]}) "
            "has no end_of_record"
        )
    files = {
        repo_path: _coverage(lines, branches.get(repo_path, {}))
        for repo_path, lines in hits.items()
    }
    foreign = None
    if not files and not any(mapper.in_repository(n) for n in listed):
        foreign = min(listed)
    return Report(
        label=label,
        files=files,
        listed=len(listed),
        foreign=foreign,
        has_branches=any(branches.values()),
    )


def _directive(
    record: _Record | None, line: str, number: int, label: str, *, started: bool
) -> None:
    """Apply one line of a kept record; ``started``: an ``SF:`` line came before."""
    directive, _, content = line.partition(":")
    if directive in _IGNORED:
        return
    if record is None:
        if not started:
            raise CoverageDataError(
                f"{label} is not an LCOV tracefile: line {number} is {line[:80]!r}"
            )
        raise CoverageDataError(
            f"{label}:{number}: {directive[:20]} outside a record (no SF: before it)"
        )
    args = content.split(",")
    try:
        if directive == "DA" and len(args) in (2, 3):
            line_no = int(args[0])
            record.lines[line_no] = record.lines.get(line_no, 0) + int(args[1])
        elif directive == "BRDA" and len(args) == 4:
            taken = 0 if args[3] == "-" else int(args[3])
            counts = record.branches.setdefault(int(args[0]), [0, 0, 0])
            counts[0] += 1
            counts[1] += taken > 0
            counts[2] += taken
        elif directive == "FN" and len(args) in (2, 3):
            record.functions[args[-1]] = (int(args[0]), 0)
        elif directive == "FNDA" and len(args) == 2:
            if args[1] in record.functions:
                record.functions[args[1]] = (record.functions[args[1]][0], int(args[0]))
        else:
            raise ValueError
    except ValueError:
        raise CoverageDataError(f"{label}:{number}: not an LCOV line: {line[:120]!r}") from None


def _finish(
    record: _Record,
    hits: dict[str, dict[int, int]],
    branches: dict[str, dict[int, tuple[int, int]]],
) -> None:
    lines = hits.setdefault(record.path, {})
    for line_no, count in record.lines.items():
        lines[line_no] = lines.get(line_no, 0) + count
    # diff-cover's rules for lines that DA does not give, or gives as never run.
    for line_no, (total, taken, executions) in record.branches.items():
        if line_no not in lines:
            lines[line_no] = 0 if taken < total else executions
        elif not lines[line_no] and executions > 0:
            lines[line_no] = executions
        branches.setdefault(record.path, {})[line_no] = (taken, total)
    for line_no, count in record.functions.values():
        lines.setdefault(line_no, count)


def _coverage(lines: dict[int, int], branches: dict[int, tuple[int, int]]) -> FileCoverage:
    coverage = FileCoverage(branches=dict(branches))
    for line_no, count in lines.items():
        coverage.add_line(line_no, count)
    return coverage
