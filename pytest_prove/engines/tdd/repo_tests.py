"""The tests of one repository as ``tdd`` asks about them: changed and existing, found by
template or by name, and which changed test another changed source claims.
"""

from __future__ import annotations

import collections
import functools
from collections.abc import Sequence
from typing import TYPE_CHECKING

from .layout import TestLayout, language_of, source_stems, test_stem
from .references import TestTexts
from .templates import TemplateIndex

if TYPE_CHECKING:
    from pytest_prove.git.context import RepoContext

__all__ = ["RepoTests"]


class RepoTests:
    """The tests of one repository, changed and existing, found by template or by name."""

    def __init__(self, context: RepoContext, layout: TestLayout, sources: Sequence[str]) -> None:
        self._context = context
        self._layout = layout
        self._sources = sources
        live = {f.path for f in context.changed_files if f.status != "deleted"}
        # An updated snapshot is a change of the test that owns it: its expectations moved.
        live.update(
            test
            for path in sorted(live)
            if (test := _snapshot_owner(path)) is not None and test in context.work_tree_files
        )
        self.changed = TemplateIndex(frozenset(live))
        self.changed_by_language: dict[str, list[str]] = collections.defaultdict(list)
        for path in sorted(live):
            language = language_of(path)
            if language and layout.is_test(path):
                self.changed_by_language[language].append(path)
        self._changed_stems = {
            language: [(path, test_stem(path)) for path in paths]
            for language, paths in self.changed_by_language.items()
        }
        self.texts = TestTexts(context.root, self.changed_by_language)

    @functools.cached_property
    def existing(self) -> TemplateIndex:
        return TemplateIndex(self._context.work_tree_files)

    def named_after(self, source: str) -> list[str]:
        """Existing tests of the source's language named after it (read on first use:
        classifying every file of a large repository is the costly part)."""
        language = language_of(source) or ""
        named = self._named
        return [p for s in sorted(source_stems(source)) for p in named.get((language, s), ())]

    def other_test_changed(self, source: str, *, claims: bool) -> bool:
        """Whether a changed test of ``source``'s language (for Go, of its package) may be
        its test: with ``claims``, only one that no other changed source is named after,
        since a test named after another changed source is that one's test and vouches
        for no other."""
        language = language_of(source) or ""
        own = source_stems(source)
        directory = source.rpartition("/")[0] if source.endswith(".go") else None
        claimed = self._claimed
        for path, stem in self._changed_stems.get(language, ()):
            if directory is not None and path.rpartition("/")[0] != directory:
                continue
            if not claims or claimed[language, stem] - (stem in own) == 0:
                return True
        return False

    @functools.cached_property
    def _claimed(self) -> collections.Counter[tuple[str, str]]:
        """How many changed sources are named after each (language, stem)."""
        return collections.Counter(
            (language_of(source) or "", stem)
            for source in self._sources
            for stem in source_stems(source)
        )

    @functools.cached_property
    def _named(self) -> dict[tuple[str, str], list[str]]:
        """The work tree's tests by (language, the name they are named after)."""
        named: dict[tuple[str, str], list[str]] = collections.defaultdict(list)
        for path in sorted(self._context.work_tree_files):
            language = language_of(path)
            if language and self._layout.is_test(path):
                named[language, test_stem(path)].append(path)
        return named


def _snapshot_owner(path: str) -> str | None:
    """The test a Jest or Vitest snapshot belongs to: ``d/__snapshots__/a.test.ts.snap``
    is ``d/a.test.ts``'s."""
    folder, _, name = path.rpartition("/")
    parent, _, snapshots = folder.rpartition("/")
    if snapshots != "__snapshots__" or not name.endswith(".snap") or name == ".snap":
        return None
    return f"{parent}/{name[: -len('.snap')]}" if parent else name[: -len(".snap")]
