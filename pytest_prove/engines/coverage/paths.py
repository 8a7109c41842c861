"""Mapping the paths a coverage report names to repository paths.

Reports name files in many ways: relative to the directory the tests ran in
(usually the repository root), absolute, relative to a ``<source>`` root,
with Windows separators, or absolute on another machine (a CI runner's
checkout).  The direct readings come first and agree with diff-cover; a
path none of them places is matched by its tail against the changed files,
so a report written in a subdirectory or on another machine still counts.
"""

from __future__ import annotations

import os
import posixpath
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Final

__all__ = ["PathMapper", "unix_path"]

_DRIVE: Final = re.compile(r"^[A-Za-z]:/")


def unix_path(path: str) -> str:
    """``path`` with ``/`` separators (reports written on Windows use ``\\``)."""
    return path.replace("\\", "/")


def _is_absolute(path: str) -> bool:
    return path.startswith("/") or bool(_DRIVE.match(path))


class PathMapper:
    """Answers which changed file, if any, a report path names.

    :param toplevel: the repository's work tree
    :param wanted: the repository-relative paths of interest (the changed files)
    :param source_roots: repository-relative directories that relative report
        paths may be relative to (a package that ran its tests in ``web/``)
    :param folder: where ``toplevel`` lies below the directory the report's relative paths
        start from (a monorepo's project reading the repository's report: ``packages/b``)
    """

    def __init__(
        self,
        toplevel: Path,
        wanted: Iterable[str],
        source_roots: Sequence[str] = (),
        *,
        folder: str = "",
    ) -> None:
        self._toplevel = toplevel
        self._folder = f"{folder.strip('/')}/" if folder.strip("/.") else ""
        tops = {unix_path(os.fspath(toplevel.absolute())), unix_path(os.path.realpath(toplevel))}
        self._tops = tuple(top.rstrip("/") + "/" for top in tops)
        self._wanted = frozenset(wanted)
        self._roots = tuple(unix_path(r).strip("/") for r in source_roots if r.strip("/."))
        self._by_name: dict[str, list[str]] = {}
        for path in self._wanted:
            self._by_name.setdefault(posixpath.basename(path), []).append(path)

    def changed(self, report_path: str, sources: Sequence[str] = ()) -> str | None:
        """The changed file ``report_path`` names, or ``None``."""
        path = unix_path(report_path)
        if posixpath.basename(path) not in self._by_name:
            return None  # the common case in a big report, decided without a system call
        for candidate in self._candidates(path, sources):
            if candidate in self._wanted:
                return candidate
        return self._by_tail(path, sources)

    def in_repository(self, report_path: str, sources: Sequence[str] = ()) -> bool:
        """Whether ``report_path`` names any file of this repository, changed or not."""
        path = unix_path(report_path)
        if self.changed(path, sources) is not None:
            return True
        return any(self._is_file(c) for c in self._candidates(path, sources))

    def _candidates(self, path: str, sources: Sequence[str]) -> Iterable[str]:
        direct = self._relative(path)
        if direct is not None:
            yield direct
        if _is_absolute(path):
            return
        for source in sources:
            joined = self._relative(posixpath.join(unix_path(source.strip()), path))
            if joined is not None:
                yield joined
        for root in self._roots:
            joined = self._relative(f"{root}/{path}")
            if joined is not None:
                yield joined

    def _relative(self, path: str) -> str | None:
        if _is_absolute(path):
            for top in self._tops:
                if path.startswith(top):
                    return posixpath.normpath(path[len(top) :])
            return None
        normal = posixpath.normpath(path)
        if self._folder:
            if not normal.startswith(self._folder):
                return None  # another project's file
            normal = normal[len(self._folder) :]
        return None if normal == ".." or normal.startswith("../") else normal

    def _by_tail(self, path: str, sources: Sequence[str]) -> str | None:
        if any(self._is_file(c) for c in self._candidates(path, sources)):
            return None  # an unchanged file of this repository, read directly
        parts = [p for p in path.split("/") if p not in ("", ".", "..") and not p.endswith(":")]
        if _is_absolute(path):
            # Another machine's checkout: the longest tail that is a file here.
            for start in range(len(parts)):
                tail = "/".join(parts[start:])
                if self._is_file(tail):
                    return tail if tail in self._wanted else None
            return None
        # Relative to a directory below the root: one changed file ending with it.
        tail = "/".join(parts)
        found = [w for w in self._by_name[parts[-1]] if w.endswith("/" + tail)] if parts else []
        return found[0] if len(found) == 1 else None

    def _is_file(self, relative: str) -> bool:
        return (self._toplevel / relative).is_file()
