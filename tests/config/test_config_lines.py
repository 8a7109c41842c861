"""Errors point at the line the user wrote: a key's, or a list item's own line, and show the
key as printable text (#20)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pytest_prove.config.load import Options, load_fleet
from pytest_prove.readers.errors import ConfigError
from pytest_prove.readers.yamlfile import load_yaml_file

BLOCK = """\
repositories:
  - name: a
    path: a
    checks:
      - trunk
      - commit-msg
      - comit-msg
  -
    name: b
    path: b
"""


def test_list_items_have_their_own_lines(tmp_path: Path) -> None:
    path = tmp_path / "m.yaml"
    path.write_text(BLOCK, encoding="utf-8")
    loaded = load_yaml_file(path)
    assert loaded.line_of(("repositories", 0, "checks")) == 4
    assert loaded.line_of(("repositories", 0, "checks", 2)) == 7
    assert loaded.line_of(("repositories", 0, "checks", -1)) == 7
    assert loaded.line_of(("repositories", 1)) == 9
    assert loaded.line_of(("repositories", 1, "path")) == 10
    assert loaded.line_of(("repositories", 5, "path")) == 1
    assert loaded.line_of(("repositories", 0, "checks", 2, "deeper")) == 7


def test_flow_list_items_share_their_line(tmp_path: Path) -> None:
    path = tmp_path / "m.yaml"
    path.write_text("checks: [trunk,\n  comit-msg]\n", encoding="utf-8")
    assert load_yaml_file(path).line_of(("checks", 1)) == 2


def test_an_unknown_check_in_a_block_list_points_at_its_item(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    path = tmp_path / "m.yaml"
    path.write_text(BLOCK, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_fleet(path, tmp_path, Options())
    assert info.value.line == 7
    assert info.value.key_path == "repositories[0] (name='a').checks[2]"


def test_a_repository_file_list_item(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "prove.yaml").write_text("checks:\n  - trunk\n  - secuirty\n", encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_fleet(None, tmp_path, Options())
    assert str(info.value) == (
        "prove.yaml:3: checks[1]: unknown check 'secuirty' (did you mean 'security'?)"
    )


PYPROJECT = '''\
[project]
name = "shop"

[tool.prove]
checks = [
  "trunk",   # the branch rules
  "commit-msg",
]
description = """
a [bracket] in a string, and a # that is no comment
"""
"quoted.key" = 1
global.timeout = 30

[tool.prove.settings.commit-msg]
header_max_lenght = 50
inline = { a = 1, b = [1, 2] }

[[tool.prove.repositories]]
name = "a"

[[tool.prove.repositories]]
name = "b"
path = 'b'
'''


def test_pyproject_keys_have_their_lines(tmp_path: Path) -> None:
    from pytest_prove.readers.yamlfile import load_pyproject_table

    path = tmp_path / "pyproject.toml"
    path.write_text(PYPROJECT, encoding="utf-8")
    loaded = load_pyproject_table(path)
    assert loaded is not None
    assert loaded.line_of(("checks",)) == 5
    assert loaded.line_of(("description",)) == 9
    assert loaded.line_of(("quoted.key",)) == 12
    assert loaded.line_of(("global", "timeout")) == 13
    assert loaded.line_of(("settings",)) == 15  # named first by this header
    assert loaded.line_of(("settings", "commit-msg", "header_max_lenght")) == 16
    assert loaded.line_of(("settings", "commit-msg", "inline", "b")) == 17  # its holder's
    assert loaded.line_of(("repositories", 0, "name")) == 20
    assert loaded.line_of(("repositories", 1)) == 22
    assert loaded.line_of(("repositories", 1, "path")) == 24


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ('[project]\nname = "x"\n', False),
        ("[project\nbroken = \n", False),  # nothing for us in it: not even parsed
        ('[tool."pro\\u0076e"]\nchecks = ["trunk"]\n', True),  # spelt with an escape
        ("[tool]\nprove = { checks = ['trunk'] }\n", True),
    ],
)
def test_a_pyproject_is_parsed_only_when_a_key_can_spell_prove(
    tmp_path: Path, text: str, found: bool
) -> None:
    from pytest_prove.readers.yamlfile import load_pyproject_table

    path = tmp_path / "pyproject.toml"
    path.write_text(text, encoding="utf-8")
    loaded = load_pyproject_table(path)
    assert (loaded is not None) is found
    if loaded is not None:
        assert loaded.data == {"checks": ["trunk"]}


def test_a_pyproject_error_names_its_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n[tool.prove]\nchecks = ["trunk"]\n\n'
        "[tool.prove.settings.commit-msg]\nheader_max_lenght = 50\n",
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as info:
        load_fleet(None, tmp_path, Options())
    assert info.value.line == 7
    assert "pyproject.toml:7" in str(info.value)


@given(st.text(max_size=300))
def test_any_text_gives_places_without_raising(text: str) -> None:
    from pytest_prove.readers.toml_lines import key_lines

    for key_path, line in key_lines(text):
        assert key_path
        assert 1 <= line <= max(1, len(text.splitlines()))


def test_a_key_with_control_characters_is_printed_escaped(tmp_path: Path) -> None:
    # An escape sequence in a key must not recolour the terminal or forge a line.
    path = tmp_path / "prove.yaml"
    path.write_text('checks: [trunk]\n"bad\\e[31mkey\\nFAILED x": 1\n', encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_fleet(None, tmp_path, Options())
    message = str(info.value)
    assert "bad\\x1b[31mkey\\nFAILED x" in message
    assert not any(c in message for c in "\x1b\n")
