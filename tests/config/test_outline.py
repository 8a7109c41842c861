"""One reading of an orchestrator file: what a run and the governance commands report alike."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from pytest_prove.config.load import load_fleet
from pytest_prove.governance.orchestrator import load_orchestrator
from pytest_prove.readers.errors import ConfigError
from tests.repo_builder import MakeRepo

BROKEN = """\
repositories:
  - {{name: api, path: {a}}}
  - {{name: api, path: {b}}}
access:
  maintainers:
    apy: [dev@example.com]
"""


def _problems(load: Callable[[], object]) -> str:
    with pytest.raises(ConfigError) as info:
        load()
    return str(info.value)


def test_governance_reports_every_problem_of_the_file_as_a_run_does(
    make_repo: MakeRepo, tmp_path: Path
) -> None:
    a, b = make_repo("a"), make_repo("b")
    config = tmp_path / "multi.yaml"
    config.write_text(BROKEN.format(a=a.path, b=b.path), encoding="utf-8")
    by_governance = _problems(lambda: load_orchestrator(config))
    by_run = _problems(lambda: load_fleet(config, tmp_path))
    for message in (by_governance, by_run):
        # the duplicate named by its entry, as cfgv does; and the access typo as well
        assert "repositories[1] (name='api').name" in message
        assert "duplicate repository name 'api' (also repositories[0])" in message
        assert "no repository named 'apy' (known: api, api)" in message


def test_governance_reads_a_valid_file_without_its_repositories_config(
    make_repo: MakeRepo, tmp_path: Path
) -> None:
    a = make_repo("a")
    (a.path / "prove.yaml").write_text("checks: [not-a-check]\n", encoding="utf-8")
    config = tmp_path / "multi.yaml"
    config.write_text(
        f"repositories:\n  - {{name: api, path: {a.path}}}\n"
        "global:\n  reporting:\n    audit: logs/audit.jsonl\n",
        encoding="utf-8",
    )
    orchestrator = load_orchestrator(config)
    assert [r.name for r in orchestrator.repos] == ["api"]
    assert orchestrator.audit.path == tmp_path / "logs" / "audit.jsonl"
