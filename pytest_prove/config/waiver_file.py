"""Where waivers come from: the orchestrator's ``waivers:`` list or a waivers file."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

import pydantic

from .errors import ConfigError, KeyPath, display_path, prefixed
from .models import Waiver
from .validation import first_error
from .yamlfile import load_yaml_file

DEFAULT_WAIVERS_FILE = "prove-waivers.yaml"
_WAIVERS = pydantic.TypeAdapter(list[Waiver])


def load_waivers(
    value: object,
    base_dir: Path,
    locate: Callable[[str, KeyPath], ConfigError],
) -> tuple[Waiver, ...]:
    """The waivers of a run: listed inline, in the named file, or in ``prove-waivers.yaml``."""
    if isinstance(value, list):
        try:
            return tuple(_WAIVERS.validate_python(value))
        except pydantic.ValidationError as exc:
            raise first_error(exc, value, prefixed(locate, ("waivers",))) from None
    if value is not None and not isinstance(value, str):
        raise locate(
            "'waivers' must be a list of waivers or the name of a waivers file", ("waivers",)
        )
    path = base_dir / (value or DEFAULT_WAIVERS_FILE)
    if not path.is_file():
        if value is None:
            return ()
        raise locate(f"waivers file not found: {display_path(path)}", ("waivers",))
    loaded = load_yaml_file(path)
    data = loaded.data
    prefix: KeyPath = ("waivers",) if isinstance(data, Mapping) else ()
    entries = data.get("waivers") if isinstance(data, Mapping) else data
    if not isinstance(entries, list):
        raise loaded.error("expected a list of waivers, or a mapping with 'waivers: [...]'")
    try:
        return tuple(_WAIVERS.validate_python(entries))
    except pydantic.ValidationError as exc:
        raise first_error(exc, entries, prefixed(loaded.error, prefix)) from None
