"""The documentation site stays true to the code: every error message docs/troubleshooting.md
quotes is still written by pytest_prove/, and every page is in mkdocs.yml's navigation.

The site itself is built by `mkdocs build --strict` in CI, not here (mkdocs is not a test
dependency).
"""

from __future__ import annotations

import ast
import functools
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
PACKAGE = ROOT / "pytest_prove"
TROUBLESHOOTING = DOCS / "troubleshooting.md"

# A quoted message is a line `Message: `...`` (one or more backticks, as Markdown code spans
# take them). `<...>` marks a part the code fills in (a name, a path, a number, a list); a
# `'<name>'` placeholder takes the quotes a repr() adds with it.
MESSAGE = re.compile(r"^Message: (`+) ?(.+?) ?\1\s*$", re.M)
PLACEHOLDER = re.compile(r"'?<[^<>]+>'?")


def _quoted_messages() -> list[str]:
    return [match[2] for match in MESSAGE.finditer(TROUBLESHOOTING.read_text(encoding="utf-8"))]


def _docstrings(tree: ast.AST) -> set[int]:
    """ids of the string constants that are docstrings: they are no messages."""
    found: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                found.add(id(body[0].value))
    return found


def _pieces(tree: ast.AST) -> Iterator[str]:
    """Every literal run of text in the module's string literals (implicit concatenation is
    already joined by the parser; an f-string's literal runs end where a `{...}` starts)."""
    skip = _docstrings(tree)
    inside_fstrings: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            for part in node.values:
                inside_fstrings.add(id(part))
                if isinstance(part, ast.Constant) and isinstance(part.value, str):
                    yield part.value
        elif (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and id(node) not in skip | inside_fstrings
        ):
            yield node.value


@functools.cache
def _runs() -> frozenset[str]:
    """The literal runs of every module of the package."""
    pieces: set[str] = set()
    for path in sorted(PACKAGE.rglob("*.py")):
        pieces.update(_pieces(ast.parse(path.read_text(encoding="utf-8"))))
    return frozenset(pieces)


@functools.cache
def _corpus() -> str:
    """The literal runs, each between NUL characters."""
    return "\0" + "\0".join(sorted(_runs())) + "\0"


MAX_PARTS = 4  # a message assembled from more literal runs than this is quoted in parts


def _written_by_the_code(fragment: str) -> bool:
    """Whether the code can write `fragment`: it lies inside one literal run, or it is the end
    of one run, then whole runs (at least two characters each), then the start of another, at
    most MAX_PARTS runs in all: a message the code assembles from parts, as `f"...: {fix}"`
    with `fix = "set ..."`."""
    corpus, runs = _corpus(), _runs()
    if fragment in corpus:
        return True

    @functools.cache
    def rest_written(rest: str, parts_left: int) -> bool:
        if "\0" + rest in corpus:
            return True
        return parts_left > 1 and any(
            rest[:end] in runs and rest_written(rest[end:], parts_left - 1)
            for end in range(len(rest) - 1, 1, -1)
        )

    return any(
        fragment[:end] + "\0" in corpus and rest_written(fragment[end:], MAX_PARTS - 1)
        for end in range(len(fragment) - 1, 0, -1)
    )


def _reworded(message: str) -> str:
    """`message` with its longest word misspelt."""
    words = re.findall(r"[A-Za-z]{4,}", PLACEHOLDER.sub(" ", message))
    longest = max(words, key=len)
    return message.replace(longest, longest[:2] + "x" + longest[2:], 1)


def _fragments(message: str) -> list[str]:
    return [part for part in PLACEHOLDER.split(message) if part.strip()]


def test_troubleshooting_quotes_messages() -> None:
    messages = _quoted_messages()
    assert len(messages) >= 20, "docs/troubleshooting.md quotes too few messages"
    assert len(messages) == len(set(messages)), "a message is quoted twice"


@pytest.mark.parametrize("message", _quoted_messages())
def test_every_quoted_message_is_still_written_by_the_code(message: str) -> None:
    fragments = _fragments(message)
    assert fragments, f"{message!r} is all placeholders"
    missing = [part for part in fragments if not _written_by_the_code(part)]
    assert not missing, f"docs/troubleshooting.md quotes {message!r}; not in the code: {missing}"


@pytest.mark.parametrize("message", _quoted_messages())
def test_a_reworded_quote_would_be_caught(message: str) -> None:
    """The check above is not vacuous: the same quote with one word changed fails it."""
    reworded = _reworded(message)
    assert not all(_written_by_the_code(part) for part in _fragments(reworded)), reworded


def test_the_matcher_refuses_a_reworded_message() -> None:
    assert _written_by_the_code("cannot tell the trunk branch (no origin/HEAD, no ")
    assert not _written_by_the_code("cannot find the trunk branch (no origin/HEAD, no ")


class _SiteLoader(yaml.SafeLoader):
    """mkdocs.yml may hold `!!python/name:` and `!!python/object/apply:` values (the mermaid
    fence, the anchors' slugify): read them as None instead of refusing the file."""


def _ignore_python_tags(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> None:
    return None


_SiteLoader.add_multi_constructor("tag:yaml.org,2002:python/", _ignore_python_tags)


def _nav_files(nav: Any) -> Iterator[str]:
    if isinstance(nav, str):
        if not re.match(r"^[a-z]+://", nav):
            yield nav
    elif isinstance(nav, list):
        for item in nav:
            yield from _nav_files(item)
    elif isinstance(nav, dict):
        for value in nav.values():
            yield from _nav_files(value)


def _nav() -> list[str]:
    site = yaml.load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"), Loader=_SiteLoader)
    assert site.get("docs_dir", "docs") == "docs"
    return list(_nav_files(site["nav"]))


def test_every_page_is_in_the_navigation() -> None:
    nav = set(_nav())
    pages = {path.relative_to(DOCS).as_posix() for path in DOCS.rglob("*.md")}
    assert pages - nav == set(), "pages missing from mkdocs.yml's nav"


def test_the_navigation_names_existing_pages_once() -> None:
    nav = _nav()
    assert len(nav) == len(set(nav)), "a page is in the nav twice"
    for page in nav:
        assert (DOCS / page).is_file(), f"mkdocs.yml's nav names {page}, which does not exist"
