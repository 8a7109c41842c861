"""The secrets sub-check: which files to read, how, and what becomes a finding."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from pathlib import Path
from typing import Final

from pytest_prove.api import Finding, Severity
from pytest_prove.support.files import open_regular
from pytest_prove.support.globs import matches_any
from pytest_prove.support.text import read_text

from ...redact.secret_rules import ASSIGNMENT_RULE, BUILTIN_RULES, Rule
from .baseline import Baseline, BaselineError, load_baseline
from .outcome import Outcome
from .secrets import SecretHit, SecretScanner
from .settings import CustomRule, SecretsSettings

__all__ = ["scan_secrets", "secret_findings"]

_DESCRIPTIONS: Final = {r.id: r.description for r in (*BUILTIN_RULES, ASSIGNMENT_RULE)}


def scan_secrets(
    root: Path,
    targets: Sequence[tuple[str, Collection[int] | None]],
    settings: SecretsSettings,
    outcome: Outcome | None = None,
) -> list[SecretHit]:
    """Secrets in ``targets`` (path, lines or None for all); notes on files not scanned.

    Also used by ``prove security baseline``, which needs the raw hits.
    """
    outcome = outcome if outcome is not None else Outcome()
    scanner = SecretScanner(
        custom=[_rule(c) for c in settings.custom_rules],
        disabled=settings.disabled_rules,
        min_entropy=settings.min_entropy,
        min_entropy_hex=settings.min_entropy_hex,
    )
    hits: list[SecretHit] = []
    scanned = scanned_bytes = not_scanned = 0
    for path, lines in targets:
        if path == settings.baseline or matches_any(path, settings.allow_paths):
            continue
        if lines is not None and not lines:
            continue  # a change that only removed lines adds no secret
        text = _read(root, path, settings.max_file_bytes, outcome)
        if text is None:
            not_scanned += 1
            continue
        scanned += 1
        scanned_bytes += len(text)
        hits.extend(scanner.scan(path, text, lines))
    outcome.metrics.update(
        files_scanned=scanned, bytes_scanned=scanned_bytes, files_not_scanned=not_scanned
    )
    return hits


def _rule(custom: CustomRule) -> Rule:
    return Rule(
        id=custom.id,
        description=custom.description or f"custom rule {custom.id}",
        pattern=custom.regex,
        min_entropy=custom.min_entropy,
        paths=custom.paths,
        word_start=False,
    )


def _not_scanned(outcome: Outcome, path: str, why: str, severity: Severity = Severity.INFO) -> None:
    outcome.findings.append(Finding(rule="not-scanned", message=why, severity=severity, file=path))


def _read(root: Path, path: str, max_bytes: int, outcome: Outcome) -> str | None:
    """The text to scan, or None (with a note for what a reader should know)."""
    target = root / path
    if target.is_symlink():
        # A link's target is scanned in its own right when it is in the repository.
        try:
            inside = target.resolve().is_relative_to(root.resolve())
        except (OSError, RuntimeError):  # RuntimeError: a symlink loop
            inside = False
        if not inside:
            _not_scanned(
                outcome, path, "symlink to a path outside the repository (or a loop): not followed"
            )
        return None
    file = read_text(root, path, max_bytes=max_bytes)
    if file.text is not None:
        return file.text
    if file.skipped == "not-utf-8":
        # Secrets are ASCII: read every byte as one character and scan anyway.
        _not_scanned(outcome, path, "not UTF-8: scanned as Latin-1")
        try:
            with open_regular(target) as stream:
                return stream.read().decode("latin-1")
        except OSError:  # gone (or no file any more) since read_text looked
            return None
    if file.skipped == "missing":  # git lists it: outside a sparse checkout, or just deleted
        _not_scanned(
            outcome,
            path,
            "not in the work tree (a sparse checkout?): not scanned",
            Severity.WARNING,
        )
    if file.skipped == "not-a-file":
        _not_scanned(outcome, path, "not a regular file (a FIFO, socket or device): not read")
    if file.skipped == "too-large":
        _not_scanned(
            outcome,
            path,
            f"larger than max_file_bytes ({max_bytes}): not scanned for secrets",
            Severity.WARNING,
        )
    return None


def secret_findings(
    root: Path, hits: Sequence[SecretHit], settings: SecretsSettings, outcome: Outcome
) -> None:
    baseline: Baseline | None = None
    try:
        baseline = load_baseline(root / settings.baseline)
    except BaselineError as err:
        outcome.findings.append(
            Finding(
                rule="baseline",
                message=f"baseline unusable, so nothing is accepted: {err}",
                file=settings.baseline,
            )
        )
    descriptions = {
        **_DESCRIPTIONS,
        **{c.id: c.description or f"custom rule {c.id}" for c in settings.custom_rules},
    }
    accepted = 0
    for hit in hits:
        if baseline is not None and baseline.accepts(hit):
            accepted += 1
            continue
        outcome.findings.append(
            Finding(
                rule=hit.rule,
                message=f"{descriptions.get(hit.rule, hit.rule)}: {hit.masked}",
                file=hit.file,
                line=hit.line,
            )
        )
    outcome.metrics.update(secrets=len(hits) - accepted, secrets_in_baseline=accepted)
