"""The flag registry and flag references: what ``feature-flags`` and ``killswitch`` share.

The registry (SPEC §2, "Flag registry") is a YAML or JSON file at the repository
root declaring each flag's owner, expiry, kill-switch status and description.
References are found in code with regular expressions, one per SDK call shape.
"""

from __future__ import annotations

import bisect
import dataclasses
import datetime
import json
import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Annotated, Final, NamedTuple

import pydantic
from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from pytest_prove.readers.errors import ConfigError, KeyPath
from pytest_prove.readers.validation import first_error
from pytest_prove.readers.yamlfile import LoadedFile, load_yaml_file
from pytest_prove.support.globs import matches_any

from ...api import CheckSettings, Finding, Regex
from ...support.text import read_text

__all__ = [
    "DEFAULT_CALL_PATTERNS",
    "DEFAULT_CODE_GLOBS",
    "DEFAULT_REGISTRY",
    "FlagReference",
    "FlagRegistry",
    "FlagScanSettings",
    "FlagSpec",
    "compile_patterns",
    "find_references",
    "flag_key",
    "is_code",
    "load_registry",
]

DEFAULT_REGISTRY: Final = "feature-flags.yaml"
# A registry is a few hundred lines; anything far larger is not one.
_MAX_REGISTRY_BYTES: Final = 4 * 1024 * 1024
_QUOTED: Final = r"""["'`]([^"'`\s]+)["'`]"""
# Each pattern opens with a literal and checks the word boundary behind it only
# afterwards: re finds a literal prefix about 10x faster than a leading \b, which
# matters when the whole tree is scanned.
DEFAULT_CALL_PATTERNS: Final = (
    rf"is_enabled(?<!\wis_enabled)\(\s*{_QUOTED}",  # Python SDKs (Unleash, ...)
    rf"isEnabled(?<!\wisEnabled)\(\s*{_QUOTED}",  # JS/TS SDKs (Unleash, Flagsmith)
    rf"use(?<!\wuse)_?[Ff]lag\(\s*{_QUOTED}",  # React hooks: useFlag("x")
    # LaunchDarkly: variation("x", ctx, default), boolVariation, variation_detail, ...
    rf"[vV]ariation(?:Detail|_detail)?\(\s*{_QUOTED}",
    rf"flags(?<!\wflags)\[\s*{_QUOTED}\s*\]",  # flags["x"]
    r"flags(?<!\wflags)\.([A-Za-z_]\w*)\b(?!\s*\()",  # flags.x, not a call flags.get(...)
)
DEFAULT_CODE_GLOBS: Final = tuple(
    f"**/*.{ext}" for ext in ("py", "js", "jsx", "ts", "tsx", "mjs", "cjs")
)
DEFAULT_EXCLUDE_GLOBS: Final = ("**/node_modules/**", "**/vendor/**", "**/dist/**")
_SEPARATORS: Final = re.compile(r"[-_.]")
_UNREADABLE: Final = {
    "binary": "is a binary file, not YAML or JSON",
    "not-utf-8": "is not UTF-8 text",
    "too-large": f"is larger than {_MAX_REGISTRY_BYTES // (1024 * 1024)} MiB",
    "outside": "lies outside the repository (a symlink or `..` path)",
}


def _has_flag_group(pattern: str) -> str:
    compiled = re.compile(pattern)
    if compiled.groups == 0:
        raise ValueError("needs a capturing group (or one named 'flag') around the flag name")
    return pattern


FlagPattern = Annotated[Regex, AfterValidator(_has_flag_group)]


class FlagScanSettings(CheckSettings):
    """Where the registry is and how flag references are recognised in code."""

    registry: str = Field(
        default=DEFAULT_REGISTRY,
        min_length=1,
        description="Repository-relative path of the flag registry (.yaml/.yml or .json)",
    )
    call_patterns: list[FlagPattern] = Field(
        default_factory=lambda: list(DEFAULT_CALL_PATTERNS),
        description="Regexes finding flag references; the group 'flag' (or group 1) is the name",
    )
    code_globs: list[str] = Field(
        default_factory=lambda: list(DEFAULT_CODE_GLOBS),
        description="Files scanned for flag references",
    )
    exclude_globs: list[str] = Field(
        default_factory=lambda: list(DEFAULT_EXCLUDE_GLOBS),
        description="Files never scanned, even when code_globs match",
    )


def is_code(path: str, settings: FlagScanSettings) -> bool:
    return matches_any(path, settings.code_globs) and not matches_any(path, settings.exclude_globs)


