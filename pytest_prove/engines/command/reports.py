"""Turn a tool's machine-readable report (SARIF, JUnit XML, ESLint JSON) into findings.

Pure functions of text: reading the report and running the tool belong to
:mod:`pytest_prove.checks.command`, so each format is unit-tested on strings.
"""

from __future__ import annotations

import dataclasses
import json
import posixpath
import xml.etree.ElementTree as ET
from collections.abc import Callable, Mapping, Sequence
from pathlib import PurePosixPath
from typing import Any, Final, Literal
from urllib.parse import unquote, urlsplit

from pytest_prove.errors import ProveError

from ...api import Finding, Severity

__all__ = [
    "MAX_FINDINGS",
    "MAX_REPORT_BYTES",
    "ReportError",
    "ReportFormat",
    "ReportPaths",
    "load_json",
    "parse_eslint_json",
    "parse_junit",
    "parse_report",
    "parse_sarif",
]

ReportFormat = Literal["sarif", "junit", "eslint-json"]

MAX_REPORT_BYTES: Final = 64 * 1024 * 1024
MAX_FINDINGS: Final = 10_000
_MAX_MESSAGE_CHARS: Final = 500

_SARIF_LEVELS: Final = {
    "error": Severity.ERROR,
    "warning": Severity.WARNING,
    "note": Severity.INFO,
    "none": Severity.INFO,
}
_ESLINT_SEVERITIES: Final = {2: Severity.ERROR, 1: Severity.WARNING}


class ReportError(ProveError, ValueError):
    """The report is missing, malformed, too large or not in the declared format."""


@dataclasses.dataclass(frozen=True, kw_only=True)
class ReportPaths:
    """Where the tool ran, to turn the paths in its report into repository-relative ones.

    :param roots: absolute spellings of the repository root (as configured, and resolved),
        since tools print the real path their ``getcwd()`` returned
    :param cwd: the tool's working directory relative to the root, ``""`` for the root itself
    """

    roots: tuple[PurePosixPath, ...]
    cwd: str = ""

    def relativize(self, path: str) -> str | None:
        """``path`` relative to the repository root, or None when it lies outside."""
        if posixpath.isabs(path):
            normalized = PurePosixPath(posixpath.normpath(path))
            for root in self.roots:
                if normalized.is_relative_to(root) and normalized != root:
                    return normalized.relative_to(root).as_posix()
            return None
        joined = posixpath.normpath(posixpath.join(self.cwd, path))
        if joined in (".", "..") or joined.startswith("../"):
            return None
        return joined


def parse_report(fmt: ReportFormat, text: str, paths: ReportPaths) -> list[Finding]:
    """Findings from a report's text; raises :class:`ReportError` when it is unusable."""
    if len(text) > MAX_REPORT_BYTES:
        raise ReportError(f"it is larger than {MAX_REPORT_BYTES} bytes")
    parser = _PARSERS[fmt]
    return _cap(parser(text.removeprefix("\ufeff"), paths))


def parse_sarif(text: str, paths: ReportPaths) -> list[Finding]:
    """Findings from a SARIF 2.1.0 log: one per result that is not a ``pass``."""
    log = _object(load_json(text), "the SARIF log")
    runs = log.get("runs")
    if not isinstance(runs, list):
        raise ReportError("not a SARIF log: no `runs` array")
    findings: list[Finding] = []
    for raw_run in runs:
        run = _object(raw_run, "a SARIF run")
        rules = _sarif_rules(run)
        bases = _sarif_base_uris(run)
        for raw in _list(run.get("results"), "`results`"):
            result = _object(raw, "a SARIF result")
            kind = result.get("kind", "fail")
            if kind in ("pass", "notApplicable"):
                continue
            rule = _sarif_rule(result, rules)
            level = result.get("level") or _nested(rule, "defaultConfiguration", "level")
            if not isinstance(level, str):
                # SARIF §3.27.10: the default level is "warning" only for failures
                level = "warning" if kind == "fail" else "none"
            rule_id = result.get("ruleId") or rule.get("id") or "sarif"
            message = _first_text(
                _nested(result, "message", "text"),
                _nested(result, "message", "markdown"),
                _nested(rule, "shortDescription", "text"),
                rule_id,
            )
            path, line, end_line = _sarif_location(result, run, bases)
            findings.append(
                _finding(
                    rule=str(rule_id),
                    message=message,
                    severity=_SARIF_LEVELS.get(level, Severity.WARNING),
                    path=path,
                    line=line,
                    end_line=end_line,
                    paths=paths,
                )
            )
    return findings


