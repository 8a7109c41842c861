"""Test path templates: ``tests/test_{stem}.py`` for ``src/calc.py``, looked up fast.

A template names where a source's test is expected, with the placeholders ``{dir}``,
``{stem}``, ``{ext}`` and ``{name}``; the template text may hold globs (``**`` too),
while the file's own name is matched literally.
"""

from __future__ import annotations

import collections
import re
import string
from collections.abc import Collection, Iterable
from typing import Annotated, Final

from pydantic import AfterValidator

from pytest_prove.support.globs import compile_glob

__all__ = ["TemplateIndex", "TestTemplate", "expand_template"]

_PLACEHOLDERS: Final = frozenset({"dir", "stem", "ext", "name"})
_GLOB_CHARS: Final = re.compile(r"[*?\[]")


def _valid_template(template: str) -> str:
    try:
        fields = {f for _, f, _, _ in string.Formatter().parse(template) if f is not None}
    except ValueError as exc:
        raise ValueError(f"not a valid template: {exc}") from None
    unknown = sorted(fields - _PLACEHOLDERS)
    if unknown:
        raise ValueError(
            f"unknown placeholder {{{unknown[0]}}}: use {{dir}}, {{stem}}, {{ext}} or {{name}}"
        )
    return template


TestTemplate = Annotated[str, AfterValidator(_valid_template)]


def expand_template(template: str, path: str, *, as_glob: bool = True) -> str:
    """The test path ``template`` gives for source ``path``.

    With ``as_glob`` the file's own parts are escaped, so ``[id].ts`` or ``a*b.py``
    are matched literally while the template's globs stay globs.
    """
    directory, _, name = path.rpartition("/")
    stem, dot, ext = name.rpartition(".")
    if not dot:  # no extension
        stem, ext = name, ""
    values = {"dir": directory, "stem": stem, "ext": ext, "name": name}
    if as_glob:
        values = {k: _GLOB_CHARS.sub(lambda m: f"[{m.group()}]", v) for k, v in values.items()}
    # `{dir}/x` for a file at the root is `x`, not `/x`.
    return re.sub("/{2,}", "/", template.format_map(values)).lstrip("/")


class TemplateIndex:
    """Test candidates (changed or existing paths), looked up by glob without a scan each time."""

    def __init__(self, paths: Collection[str]) -> None:
        self._paths = paths
        # Sorted once, so the first match is the same in every process.
        self._sorted = sorted(paths)
        self._by_name: dict[str, list[str]] = collections.defaultdict(list)
        for path in self._sorted:
            self._by_name[path.rpartition("/")[2]].append(path)

    def first_match(self, template: str, source: str) -> str | None:
        literal_name = not _GLOB_CHARS.search(template.rpartition("/")[2])
        if not _GLOB_CHARS.search(template):
            path = expand_template(template, source, as_glob=False)
            return path if path in self._paths else None
        if literal_name:  # `tests/**/test_{stem}.py`: only files of that name can match
            name = expand_template(template, source, as_glob=False).rpartition("/")[2]
            candidates: Iterable[str] = self._by_name.get(name, ())
        else:
            candidates = self._sorted
        glob = compile_glob(expand_template(template, source))
        return next((p for p in candidates if glob.fullmatch(p)), None)
