"""Hostile configuration never crashes or hangs a run: each is one located config error (exit 4).

Duplicate keys, values YAML cannot construct, special files, symbolic link loops, names too
long, deep ``depends_on`` chains, out-of-range numbers, bad ``--prove-shard`` values, a command
named ``policy`` and waivers for nothing: found by a QA pass, pinned here.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pytest_prove.api import MAX_TIMEOUT_MS
from pytest_prove.checks.registry import load_registry
from pytest_prove.cli.main import main
from pytest_prove.config.fleet import Fleet
from pytest_prove.config.load import Options, load_fleet, parse_sets
from pytest_prove.config.selection import MAX_SHARDS, parse_shard
from pytest_prove.readers.errors import ConfigError
from pytest_prove.readers.yamlfile import MAX_FILE_BYTES, load_yaml_file, parse_yaml_value

HEAD = 'version: "1.0"\n'
# Five lines: what tests append starts on line 6.
ONE_REPO = HEAD + "repositories:\n  - name: r1\n    path: ./r1\n    checks: [commit-msg]\n"
LONG_NAME = "a" * 300


@pytest.fixture
def fleet_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in ("r1", "r2"):
        (tmp_path / name).mkdir()
    monkeypatch.chdir(tmp_path)  # error messages show paths relative to the cwd
    return tmp_path


def load(directory: Path, text: str, options: Options | None = None) -> Fleet:
    path = directory / "m.yaml"
    path.write_text(text)
    return load_fleet(path, directory, options or Options())


def error_of(directory: Path, text: str, options: Options | None = None) -> str:
    with pytest.raises(ConfigError) as info:
        load(directory, text, options)
    return str(info.value)


# --- duplicate keys -------------------------------------------------------------------------


def test_a_second_repositories_key_is_refused_with_both_lines(fleet_dir: Path) -> None:
    text = (
        HEAD + "repositories:\n  - {name: r1, path: ./r1}\n"
        "repositories:\n  - {name: r2, path: ./r2}\n"
    )
    assert error_of(fleet_dir, text) == (
        "m.yaml:4: duplicate key 'repositories' (first given on line 2)"
    )


def test_a_key_given_twice_inside_one_entry_is_refused(fleet_dir: Path) -> None:
    text = HEAD + "repositories:\n  - {name: r1, path: ./r1, checks: [trunk], checks: [tdd]}\n"
    assert error_of(fleet_dir, text) == "m.yaml:3: duplicate key 'checks' (first given on line 3)"


def test_keys_a_merge_brings_in_may_still_be_overridden(fleet_dir: Path) -> None:
    text = (
        HEAD + "repositories:\n"
        "  - &base {name: r1, path: ./r1, checks: [commit-msg]}\n"
        "  - {<<: *base, name: r2, path: ./r2}\n"
    )
    fleet = load(fleet_dir, text)
    assert [(p.name, p.path.name) for p in fleet.repos] == [("r1", "r1"), ("r2", "r2")]


def test_a_duplicate_key_in_a_repository_file_names_that_file(fleet_dir: Path) -> None:
    (fleet_dir / "r1" / "prove.yaml").write_text("checks: [trunk]\nchecks: [tdd]\n")
    text = HEAD + "repositories:\n  - {name: r1, path: ./r1}\n"
    assert error_of(fleet_dir, text) == (
        "r1/prove.yaml:2: duplicate key 'checks' (first given on line 1)"
    )


# --- values YAML cannot construct ------------------------------------------------------------

BAD_VALUES = {
    "impossible-date": (
        "[2026-02-30]",
        "invalid date '2026-02-30': day is out of range for month",
    ),
    "int-tag": ("!!int abc", "invalid int 'abc': invalid literal for int() with base 10: 'abc'"),
    "float-tag": ("!!float abc", "invalid float 'abc': could not convert string to float: 'abc'"),
    "timestamp-tag": ("!!timestamp nope", "invalid date 'nope': "),
}


@pytest.mark.parametrize("case", sorted(BAD_VALUES))
def test_a_value_its_tag_cannot_hold_is_a_located_error(fleet_dir: Path, case: str) -> None:
    value, problem = BAD_VALUES[case]
    text = ONE_REPO + f"    overrides: {{commit-msg: {{scopes: {value}}}}}\n"
    message = error_of(fleet_dir, text)
    assert message.startswith(f"m.yaml:6: {problem}")


@pytest.mark.parametrize("case", sorted(BAD_VALUES))
def test_the_same_values_on_the_command_line_are_errors(fleet_dir: Path, case: str) -> None:
    value, problem = BAD_VALUES[case]
    options = Options(sets=[f"commit-msg.scopes={value}"])
    assert error_of(fleet_dir, ONE_REPO, options).startswith(
        f"--prove-set commit-msg.scopes: {problem}"
    )


def test_an_impossible_waiver_expiry_is_a_located_error(fleet_dir: Path) -> None:
    text = ONE_REPO + (
        "waivers:\n  - {repo: r1, check: commit-msg, reason: x, approved_by: a,"
        " expires: 2099-13-45}\n"
    )
    assert error_of(fleet_dir, text).startswith("m.yaml:7: invalid date '2099-13-45'")


def test_a_bad_version_tag_is_a_located_error(fleet_dir: Path) -> None:
    text = ONE_REPO.replace('version: "1.0"', "version: !!int abc")
    assert error_of(fleet_dir, text).startswith("m.yaml:1: invalid int 'abc'")


def test_command_line_text_that_is_not_yaml_stays_text() -> None:
    assert parse_yaml_value("[a") == "[a"
    assert parse_yaml_value("a: b: c") == "a: b: c"
    assert parse_yaml_value("[1, 2]") == [1, 2]


def test_a_self_containing_list_is_refused(fleet_dir: Path) -> None:
    text = ONE_REPO + "    overrides: {commit-msg: {scopes: &a [*a]}}\n"
    assert "recursive" in error_of(fleet_dir, text)


@pytest.mark.parametrize(
    "text",
    [
        "[" * 100_000,
        "[" * 50_000 + "]" * 50_000,
        "{a: " * 30_000 + "1" + "}" * 30_000,
        "- " * 100_000 + "a\n",
        "".join(" " * i + "a:\n" for i in range(2_000)),
    ],
    ids=["open-lists", "lists", "mappings", "compact-lists", "indented"],
)
def test_deep_nesting_is_refused_not_a_crash(tmp_path: Path, text: str) -> None:
    # PyYAML's C composer recurses per level: 30,000 of them were a segmentation fault.
    path = tmp_path / "deep.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError, match="nested deeper than 100 levels"):
        load_yaml_file(path)


YAML_TOKENS = [
    *"[]{}:-?!&*#|>'\",.@%<=\n\t abcdef0129",
    "!!int ",
    "!!float ",
    "!!timestamp ",
    "!!binary ",
    "!!set ",
    "!!omap ",
    "!!str ",
    "!!null ",
    "!!bool ",
    "!<tag:yaml.org,2002:int> ",
    "2026-02-30",
    "2099-13-45",
    "2026-01-01 25:61:61",
    "1e999999",
    "0x",
    "0o9",
    ".nan",
    "<<: ",
    "&a ",
    "*a",
    "\n  ",
    "\n- ",
    "---\n",
    "%YAML 1.1\n",
]
YAMLISH = st.lists(st.sampled_from(YAML_TOKENS), max_size=40).map("".join)


@settings(
    max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=YAMLISH | st.text(max_size=80))
def test_any_text_loads_or_is_a_config_error(tmp_path: Path, text: str) -> None:
    path = tmp_path / "any.yaml"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    try:
        loaded = load_yaml_file(path)
    except ConfigError as exc:
        message = str(exc)
    else:
        message = None
        assert loaded.data is not None
    assert message is None or message.split(":")[0].endswith("any.yaml")


@settings(max_examples=200, deadline=None)
@given(value=YAMLISH)
def test_any_command_line_value_sets_or_is_a_config_error(value: str) -> None:
    try:
        parse_sets([f"commit-msg.scopes={value}"], REGISTRY)
    except ConfigError as exc:
        message = str(exc)
    else:
        message = "--prove-set"
    assert message.startswith(("--prove-set", "command line (--prove-set)"))


REGISTRY = load_registry()


# --- special files, loops, long names ----------------------------------------------------------


def _in_thread(load_it: object) -> BaseException | None:
    """Run ``load_it`` with a time limit: a FIFO must not block the load."""
    outcome: list[BaseException | None] = []

    def run() -> None:
        try:
            load_it()  # type: ignore[operator]
        except BaseException as exc:  # noqa: BLE001 - handed to the test
            outcome.append(exc)
        else:
            outcome.append(None)

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(20)
    assert outcome, "the load blocked"
    return outcome[0]


def test_a_fifo_as_config_is_not_a_regular_file(fleet_dir: Path) -> None:
    os.mkfifo(fleet_dir / "m.yaml")
    error = _in_thread(lambda: load_fleet(fleet_dir / "m.yaml", fleet_dir))
    assert isinstance(error, ConfigError)
    assert str(error) == "m.yaml: not a regular file (a FIFO, socket or device?)"


@pytest.mark.parametrize("device", ["/dev/null", "/dev/zero"])
def test_a_device_as_config_is_not_a_regular_file(fleet_dir: Path, device: str) -> None:
    error = _in_thread(lambda: load_fleet(Path(device), fleet_dir))
    assert isinstance(error, ConfigError)
    assert str(error).endswith(
        f"{device.lstrip('/')}: not a regular file (a FIFO, socket or device?)"
    )
    assert "not found" not in str(error)


def test_a_fifo_in_extends_is_located_at_the_entry(fleet_dir: Path) -> None:
    os.mkfifo(fleet_dir / "preset.yaml")
    text = ONE_REPO + "extends: [./preset.yaml]\n"
    error = _in_thread(lambda: load(fleet_dir, text))
    assert isinstance(error, ConfigError)
    assert str(error) == (
        "m.yaml:6: extends[0]: extends file is not a regular file (a FIFO, socket or device?):"
        " preset.yaml"
    )


def test_a_fifo_as_waivers_file_is_located_at_waivers(fleet_dir: Path) -> None:
    os.mkfifo(fleet_dir / "w.yaml")
    error = _in_thread(lambda: load(fleet_dir, ONE_REPO + "waivers: w.yaml\n"))
    assert isinstance(error, ConfigError)
    assert str(error) == (
        "m.yaml:6: waivers: waivers file is not a regular file (a FIFO, socket or device?): w.yaml"
    )


def test_a_fifo_as_default_waivers_file_is_not_ignored(fleet_dir: Path) -> None:
    os.mkfifo(fleet_dir / "prove-waivers.yaml")
    error = _in_thread(lambda: load(fleet_dir, ONE_REPO))
    assert isinstance(error, ConfigError)
    assert "waivers file is not a regular file" in str(error)


def test_a_fifo_as_repository_prove_yaml_is_reported(fleet_dir: Path) -> None:
    os.mkfifo(fleet_dir / "r1" / "prove.yaml")
    error = _in_thread(lambda: load(fleet_dir, ONE_REPO))
    assert isinstance(error, ConfigError)
    assert str(error) == "r1/prove.yaml: not a regular file (a FIFO, socket or device?)"


def test_a_file_over_the_size_cap_is_refused(fleet_dir: Path) -> None:
    path = fleet_dir / "big.yaml"
    path.write_text(ONE_REPO + "#" * MAX_FILE_BYTES)
    with pytest.raises(ConfigError, match=r"^big\.yaml: larger than 10 MB"):
        load_fleet(path, fleet_dir)


def test_a_file_just_under_the_cap_loads(fleet_dir: Path) -> None:
    path = fleet_dir / "m.yaml"
    path.write_text(ONE_REPO + "#" * (MAX_FILE_BYTES - len(ONE_REPO) - 1) + "\n")
    assert [p.name for p in load_fleet(path, fleet_dir).repos] == ["r1"]


def test_a_symlink_loop_as_config(fleet_dir: Path) -> None:
    (fleet_dir / "a.yaml").symlink_to("b.yaml")
    (fleet_dir / "b.yaml").symlink_to("a.yaml")
    with pytest.raises(ConfigError, match=r"^symbolic link loop: a\.yaml$"):
        load_fleet(fleet_dir / "a.yaml", fleet_dir)


def test_a_symlink_loop_in_extends(fleet_dir: Path) -> None:
    (fleet_dir / "a.yaml").symlink_to("b.yaml")
    (fleet_dir / "b.yaml").symlink_to("a.yaml")
    assert error_of(fleet_dir, ONE_REPO + "extends: [./a.yaml]\n") == (
        "m.yaml:6: extends[0]: extends file: symbolic link loop: a.yaml"
    )


def test_a_symlink_loop_as_repository_path(fleet_dir: Path) -> None:
    (fleet_dir / "loop").symlink_to("loop")
    text = HEAD + "repositories:\n  - {name: r1, path: ./loop}\n"
    assert error_of(fleet_dir, text) == (
        "m.yaml:3: repositories[0] (name='r1').path: symbolic link loop: loop"
    )


def test_a_symlink_loop_as_repository_config(fleet_dir: Path) -> None:
    (fleet_dir / "r1" / "prove.yaml").symlink_to("prove.yaml")
    text = HEAD + "repositories:\n  - {name: r1, path: ./r1}\n"
    assert error_of(fleet_dir, text) == "r1/prove.yaml: symbolic link loop"


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            f"  - {{name: r1, path: ./{LONG_NAME}}}\n",
            f"m.yaml:3: repositories[0] (name='r1').path: file name too long: {LONG_NAME}",
        ),
        (
            f"  - {{name: r1, path: ./r1}}\nextends: [./{LONG_NAME}.yaml]\n",
            f"m.yaml:4: extends[0]: extends file: file name too long: {LONG_NAME}.yaml",
        ),
        (
            f"  - {{name: r1, path: ./r1}}\nwaivers: {LONG_NAME}.yaml\n",
            f"m.yaml:4: waivers: waivers file: file name too long: {LONG_NAME}.yaml",
        ),
        (
            f"  - {{name: r1, path: ./r1, config: {LONG_NAME}.yaml}}\n",
            f"m.yaml:3: repositories[0] (name='r1').config: config file: file name too long:"
            f" r1/{LONG_NAME}.yaml",
        ),
    ],
    ids=["repository-path", "extends", "waivers", "repository-config"],
)
def test_a_name_too_long_is_a_located_error(fleet_dir: Path, line: str, expected: str) -> None:
    assert error_of(fleet_dir, HEAD + "repositories:\n" + line) == expected


def test_a_config_path_too_long(fleet_dir: Path) -> None:
    with pytest.raises(ConfigError, match="file name too long"):
        load_fleet(fleet_dir / f"{LONG_NAME}.yaml", fleet_dir)


# --- depends_on -----------------------------------------------------------------------------


def _chain(length: int, *, cycle: bool = False) -> str:
    lines = [HEAD, "repositories:\n"]
    for i in range(length):
        deps = f"[c{i - 1}]" if i else (f"[c{length - 1}]" if cycle else "[]")
        lines.append(f"  - {{name: c{i}, path: ./r1, checks: [commit-msg], depends_on: {deps}}}\n")
    return "".join(lines)


def test_a_depends_on_chain_a_thousand_deep_loads_in_order(fleet_dir: Path) -> None:
    fleet = load(fleet_dir, _chain(1_000))
    assert [p.name for p in fleet.repos] == [f"c{i}" for i in range(1_000)]
    assert len(fleet.repo("c999").depends_on) == 999


def test_a_cycle_closing_a_thousand_deep_chain_is_reported(fleet_dir: Path) -> None:
    message = error_of(fleet_dir, _chain(1_000, cycle=True))
    assert message.startswith("m.yaml:3: repositories[0] (name='c0').depends_on: dependency cycle:")
    assert message.endswith(
        "cycle: c0 -> c999 -> c998 -> c997 -> ... 993 more ... -> c3 -> c2 -> c1 -> c0"
    )


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    edges=st.lists(st.tuples(st.integers(0, 7), st.integers(0, 7)), max_size=14),
)
def test_dependency_order_or_a_cycle_for_any_graph(
    fleet_dir: Path, edges: list[tuple[int, int]]
) -> None:
    deps: dict[int, set[int]] = {i: set() for i in range(8)}
    for a, b in edges:
        if a != b:
            deps[a].add(b)
    lines = [HEAD, "repositories:\n"]
    for i in range(8):
        names = ", ".join(f"n{d}" for d in sorted(deps[i]))
        lines.append(f"  - {{name: n{i}, path: ./r1, depends_on: [{names}]}}\n")
    try:
        fleet = load(fleet_dir, "".join(lines))
    except ConfigError as exc:
        message = str(exc)
    else:
        message = None
    if message is not None:
        assert "dependency cycle" in message
        assert _has_cycle(deps)
    else:
        assert not _has_cycle(deps)
        position = {p.name: i for i, p in enumerate(fleet.repos)}
        assert all(position[f"n{d}"] < position[f"n{i}"] for i in deps for d in deps[i])


def _has_cycle(deps: dict[int, set[int]]) -> bool:
    remaining = {k: set(v) for k, v in deps.items()}
    while remaining:
        free = [k for k, v in remaining.items() if not v & remaining.keys()]
        if not free:
            return True
        for k in free:
            del remaining[k]
    return False


# --- numbers ----------------------------------------------------------------------------------

HUGE = 9_999_999_999_999
NUMBERS = {
    "global-timeout": (
        f"global: {{timeout: {HUGE}}}\n",
        "m.yaml:6: global.timeout: Input should be less than or equal to 604800000",
    ),
    "command-timeout": (
        f"global: {{commands: {{lint: {{argv: 'true', timeout: {HUGE}}}}}}}\n",
        "m.yaml:6: global.commands.lint.timeout: Input should be less than or equal to 604800000",
    ),
    "check-timeout": (
        f"global: {{commit-msg: {{timeout: {HUGE}}}}}\n",
        "m.yaml:6: global.commit-msg.timeout: Input should be less than or equal to 604800000",
    ),
    "max-age-days": (
        "global: {trunk: {max_age_days: 999999999}}\n",
        "m.yaml:6: global.trunk.max_age_days: Input should be less than or equal to 36500",
    ),
    "max-age-days-infinite": (
        "global: {trunk: {max_age_days: .inf}}\n",
        "m.yaml:6: global.trunk.max_age_days: Input should be less than or equal to 36500",
    ),
    "max-age-days-nan": (
        "global: {trunk: {max_age_days: .nan}}\n",
        "m.yaml:6: global.trunk.max_age_days: Input should be less than or equal to 36500",
    ),
    "header-max-length": (
        "global: {commit-msg: {header_max_length: 10000000000}}\n",
        "m.yaml:6: global.commit-msg.header_max_length: Input should be less than or equal"
        " to 1000000",
    ),
    "concurrency-boolean": (
        "global: {concurrency: true}\n",
        "m.yaml:6: global.concurrency: Input should be a valid integer (got True)",
    ),
    "concurrency-string": (
        "global: {concurrency: '4'}\n",
        "m.yaml:6: global.concurrency: Input should be a valid integer (got '4')",
    ),
    "timeout-boolean": (
        "global: {commit-msg: {timeout: true}}\n",
        "m.yaml:6: global.commit-msg.timeout: Input should be a valid integer (got True)",
    ),
    "threshold-boolean": (
        "global: {coverage: {threshold: true}}\n",
        "m.yaml:6: global.coverage.threshold: Input should be a valid number (got True)",
    ),
}


@pytest.mark.parametrize("case", sorted(NUMBERS))
def test_out_of_range_or_lax_numbers_are_config_errors(fleet_dir: Path, case: str) -> None:
    extra, expected = NUMBERS[case]
    assert error_of(fleet_dir, ONE_REPO + extra).startswith(expected)


def test_the_bounds_themselves_are_accepted(fleet_dir: Path) -> None:
    text = ONE_REPO + (
        f"global:\n  timeout: {MAX_TIMEOUT_MS}\n  concurrency: 4\n"
        "  trunk: {max_age_days: 36500}\n  commit-msg: {header_max_length: 1000000}\n"
        "  coverage: {threshold: 80}\n"
    )
    fleet = load(fleet_dir, text)
    assert fleet.settings.timeout == MAX_TIMEOUT_MS
    assert fleet.settings.concurrency == 4
    gate = fleet.repos[0].gates[0]
    assert gate.settings.header_max_length == 1_000_000  # type: ignore[attr-defined]


# --- --prove-shard ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("", "expects K/N"),
        ("1/99999999999999999999999", f"N must be between 1 and {MAX_SHARDS:,}"),
        ("1/100000000", f"N must be between 1 and {MAX_SHARDS:,}"),
        ("1/" + "9" * 5_000, f"N must be between 1 and {MAX_SHARDS:,}"),
        ("¹/²", "expects K/N"),
        ("\u0661/\u0662", "expects K/N"),  # Arabic-Indic digits
        ("0/2", "K must be between 1 and N"),
        ("3/2", "K must be between 1 and N"),
        ("1/0", f"N must be between 1 and {MAX_SHARDS:,}"),
        ("-1/2", "expects K/N"),
        ("1/2/3", "expects K/N"),
    ],
)
def test_bad_shards_are_refused(value: str, problem: str) -> None:
    with pytest.raises(ConfigError, match=problem):
        parse_shard(value)


def test_good_shards_parse() -> None:
    assert parse_shard("2/4") == (2, 4)
    assert parse_shard(" 1 / 10000 ") == (1, 10_000)


@given(st.text(max_size=30))
def test_any_shard_text_parses_or_is_a_config_error(value: str) -> None:
    try:
        k, n = parse_shard(value)
    except ConfigError as exc:
        message = str(exc)
    else:
        message = ""
        assert 1 <= k <= n <= MAX_SHARDS
    assert len(message) < 200


# --- names and waivers -------------------------------------------------------------------------


def test_a_command_named_policy_is_reserved(fleet_dir: Path) -> None:
    text = (
        HEAD + "global: {policy: {required_checks: [trunk]}, commands: {policy: 'true'}}\n"
        "repositories:\n  - {name: r1, path: ./r1, checks: [policy]}\n"
    )
    assert error_of(fleet_dir, text) == (
        "m.yaml:2: global.commands.policy: command name 'policy' is reserved: the built-in"
        " policy gate (global.policy.required_checks) has that name"
    )


WAIVER = "{{repo: {repo}, check: {check}, reason: typo, approved_by: a, expires: 2099-01-01}}"


def test_a_waiver_for_an_unknown_repository_is_a_config_error(fleet_dir: Path) -> None:
    (fleet_dir / "w.yaml").write_text("- " + WAIVER.format(repo="nope", check="nope") + "\n")
    assert error_of(fleet_dir, ONE_REPO + "waivers: w.yaml\n") == (
        "w.yaml:1: [0].repo: no repository named 'nope' (known: r1)"
    )


def test_an_inline_waiver_for_a_gate_the_repository_lacks_is_a_config_error(
    fleet_dir: Path,
) -> None:
    text = ONE_REPO + "waivers:\n  - " + WAIVER.format(repo="r1", check="trunk") + "\n"
    assert error_of(fleet_dir, text) == (
        "m.yaml:7: waivers[0].check: repository 'r1' has no gate 'trunk' (its gates: commit-msg)"
    )


def test_waivers_for_existing_gates_load(fleet_dir: Path) -> None:
    text = ONE_REPO + "waivers:\n  - " + WAIVER.format(repo="r1", check="commit-msg") + "\n"
    assert [w.check for w in load(fleet_dir, text).waivers] == ["commit-msg"]


def test_gates_of_a_repository_the_run_does_not_plan_are_not_checked(fleet_dir: Path) -> None:
    text = (
        HEAD + "repositories:\n  - {name: r1, path: ./r1, checks: [commit-msg]}\n"
        "  - {name: r2, path: ./r2, checks: [commit-msg]}\n"
        "waivers:\n  - " + WAIVER.format(repo="r2", check="trunk") + "\n"
    )
    fleet = load(fleet_dir, text, Options(repos=["r1"]))
    assert [w.repo for w in fleet.waivers] == ["r2"]
    with pytest.raises(ConfigError, match="repository 'r2' has no gate 'trunk'"):
        load(fleet_dir, text)


# --- through the plugin and the CLI --------------------------------------------------------------


@pytest.fixture
def plugin_dir(pytester: pytest.Pytester) -> pytest.Pytester:
    (pytester.path / "r1").mkdir()
    return pytester


def _usage_error(result: pytest.RunResult, expected: str) -> None:
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    errors = [line for line in result.errlines if line.startswith("ERROR:")]
    assert errors == [f"ERROR: pytest-prove: {expected}"]
    assert "INTERNALERROR" not in result.stdout.str() + result.stderr.str()


def test_plugin_duplicate_key_is_a_usage_error(plugin_dir: pytest.Pytester) -> None:
    plugin_dir.makefile(".yaml", m=ONE_REPO + "version: '1.0'\n")
    result = plugin_dir.runpytest("--prove-config", "m.yaml", "-p", "no:cacheprovider")
    _usage_error(result, "m.yaml:6: duplicate key 'version' (first given on line 1)")


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--prove-config="], "--prove-config needs a file path, got an empty one"),
        (
            ["--prove-config", "m.yaml", "--prove-shard="],
            "--prove-shard expects K/N (e.g. 2/4), got ''",
        ),
        (
            ["--prove-config", "m.yaml", "--prove-shard", "¹/²"],
            "--prove-shard expects K/N (e.g. 2/4), got '¹/²'",
        ),
        (
            ["--prove-config", "m.yaml", "--prove-shard", "1/99999999999999999999999"],
            f"--prove-shard 1/99999999999999999999999: N must be between 1 and {MAX_SHARDS:,}",
        ),
        (
            ["--prove-config", "m.yaml", "--prove-set", "commit-msg.scopes=[2026-02-30]"],
            "--prove-set commit-msg.scopes: invalid date '2026-02-30':"
            " day is out of range for month",
        ),
    ],
    ids=["empty-config", "empty-shard", "unicode-shard", "huge-shard", "bad-set-date"],
)
def test_plugin_bad_options_are_usage_errors(
    plugin_dir: pytest.Pytester, args: list[str], expected: str
) -> None:
    plugin_dir.makefile(".yaml", m=ONE_REPO)
    _usage_error(plugin_dir.runpytest(*args, "-p", "no:cacheprovider"), expected)


def test_plugin_fifo_config_under_xdist_neither_hangs_nor_crashes(
    plugin_dir: pytest.Pytester,
) -> None:
    os.mkfifo(plugin_dir.path / "m.yaml")
    result = plugin_dir.runpytest_subprocess(
        "--prove-config", "m.yaml", "-n", "2", "-p", "no:cacheprovider", timeout=120
    )
    _usage_error(result, "m.yaml: not a regular file (a FIFO, socket or device?)")


def test_plugin_bad_date_under_xdist_is_a_usage_error(plugin_dir: pytest.Pytester) -> None:
    plugin_dir.makefile(
        ".yaml", m=ONE_REPO + "    overrides: {commit-msg: {scopes: [2026-02-30]}}\n"
    )
    result = plugin_dir.runpytest_subprocess(
        "--prove-config", "m.yaml", "-n", "2", "-p", "no:cacheprovider", timeout=120
    )
    _usage_error(result, "m.yaml:6: invalid date '2026-02-30': day is out of range for month")


@pytest.mark.parametrize("command", [["config", "show"], ["orchestrate"]])
def test_prove_commands_report_the_same_error(
    fleet_dir: Path, capsys: pytest.CaptureFixture[str], command: list[str]
) -> None:
    (fleet_dir / "m.yaml").write_text(
        ONE_REPO + "    overrides: {commit-msg: {scopes: !!int abc}}\n"
    )
    status = main([*command, "--config", str(fleet_dir / "m.yaml")])
    captured = capsys.readouterr()
    assert status == 4
    assert "m.yaml:6: invalid int 'abc'" in captured.err
    assert "Traceback" not in captured.err + captured.out
