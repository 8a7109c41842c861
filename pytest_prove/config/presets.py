"""``extends``: built-in presets (``prove:recommended``, ``prove:strict``) and relative files."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from importlib import resources
from pathlib import Path

from ..readers.errors import KeyPath, display_path
from ..readers.yamlfile import LoadedFile
from .paths import PathProblem, file_problem, resolved

PRESET_PREFIX = "prove:"
BUILTIN_PRESETS = {
    "prove:recommended": "recommended.yaml",
    "prove:strict": "strict.yaml",
}
RECOMMENDED = "prove:recommended"


def builtin_preset_path(name: str) -> Path:
    files = resources.files("pytest_prove.config") / "preset_files" / BUILTIN_PRESETS[name]
    return Path(str(files))


def preset_label(ref: str, path: Path) -> str:
    return ref if ref.startswith(PRESET_PREFIX) else f"preset {display_path(path)}"


def resolve_extends(
    refs: Sequence[object],
    declared_in: LoadedFile,
    key: KeyPath,
    chain: tuple[Path, ...],
    load: Callable[[Path], LoadedFile],
) -> list[tuple[str, LoadedFile, tuple[Path, ...]]]:
    """The files named by an ``extends`` list, each with its label and extends-chain.

    ``chain`` holds the files being expanded, so ``a -> b -> a`` is reported as circular.
    """
    out: list[tuple[str, LoadedFile, tuple[Path, ...]]] = []
    for index, ref in enumerate(refs):
        where = (*key, index)
        if not isinstance(ref, str) or not ref:
            raise declared_in.error("extends entries must be preset names or file paths", where)
        if ref.startswith(PRESET_PREFIX):
            if ref not in BUILTIN_PRESETS:
                known = ", ".join(sorted(BUILTIN_PRESETS))
                raise declared_in.error(f"unknown preset {ref!r} (built-in: {known})", where)
            path = builtin_preset_path(ref)
        else:
            try:
                path = resolved(declared_in.path.parent / ref)
            except PathProblem as exc:
                raise declared_in.error(f"extends file: {exc}", where) from None
            problem = file_problem(path, "extends file")
            if problem is not None:
                raise declared_in.error(problem, where)
        if path in chain:
            cycle = " -> ".join(display_path(p) for p in (*chain, path))
            raise declared_in.error(f"circular extends: {cycle}", where)
        out.append((preset_label(ref, path), load(path), (*chain, path)))
    return out
