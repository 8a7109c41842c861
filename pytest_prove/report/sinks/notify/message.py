"""What a notification says: the counts, the failed gates in one line each, and links."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Final
from urllib.parse import urlsplit, urlunsplit

if TYPE_CHECKING:
    from ...run_record import RunRecord

__all__ = ["Message", "build_message", "ci_run_url", "dashboard_link"]

# A chat message listing a thousand gates helps nobody: the dashboard has them all.
MAX_GATES: Final = 20
MAX_SUMMARY: Final = 200
FAILING: Final = ("failed", "error")


@dataclasses.dataclass(frozen=True, kw_only=True)
class Message:
    """A run's notification, plain text; each notifier formats it for its medium."""

    title: str
    counts: str
    failed: tuple[str, ...]
    changes: tuple[str, ...] = ()
    links: tuple[tuple[str, str], ...] = ()

    def lines(self) -> list[str]:
        out = [self.counts]
        if self.changes:
            out += ["", *self.changes]
        if self.failed:
            out += ["", "Failed gates:", *(f"- {line}" for line in self.failed)]
        if self.links:
            out += ["", *(f"{label}: {target}" for label, target in self.links)]
        return out

    def text(self) -> str:
        return "\n".join([self.title, *self.lines()]) + "\n"


def _one_line(text: str) -> str:
    line = " ".join(text.split())
    return line if len(line) <= MAX_SUMMARY else line[: MAX_SUMMARY - 1] + "…"


def build_message(
    run: RunRecord,
    *,
    newly_failing: Sequence[str] = (),
    fixed: Sequence[str] = (),
    links: Sequence[tuple[str, str]] = (),
) -> Message:
    """The message for ``run``; ``newly_failing``/``fixed`` are gate labels ``repo::check``."""
    counts = run.counts()
    failing = [g for g in run.gates if g.outcome in FAILING]
    total = len(run.gates)
    if failing:
        title = f"prove: {len(failing)} of {total} gates failed on {run.host}"
    else:
        title = f"prove: all {total} gates passed on {run.host}"
    failed = [
        f"{g.repo}::{g.check} ({g.outcome}): {_one_line(g.summary) or 'no summary'}"
        for g in failing[:MAX_GATES]
    ]
    if len(failing) > MAX_GATES:
        failed.append(f"… and {len(failing) - MAX_GATES} more")
    changes = []
    if newly_failing:
        changes.append("Newly failing: " + ", ".join(newly_failing[:MAX_GATES]))
    if fixed:
        changes.append("Fixed: " + ", ".join(fixed[:MAX_GATES]))
    return Message(
        title=title,
        counts=", ".join(f"{n} {outcome}" for outcome, n in counts.items() if n),
        failed=tuple(failed),
        changes=tuple(changes),
        links=tuple(links),
    )


def dashboard_link(dashboard: str | None, base_dir: Path) -> str | None:
    """Where the dashboard is: its file, or its URL without credentials or query (tokens)."""
    if not dashboard:
        return None
    if dashboard.lower().startswith(("http://", "https://")):
        try:
            url = urlsplit(dashboard)
            host = url.hostname or ""
            netloc = f"{host}:{url.port}" if url.port else host
        except ValueError:
            return None
        return urlunsplit((url.scheme, netloc, url.path, "", ""))
    return str(base_dir / dashboard)


def ci_run_url(env: Mapping[str, str]) -> str | None:
    """The CI job's page, from GitHub Actions', GitLab CI's or Jenkins' variables."""
    if all(env.get(k) for k in ("GITHUB_SERVER_URL", "GITHUB_REPOSITORY", "GITHUB_RUN_ID")):
        repository = f"{env['GITHUB_SERVER_URL']}/{env['GITHUB_REPOSITORY']}"
        return f"{repository}/actions/runs/{env['GITHUB_RUN_ID']}"
    return env.get("CI_JOB_URL") or env.get("BUILD_URL") or None
