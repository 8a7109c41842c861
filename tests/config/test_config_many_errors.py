"""One run reports every problem of a configuration, each located, with `did you mean` (#20)."""

from __future__ import annotations

from pathlib import Path

import pytest

from pytest_prove.config.load import Options, load_fleet
from pytest_prove.readers.errors import MAX_SHOWN, ConfigError, ConfigErrors, combined

XDIST = {"n0": (), "n2": ("-n", "2")}

PLANNING = """\
repositories:
  - name: a
    path: a
    checks:
      - trunk
      - comit-msg
  - name: b
    path: missing
  - name: c
    path: c
    overrides: {commit-msg: {header_max_lenght: 72}}
global:
  commit-msg: {headerMaxLenght: 5}
"""
PLANNING_ERRORS = [
    "m.yaml:6: repositories[0] (name='a').checks[1]: unknown check 'comit-msg'"
    " (did you mean 'commit-msg'?)",
    "m.yaml:8: repositories[1] (name='b').path: directory not found: missing",
    "m.yaml:11: repositories[2] (name='c').overrides.commit-msg.header_max_lenght: unknown key"
    " (did you mean 'header_max_length'?)",
    # Met by all three repositories, reported once.
    "m.yaml:13: global.commit-msg.headerMaxLenght: unknown key (did you mean 'headerMaxLength'?)",
]


@pytest.fixture
def fleet_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    for name in ("a", "c"):
        (tmp_path / name).mkdir()
    return tmp_path


