"""The layout rules of docs/architecture.md, measured from the code's imports.

Every import counts, also one inside a function or under ``TYPE_CHECKING``: a layer that
needs another's types at check time still depends on it.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path
from typing import Final

import pytest

PACKAGE: Final = Path(__file__).resolve().parent.parent / "pytest_prove"

# Lowest first; a module may import its own layer's modules and those of lower layers.
LAYERS: Final[tuple[tuple[str, ...], ...]] = (
    ("support", "errors", "__init__"),
    ("readers",),
    ("git",),
    ("api",),
    ("redact",),
    ("engines",),
    ("checks",),
    ("config",),
    ("runner",),
    ("report",),
    ("plugin", "governance"),
    ("cli",),
    ("__main__",),
)
MAX_LOOSE_MODULES: Final = 6
MAX_LINES: Final = 400


def _modules() -> dict[str, Path]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


MODULES: Final = _modules()


def _imports(name: str, path: Path) -> Iterator[str]:
    """The modules of the package that ``name`` imports (a name imported from a package is
    the package's submodule where one exists)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            bases = [alias.name for alias in node.names]
            names: list[str] = []
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split(".")
                head = parts[: len(parts) - node.level + 1]
                bases = [".".join([*head, node.module] if node.module else head)]
            else:
                bases = [node.module or ""]
            names = [alias.name for alias in node.names]
        else:
            continue
        for base in bases:
            if base.partition(".")[0] != "pytest_prove":
                continue
            subs = [f"{base}.{n}" for n in names if f"{base}.{n}" in MODULES]
            yield from subs or [base]


GRAPH: Final = {name: sorted(set(_imports(name, path)) - {name}) for name, path in MODULES.items()}


def _layer(module: str) -> int:
    parts = module.split(".")
    top = parts[1] if len(parts) > 1 else "__init__"
    for rank, names in enumerate(LAYERS):
        if top in names:
            return rank
    raise AssertionError(f"{module} is in no layer of LAYERS: add its folder to one")


def _cycles() -> list[list[str]]:
    """Tarjan's strongly connected components with more than one module."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in GRAPH.get(node, []):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in GRAPH:
        if node not in index:
            visit(node)
    return found


def test_the_graph_is_read() -> None:
    # A reader that found nothing would pass every rule below.
    assert len(MODULES) > 150
    assert "pytest_prove.plugin.keys" in GRAPH["pytest_prove.plugin.nodes"]
    assert "pytest_prove.support.globs" in GRAPH["pytest_prove.checks.tdd"]


def test_no_import_cycle() -> None:
    assert _cycles() == []


def test_layers_import_only_downward() -> None:
    upward = [
        f"{source} -> {target}"
        for source, targets in GRAPH.items()
        for target in targets
        if target in MODULES and _layer(target) > _layer(source)
    ]
    assert upward == []


def test_few_modules_at_the_top() -> None:
    loose = sorted(p.name for p in PACKAGE.glob("*.py"))
    assert len(loose) <= MAX_LOOSE_MODULES, loose


@pytest.mark.parametrize("name", sorted(MODULES))
def test_modules_stay_small(name: str) -> None:
    lines = MODULES[name].read_text(encoding="utf-8").count("\n")
    assert lines <= MAX_LINES, f"{name}: {lines} lines"


def test_the_plugin_alone_adapts_to_pytest() -> None:
    # The runner, checks and engines are judged without pytest: only the adapter, the
    # report sinks and the command line (which calls pytest.main) may import it.
    allowed = ("plugin", "report", "notify", "cli", "governance")
    users = []
    for name, path in MODULES.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom) and not node.level
                else []
            )
            if any(n.partition(".")[0] in {"pytest", "_pytest", "xdist"} for n in names):
                users.append(name)
    outside = sorted({u for u in users if u.split(".")[1] not in allowed})
    assert outside == []


def test_every_error_derives_from_the_one_base() -> None:
    import importlib

    from pytest_prove.errors import ProveError

    errors = {
        f"{name}.{attr}": value
        for name in MODULES
        if not name.endswith("__main__")
        for attr, value in vars(importlib.import_module(name)).items()
        if isinstance(value, type) and issubclass(value, BaseException) and value.__module__ == name
    }
    assert len(errors) > 30  # the reader found them
    assert sorted(n for n, cls in errors.items() if not issubclass(cls, ProveError)) == []
    # one name, one class: an `except` must not catch the wrong kind by its name
    names = [n.rpartition(".")[2] for n in errors]
    assert sorted({n for n in names if names.count(n) > 1}) == []
