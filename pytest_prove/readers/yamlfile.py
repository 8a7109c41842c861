"""Reading YAML (and ``[tool.prove]`` TOML) configuration files, keeping line numbers.

Line numbers are recorded per mapping key and per list item while constructing, so
an error found after validation can still point at the line the user wrote.
"""

from __future__ import annotations

import contextlib
import dataclasses
import tomllib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import yaml

from ..support.files import NotAFileError, open_regular
from .errors import ConfigError, KeyPath, os_problem
from .toml_lines import KeyPlace, key_lines

if TYPE_CHECKING:
    _BaseLoader = yaml.SafeLoader
else:  # the C scanner/parser matters at 1,000 repositories (see pre-commit's yaml.py)
    _BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

MAX_DEPTH = 100
"""Configuration is a few levels deep; see _refuse_deep_nesting for why there is a limit."""
MAX_FILE_BYTES = 10_000_000
"""No configuration, preset or waivers file is anywhere near this; ``/dev/zero`` is."""


# What PyYAML's constructors raise, unmarked, for a value their tag cannot hold
# (`!!timestamp nope` is an AttributeError).
_CONSTRUCTION_ERRORS = (ValueError, OverflowError, TypeError, AttributeError, LookupError)


class _LineLoader(_BaseLoader):
    """A safe loader that remembers the 1-based line of each mapping key and list item.

    It also refuses what PyYAML lets through: a key given twice in one mapping (the
    second silently won), and a scalar its tag cannot construct (``2026-02-30``,
    ``!!int abc``), which PyYAML reports as a bare ValueError without a line.
    """

    lines: dict[tuple[int, object], int]

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep=deep)
        except _CONSTRUCTION_ERRORS as exc:
            shown = f" {node.value!r}" if isinstance(node, yaml.ScalarNode) else ""
            raise yaml.constructor.ConstructorError(
                None, None, f"invalid {_tag_name(node.tag)}{shown}: {exc}", node.start_mark
            ) from None

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        if isinstance(node, yaml.MappingNode):  # else super() says what it found (`!!set a`)
            _refuse_duplicate_keys(self, node)
        mapping: dict[Any, Any] = super().construct_mapping(node, deep=deep)
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            # An unhashable key was already reported by super().
            with contextlib.suppress(TypeError):
                self.lines[(id(mapping), key)] = key_node.start_mark.line + 1
        return mapping


_MERGE_TAG = "tag:yaml.org,2002:merge"


def _tag_name(tag: str) -> str:
    """``tag:yaml.org,2002:timestamp`` -> ``timestamp`` (a date, as the user wrote it)."""
    short = tag.rsplit(":", 1)[-1]
    return "date" if short == "timestamp" else short


def _refuse_duplicate_keys(loader: _LineLoader, node: yaml.MappingNode) -> None:
    # Only the mapping's own keys: what a `<<: *anchor` merge brings may be overridden.
    seen: dict[object, int] = {}
    for key_node, _ in node.value:
        if key_node.tag == _MERGE_TAG:
            continue
        key = loader.construct_object(key_node, deep=True)
        try:
            first = seen.get(key)
        except TypeError:  # unhashable: super() reports it
            continue
        if first is not None:
            raise yaml.constructor.ConstructorError(
                None,
                None,
                f"duplicate key {key!r} (first given on line {first})",
                key_node.start_mark,
            )
        seen[key] = key_node.start_mark.line + 1


def _construct_list(loader: _LineLoader, node: yaml.SequenceNode) -> list[Any]:
    # Eagerly, unlike PyYAML's deferred lists, so `&a [*a]` is refused as recursive
    # instead of becoming a list that contains itself (json.dumps, repr, merges...).
    items = loader.construct_sequence(node, deep=True)
    # An item's own line: `checks:` may be ten lines above the misspelt name (#20).
    ident = id(items)
    lines = loader.lines
    for index, item_node in enumerate(node.value):
        lines[(ident, index)] = item_node.start_mark.line + 1
    return items


# Keys of any YAML type other than str would be surprising in config; the
# loader keeps them and validation rejects them with their location.
_LineLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG,
    _LineLoader.construct_mapping,
)
_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_list)


@dataclasses.dataclass(frozen=True)
class LoadedFile:
    """A parsed configuration file and where each of its keys stands."""

    path: Path
    data: Any
    _lines: Mapping[tuple[int, object], int]

    def line_of(self, key_path: KeyPath) -> int | None:
        """The line of the deepest key of ``key_path`` that exists in the file."""
        node: Any = self.data
        line: int | None = None
        for part in key_path:
            if isinstance(node, Mapping) and part in node:
                line = self._lines.get((id(node), part), line)
                node = node[part]
            elif (
                isinstance(node, Sequence)
                and isinstance(part, int)
                and -len(node) <= part < len(node)
            ):
                index = part % len(node)
                item = node[index]
                own = self._lines.get((id(node), index))
                if own is None and isinstance(item, Mapping) and item:
                    # A list from TOML has no lines; its mapping items may not either.
                    own = self._lines.get((id(item), next(iter(item))))
                line = own if own is not None else line
                node = item
            else:
                break
        return line

    def error(
        self, problem: str, key_path: KeyPath = (), shown_path: str | None = None
    ) -> ConfigError:
        from .errors import format_key_path

        return ConfigError(
            problem,
            file=self.path,
            key_path=shown_path if shown_path is not None else format_key_path(key_path),
            line=self.line_of(key_path) if key_path else None,
        )


