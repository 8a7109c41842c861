"""Finding secrets in text: one pass for token rules, one for secret-like assignments.

Only the lines asked for are scanned (a diff's added lines), joined into one
text so a file costs one regex pass per pattern, however many lines changed.
A hit keeps the raw secret only for fingerprints (the baseline); its ``repr``
omits it, and everything shown to people uses :func:`~pytest_prove.redact.mask.mask`.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Collection, Iterator, Sequence
from pathlib import PurePosixPath
from typing import Final

from pytest_prove.support.globs import matches_any

from ...redact.mask import mask
from ...redact.secret_rules import (
    ASSIGNMENT,
    ASSIGNMENT_RULE,
    BUILTIN_RULES,
    Rule,
    TokenMatcher,
    is_placeholder,
)
from .entropy import is_hex, shannon_entropy

__all__ = ["ALLOW_MARKERS", "NEXT_LINE_MARKER", "SecretHit", "SecretScanner"]

ALLOW_MARKERS: Final = ("prove: allow-secret", "pragma: allowlist secret")
NEXT_LINE_MARKER: Final = "pragma: allowlist nextline secret"
# Files where `password: value` without quotes is data, not code naming a variable.
_CONFIG_SUFFIXES: Final = frozenset(
    (".env", ".ini", ".cfg", ".conf", ".properties", ".yaml", ".yml", ".toml", ".sh", ".bash")
)
# Where ASSIGNMENT can start, lower-cased (see _assignments).
_KEYWORD: Final = re.compile(
    r"password|passwd|pwd|private[_-]?key|secret|token|api[_-]?key|access[_-]?key"
    r"|auth[_-]?key|credential"
)
_CONFIG_NAMES: Final = frozenset((".npmrc", ".pypirc", ".netrc", "Dockerfile", ".env"))


@dataclasses.dataclass(frozen=True, kw_only=True)
class SecretHit:
    """A secret found at ``file:line``; ``secret`` is raw and must never be shown."""

    rule: str
    file: str
    line: int
    secret: str = dataclasses.field(repr=False)

    @property
    def masked(self) -> str:
        return mask(self.secret)


@dataclasses.dataclass
class _Candidate:
    start: int
    end: int
    rule: Rule
    secret: str


def _is_config_file(path: str) -> bool:
    name = PurePosixPath(path).name
    return (
        name in _CONFIG_NAMES
        or name.startswith(".env.")
        or PurePosixPath(name).suffix.lower() in _CONFIG_SUFFIXES
    )


class SecretScanner:
    """Built-in rules (minus ``disabled``) plus ``custom`` rules, with entropy limits.

    :param min_entropy: bits per character an assigned value needs to count as a secret
    :param min_entropy_hex: the same for values made of hex digits only
    """

    def __init__(
        self,
        *,
        custom: Sequence[Rule] = (),
        disabled: Collection[str] = (),
        min_entropy: float = 3.0,
        min_entropy_hex: float = 3.0,
    ) -> None:
        self._tokens = TokenMatcher([r for r in BUILTIN_RULES if r.id not in disabled])
        self._custom = [(rule, re.compile(rule.pattern, re.MULTILINE)) for rule in custom]
        self._assignments = ASSIGNMENT_RULE.id not in disabled
        self._min_entropy = min_entropy
        self._min_entropy_hex = min_entropy_hex

    def scan(self, path: str, text: str, lines: Collection[int] | None = None) -> list[SecretHit]:
        """Secrets in ``text`` (the content of ``path``), on ``lines`` only if given (1-based)."""
        all_lines: list[str] | None = None
        if lines is None:
            scanned, numbers = text, None
        else:
            all_lines = text.split("\n")
            wanted = sorted(n for n in lines if 0 < n <= len(all_lines))
            if not wanted:
                return []
            if len(wanted) == len(all_lines):
                scanned, numbers = text, None
            else:
                scanned = "\n".join(all_lines[n - 1] for n in wanted)
                numbers = wanted
        candidates = self._candidates(path, scanned)
        return list(self._located(path, scanned, (numbers, all_lines), candidates))

    def _candidates(self, path: str, text: str) -> list[_Candidate]:
        found: list[_Candidate] = []
        for rule, secret, start in self._tokens.finditer(text):
            if self._plausible(rule, secret):
                found.append(_Candidate(start, start + len(secret), rule, secret))
        for rule, regex in self._custom:
            if rule.paths and not matches_any(path, rule.paths):
                continue
            for match in regex.finditer(text):
                group = "secret" if "secret" in regex.groupindex else 0
                secret, start = match.group(group), match.start(group)
                if secret and self._plausible(rule, secret):
                    found.append(_Candidate(start, start + len(secret), rule, secret))
        if self._assignments:
            found.extend(self._assigned(path, text, found))
        found.sort(key=lambda c: c.start)
        return found

    def _plausible(self, rule: Rule, secret: str) -> bool:
        if rule.id != "private-key" and is_placeholder(secret):
            return False
        if rule.min_entropy is not None and shannon_entropy(secret) < rule.min_entropy:
            return False
        return rule.valid is None or rule.valid(secret)

    def _assigned(self, path: str, text: str, tokens: Sequence[_Candidate]) -> Iterator[_Candidate]:
        bare_ok = _is_config_file(path)
        for match in _assignments(text):
            group = "quoted" if match.start("quoted") >= 0 else "bare"
            if group == "bare" and not bare_ok:
                continue
            start, end = match.span(group)
            value = match.group(group)
            # A provider token assigned to `token = ...` is reported by its own rule.
            if any(c.start < end and start < c.end for c in tokens) or is_placeholder(value):
                continue
            limit = self._min_entropy_hex if is_hex(value) else self._min_entropy
            if shannon_entropy(value) >= limit:
                yield _Candidate(start, end, ASSIGNMENT_RULE, value)

    def _located(
        self,
        path: str,
        text: str,
        subset: tuple[Sequence[int] | None, Sequence[str] | None],
        candidates: Sequence[_Candidate],
    ) -> Iterator[SecretHit]:
        numbers, all_lines = subset
        # Candidates are sorted, so newlines are counted once over the text.
        line, counted = 0, 0
        for candidate in candidates:
            line += text.count("\n", counted, candidate.start)
            counted = candidate.start
            line_start = text.rfind("\n", 0, candidate.start) + 1
            line_end = text.find("\n", candidate.start)
            if _allowed(text[line_start : line_end if line_end >= 0 else len(text)]):
                continue
            number = numbers[line] if numbers is not None else line + 1
            if all_lines is not None and numbers is not None:
                previous = all_lines[number - 2] if number > 1 else ""
            else:
                previous = text[text.rfind("\n", 0, max(line_start - 1, 0)) + 1 : line_start]
            if NEXT_LINE_MARKER in previous:
                continue
            yield SecretHit(rule=candidate.rule.id, file=path, line=number, secret=candidate.secret)


def _assignments(text: str) -> Iterator[re.Match[str]]:
    """``ASSIGNMENT.finditer(text)``, but tried only where a keyword occurs.

    Keywords are found in the lower-cased text with a plain literal pattern,
    which ``re`` scans several times faster than the case-insensitive one.
    """
    lowered = text.lower()
    if len(lowered) != len(text):  # a few characters lower-case to two: offsets would shift
        yield from ASSIGNMENT.finditer(text)
        return
    covered = 0
    for hit in _KEYWORD.finditer(lowered):
        if hit.start() < covered:
            continue
        match = ASSIGNMENT.match(text, hit.start())
        if match is not None:
            covered = match.end()
            yield match


def _allowed(line: str) -> bool:
    return any(marker in line for marker in ALLOW_MARKERS)
