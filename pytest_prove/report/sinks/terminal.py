"""The gates table at the end of every run, and the notes consumers left for it.

One line per repository, so a fleet of 1,000 gates stays readable: the repository's
worst outcome and total time, then each check with its outcome letter and duration
(legend below the table).  With ``-q`` only repositories with a failing or erroring
gate are listed.  See README, "The terminal summary".
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

import pytest

from ...support.wording import count, printable
from ..run_record import RECORDER_KEY, GateRecord
from ..views.summary import LEGEND, LETTERS, format_duration, worst

if TYPE_CHECKING:
    from ...config.fleet import Fleet

NAME_WIDTH: Final = 32


def repo_line(repo: str, gates: list[GateRecord], width: int) -> str:
    total = sum(g.duration for g in gates)
    head = f"{printable(repo):<{width}} {LETTERS[worst(g.outcome for g in gates)]} "
    cells = [
        f"{printable(g.check)} {LETTERS[g.outcome]} {format_duration(g.duration)}" for g in gates
    ]
    return f"{head}{format_duration(total):>6}  " + "  ".join(cells)


def gate_lines(gates: tuple[GateRecord, ...], *, quiet: bool) -> list[str]:
    by_repo: dict[str, list[GateRecord]] = {}
    for gate in gates:
        by_repo.setdefault(gate.repo, []).append(gate)
    shown = {
        repo: sorted(found, key=lambda g: g.check)
        for repo, found in sorted(by_repo.items())
        if not quiet or any(g.outcome in {"failed", "error"} for g in found)
    }
    width = min(NAME_WIDTH, max((len(printable(r)) for r in shown), default=0))
    lines = [repo_line(repo, found, width) for repo, found in shown.items()]
    hidden = len(by_repo) - len(shown)
    if hidden:
        hidden_repos = count(hidden, "repository", "repositories")
        lines.append(f"({hidden_repos} without failures not shown: -q)")
    if shown:
        lines.append(f"legend: {LEGEND}")
    return lines


class TerminalSummary:
    @pytest.hookimpl(trylast=True)
    def pytest_terminal_summary(self, terminalreporter: Any, config: pytest.Config) -> None:
        recorder = config.stash.get(RECORDER_KEY, None)
        if recorder is None or recorder.run is None:
            return
        gates = recorder.run.gates
        if gates:
            terminalreporter.write_sep(
                "=",
                f"pytest-prove: {count(len(gates), 'gate')} in "
                f"{count(len({g.repo for g in gates}), 'repository', 'repositories')}",
            )
            for line in gate_lines(gates, quiet=config.get_verbosity() < 0):
                terminalreporter.write_line(line)
        if recorder.notes:
            terminalreporter.write_sep("=", "pytest-prove notes", yellow=True)
            for note in recorder.notes:
                terminalreporter.write_line(printable(note))


def plugin(config: pytest.Config, fleet: Fleet) -> TerminalSummary:
    return TerminalSummary()
