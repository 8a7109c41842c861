"""Where waivers come from: the orchestrator's ``waivers:`` list or a waivers file."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from pathlib import Path
from typing import Any

import pydantic

from ..readers.errors import ConfigError, KeyPath, Locate, Problems, prefixed
from ..readers.validation import validation_error
from ..readers.yamlfile import load_yaml_file
from .models import Waiver
from .paths import PathProblem, file_problem, kind_of

DEFAULT_WAIVERS_FILE = "prove-waivers.yaml"
_WAIVERS = pydantic.TypeAdapter(list[Waiver])


def load_waivers(
    value: object,
    base_dir: Path,
    locate: Callable[[str, KeyPath], ConfigError],
    gates: Mapping[str, Collection[str] | None],
) -> tuple[Waiver, ...]:
    """The waivers of a run: listed inline, in the named file, or in ``prove-waivers.yaml``.

    :param gates: every repository of the file -> its gates, or None when this run did
        not plan it (``--prove-repo``, ``--prove-schedule``): a waiver naming another
        repository, or a gate its repository does not have, would never apply
    """
    if isinstance(value, list):
        return _validated(value, prefixed(locate, ("waivers",)), gates)
    if value is not None and not isinstance(value, str):
        raise locate(
            "'waivers' must be a list of waivers or the name of a waivers file", ("waivers",)
        )
    path = base_dir / (value or DEFAULT_WAIVERS_FILE)
    if value is None and _absent(path):
        return ()
    problem = file_problem(path, "waivers file")
    if problem is not None:
        raise locate(problem, ("waivers",))
    loaded = load_yaml_file(path)
    data = loaded.data
    prefix: KeyPath = ("waivers",) if isinstance(data, Mapping) else ()
    entries = data.get("waivers") if isinstance(data, Mapping) else data
    if not isinstance(entries, list):
        raise loaded.error("expected a list of waivers, or a mapping with 'waivers: [...]'")
    return _validated(entries, prefixed(loaded.error, prefix), gates)


def _validated(
    entries: list[Any], locate: Locate, gates: Mapping[str, Collection[str] | None]
) -> tuple[Waiver, ...]:
    try:
        waivers = tuple(_WAIVERS.validate_python(entries))
    except pydantic.ValidationError as exc:
        raise validation_error(exc, entries, locate, list[Waiver]) from None
    problems = Problems()
    for index, waiver in enumerate(waivers):
        if waiver.repo not in gates:
            known = ", ".join(gates)
            problems.found.append(
                locate(f"no repository named {waiver.repo!r} (known: {known})", (index, "repo"))
            )
            continue
        names = gates[waiver.repo]
        if names is not None and waiver.check not in names:
            problems.found.append(
                locate(
                    f"repository {waiver.repo!r} has no gate {waiver.check!r}"
                    f" (its gates: {', '.join(names) or 'none'})",
                    (index, "check"),
                )
            )
    problems.raise_any()
    return waivers


def _absent(path: Path) -> bool:
    try:
        return kind_of(path) == "missing"
    except PathProblem:
        return False  # there is something: file_problem says what is wrong with it