def parse_junit(text: str, paths: ReportPaths) -> list[Finding]:
    """Findings from JUnit XML: one per ``<failure>`` or ``<error>`` of a test case."""
    if "<!ENTITY" in text:
        # ElementTree expands internal entities; a report has no use for them
        raise ReportError("it declares XML entities")
    try:
        root = ET.fromstring(text)
    except ET.ParseError as exc:
        raise ReportError(f"not well-formed XML: {exc}") from None
    if root.tag not in ("testsuites", "testsuite"):
        raise ReportError(f"not JUnit XML: the root element is <{root.tag}>")
    findings: list[Finding] = []
    for suite in root.iter("testsuite"):
        # pytest writes 0-based line numbers in its (default-named) suites
        line_offset = 1 if suite.get("name") == "pytest" else 0
        for case in suite.findall("testcase"):
            test = ".".join(part for part in (case.get("classname"), case.get("name")) if part)
            for outcome in case:
                if outcome.tag not in ("failure", "error"):
                    continue
                detail = _first_text(outcome.get("message"), outcome.text, outcome.get("type"))
                line = _line(_int_attr(case.get("line")), offset=line_offset)
                findings.append(
                    _finding(
                        rule=f"test-{outcome.tag}",
                        message=f"{test or 'test'}: {detail or outcome.tag}",
                        severity=Severity.ERROR,
                        path=case.get("file"),
                        line=line,
                        end_line=None,
                        paths=paths,
                    )
                )
    return findings


def parse_eslint_json(text: str, paths: ReportPaths) -> list[Finding]:
    """Findings from ``eslint -f json``: one per message (2 = error, 1 = warning)."""
    files = load_json(text)
    if not isinstance(files, list):
        raise ReportError("not ESLint JSON: expected an array of file results")
    findings: list[Finding] = []
    for raw_file in files:
        entry = _object(raw_file, "an ESLint file result")
        file_path = entry.get("filePath")
        if not isinstance(file_path, str):
            raise ReportError("not ESLint JSON: a file result has no `filePath`")
        for raw in _list(entry.get("messages"), "`messages`"):
            message = _object(raw, "an ESLint message")
            rule = message.get("ruleId") or ("parse-error" if message.get("fatal") else "eslint")
            level = message.get("severity")
            findings.append(
                _finding(
                    rule=str(rule),
                    message=_first_text(message.get("message")) or str(rule),
                    severity=_ESLINT_SEVERITIES.get(level, Severity.INFO)
                    if isinstance(level, int)
                    else Severity.INFO,
                    path=file_path,
                    line=_line(message.get("line")),
                    end_line=_line(message.get("endLine")),
                    paths=paths,
                )
            )
    return findings


_PARSERS: Final[Mapping[str, Callable[[str, ReportPaths], list[Finding]]]] = {
    "sarif": parse_sarif,
    "junit": parse_junit,
    "eslint-json": parse_eslint_json,
}


def _finding(
    *,
    rule: str,
    message: str,
    severity: Severity,
    path: str | None,
    line: int | None,
    end_line: int | None,
    paths: ReportPaths,
) -> Finding:
    file = paths.relativize(path) if path else None
    if path and file is None:
        # a place outside the repository cannot be a Finding.file, but is worth showing
        message = f"{path}: {message}"
        line = end_line = None
    if end_line is not None and (line is None or end_line < line):
        end_line = None
    return Finding(
        rule=rule, message=message, severity=severity, file=file, line=line, end_line=end_line
    )


