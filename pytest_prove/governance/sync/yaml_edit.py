"""Editing a repository's YAML config in place: comments, key order and quoting survive.

PyYAML drops comments, so edits go through ruamel.yaml's round-trip mode; the
indentation of the file is guessed and reused, so an edit changes only the lines
it must.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Sequence
from typing import Final

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError

from pytest_prove.errors import ProveError

from .updates import Update


class EditError(ProveError):
    """The file cannot be edited as asked (not YAML, or a key holds the wrong kind of value)."""


_KEY_LINE: Final = re.compile(r"^( *)[^\s#-][^:#]*:(\s|$)")
_ITEM_LINE: Final = re.compile(r"^( *)- ")


def _guess_indent(text: str) -> tuple[int, int]:
    """The file's mapping indent and the offset of ``-`` under its key (2 and 0 if unknown)."""
    mapping: int | None = None
    offset: int | None = None
    parent: int | None = None
    for line in text.splitlines():
        key, item = _KEY_LINE.match(line), _ITEM_LINE.match(line)
        if item and parent is not None and offset is None:
            offset = max(0, len(item[1]) - parent)
        if key:
            width = len(key[1])
            if mapping is None and parent is not None and width > parent:
                mapping = width - parent
            parent = width
        elif not item:
            parent = None if line.strip() and not line.lstrip().startswith("#") else parent
    return mapping or 2, offset or 0


def _yaml(text: str) -> YAML:
    mapping, offset = _guess_indent(text)
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096  # never re-wrap a user's long lines
    yaml.indent(mapping=mapping, sequence=offset + 2, offset=offset)
    return yaml


def _load(text: str) -> tuple[CommentedMap, YAML]:
    yaml = _yaml(text)
    try:
        data = yaml.load(text)
    except YAMLError as exc:
        raise EditError(f"not valid YAML: {str(exc).splitlines()[0]}") from None
    if data is None:
        return CommentedMap(), yaml
    if not isinstance(data, CommentedMap):
        raise EditError("expected a mapping of settings at the top level")
    return data, yaml


def _parent(data: CommentedMap, key: str, create: bool) -> tuple[CommentedMap | None, str]:
    *parents, leaf = key.split(".")
    node = data
    for depth, part in enumerate(parents):
        child = node.get(part)
        if child is None:
            if not create:
                return None, leaf
            child = node[part] = CommentedMap()
        if not isinstance(child, CommentedMap):
            where = ".".join(parents[: depth + 1])
            raise EditError(f"{where} is not a mapping, so {key} cannot be set")
        node = child
    return node, leaf


def _unset(data: CommentedMap, key: str) -> None:
    parent, leaf = _parent(data, key, create=False)
    if parent is None or leaf not in parent:
        return
    del parent[leaf]
    # Drop sections the unset emptied: `coverage: {}` left behind would only confuse.
    parts = key.split(".")[:-1]
    while parts:
        holder, name = _parent(data, ".".join(parts), create=False)
        if holder is None or holder.get(name) != {}:
            break
        del holder[name]
        parts.pop()


def _change_checks(
    data: CommentedMap,
    update: Update,
    inherited: Callable[[], Sequence[str]],
    resolve: Callable[[str], str | None],
) -> None:
    checks = data.get("checks")
    if checks is None:
        # Without a list of its own the repository inherits one: start from that.
        checks = CommentedSeq(inherited())
        checks.fa.set_flow_style()
        data["checks"] = checks
    if not isinstance(checks, list):
        raise EditError("checks is not a list")
    present = [resolve(str(c)) or str(c) for c in checks]
    for name in update.remove_checks:
        while name in present:
            del checks[present.index(name)]
            present.remove(name)
    for name in update.add_checks:
        if name not in present:
            checks.append(name)
            present.append(name)


def apply_updates(
    text: str,
    updates: Sequence[Update],
    inherited: Callable[[], Sequence[str]],
    resolve: Callable[[str], str | None],
) -> str:
    """The file's text after ``updates`` (in order); unchanged text when nothing applies.

    :param inherited: the checks the repository runs without a ``checks`` list of its own
    :param resolve: a check name (or an old alias) to its current name
    :raises EditError: the file is not a YAML mapping, or a key is in the way
    """
    data, yaml = _load(text)
    for update in updates:
        for key, value in update.set_.items():
            parent, leaf = _parent(data, key, create=True)
            assert parent is not None
            parent[leaf] = value
        for key in update.unset:
            _unset(data, key)
        if update.add_checks or update.remove_checks:
            _change_checks(data, update, inherited, resolve)
    out = io.StringIO()
    yaml.dump(data, out)
    result = out.getvalue()
    return text if result == _roundtrip(text) else result


def _roundtrip(text: str) -> str:
    """``text`` as ruamel writes it unchanged (so a no-op is recognised as one)."""
    data, yaml = _load(text)
    out = io.StringIO()
    yaml.dump(data, out)
    return out.getvalue()