def error_of(directory: Path, text: str, options: Options | None = None) -> str:
    (directory / "m.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_fleet(directory / "m.yaml", directory, options or Options())
    return str(info.value)


def test_every_repository_is_planned_and_each_problem_reported(fleet_dir: Path) -> None:
    assert error_of(fleet_dir, PLANNING).splitlines() == PLANNING_ERRORS


def test_the_error_reads_as_its_first_problem(fleet_dir: Path) -> None:
    (fleet_dir / "m.yaml").write_text(PLANNING, encoding="utf-8")
    with pytest.raises(ConfigErrors) as info:
        load_fleet(fleet_dir / "m.yaml", fleet_dir, Options())
    assert info.value.line == 6
    assert info.value.key_path == "repositories[0] (name='a').checks[1]"
    assert len(info.value.errors) == 4


def test_the_file_and_its_entries_are_checked_together(fleet_dir: Path) -> None:
    text = (
        "repositories:\n"
        "  - name: a\n    path: a\n    shedule: manual\n"
        "  - {name: c, path: c, dependson: [a]}\n"
        "repos: []\n"
        "global:\n  reporting: {notificatons: {}}\n  concurency: 2\n  comit-msg: {}\n"
    )
    assert error_of(fleet_dir, text).splitlines() == [
        "m.yaml:4: repositories[0] (name='a').shedule: unknown key (did you mean 'schedule'?)",
        "m.yaml:5: repositories[1] (name='c').dependson: unknown key (did you mean 'depends_on'?)",
        "m.yaml:6: repos: unknown key (did you mean 'repositories'?)",
        "m.yaml:8: global.reporting.notificatons: unknown key (did you mean 'notifications'?)",
        "m.yaml:9: global.concurency: unknown key 'concurency' (did you mean 'concurrency'?)",
        "m.yaml:10: global.comit-msg: unknown key 'comit-msg' (did you mean 'commit-msg'?)",
    ]


def test_names_and_dependencies_are_checked_together(fleet_dir: Path) -> None:
    text = (
        "repositories:\n"
        "  - {name: a, path: a, depends_on: [c, zz]}\n"
        "  - {name: a, path: c}\n"
        "  - {name: c, path: c, depends_on: [a, c]}\n"
    )
    options = Options(repos=["nope"], sets=["trunk_brnch=x"])
    assert error_of(fleet_dir, text, options).splitlines() == [
        "m.yaml:2: repositories[0] (name='a').depends_on[1]: unknown repository 'zz' (known: a, c)",
        "m.yaml:2: repositories[0] (name='a').depends_on: dependency cycle: a -> c -> a",
        "m.yaml:3: repositories[1] (name='a').name: duplicate repository name 'a'"
        " (also repositories[0])",
        "m.yaml:4: repositories[2] (name='c').depends_on[1]: 'c' cannot depend on itself",
        "no repository named 'nope' in m.yaml (known: a, c)",
        "command line (--prove-set): trunk_brnch: unknown key 'trunk_brnch'"
        " (did you mean 'trunk_branch'?)",
    ]


def test_every_bad_setting_of_one_section(fleet_dir: Path) -> None:
    text = (
        "repositories:\n  - name: a\n    path: a\n"
        "    overrides:\n      commit-msg:\n        header_max_length: long\n"
        "        scopes: 3\n        typs: [feat]\n"
    )
    assert error_of(fleet_dir, text).splitlines() == [
        "m.yaml:6: repositories[0] (name='a').overrides.commit-msg.header_max_length:"
        " Input should be a valid integer (got 'long')",
        "m.yaml:7: repositories[0] (name='a').overrides.commit-msg.scopes:"
        " Input should be a valid list",
        "m.yaml:8: repositories[0] (name='a').overrides.commit-msg.typs: unknown key"
        " (did you mean 'types'?)",
    ]


def test_past_the_limit_a_count(fleet_dir: Path) -> None:
    entries = "".join(f"  - {{name: r{i}, path: a, shedule: x}}\n" for i in range(MAX_SHOWN + 5))
    lines = error_of(fleet_dir, "repositories:\n" + entries).splitlines()
    assert len(lines) == MAX_SHOWN + 1
    assert lines[0] == (
        "m.yaml:2: repositories[0] (name='r0').shedule: unknown key (did you mean 'schedule'?)"
    )
    assert lines[-1] == "... and 5 more"


def test_a_repository_file_reports_all_its_problems(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "prove.yaml").write_text(
        "checks:\n  - trunk\n  - secuirty\ntrunk_brach: main\n"
        "commit-msg:\n  header_max_lenght: 50\nmodes:\n  pr: {coverag: {}}\n",
        encoding="utf-8",
    )
    options = Options(sets=["commit-msg.headerMaxLenght=3"])
    with pytest.raises(ConfigError) as info:
        load_fleet(None, tmp_path, options)
    assert str(info.value).splitlines() == [
        "prove.yaml:4: trunk_brach: unknown key 'trunk_brach' (did you mean 'trunk_branch'?)",
        "prove.yaml:8: modes.pr.coverag: unknown key 'coverag' (did you mean 'coverage'?)",
    ]
    (tmp_path / "prove.yaml").write_text(
        "checks:\n  - trunk\n  - secuirty\ncommit-msg:\n  header_max_lenght: 50\n",
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as info:
        load_fleet(None, tmp_path, options)
    assert str(info.value).splitlines() == [
        "prove.yaml:3: checks[1]: unknown check 'secuirty' (did you mean 'security'?)",
        "prove.yaml:5: commit-msg.header_max_lenght: unknown key"
        " (did you mean 'header_max_length'?)",
        "command line (--prove-set): commit-msg.headerMaxLenght: unknown key"
        " (did you mean 'headerMaxLength'?)",
    ]


def test_each_repository_file_that_cannot_be_read_is_reported(fleet_dir: Path) -> None:
    for name in ("b", "d"):
        (fleet_dir / name).mkdir()
    (fleet_dir / "a" / "prove.yaml").write_bytes(b"checks: [\xff]\n")
    (fleet_dir / "b" / "prove.yaml").write_text("x: " + "[" * 150 + "]" * 150 + "\n")
    (fleet_dir / "c" / "prove.yaml").write_text("- just\n- a list\n")
    (fleet_dir / "d" / "prove.yaml").write_text("checks: {trunk: true}\ncommit-msg: 3\n")
    entries = "".join(f"  - {{name: {n}, path: {n}}}\n" for n in "abcd")
    assert error_of(fleet_dir, "repositories:\n" + entries).splitlines() == [
        "a/prove.yaml: not valid UTF-8 (byte 9)",
        "b/prove.yaml:1: nested deeper than 100 levels",
        "c/prove.yaml: expected a mapping of settings at the top level",
        "d/prove.yaml:1: checks: Input should be a valid list",
        "d/prove.yaml:2: commit-msg: settings of check 'commit-msg' must be a mapping",
    ]


def test_a_waivers_list_reports_every_waiver(fleet_dir: Path) -> None:
    waiver = "{{repo: {repo}, check: {check}, reason: r, approved_by: x, expires: 2099-01-01}}"
    text = (
        "repositories:\n  - {name: a, path: a, checks: [trunk]}\n"
        "waivers:\n"
        f"  - {waiver.format(repo='b', check='trunk')}\n"
        f"  - {waiver.format(repo='a', check='tdd')}\n"
    )
    assert error_of(fleet_dir, text).splitlines() == [
        "m.yaml:4: waivers[0].repo: no repository named 'b' (known: a)",
        "m.yaml:5: waivers[1].check: repository 'a' has no gate 'tdd' (its gates: trunk)",
    ]


def test_combined_keeps_each_problem_once_in_file_and_line_order() -> None:
    first, second = Path("a.yaml"), Path("b.yaml")
    errors = [
        ConfigError("late", file=first, line=9),
        ConfigErrors([ConfigError("other file", file=second, line=1), ConfigError("cli")]),
        ConfigError("early", file=first, line=2),
        ConfigError("late", file=first, line=9),
    ]
    assert str(combined(errors)).splitlines() == [
        "a.yaml:2: early",
        "a.yaml:9: late",
        "b.yaml:1: other file",
        "cli",
    ]
    single = ConfigError("one", file=first, line=1)
    assert combined([single]) is single


@pytest.mark.parametrize("mode", sorted(XDIST))
def test_the_usage_error_lists_every_problem(pytester: pytest.Pytester, mode: str) -> None:
    for name in ("a", "c"):
        (pytester.path / name).mkdir()
    pytester.makefile(".yaml", m=PLANNING)
    result = pytester.runpytest_subprocess("--prove-config", "m.yaml", *XDIST[mode])
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    lines = [line for line in result.errlines if line.strip()]
    assert lines == [f"ERROR: pytest-prove: {PLANNING_ERRORS[0]}", *PLANNING_ERRORS[1:]]
