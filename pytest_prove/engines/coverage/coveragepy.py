"""coverage.py's data file (``.coverage``), read through the coverage API.

The data holds executed lines only; which lines are statements comes from
parsing the current source with the repository's own coverage settings
(``exclude_lines`` and the rest), as ``coverage xml`` would.  Branch data,
when the run measured it, gives each changed line's (taken, total) exits.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING, Final

from .model import CoverageDataError, FileCoverage, Report
from .paths import PathMapper

if TYPE_CHECKING:
    from coverage import Coverage

__all__ = ["read_coverage_data"]

# coverage.py's own search order; setup.cfg, tox.ini and pyproject.toml count
# only when they hold a coverage section.
_CONFIG_FILES: Final = (
    (".coveragerc", ""),
    (".coveragerc.toml", ""),
    ("setup.cfg", "[coverage:"),
    ("tox.ini", "[coverage:"),
    ("pyproject.toml", "[tool.coverage"),
)
_PYTHON: Final = (".py", ".pyw")


def read_coverage_data(path: Path, label: str, mapper: PathMapper, toplevel: Path) -> Report:
    """The changed Python files' coverage in the coverage.py data file at ``path``.

    :raises CoverageDataError: the data file is not coverage.py data, is damaged,
        or a changed file's source cannot be parsed
    """
    from coverage import Coverage
    from coverage.exceptions import CoverageException

    _require_schema(path, label)
    try:
        cov = Coverage(data_file=os.fspath(path), config_file=_config_file(toplevel))
        cov.load()
        data = cov.get_data()
        measured = data.measured_files()
        has_arcs = data.has_arcs()
    except (CoverageException, sqlite3.Error, OSError) as exc:
        raise CoverageDataError(f"{label} is not readable coverage.py data: {exc}") from exc
    except ImportError as exc:  # a coverage plugin named in the configuration
        raise CoverageDataError(
            f"{label}: the coverage configuration needs {exc.name}: {exc}"
        ) from exc
    files: dict[str, FileCoverage] = {}
    for name in sorted(measured):
        repo_path = mapper.changed(name)
        if repo_path is None or not repo_path.endswith(_PYTHON):
            continue
        try:
            files[repo_path] = _file_coverage(cov, name, toplevel / repo_path, has_arcs)
        except (CoverageException, OSError, SyntaxError) as exc:
            raise CoverageDataError(f"{label}: cannot analyse {repo_path}: {exc}") from exc
    foreign = None
    if not files and measured and not any(mapper.in_repository(n) for n in measured):
        foreign = min(measured)
    return Report(
        label=label, files=files, listed=len(measured), foreign=foreign, has_branches=has_arcs
    )


def _require_schema(path: Path, label: str) -> None:
    """Refuse a SQLite file without coverage.py's tables: loading it would add them."""
    try:
        with contextlib.closing(
            sqlite3.connect(f"{path.absolute().as_uri()}?mode=ro", uri=True)
        ) as db:
            found = db.execute(
                "select 1 from sqlite_master where type = 'table' and name = 'coverage_schema'"
            ).fetchone()
    except sqlite3.Error as exc:
        raise CoverageDataError(f"{label} is not readable coverage.py data: {exc}") from exc
    if found is None:
        raise CoverageDataError(
            f"{label} is a SQLite file without coverage.py's tables: not coverage data"
        )


def _config_file(toplevel: Path) -> str | bool:
    """The repository's coverage configuration, found at its root (not the cwd)."""
    for name, marker in _CONFIG_FILES:
        candidate = toplevel / name
        try:
            if candidate.is_file() and marker in candidate.read_text("utf-8", "replace"):
                return os.fspath(candidate)
        except OSError:
            continue
    return False


def _file_coverage(cov: Coverage, measured: str, local: Path, has_arcs: bool) -> FileCoverage:
    from coverage.python import PythonFileReporter

    # The local file, so data recorded in another checkout still lines up.
    reporter = PythonFileReporter(os.fspath(local), cov)
    statements = reporter.lines()
    executed = reporter.translate_lines(cov.get_data().lines(measured) or ())
    coverage = FileCoverage(measured=set(statements), missed=set(statements - executed))
    if has_arcs and os.path.realpath(measured) == os.path.realpath(local):
        for line, (total, taken) in cov.branch_stats(measured).items():
            coverage.branches[line] = (taken, total)
    return coverage
