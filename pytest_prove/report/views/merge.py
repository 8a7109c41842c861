"""``prove report --merge``: join the reports of shard jobs into one.

Each CI matrix job of a ``--prove-shard K/N`` run writes its own pytest-json-report
JSON and JUnit XML; merged, they read as one run.  A test found in two reports means
the shards overlapped: that is an error, not something to paper over.
"""

from __future__ import annotations

import json
import math
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Final

from ...errors import UsageError
from .from_json import read_json_report

# The order pytest-json-report writes its summary in; "total" and "collected" follow.
_NOT_REPORT: Final = "is not a pytest-json-report file"
_OUTCOMES = ("passed", "failed", "error", "skipped", "xfailed", "xpassed", "deselected")


def _number(data: dict[str, Any], key: str) -> str | None:
    value = data.get(key)
    if value is None:
        return None
    shown = json.dumps(value)[:40]
    if isinstance(value, bool) or not isinstance(value, int | float):
        return f"{_NOT_REPORT}: '{key}' is not a number: {shown}"
    try:
        finite = math.isfinite(value)
    except OverflowError:  # an int too big for a float: no real time or duration
        finite = False
    return None if finite else f"{_NOT_REPORT}: '{key}' is not a finite number: {shown}"


def _tests_problem(tests: list[Any]) -> str | None:
    for index, test in enumerate(tests):
        if not isinstance(test, dict):
            return f"{_NOT_REPORT}: tests[{index}] is not a JSON object"
        if not isinstance(test.get("nodeid"), str):
            return f"{_NOT_REPORT}: tests[{index}] has no string 'nodeid'"
    return None


def _count_problem(data: dict[str, Any]) -> str | None:
    summary = data.get("summary")
    if summary is not None and not isinstance(summary, dict):
        return f"{_NOT_REPORT}: 'summary' is not a JSON object"
    collected = (summary or {}).get("collected")
    if collected is not None and (
        isinstance(collected, bool) or not isinstance(collected, int) or collected < 0
    ):
        return f"{_NOT_REPORT}: 'summary.collected' is not a count"
    exitcode = data.get("exitcode")
    if exitcode is not None and (isinstance(exitcode, bool) or not isinstance(exitcode, int)):
        return f"{_NOT_REPORT}: 'exitcode' is not an integer"
    return None


def _shape_problem(data: dict[str, Any]) -> str | None:
    """What keeps ``data`` from being a pytest-json-report document merge can join, or None."""
    return (
        _tests_problem(data["tests"])
        or _count_problem(data)
        or _number(data, "created")
        or _number(data, "duration")
    )


def _read_json(path: Path) -> dict[str, Any]:
    _, data = read_json_report(path)
    problem = _shape_problem(data)
    if problem is not None:
        raise UsageError(f"prove report: {path} {problem}")
    return data


def _no_duplicates(ids_by_file: Sequence[tuple[Path, list[str]]]) -> None:
    owner: dict[str, Path] = {}
    for path, ids in ids_by_file:
        for test_id in ids:
            if test_id in owner:
                raise UsageError(
                    f"prove report: {test_id} is in both {owner[test_id]} and {path}: "
                    "the shards overlap (were they run with the same N and configuration?)"
                )
            owner[test_id] = path


def _same_balance(paths: Sequence[Path], reports: Sequence[dict[str, Any]]) -> None:
    """Shards balanced from different durations files may have missed or repeated repositories."""
    seen: dict[str, Path] = {}
    for path, report in zip(paths, reports, strict=True):
        prove = report.get("prove")
        balance = prove.get("balance") if isinstance(prove, dict) else None
        if isinstance(balance, str):
            seen.setdefault(balance, path)
    if len(seen) > 1:
        (first, one), (second, other) = list(seen.items())[:2]
        raise UsageError(
            f"prove report: {one} was balanced by {first} but {other} by {second}: the shards "
            "may have missed or repeated repositories; restore the same .prove/durations.json "
            "in every shard job"
        )


def merge_json(paths: Sequence[Path]) -> dict[str, Any]:
    """One pytest-json-report document holding the tests of every report."""
    reports = [_read_json(p) for p in paths]
    _same_balance(paths, reports)
    _no_duplicates(
        [
            (p, [str(t.get("nodeid")) for t in r["tests"]])
            for p, r in zip(paths, reports, strict=True)
        ]
    )
    tests = [t for r in reports for t in r["tests"]]
    counts = Counter(str(t.get("outcome")) for t in tests)
    summary: dict[str, int] = {k: counts[k] for k in _OUTCOMES if counts[k]}
    summary["total"] = len(tests)
    summary["collected"] = sum((r.get("summary") or {}).get("collected") or 0 for r in reports)
    return {
        "created": min(float(r.get("created") or 0) for r in reports),
        # Shards run side by side: the merged run took as long as its slowest job.
        "duration": max(float(r.get("duration") or 0) for r in reports),
        "exitcode": max(r.get("exitcode") or 0 for r in reports),
        "root": reports[0].get("root"),
        "summary": summary,
        "tests": tests,
        "shards": [str(p) for p in paths],
    }


def _cases(path: Path) -> list[ET.Element]:
    try:
        root = ET.parse(path).getroot()
    except (OSError, ET.ParseError) as exc:
        raise UsageError(f"prove report: cannot read {path}: {exc}") from None
    if root.tag not in {"testsuites", "testsuite"}:
        raise UsageError(f"prove report: {path} is not JUnit XML (root <{root.tag}>)")
    return list(root.iter("testcase"))


def merge_junit(paths: Sequence[Path]) -> ET.Element:
    """One JUnit document: every testcase of every report in one testsuite."""
    cases = [(p, _cases(p)) for p in paths]
    _no_duplicates([(p, [f"{c.get('classname')}::{c.get('name')}" for c in cs]) for p, cs in cases])
    suite = ET.Element("testsuite", name="pytest-prove")
    kinds = Counter[str]()
    for _, found in cases:
        for case in found:
            suite.append(case)
            kinds.update(
                child.tag for child in case if child.tag in {"failure", "error", "skipped"}
            )
    suite.set("tests", str(sum(len(found) for _, found in cases)))
    suite.set("failures", str(kinds["failure"]))
    suite.set("errors", str(kinds["error"]))
    suite.set("skipped", str(kinds["skipped"]))
    suite.set("time", f"{sum(float(c.get('time', 0) or 0) for _, cs in cases for c in cs):.3f}")
    root = ET.Element("testsuites", name="pytest-prove")
    root.append(suite)
    return root


def merge_reports(paths: Sequence[Path]) -> str:
    """The text of one report merging the JSON (``.json``) or JUnit (``.xml``) ``paths``."""
    if not paths:
        raise UsageError("prove report --merge: name the reports to merge")
    kinds = {p.suffix.lower() for p in paths}
    if kinds not in ({".json"}, {".xml"}):
        raise UsageError("prove report --merge: give either .json or .xml reports, not a mix")
    # Parsers take depths the (recursive) writers cannot: a deep report fails when written.
    try:
        if kinds == {".json"}:
            return json.dumps(merge_json(paths), indent=2) + "\n"
        root = merge_junit(paths)
        ET.indent(root)
        return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"
    except RecursionError:
        raise UsageError("prove report --merge: a report is nested too deeply") from None
