"""Repositories with the same section of a check share one validated settings object."""

from __future__ import annotations

from pathlib import Path

import pytest

from pytest_prove.checks.commit_msg import CommitMsgSettings
from pytest_prove.config.fleet import Fleet
from pytest_prove.config.load import Options, load_fleet
from pytest_prove.readers.errors import ConfigError


def fleet(tmp_path: Path, sections: list[str]) -> Fleet:
    lines = ["repositories:"]
    for index, section in enumerate(sections):
        repo = tmp_path / f"r{index}"
        repo.mkdir(parents=True)
        (repo / "prove.yaml").write_text(f"commit-msg: {section}\n", encoding="utf-8")
        lines.append(f"  - {{name: r{index}, path: r{index}, checks: [commit-msg]}}")
    path = tmp_path / "multi.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return load_fleet(path, tmp_path, Options())


def settings_of(loaded: Fleet) -> list[object]:
    return [repo.gates[0].settings for repo in loaded.repos]


def test_the_same_section_is_one_object_and_a_different_one_is_not(tmp_path: Path) -> None:
    first, same, other = settings_of(
        fleet(tmp_path, ["{max_findings: 3}", "{max_findings: 3}", "{max_findings: 4}"])
    )
    assert first is same
    assert other is not first
    assert isinstance(other, CommitMsgSettings)
    assert other.max_findings == 4


@pytest.mark.parametrize("wrong", ["true", "3.0", "'3'"])
def test_a_value_equal_in_python_is_still_validated_on_its_own(tmp_path: Path, wrong: str) -> None:
    # 3 == 3.0 and 1 == True in Python: a strict model tells them apart, so must the memo.
    with pytest.raises(ConfigError, match="max_findings"):
        fleet(tmp_path, ["{max_findings: 3}", f"{{max_findings: {wrong}}}"])


def test_a_section_with_a_value_the_memo_cannot_key_is_validated(tmp_path: Path) -> None:
    # A YAML date is no plain scalar: validated each time, and rejected as before.
    with pytest.raises(ConfigError, match="types"):
        fleet(tmp_path, ["{types: [feat]}", "{types: [2024-01-01]}"])
    (tmp_path / "ok").mkdir()
    first, second = settings_of(fleet(tmp_path / "ok", ["{types: [feat]}", "{types: [feat]}"]))
    assert first is second
