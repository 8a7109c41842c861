"""A consumer that writes one JSON document built from the finished run (SARIF, Code Quality)."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ...support.files import write_atomic
from ..locate import Locator
from ..run_record import RECORDER_KEY

if TYPE_CHECKING:
    import pytest

    from ...config.fleet import Fleet
    from ..run_record import RunRecord


class JsonFileWriter:
    """Writes ``build(run)`` to ``path``; a file it cannot write is a note, not a lost run."""

    def __init__(self, path: Path, label: str, build: Callable[[RunRecord], Any]) -> None:
        self.path = path
        self.label = label
        self.build = build

    def pytest_prove_run_finished(self, config: pytest.Config, run: RunRecord) -> None:
        text = json.dumps(self.build(run), indent=1, ensure_ascii=False) + "\n"
        try:
            write_atomic(self.path, text)
        except OSError as exc:
            config.stash[RECORDER_KEY].note(
                f"{self.label} not written to {self.path}: {exc.strerror or exc}"
            )


def report_file_plugin(
    config: pytest.Config,
    fleet: Fleet,
    *,
    option: str,
    workspace_variable: str,
    label: str,
    build: Callable[[RunRecord, Locator], Any],
) -> JsonFileWriter | None:
    """The writer for the file ``option`` names, with paths relative to the CI workspace.

    The workspace is ``workspace_variable`` (where the CI system resolves paths),
    else the directory pytest was started in.
    """
    target = config.getoption(option, None)
    if not target:
        return None
    start = config.invocation_params.dir
    locator = Locator(fleet, Path(os.environ.get(workspace_variable) or str(start)))
    return JsonFileWriter(start / target, label, lambda run: build(run, locator))
