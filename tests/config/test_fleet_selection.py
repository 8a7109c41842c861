"""Which repositories a run gates: discovery, schedules, shards; and the policy gate."""

from __future__ import annotations

import fnmatch
import tempfile
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pytest_prove.config.load import Options, load_fleet
from pytest_prove.config.selection import parse_shard, scheduled
from pytest_prove.readers.errors import ConfigError
from tests.repo_builder import MakeRepo, RepoBuilder

OK = "[python3, -c, pass]"


def ids(result: pytest.RunResult) -> list[str]:
    return sorted(line for line in result.outlines if "::" in line)


def write_fleet(pytester: pytest.Pytester, repositories: str, global_: str = "") -> None:
    pytester.makefile(
        ".yaml",
        multi=f"repositories:\n{repositories}global:\n  commands:\n    ok: {OK}\n{global_}",
    )


@pytest.fixture
def plain_dirs(pytester: pytest.Pytester) -> pytest.Pytester:
    for name in ("a", "b", "c", "d"):
        (pytester.path / name).mkdir()
    return pytester


SCHEDULED = """\
  - {name: a, path: a, checks: [ok], schedule: on-commit}
  - {name: b, path: b, checks: [ok], schedule: on-push}
  - {name: c, path: c, checks: [ok], schedule: scheduled}
  - {name: d, path: d, checks: [ok], schedule: manual}
"""


@pytest.mark.parametrize(
    ("args", "repos"),
    [
        ([], ["a", "b", "c"]),
        (["--prove-schedule", "on-push"], ["b"]),
        (["--prove-schedule", "scheduled"], ["c"]),
        (["--prove-schedule", "manual"], []),
        (["--prove-repo", "d"], ["d"]),
        (["--prove-repo", "d", "--prove-schedule", "on-push"], ["d"]),
    ],
)
@pytest.mark.parametrize("xdist", [[], ["-n", "2"]])
def test_schedules(
    plain_dirs: pytest.Pytester, args: list[str], repos: list[str], xdist: list[str]
) -> None:
    write_fleet(plain_dirs, SCHEDULED)
    result = plain_dirs.runpytest(
        "--prove-config", "multi.yaml", "--collect-only", "-q", *args, *xdist
    )
    assert ids(result) == [f"multi.yaml::{r}::ok" for r in repos]


def test_scheduled_rules() -> None:
    assert scheduled("manual", "x", wanted=None, named=["x"])
    assert not scheduled("manual", "x", wanted="manual", named=[])
    assert not scheduled("on-push", "y", wanted=None, named=["x"])


@pytest.mark.parametrize(("text", "shard"), [("1/1", (1, 1)), ("2/4", (2, 4)), (" 3 / 3 ", (3, 3))])
def test_parse_shard(text: str, shard: tuple[int, int]) -> None:
    assert parse_shard(text) == shard


@pytest.mark.parametrize("text", ["0/2", "3/2", "2", "a/b", "1/0", "-1/2", ""])
def test_bad_shard(text: str) -> None:
    with pytest.raises(ConfigError, match="--prove-shard"):
        parse_shard(text)


def test_bad_shard_is_a_usage_error(plain_dirs: pytest.Pytester) -> None:
    write_fleet(plain_dirs, SCHEDULED)
    result = plain_dirs.runpytest("--prove-config", "multi.yaml", "--prove-shard", "3/2")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        ["ERROR: pytest-prove: --prove-shard 3/2: K must be between 1 and N"]
    )


