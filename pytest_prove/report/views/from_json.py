"""pytest-json-report files read back as :class:`RunRecord`\\ s, for ``prove report --from-json``.

A gate is a test with the ``prove`` keyword; its repo and check come from the
``prove`` metadata of its call phase or, for a gate skipped before it ran, from its
user properties or node id.  Other tests of the report are left out.  The files are
untrusted input: anything that is not such a report is one :class:`UsageError`.
"""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from ...engines.command.reports import ReportError, load_json
from ...errors import UsageError
from ..gate_data import GateData, text_or_empty
from ..run_record import GateRecord, Outcome, RunRecord, gate_record

_OUTCOMES: dict[str, Outcome] = {
    "passed": "passed",
    "failed": "failed",
    "error": "error",
    "skipped": "skipped",
    "xfailed": "waived",
    "xpassed": "passed",
}
# Reports written before 0.2 skipped a reused pass with this reason; now it passes, and its
# metadata's ``cached`` says so (read by gate_record).
_CACHED_SKIP = "cached:"


def _phases(test: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return [p for p in (test.get(w) for w in ("setup", "call", "teardown")) if isinstance(p, dict)]


def _duration(test: Mapping[str, Any]) -> float:
    total = 0.0
    for phase in _phases(test):
        value = phase.get("duration")
        if isinstance(value, int | float) and value >= 0:
            total += float(value)
    return total


def _properties(test: Mapping[str, Any]) -> dict[str, str]:
    found: dict[str, str] = {}
    entries = test.get("user_properties")
    for entry in entries if isinstance(entries, list) else ():
        if isinstance(entry, dict):
            found.update({str(k): str(v) for k, v in entry.items()})
    return found


def _gate(test: Mapping[str, Any]) -> GateRecord | None:
    keywords = test.get("keywords")
    if not isinstance(keywords, list) or "prove" not in keywords:
        return None
    nodeid = text_or_empty(test.get("nodeid"))
    metadata = test.get("metadata")
    prove = metadata.get("prove") if isinstance(metadata, dict) else None
    outcome = _OUTCOMES.get(text_or_empty(test.get("outcome")), "error")
    longrepr = " ".join(text_or_empty(p.get("longrepr")) for p in _phases(test))
    reason = ""
    if outcome == "skipped":
        reason = longrepr
        if _CACHED_SKIP in longrepr:
            outcome = "cached"
    return gate_record(
        nodeid,
        GateData.from_dict(prove if isinstance(prove, dict) else {}),
        outcome=outcome,
        duration=_duration(test),
        reason=reason,
        properties=_properties(test),
    )


def read_json_report(path: Path) -> tuple[bytes, dict[str, Any]]:
    """The bytes of a pytest-json-report file and its document (a ``tests`` list in it).

    :raises UsageError: naming the file and what keeps it from being read
    """
    try:
        raw = path.read_bytes()
        data = load_json(raw.decode("utf-8-sig"))
    except (OSError, UnicodeDecodeError, ReportError) as exc:
        raise UsageError(f"prove report: cannot read {path}: {exc}") from None
    if not isinstance(data, dict) or not isinstance(data.get("tests"), list):
        raise UsageError(f"prove report: {path} is not a pytest-json-report file (no 'tests')")
    return raw, data


def read_json_run(path: Path) -> RunRecord:
    raw, data = read_json_report(path)
    created = data.get("created")
    duration = data.get("duration")
    if not isinstance(created, int | float) or not isinstance(duration, int | float | None):
        raise UsageError(f"prove report: {path} has no valid 'created' time")
    try:
        started = datetime.datetime.fromtimestamp(float(created), datetime.UTC)
        finished = started + datetime.timedelta(seconds=float(duration or 0))
    except (TypeError, ValueError, OverflowError, OSError):
        raise UsageError(f"prove report: {path} has no valid 'created' time") from None
    exitcode = data.get("exitcode")
    return RunRecord(
        id=hashlib.sha256(raw).hexdigest()[:32],
        started=started,
        finished=finished,
        host="",
        command=(),
        config_digest="",
        exit_status=exitcode if isinstance(exitcode, int) else -1,
        gates=tuple(g for t in data["tests"] if isinstance(t, dict) and (g := _gate(t))),
    )


def read_json_runs(paths: Sequence[Path]) -> list[RunRecord]:
    return [read_json_run(p) for p in paths]
