"""``depends_on``: a repository's gates are skipped when a gate of a repository it needs failed."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from pytest_prove.config.load import Options, load_fleet

PASS = "[python3, -c, pass]"
FAIL = "[python3, -c, 'raise SystemExit(1)']"


def fleet(pytester: pytest.Pytester, entries: str) -> None:
    for name in ("lib", "api", "web", "docs", "tool"):
        (pytester.path / name).mkdir(exist_ok=True)
    pytester.makefile(
        ".yaml",
        multi=f"repositories:\n{entries}global:\n  commands:\n    ok: {PASS}\n    bad: {FAIL}\n",
    )


# web needs api, api needs lib: listed dependents first, to check the run reorders them.
CHAIN = """\
  - {name: web, path: web, checks: [ok], depends_on: [api]}
  - {name: api, path: api, checks: [ok], depends_on: [lib]}
  - {name: docs, path: docs, checks: [ok]}
  - {name: lib, path: lib, checks: [LIB]}
"""


def test_dependencies_run_first(pytester: pytest.Pytester) -> None:
    fleet(pytester, CHAIN.replace("LIB", "ok"))
    result = pytester.runpytest("--prove-config", "multi.yaml", "--collect-only", "-q")
    ids = [line for line in result.outlines if "::" in line]
    assert ids == [
        "multi.yaml::docs::ok",
        "multi.yaml::lib::ok",
        "multi.yaml::api::ok",
        "multi.yaml::web::ok",
    ]


@pytest.mark.parametrize("xdist", [[], ["-n", "2"], ["-n", "2", "--dist", "loadscope"]])
def test_a_failed_dependency_skips_its_dependents(
    pytester: pytest.Pytester, xdist: list[str]
) -> None:
    fleet(pytester, CHAIN.replace("LIB", "ok, bad"))
    result = pytester.runpytest_subprocess(
        "--prove-config", "multi.yaml", "--junitxml=o.xml", *xdist
    )
    result.assert_outcomes(passed=2, failed=1, skipped=2)
    skipped = {
        case.get("name", "") + "@" + (case.get("classname") or ""): skip.get("message")
        for case in ET.parse(pytester.path / "o.xml").getroot().iter("testcase")
        if (skip := case.find("skipped")) is not None
    }
    assert skipped == {
        "ok@multi.yaml.api": "depends on lib: lib::bad failed",
        # transitively: web needs api, which needs lib
        "ok@multi.yaml.web": "depends on lib: lib::bad failed",
    }


@pytest.mark.parametrize("xdist", [[], ["-n", "2"]])
def test_passing_dependencies_let_dependents_run(
    pytester: pytest.Pytester, xdist: list[str]
) -> None:
    fleet(pytester, CHAIN.replace("LIB", "ok"))
    pytester.runpytest_subprocess("--prove-config", "multi.yaml", *xdist).assert_outcomes(passed=4)


@pytest.mark.parametrize(
    ("entries", "message"),
    [
        (
            "  - {name: api, path: api, depends_on: [nope]}\n",
            "multi.yaml:2: repositories[0] (name='api').depends_on[0]: unknown repository 'nope'"
            " (known: api)",
        ),
        (
            "  - {name: api, path: api, depends_on: [api]}\n",
            "multi.yaml:2: repositories[0] (name='api').depends_on[0]:"
            " 'api' cannot depend on itself",
        ),
        (
            "  - {name: api, path: api, depends_on: [web]}\n"
            "  - {name: web, path: web, depends_on: [lib]}\n"
            "  - {name: lib, path: lib, depends_on: [api]}\n",
            "multi.yaml:2: repositories[0] (name='api').depends_on: dependency cycle:"
            " api -> web -> lib -> api",
        ),
    ],
)
def test_bad_dependencies_are_config_errors(
    pytester: pytest.Pytester, entries: str, message: str
) -> None:
    fleet(pytester, entries)
    result = pytester.runpytest("--prove-config", "multi.yaml")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert [line for line in result.errlines if line.startswith("ERROR:")] == [
        f"ERROR: pytest-prove: {message}"
    ]


def test_shards_keep_a_dependency_group_together(tmp_path: Path) -> None:
    for name in ("lib", "api", "web", "docs", "tool"):
        (tmp_path / name).mkdir()
    multi = tmp_path / "multi.yaml"
    multi.write_text(
        "repositories:\n"
        + CHAIN.replace("LIB", "ok")
        + "  - {name: tool, path: tool, checks: [ok]}\n"
        + f"global:\n  commands:\n    ok: {PASS}\n"
    )
    shards = [
        [p.name for p in load_fleet(multi, tmp_path, Options(shard=(k, 2))).repos] for k in (1, 2)
    ]
    together = next(s for s in shards if "lib" in s)
    assert {"lib", "api", "web"} <= set(together)
    assert sorted(shards[0] + shards[1]) == ["api", "docs", "lib", "tool", "web"]