@given(
    st.lists(st.integers(1, 6), min_size=1, max_size=25),
    st.integers(1, 6),
)
def test_shards_cover_every_repository_once_and_balance(gate_counts: list[int], n: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        lines = []
        for i, count in enumerate(gate_counts):
            (root / f"r{i}").mkdir()
            checks = ", ".join(f"c{j}" for j in range(count))
            lines.append(f"  - {{name: r{i}, path: r{i}, checks: [{checks}]}}")
        commands = "\n".join(f"    c{j}: {OK}" for j in range(6))
        multi = root / "multi.yaml"
        multi.write_text(
            "repositories:\n" + "\n".join(lines) + f"\nglobal:\n  commands:\n{commands}\n"
        )
        shards = [load_fleet(multi, root, Options(shard=(k, n))).repos for k in range(1, n + 1)]
    names = [p.name for repos in shards for p in repos]
    assert sorted(names) == sorted(f"r{i}" for i in range(len(gate_counts)))
    loads = [sum(len(p.gates) for p in repos) for repos in shards]
    # Greedy on the heaviest first: no shard exceeds the lightest by more than the heaviest repo.
    assert max(loads) - min(loads) <= max(gate_counts)


def test_shards_under_xdist_are_the_same(plain_dirs: pytest.Pytester) -> None:
    write_fleet(plain_dirs, SCHEDULED.replace("schedule: manual", "schedule: on-push"))
    seen = []
    for k in (1, 2):
        runs = [
            ids(
                plain_dirs.runpytest(
                    "--prove-config",
                    "multi.yaml",
                    "--collect-only",
                    "-q",
                    "--prove-shard",
                    f"{k}/2",
                    *x,
                )
            )
            for x in ([], ["-n", "2"])
        ]
        assert runs[0] == runs[1]
        seen += runs[0]
    assert sorted(seen) == [f"multi.yaml::{r}::ok" for r in "abcd"]


@pytest.fixture
def services(tmp_path: Path) -> Path:
    root = tmp_path / "services"
    for name in ("billing", "auth", "web-ui"):
        repo = RepoBuilder(root / name).init()
        repo.commit("chore: start", files={"README.md": "x\n"})
    (root / "notes").mkdir()  # not a repository
    team = RepoBuilder(root / "team" / "search").init()  # one level deeper
    team.commit("chore: start")
    nested = RepoBuilder(root / "auth" / "vendor" / "lib").init()  # inside a repository
    nested.commit("chore: start")
    (root / ".cache").mkdir()
    RepoBuilder(root / ".cache" / "hidden").init()
    return root


@pytest.mark.parametrize(
    ("discover", "expected"),
    [
        ("{root: services}", ["auth", "billing", "web-ui"]),
        ("{root: services, depth: 2}", ["auth", "billing", "search", "web-ui"]),
        ("{root: services, exclude: ['web-*']}", ["auth", "billing"]),
        ("{root: services, pattern: 'b*'}", ["billing"]),
        (
            "{root: services, depth: 2, name: 'svc-{path}'}",
            ["svc-auth", "svc-billing", "svc-team-search", "svc-web-ui"],
        ),
    ],
)
def test_discovery(
    pytester: pytest.Pytester, services: Path, discover: str, expected: list[str]
) -> None:
    (pytester.path / "services").symlink_to(services)
    write_fleet(pytester, f"  - {{discover: {discover}, checks: [ok], schedule: on-push}}\n")
    result = pytester.runpytest("--prove-config", "multi.yaml", "--collect-only", "-q")
    assert ids(result) == [f"multi.yaml::{name}::ok" for name in expected]


def test_discovered_directory_names_become_usable_names(
    pytester: pytest.Pytester, tmp_path: Path
) -> None:
    for name in ("spa ce", "_private", "ünï", "a[1]"):
        RepoBuilder(tmp_path / "odd" / name).init().commit("chore: start")
    write_fleet(pytester, f"  - {{discover: {{root: {tmp_path / 'odd'}}}, checks: [ok]}}\n")
    result = pytester.runpytest("--prove-config", "multi.yaml", "--collect-only", "-q")
    names = ["a-1-", "n-", "private", "spa-ce"]  # sorted by directory
    assert sorted(ids(result)) == [f"multi.yaml::{name}::ok" for name in names]


def test_discovered_repositories_run_with_the_entry_defaults(
    pytester: pytest.Pytester, services: Path
) -> None:
    write_fleet(pytester, f"  - {{discover: {{root: {services}}}, checks: [ok, trunk]}}\n")
    result = pytester.runpytest("--prove-config", "multi.yaml", "-n", "2")
    result.assert_outcomes(passed=6)


@pytest.mark.parametrize(
    ("entries", "message"),
    [
        (
            "  - {discover: {root: nowhere}}\n",
            "multi.yaml:*: repositories[0].discover: discovery root not found: nowhere",
        ),
        (
            "  - {discover: {root: services, name: '{team}'}}\n",
            "*repositories[0].discover: unknown field {team} in name template*",
        ),
        (
            "  - {discover: {root: services}}\n  - {name: auth, path: services/auth}\n",
            "*repositories[1] (name='auth').name:"
            " duplicate repository name 'auth' (also repositories[0])",
        ),
        (
            "  - {discover: {root: services, dpth: 2}}\n",
            "*repositories[0].discover.dpth: unknown key (did you mean 'depth'?)",
        ),
    ],
)
def test_bad_discovery(
    pytester: pytest.Pytester, services: Path, entries: str, message: str
) -> None:
    (pytester.path / "services").symlink_to(services)
    write_fleet(pytester, entries)
    result = pytester.runpytest("--prove-config", "multi.yaml")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    errors = [line for line in result.errlines if line.startswith("ERROR:")]
    assert len(errors) == 1
    # "[" would open a character class in fnmatch: "[[]" matches it literally.
    assert fnmatch.fnmatchcase(errors[0], "ERROR: pytest-prove: " + message.replace("[", "[[]"))


def test_policy_gate_fails_a_repository_that_drops_a_required_check(
    pytester: pytest.Pytester, make_repo: MakeRepo
) -> None:
    good = make_repo("good")
    lax = make_repo("lax")
    write_fleet(
        pytester,
        f"  - {{name: good, path: {good.path}, checks: [ok, commit-msg]}}\n"
        f"  - {{name: lax, path: {lax.path}, checks: [ok]}}\n",
        "  policy: {requiredChecks: [commit-msg-convention]}\n",
    )
    result = pytester.runpytest("--prove-config", "multi.yaml", "-n", "2", "-rA")
    result.assert_outcomes(passed=3, failed=1)
    result.stdout.fnmatch_lines(
        [
            "lax::policy: drops required checks: commit-msg",
            "required-check required check 'commit-msg' is not among this repository's checks*",
        ]
    )


def test_unknown_required_check_is_a_config_error(plain_dirs: pytest.Pytester) -> None:
    write_fleet(plain_dirs, SCHEDULED, "  policy: {required_checks: [secuirty]}\n")
    result = plain_dirs.runpytest("--prove-config", "multi.yaml")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    errors = [line for line in result.errlines if line.startswith("ERROR:")]
    assert errors == [
        "ERROR: pytest-prove: multi.yaml:9: global.policy.required_checks[0]:"
        " unknown check 'secuirty' (did you mean 'security'?)"
    ]
