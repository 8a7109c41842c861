"""A consumer that writes one JSON document built from the finished run (SARIF, Code Quality)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..files import write_atomic
from .run_record import RECORDER_KEY

if TYPE_CHECKING:
    import pytest

    from .run_record import RunRecord


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