def _read_text(path: Path) -> str:
    try:
        with open_regular(path) as stream:
            raw = stream.read(MAX_FILE_BYTES + 1)
    except NotAFileError:
        raise ConfigError("not a regular file (a FIFO, socket or device?)", file=path) from None
    except OSError as exc:
        raise ConfigError(os_problem(exc), file=path) from None
    if len(raw) > MAX_FILE_BYTES:
        raise ConfigError(
            f"larger than {MAX_FILE_BYTES // 1_000_000} MB: not a configuration file", file=path
        )
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"not valid UTF-8 (byte {exc.start})", file=path) from None


def _parse(text: str) -> tuple[Any, dict[tuple[int, object], int]]:
    """The document of ``text`` and its key lines.

    :raises yaml.YAMLError: not YAML, or a value its tag cannot hold
    :raises RecursionError: nested deeper than Python's stack allows
    """
    _refuse_deep_nesting(text)
    loader = _LineLoader(text)
    loader.lines = {}
    try:
        return loader.get_single_data(), loader.lines
    except _CONSTRUCTION_ERRORS as exc:  # from a deferred constructor (`!!set`), past the marks
        raise yaml.YAMLError(f"invalid value: {exc}") from None
    finally:
        loader.dispose()


def _refuse_deep_nesting(text: str) -> None:
    """Refuse nesting the composer and constructor would recurse into.

    libyaml's parser keeps its own stack, but PyYAML's C composer recurses once per
    level (some 30,000 ``[`` kill the interpreter with a segmentation fault) and the
    constructor recurses in Python (RecursionError from a few hundred).  A level takes
    a line or one of ``[{-?``, so a short file is shallow at a glance; the others are
    walked event by event, in C and without recursion (a third of the parse time).
    """
    bound = text.count("\n") + sum(text.count(c) for c in "[{-?")
    if bound <= MAX_DEPTH:
        return
    depth = 0
    problem = f"nested deeper than {MAX_DEPTH} levels"
    try:
        for event in yaml.parse(text, Loader=_BaseLoader):
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    mark: Any = event.start_mark  # the C parser's Mark, alike but another class
                    raise yaml.constructor.ConstructorError(None, None, problem, mark)
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
    except yaml.scanner.ScannerError as exc:
        # libyaml 0.2.5's scanner looks ahead in flow context and stops at 1,000 levels of
        # its own (PyYAML 6.0.4 wheels), before the parser hands us the 101st: same verdict.
        if "nesting depth" not in str(exc.problem):
            raise
        raise yaml.constructor.ConstructorError(None, None, problem, exc.problem_mark) from None


def load_yaml_file(path: Path) -> LoadedFile:
    """Parse one YAML file; every failure becomes a :class:`ConfigError` at its line."""
    text = _read_text(path)
    try:
        data, lines = _parse(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = " ".join(p for p in (exc.context, exc.problem) if p) or "invalid YAML"
        line = mark.line + 1 if mark is not None else None
        if not isinstance(exc, yaml.constructor.ConstructorError):
            problem = f"YAML syntax error: {problem}"
        raise ConfigError(problem, file=path, line=line) from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"YAML error: {exc}", file=path) from None
    except RecursionError:
        raise ConfigError("YAML nested too deeply", file=path) from None
    if data is None:
        data = {}
    return LoadedFile(path, data, lines)


def parse_yaml_value(text: str) -> Any:
    """A command-line value read as YAML (``90``, ``[a, b]``), else kept as the text.

    :raises ValueError: YAML whose tag cannot hold it (``2026-02-30``, ``!!int abc``)
    """
    try:
        return _parse(text)[0]
    except yaml.constructor.ConstructorError as exc:
        raise ValueError(exc.problem or "invalid value") from None
    except (yaml.YAMLError, RecursionError):
        return text


def load_pyproject_table(path: Path) -> LoadedFile | None:
    """``[tool.prove]`` of a pyproject.toml, or None when it has no such table.

    A file in which no key can spell ``prove`` (the word does not occur, nor a backslash
    that could escape it) is not parsed: a fleet run reads every repository's, and a
    project's pyproject.toml is mostly other tools' tables.
    """
    text = _read_text(path)
    if "prove" not in text and "\\" not in text:
        return None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"TOML syntax error: {exc}", file=path) from None
    table = data.get("tool", {}).get("prove")
    if table is None:
        return None
    return LoadedFile(path, table, _table_lines(table, key_lines(text)))


def _table_lines(table: object, places: list[KeyPlace]) -> dict[tuple[int, object], int]:
    """``[tool.prove]``'s key places, keyed as the YAML loader keys them: by the parsed
    container that holds the key, for places the parsed table really has."""
    lines: dict[tuple[int, object], int] = {}
    for key_path, line in places:
        if key_path[:2] != ("tool", "prove") or len(key_path) < 3:
            continue
        node: Any = table
        for part in key_path[2:-1]:
            node = _child(node, part)
        if _child(node, key_path[-1]) is not _MISSING:
            lines.setdefault((id(node), key_path[-1]), line)
    return lines


_MISSING: Final = object()


def _child(node: Any, part: str | int) -> Any:
    if isinstance(node, dict) and isinstance(part, str):
        return node.get(part, _MISSING)
    if isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
        return node[part]
    return _MISSING
