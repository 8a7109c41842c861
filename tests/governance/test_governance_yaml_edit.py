"""Round-trip edits of repository config files: only the lines that must change do."""

from __future__ import annotations

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from pytest_prove.governance.sync.updates import Update
from pytest_prove.governance.sync.yaml_edit import EditError, apply_updates

ALIASES = {"commit-msg-convention": "commit-msg", "diffCoverage": "coverage"}


def _edit(text: str, *updates: dict[str, object], inherited: tuple[str, ...] = ()) -> str:
    return apply_updates(
        text,
        [Update.model_validate(u) for u in updates],
        lambda: list(inherited),
        lambda name: ALIASES.get(name, name),
    )


def test_comments_order_and_quotes_survive() -> None:
    text = (
        "# header\n"
        "checks:   # gates\n"
        "  - trunk\n"
        "  - diffCoverage   # old name\n"
        "trunk:\n"
        "  branch_pattern: '^feat/'   # quoted\n"
        "  max_age_days: 3\n"
        "coverage: {threshold: 80}\n"
    )
    assert _edit(
        text,
        {"set": {"coverage.threshold": 85}, "add_checks": ["security"]},
        {"remove_checks": ["coverage"]},
    ) == (
        "# header\n"
        "checks:   # gates\n"
        "  - trunk\n"
        "  - security\n"
        "trunk:\n"
        "  branch_pattern: '^feat/'   # quoted\n"
        "  max_age_days: 3\n"
        "coverage: {threshold: 85}\n"
    )


def test_four_space_indent_and_unindented_lists_are_kept() -> None:
    text = "trunk:\n    max_age_days: 3\nchecks:\n- trunk\n"
    assert _edit(text, {"set": {"trunk.max_commits_ahead": 9}, "add_checks": ["tdd"]}) == (
        "trunk:\n    max_age_days: 3\n    max_commits_ahead: 9\nchecks:\n- trunk\n- tdd\n"
    )


def test_unset_drops_the_sections_it_empties() -> None:
    text = "checks: [trunk]\ntrunk:\n  max_age_days: 3\n"
    assert _edit(text, {"unset": ["trunk.max_age_days", "not.there"]}) == "checks: [trunk]\n"


def test_a_missing_checks_list_starts_from_the_inherited_one() -> None:
    assert _edit("", {"add_checks": ["security"]}, inherited=("trunk",)) == (
        "checks: [trunk, security]\n"
    )


def test_no_op_returns_the_text_unchanged() -> None:
    text = "checks:  [ trunk ]   # spacing ruamel would change\n"
    assert _edit(text, {"unset": ["x.y"]}) == text


@pytest.mark.parametrize(
    ("text", "update", "problem"),
    [
        ("trunk: 3\n", {"set": {"trunk.max_age_days": 1}}, "trunk is not a mapping"),
        ("checks: trunk\n", {"add_checks": ["tdd"]}, "checks is not a list"),
        ("- a\n", {"unset": ["a"]}, "expected a mapping of settings at the top level"),
        ("a: [\n", {"unset": ["a"]}, "not valid YAML"),
    ],
)
def test_what_cannot_be_edited(text: str, update: dict[str, object], problem: str) -> None:
    with pytest.raises(EditError, match=problem):
        _edit(text, update)


_KEYS = st.text(alphabet="abcdefgh_", min_size=1, max_size=6)
_VALUES = st.integers(-5, 100) | st.booleans() | st.text(alphabet="xyz -:#'", max_size=8)
_CONFIG = st.dictionaries(_KEYS, _VALUES | st.dictionaries(_KEYS, _VALUES, max_size=3), max_size=4)


@settings(max_examples=75, deadline=None)
@given(_CONFIG, _KEYS, _KEYS, _VALUES, st.sampled_from([2, 4]))
def test_set_changes_exactly_that_key(
    config: dict[str, object], section: str, key: str, value: object, indent: int
) -> None:
    text = yaml.safe_dump(config, indent=indent, sort_keys=False) if config else ""
    try:
        edited = _edit(text, {"set": {f"{section}.{key}": value}})
    except EditError:
        assert not isinstance(config.get(section), dict | None)
        return
    expected = dict(config)
    expected[section] = {**(config.get(section) or {}), key: value}  # type: ignore[dict-item]
    assert yaml.safe_load(edited) == expected
