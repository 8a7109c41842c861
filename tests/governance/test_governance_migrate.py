"""`prove migrate`: the old tool's JSON config becomes a prove.yaml; nothing dropped silently."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from pytest_prove.checks.registry import load_registry
from pytest_prove.cli.main import main
from pytest_prove.config.load import load_fleet
from pytest_prove.governance.onboard.migrate import (
    OLD_CHECK_NAMES,
    MigrationError,
    migrate_config,
    parse_old_config,
)

REGISTRY = load_registry()
ROOT = Path(__file__).resolve().parents[2]
OLD = {
    "checks": {
        "trunk": {"maxAgeDays": 3, "bogus": 1},
        "commit-msg-convention": {"maxHeaderLength": 72},
        "tddChangedHasTests": {"enabled": False},
        "lint": True,
    },
    "mode": "pr",
    "trunkBranch": "develop",
    "failFast": True,
    "quick": ["trunk"],
}


def test_old_names_settings_and_top_level_keys_are_translated() -> None:
    migration = migrate_config(OLD, REGISTRY, "prove.config.json")
    data = yaml.safe_load(migration.text)
    assert data == {
        "trunk_branch": "develop",
        "checks": ["trunk", "commit-msg", "delivery-mode"],
        "trunk": {"max_age_days": 3},
        "commit-msg": {"header_max_length": 72},
        "delivery-mode": {"mode": "pr"},
    }
    assert "# was `commit-msg-convention` in the old tool" in migration.text
    assert migration.notes == (
        "trunk.bogus: unknown setting; left out",
        "check 'tddChangedHasTests' is disabled in the old file; left out",
        "check 'lint': no pytest-prove equivalent; not migrated",
        "quick: each check decides whether it is quick in pytest-prove"
        " (run them with `prove --quick`); not migrated",
    )
    assert "#   failFast: true" in migration.text  # run settings: a comment for the orchestrator


def test_the_migrated_file_loads(make_repo) -> None:
    repo = make_repo()
    repo.write("prove.yaml", migrate_config(OLD, REGISTRY, "old.json").text)
    plan = load_fleet(None, repo.path).repos[0]
    assert sorted(g.name for g in plan.gates) == ["commit-msg", "delivery-mode", "trunk"]
    trunk = next(g for g in plan.gates if g.name == "trunk")
    assert trunk.settings.max_age_days == 3


def test_a_bad_value_is_left_out_with_its_reason() -> None:
    migration = migrate_config(
        {"checks": {"trunk": {"maxAgeDays": "soon", "maxCommits": 5}}}, REGISTRY, "x"
    )
    assert yaml.safe_load(migration.text)["trunk"] == {"max_commits_ahead": 5}
    assert migration.notes[0].startswith("trunk.max_age_days: Input should be a valid number")


@pytest.mark.parametrize("old", sorted(OLD_CHECK_NAMES))
def test_every_old_name_maps_and_is_documented(old: str) -> None:
    migration = migrate_config({"checks": [old]}, REGISTRY, "x")
    assert migration.checks == (OLD_CHECK_NAMES[old],)
    doc = (ROOT / "docs" / "migration.md").read_text(encoding="utf-8")
    assert f"`{old}`" in doc
    assert f"`{OLD_CHECK_NAMES[old]}`" in doc


def test_list_form_default_export_and_top_level_sections() -> None:
    raw = json.dumps({"default": {"checks": ["trunk"], "commit-msg-convention": {}}}).encode()
    migration = migrate_config(parse_old_config(raw), REGISTRY, "x")
    assert migration.checks == ("trunk", "commit-msg")


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        (b"{not json", "not valid JSON: Expecting property name enclosed in double quotes"),
        (b"[1, 2]", "expected a JSON object at the top level, got list"),
        (b"\xff\xfe", "not valid UTF-8 (byte 0)"),
    ],
)
def test_unreadable_input_is_one_clear_error(raw: bytes, problem: str) -> None:
    with pytest.raises(MigrationError, match="^" + problem.replace("(", r"\(").replace(")", r"\)")):
        parse_old_config(raw)


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=10,
)


@settings(max_examples=100, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from([*OLD_CHECK_NAMES, "checks", "mode", "quick", "x"]), _JSON, max_size=5
    )
)
def test_any_object_migrates_to_loadable_yaml(data: dict[str, object]) -> None:
    text = migrate_config(data, REGISTRY, "x").text
    assert isinstance(yaml.safe_load(text), dict)


def test_the_command_writes_and_refuses_to_overwrite(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    old = tmp_path / "prove.config.json"
    old.write_text(json.dumps(OLD))
    assert main(["migrate", str(old)]) == 0
    written = (tmp_path / "prove.yaml").read_text()
    assert "- commit-msg" in written
    assert (
        "prove migrate: note: check 'lint': no pytest-prove equivalent" in capsys.readouterr().err
    )
    assert main(["migrate", str(old)]) == 4
    assert "already exists; use --force" in capsys.readouterr().err
    old.write_text(json.dumps({"checks": ["trunk"]}))
    assert main(["migrate", str(old), "--force"]) == 0
    assert yaml.safe_load((tmp_path / "prove.yaml").read_text())["checks"] == ["trunk"]


def test_the_command_reports_bad_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["migrate", str(tmp_path / "missing.json")]) == 4
    assert "prove migrate: cannot read" in capsys.readouterr().err
    (tmp_path / "bad.json").write_text("[]")
    assert main(["migrate", str(tmp_path / "bad.json")]) == 4
    assert capsys.readouterr().err.endswith(
        "bad.json: expected a JSON object at the top level, got list\n"
    )