def _cap(findings: list[Finding]) -> list[Finding]:
    if len(findings) <= MAX_FINDINGS:
        return findings
    # errors first, so truncation can never turn a failing gate into a passing one
    kept = sorted(findings, key=lambda f: f.severity is not Severity.ERROR)[: MAX_FINDINGS - 1]
    dropped = len(findings) - len(kept)
    note = Finding(
        rule="report-truncated",
        message=f"{dropped} more findings not shown",
        severity=Severity.INFO,
    )
    return [*kept, note]


def load_json(text: str) -> Any:
    """``json.loads``, with every failure (nesting too deep included) a :class:`ReportError`."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ReportError(f"not valid JSON: {exc}") from None
    except RecursionError:
        raise ReportError("not valid JSON: nested too deeply") from None


def _object(value: Any, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ReportError(f"{what} is not a JSON object")
    return value


def _list(value: Any, what: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise ReportError(f"{what} is not a JSON array")
    return value


def _nested(value: Any, *keys: str) -> Any:
    for key in keys:
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value


def _first_text(*candidates: Any) -> str:
    """The first non-empty line of the first non-empty candidate, clipped."""
    for candidate in candidates:
        if not isinstance(candidate, str):
            continue
        for raw_line in candidate.splitlines():
            line = raw_line.strip()
            if line:
                if len(line) > _MAX_MESSAGE_CHARS:
                    return line[: _MAX_MESSAGE_CHARS - 1] + "…"
                return line
    return ""


def _line(value: Any, *, offset: int = 0) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    value += offset
    return value if value >= 1 else None


def _int_attr(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def _sarif_rules(run: dict[str, Any]) -> list[dict[str, Any]]:
    rules = _nested(run, "tool", "driver", "rules")
    if not isinstance(rules, list):
        return []
    return [rule if isinstance(rule, dict) else {} for rule in rules]


def _sarif_rule(result: dict[str, Any], rules: Sequence[dict[str, Any]]) -> dict[str, Any]:
    index = result.get("ruleIndex", _nested(result, "rule", "index"))
    if isinstance(index, int) and 0 <= index < len(rules):
        return rules[index]
    rule_id = result.get("ruleId", _nested(result, "rule", "id"))
    for rule in rules:
        if rule_id is not None and rule.get("id") == rule_id:
            return rule
    return {"id": rule_id} if isinstance(rule_id, str) else {}


def _sarif_base_uris(run: dict[str, Any]) -> dict[str, str]:
    bases = run.get("originalUriBaseIds")
    if not isinstance(bases, dict):
        return {}
    return {
        name: uri for name, base in bases.items() if isinstance(uri := _nested(base, "uri"), str)
    }


def _sarif_location(
    result: dict[str, Any], run: dict[str, Any], bases: Mapping[str, str]
) -> tuple[str | None, int | None, int | None]:
    locations = result.get("locations")
    if not isinstance(locations, list) or not locations:
        return None, None, None
    physical = _nested(locations[0], "physicalLocation")
    artifact = _nested(physical, "artifactLocation")
    uri = _nested(artifact, "uri")
    index = _nested(artifact, "index")
    if uri is None and isinstance(index, int):
        artifacts = run.get("artifacts")
        if isinstance(artifacts, list) and 0 <= index < len(artifacts):
            artifact = _nested(artifacts[index], "location")
            uri = _nested(artifact, "uri")
    path = None
    if isinstance(uri, str):
        base = bases.get(str(_nested(artifact, "uriBaseId")))
        path = _uri_to_path(uri, base)
    region = _nested(physical, "region")
    return path, _line(_nested(region, "startLine")), _line(_nested(region, "endLine"))


def _uri_to_path(uri: str, base: str | None) -> str | None:
    if base is not None and not urlsplit(uri).scheme:
        uri = base.rstrip("/") + "/" + uri
    parts = urlsplit(uri)
    if parts.scheme == "file":
        return unquote(parts.path)
    if parts.scheme:
        return None
    return unquote(uri)