class FlagSpec(BaseModel):
    """One declared flag; every key may be absent (the check reports what is missing)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    owner: str | None = None
    expires: datetime.date | None = None
    # Strict: "false" or 0 as a kill switch is a typo to report, not a value to guess.
    killswitch: bool = Field(default=False, strict=True)
    description: str | None = None


class _RegistryFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    # A flag written as a bare key (`my-flag:`) is declared with nothing else.
    flags: dict[str, FlagSpec | None] = Field(default_factory=dict)


@dataclasses.dataclass(frozen=True)
class FlagRegistry:
    """A valid registry: the flags by name, and the line each is declared on (YAML only)."""

    path: str
    flags: Mapping[str, FlagSpec]
    lines: Mapping[str, int]

    def finding(self, rule: str, name: str, message: str) -> Finding:
        """A finding about flag ``name``, placed at its declaration."""
        return Finding(rule=rule, message=message, file=self.path, line=self.lines.get(name))


def load_registry(root: Path, path: str) -> FlagRegistry | Finding:
    """Read and validate the registry at ``root / path``; a finding says why it cannot be used."""
    text = read_text(root, path, max_bytes=_MAX_REGISTRY_BYTES)
    if text.skipped == "missing":
        return Finding(
            rule="registry-missing",
            message=f"flag registry {path} not found: create it (a `flags:` mapping of name to "
            "owner, expires, killswitch, description) or set `registry`",
            file=path,
        )
    if text.text is None:
        reason = _UNREADABLE.get(text.skipped or "", "cannot be read")
        return Finding(rule="registry-invalid", message=f"flag registry {path} {reason}", file=path)
    try:
        loaded = _parse(root, path, text.text)
    except ConfigError as err:
        return _invalid(path, err)
    if not isinstance(loaded.data, Mapping):
        return _invalid(path, ConfigError("the top level must be a mapping with a `flags:` key"))
    try:
        model = _RegistryFile.model_validate(loaded.data)
    except pydantic.ValidationError as exc:

        def locate(problem: str, key_path: KeyPath) -> ConfigError:
            return loaded.error(problem, key_path)

        return _invalid(path, first_error(exc, loaded.data, locate))
    return FlagRegistry(
        path=path,
        flags={name: spec or FlagSpec() for name, spec in model.flags.items()},
        lines={
            name: line
            for name in model.flags
            if (line := loaded.line_of(("flags", name))) is not None
        },
    )


def _invalid(path: str, err: ConfigError) -> Finding:
    where = f" at {err.key_path}" if err.key_path else ""
    # pydantic names the model class where the user needs to hear what to write.
    problem = err.problem.replace(
        "instance of FlagSpec", "a mapping of owner, expires, killswitch, description"
    )
    return Finding(
        rule="registry-invalid",
        message=f"flag registry {path} is invalid{where}: {problem}",
        file=path,
        line=err.line,
    )


def _parse(root: Path, path: str, text: str) -> LoadedFile:
    if path.lower().endswith(".json"):
        try:
            return LoadedFile(root / path, json.loads(text), {})
        except json.JSONDecodeError as exc:
            raise ConfigError(f"JSON syntax error: {exc.msg}", line=exc.lineno) from None
    # The YAML loader keeps each key's line, so findings point at the flag.
    return load_yaml_file(root / path)


def flag_key(name: str) -> str:
    """The form in which references and declarations are compared.

    SDKs expose ``new-checkout`` as ``flags.newCheckout`` (LaunchDarkly's React
    SDK) or ``flags.new_checkout``: case and separators do not tell flags apart.
    """
    return _SEPARATORS.sub("", name).lower()


class FlagReference(NamedTuple):
    name: str
    file: str
    line: int


def compile_patterns(patterns: Sequence[str]) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(p) for p in patterns)


def find_references(
    path: str,
    text: str,
    patterns: Iterable[re.Pattern[str]],
    lines: Collection[int] | None = None,
) -> list[FlagReference]:
    """Flag references in ``text`` (the content of ``path``), by line; only ``lines`` if given."""
    found: list[FlagReference] = []
    newlines: list[int] | None = None
    for pattern in patterns:
        group = "flag" if "flag" in pattern.groupindex else 1
        for match in pattern.finditer(text):
            name = match.group(group)
            if not name:
                continue
            if newlines is None:  # only files with a reference pay for the line index
                newlines = [m.start() for m in re.finditer("\n", text)]
            line = bisect.bisect_left(newlines, match.start()) + 1
            if lines is None or line in lines:
                found.append(FlagReference(name, path, line))
    return sorted(found, key=lambda r: r.line)
