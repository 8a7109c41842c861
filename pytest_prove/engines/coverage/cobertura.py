"""Cobertura XML (coverage.py's ``coverage xml``, Istanbul/Jest, gcovr and others).

A report for a large code base is tens of megabytes, and a change touches a
few of its files.  So the document is scanned (memory-mapped, one regular
expression over the bytes) for ``<class filename=...>`` tags, and only the
classes of changed files are parsed as XML.  The scan checks the root element
and that the document ends with ``</coverage>`` (a truncated upload); damage
inside a class that the change does not touch goes unnoticed, which is the
price of not parsing it.

Lines are read as diff-cover reads them: ``<line>`` elements directly under
a class's ``<lines>``; ``hits="0"`` is a miss; a file split into several
classes is their union.
"""

from __future__ import annotations

import html
import mmap
import os
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Final

from .model import CoverageDataError, FileCoverage, Report
from .paths import PathMapper

__all__ = ["read_cobertura"]

_ROOT: Final = re.compile(rb"<([A-Za-z_][\w:.-]*)([^>]*)>")
_SOURCE: Final = re.compile(rb"<source>([^<]*)</source>")
_CLASS: Final = re.compile(rb"<class\b([^>]*)>")
_FILENAME: Final = re.compile(rb"""\bfilename\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_CLOVER: Final = re.compile(rb"\bclover\s*=")
_CONDITIONS: Final = re.compile(r"\((\d+)/(\d+)\)")
_END: Final = b"</coverage>"
_CLASS_END: Final = b"</class>"
# Where to look for the root element and <sources>: they precede <packages>.
_HEAD_BYTES: Final = 1 << 16


def read_cobertura(path: Path, label: str, mapper: PathMapper) -> Report:
    """The changed files' coverage in the Cobertura report at ``path``.

    :raises CoverageDataError: the file is empty, truncated, not Cobertura, or a
        changed file's class is malformed
    """
    try:
        with path.open("rb") as stream:
            if os.fstat(stream.fileno()).st_size == 0:
                raise CoverageDataError(f"{label} is empty")
            with mmap.mmap(stream.fileno(), 0, access=mmap.ACCESS_READ) as data:
                return _scan(data, label, mapper)
    except OSError as exc:
        raise CoverageDataError(f"cannot read {label}: {exc.strerror or exc}") from exc


def _scan(data: mmap.mmap, label: str, mapper: PathMapper) -> Report:
    head = data[:_HEAD_BYTES]
    root = _ROOT.search(head, _prolog_end(head))
    if root is None or root.group(1) != b"coverage":
        name = root.group(1).decode("ascii", "replace") if root else "none"
        raise CoverageDataError(f"{label} is not a Cobertura report (root element <{name}>)")
    if _CLOVER.search(root.group(2)):
        raise CoverageDataError(
            f"{label} is a Clover report: write Cobertura instead "
            "(Istanbul/Jest: coverageReporters ['cobertura'])"
        )
    if not data[-256:].rstrip().endswith(_END):
        raise CoverageDataError(f"{label} is truncated: it does not end with </coverage>")
    packages = head.find(b"<packages")
    sources = [
        _text(m.group(1)).strip()
        for m in _SOURCE.finditer(head, 0, packages if packages >= 0 else len(head))
    ]
    files: dict[str, FileCoverage] = {}
    listed: set[str] = set()
    has_branches = False
    for match in _CLASS.finditer(data):
        found = _FILENAME.search(match.group(1))
        filename = found and (found.group(1) if found.group(1) is not None else found.group(2))
        if not filename:
            continue
        name = _text(filename)
        listed.add(name)
        repo_path = mapper.changed(name, sources)
        if repo_path is None or match.group(1).rstrip().endswith(b"/"):
            continue
        end = data.find(_CLASS_END, match.end())
        if end < 0:
            raise CoverageDataError(f"{label} is truncated inside the class of {name}")
        coverage = files.setdefault(repo_path, FileCoverage())
        has_branches |= _read_class(
            data[match.start() : end + len(_CLASS_END)], name, label, coverage
        )
    foreign = None
    if not files and listed and not any(mapper.in_repository(n, sources) for n in listed):
        foreign = min(listed)
    return Report(
        label=label, files=files, listed=len(listed), foreign=foreign, has_branches=has_branches
    )


def _prolog_end(head: bytes) -> int:
    """Skip the XML declaration, comments and a DOCTYPE before the root element."""
    pos = 0
    while True:
        start = head.find(b"<", pos)
        if start < 0 or head[start + 1 : start + 2] not in (b"?", b"!"):
            return max(start, 0)
        pos = start + 1


def _text(raw: bytes) -> str:
    return html.unescape(raw.decode("utf-8", "surrogateescape"))


def _read_class(chunk: bytes, name: str, label: str, coverage: FileCoverage) -> bool:
    """Add one class's lines to ``coverage``; whether it had branch data."""
    try:
        element = ET.fromstring(chunk)
    except ET.ParseError as exc:
        raise CoverageDataError(f"{label}: malformed XML in the class of {name}: {exc}") from exc
    measured, missed, branches = coverage.measured, coverage.missed, coverage.branches
    had_branches = False
    for line in element.iterfind("./lines/line"):
        attrib = line.attrib
        try:
            number = int(attrib.get("number", ""))
            hits = int(attrib.get("hits", "0"))
        except ValueError:
            raise CoverageDataError(
                f"{label}: a <line> of {name} has a bad number or hits: "
                f"{ET.tostring(line, encoding='unicode').strip()[:120]}"
            ) from None
        # FileCoverage.add_line, inlined: this loop runs for every line of every changed file.
        measured.add(number)
        if hits == 0:
            missed.add(number)
        if attrib.get("branch") == "true":
            conditions = _CONDITIONS.search(attrib.get("condition-coverage", ""))
            if conditions:
                had_branches = True
                branches[number] = (int(conditions.group(1)), int(conditions.group(2)))
    return had_branches
