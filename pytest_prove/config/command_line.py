"""``--prove-set KEY=VALUE``: the top layer of every repository's settings."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pydantic

from ..checks.registry import Registry
from ..readers.errors import ConfigError, KeyPath, Problems, format_key_path
from ..readers.validation import validation_error
from ..readers.yamlfile import parse_yaml_value
from .merge import Layer
from .models import ConfigModel
from .sections import normalise_sections

CLI_LABEL = "command line (--prove-set)"


class _RepositoryKeys(ConfigModel):
    """Repository settings ``--prove-set`` may give besides ``checks`` (which planning
    checks), check settings, ``commands`` and ``modes``.

    ``trunk_branch`` is here because the message that cannot tell the trunk tells the
    user to set it (#20); like every ``--prove-set``, it applies to every repository.
    """

    trunk_branch: str | None = None


CLI_FIXED_KEYS = frozenset({"checks", *_RepositoryKeys.model_fields})


def _cli_error(problem: str, path: KeyPath) -> ConfigError:
    return ConfigError(problem, key_path=f"{CLI_LABEL}: {format_key_path(path)}")


def _set_one(data: dict[str, Any], item: str) -> None:
    key, sep, raw = item.partition("=")
    parts = key.strip().split(".")
    if not sep or not all(parts):
        raise ConfigError(
            f"--prove-set expects KEY=VALUE (commit-msg.header_max_length=72), got {item!r}"
        )
    try:
        value = parse_yaml_value(raw) if raw.strip() else ""
    except ValueError as exc:
        raise ConfigError(f"--prove-set {key}: {exc}") from None
    node = data
    for part in parts[:-1]:
        node = node.setdefault(part, {})
        if not isinstance(node, dict):
            raise ConfigError(f"--prove-set {key}: {part!r} is both a value and a section")
    node[parts[-1]] = value


def parse_sets(sets: Sequence[str], registry: Registry) -> Layer | None:
    """``--prove-set coverage.threshold=90`` -> the top layer (values parsed as YAML).

    :raises ConfigError: every malformed item, unknown key and value of the wrong type
    """
    if not sets:
        return None
    data: dict[str, Any] = {}
    problems = Problems()
    for item in sets:
        with problems.collecting():
            _set_one(data, item)
    problems.raise_any()
    fixed = {k: v for k, v in data.items() if k in _RepositoryKeys.model_fields}
    with problems.collecting():
        _validate_fixed(fixed)
    with problems.collecting():
        sections = normalise_sections(data, registry, _cli_error, CLI_FIXED_KEYS)
    problems.raise_any()
    return Layer(CLI_LABEL, sections)


def _validate_fixed(fixed: Mapping[str, Any]) -> None:
    try:
        _RepositoryKeys.model_validate(fixed)
    except pydantic.ValidationError as exc:
        raise validation_error(exc, fixed, _cli_error, _RepositoryKeys) from None
