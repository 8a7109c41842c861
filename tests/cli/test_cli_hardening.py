"""Hostile input to the ``prove`` subcommands: one clear message and the documented exit code.

Malformed or deeply nested reports and audit lines, output paths that are
directories, and updates files that would commit a config the next run refuses.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pytest_prove.cli.main import main
from pytest_prove.errors import USAGE_ERROR, UsageError
from pytest_prove.governance.audit.log import AuditError, AuditLog, verify_log
from pytest_prove.governance.sync.git_ops import branch_name_problem
from pytest_prove.report.views.merge import merge_json
from tests.repo_builder import MakeRepo, RepoBuilder

DEEP = "[" * 100_000 + "]" * 100_000


def _report(nodeid: str = "multi.yaml::r1::trunk", **top: Any) -> dict[str, Any]:
    test = {"nodeid": nodeid, "outcome": "passed", "keywords": ["prove"]}
    return {
        "created": 1_700_000_000.0,
        "duration": 1.5,
        "exitcode": 0,
        "summary": {"passed": 1, "total": 1, "collected": 1},
        "tests": [test],
        **top,
    }


def _prove(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = main(list(argv))
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return code, err


@pytest.fixture
def shards(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "s1.json").write_text(json.dumps(_report("multi.yaml::r1::trunk")))
    (tmp_path / "s2.json").write_text(json.dumps(_report("multi.yaml::r2::trunk")))
    return tmp_path


# --- prove report --merge -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ('{"tests": [1]}', "tests[0] is not a JSON object"),
        ('{"tests": [{"outcome": "passed"}]}', "tests[0] has no string 'nodeid'"),
        (json.dumps(_report(summary="x")), "'summary' is not a JSON object"),
        (json.dumps(_report(summary={"collected": "7"})), "'summary.collected' is not a count"),
        (json.dumps(_report(duration="x")), "'duration' is not a number: \"x\""),
        (json.dumps(_report(created=True)), "'created' is not a number: true"),
        (json.dumps(_report(duration=float("nan"))), "'duration' is not a finite number: NaN"),
        (json.dumps(_report(created=10**400)), "'created' is not a finite number"),
        (json.dumps(_report(exitcode="0")), "'exitcode' is not an integer"),
        (DEEP, "not valid JSON: nested too deeply"),
        ('{"tests": ' + DEEP + "}", "not valid JSON: nested too deeply"),
    ],
)
def test_a_malformed_shard_report_is_named_with_its_problem(
    shards: Path, capsys: pytest.CaptureFixture[str], text: str, problem: str
) -> None:
    (shards / "bad.json").write_text(text)
    code, err = _prove(capsys, "report", "--merge", "s1.json", "bad.json")
    assert code == USAGE_ERROR
    assert "bad.json" in err
    assert problem in err
    assert len(err.strip().splitlines()) == 1


def test_good_shards_still_merge_with_null_optional_fields(
    shards: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (shards / "s2.json").write_text(
        json.dumps(_report("multi.yaml::r2::trunk", summary=None, duration=None, exitcode=None))
    )
    code, _ = _prove(capsys, "report", "--merge", "s1.json", "s2.json", "-o", "all.json")
    assert code == 0
    merged = json.loads((shards / "all.json").read_text())
    assert merged["summary"] == {"passed": 2, "total": 2, "collected": 1}
    assert (merged["duration"], merged["exitcode"]) == (1.5, 0)


@pytest.mark.parametrize("option", ["-o", "--durations"])
def test_a_directory_as_merge_output_is_a_usage_error_before_anything_is_written(
    shards: Path, capsys: pytest.CaptureFixture[str], option: str
) -> None:
    (shards / "out").mkdir()
    other = ["--durations", "d.json"] if option == "-o" else ["-o", "all.json"]
    code, err = _prove(capsys, "report", "--merge", "s1.json", "s2.json", option, "out", *other)
    assert code == USAGE_ERROR
    assert err == f"prove report: cannot write out ({option}): it is a directory\n"
    assert sorted(p.name for p in shards.iterdir()) == ["out", "s1.json", "s2.json"]


def test_an_unwritable_merge_output_is_a_usage_error(
    shards: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, err = _prove(capsys, "report", "--merge", "s1.json", "s2.json", "-o", "s1.json/x")
    assert code == USAGE_ERROR
    assert err == "prove report: cannot write s1.json/x: Not a directory\n"


def test_a_deeply_nested_junit_report_is_a_usage_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    deep = "<x>" * 5_000 + "</x>" * 5_000
    (tmp_path / "a.xml").write_text(
        f'<testsuite><testcase classname="a" name="b">{deep}</testcase></testsuite>'
    )
    code, err = _prove(capsys, "report", "--merge", "a.xml")
    assert code == USAGE_ERROR
    assert err == "prove report --merge: a report is nested too deeply\n"


def test_from_json_of_a_deeply_nested_file_is_a_usage_error(
    shards: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (shards / "deep.json").write_text(DEEP)
    code, err = _prove(capsys, "report", "--from-json", "deep.json")
    assert code == USAGE_ERROR
    assert err == "prove report: cannot read deep.json: not valid JSON: nested too deeply\n"


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner),
    max_leaves=10,
)
report_like = st.fixed_dictionaries(
    {},
    optional={
        "tests": st.lists(
            json_values | st.fixed_dictionaries({"nodeid": json_values, "outcome": json_values}),
            max_size=3,
        ),
        "summary": json_values | st.fixed_dictionaries({"collected": json_values}),
        "created": json_values,
        "duration": json_values,
        "exitcode": json_values,
        "prove": json_values,
    },
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(report=report_like | json_values)
def test_any_json_document_merges_or_is_one_usage_error(report: Any) -> None:
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "shard.json"
        path.write_text(json.dumps(report))
        try:
            merged = merge_json([path])
        except UsageError as exc:
            message = str(exc)
        else:
            assert merged["summary"]["total"] == len(report["tests"])
            json.dumps(merged)
            return
    assert message.startswith(f"prove report: {path} is not a pytest-json-report file")


# --- prove audit verify, prove migrate, prove security baseline ---------------------------


def test_a_deeply_nested_audit_line_is_named_not_a_crash(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    log = AuditLog(tmp_path / "audit.jsonl")
    log.append("run", "a@example.com", {})
    log.append("run", "a@example.com", {})
    with log.path.open("a") as handle:
        handle.write(DEEP + "\n")
    assert main(["audit", "verify", str(log.path)]) == 1
    out, err = capsys.readouterr()
    assert err == f"{log.path}:3: not a JSON entry (not valid JSON: nested too deeply)\n"
    assert out == "the first 2 entries are intact\n"
    with pytest.raises(AuditError, match="its last entry is damaged"):
        log.append("run", "a@example.com", {})


def test_an_audit_line_the_encoder_cannot_rehash_is_named(tmp_path: Path) -> None:
    # Near the limit there is a depth json parses but cannot encode again for the hash.
    path = tmp_path / "audit.jsonl"
    problems = set()
    for depth in range(800, 1100):
        body = '{"a":' * depth + "1" + "}" * depth
        path.write_text('{"seq": 1, "prev": "", "hash": "", "x": ' + body + "}\n")
        result = verify_log(path)
        assert result.bad_line == 1
        problems.add(result.problem)
    assert problems == {
        "edited: the entry does not match its own hash",
        "not an audit entry: nested too deeply",
        "not a JSON entry (not valid JSON: nested too deeply)",
    }


def test_migrating_a_deeply_nested_file_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "old.json").write_text(DEEP)
    code, err = _prove(capsys, "migrate", str(tmp_path / "old.json"))
    assert code == USAGE_ERROR
    assert err == f"prove migrate: {tmp_path / 'old.json'}: not valid JSON: nested too deeply\n"
    assert not (tmp_path / "prove.yaml").exists()


def test_a_directory_as_baseline_output_is_a_usage_error(
    make_repo: MakeRepo, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = make_repo()
    (tmp_path / "out").mkdir()
    code, err = _prove(capsys, "security", "baseline", str(repo.path), "-o", str(tmp_path / "out"))
    assert code == USAGE_ERROR
    assert err == f"prove security baseline: cannot write {tmp_path / 'out'}: it is a directory\n"
    code, err = _prove(
        capsys, "security", "baseline", str(repo.path), "-o", str(repo.path / "README.md" / "b")
    )
    assert code == USAGE_ERROR
    assert err.startswith(f"prove security baseline: cannot create {repo.path / 'README.md'}: ")
    code, _ = _prove(capsys, "security", "baseline", str(repo.path), "-o", str(tmp_path / "b.json"))
    assert code == 0
    assert json.loads((tmp_path / "b.json").read_text())["accepted"] == []


# --- prove sync ---------------------------------------------------------------------------


@pytest.fixture
def fleet(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> RepoBuilder:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PROVE_ACTOR", "lead@example.com")
    repo = RepoBuilder(tmp_path / "r1").init()
    repo.commit("chore: init", files={"prove.yaml": "checks: [trunk]\n"})
    (tmp_path / "multi.yaml").write_text("repositories:\n  - {name: r1, path: r1}\n")
    return repo


def _updates(path: Path, update: str, branch: str | None = None) -> None:
    head = f"branch: {json.dumps(branch)}\n" if branch is not None else ""
    path.write_text(f"orchestrator: multi.yaml\n{head}updates:\n  - {update}\n")


@pytest.mark.parametrize(
    ("update", "problem"),
    [
        (
            "set: {comit-msg.header_max_length: 72}",
            "comit-msg: unknown key 'comit-msg' (did you mean 'commit-msg'?)",
        ),
        (
            "set: {modes.pr.comit-msg.header_max_length: 72}",
            "modes.pr.comit-msg: unknown key 'comit-msg'",
        ),
        ("set: {modes.qa.trunk.max_age_days: 3}", "modes.qa: unknown delivery mode 'qa'"),
        ("set: {modes.pr.trunk.max_age_days: x}", "modes.pr.trunk.max_age_days: Input should be"),
        ("set: {commands.lint.timeout: -1}", "commands.lint.timeout: Input should be greater"),
        ("set: {commands.trunk.argv: x}", "commands.trunk: command name 'trunk' clashes"),
        ("set: {when.nope: 1}", "when.nope: Extra inputs are not permitted"),
        ("set: {trunk.nope: 1}", "trunk.nope: Extra inputs are not permitted"),
    ],
)
def test_sync_refuses_an_edit_the_next_run_would_reject(
    fleet: RepoBuilder, capsys: pytest.CaptureFixture[str], update: str, problem: str
) -> None:
    _updates(fleet.path.parent / "u.yaml", update, branch="prove/typo")
    before = fleet.git("for-each-ref")
    code, err = _prove(capsys, "sync", "--config", "u.yaml", "--apply")
    assert code == 1
    assert f"r1: refused: prove.yaml would become invalid: {problem}" in err
    assert "nothing applied" in err
    assert fleet.git("for-each-ref") == before


@pytest.mark.parametrize(
    "update",
    [
        "set: {commit-msg.header_max_length: 72}",
        "set: {modes.pr.trunk.max_age_days: 5}",
        # argv may come from a preset or `global`: a partial command is not refused
        "set: {commands.lint.timeout: 5}",
    ],
)
def test_sync_applies_a_valid_edit(
    fleet: RepoBuilder, capsys: pytest.CaptureFixture[str], update: str
) -> None:
    _updates(fleet.path.parent / "u.yaml", update, branch="prove/ok")
    code, err = _prove(capsys, "sync", "--config", "u.yaml", "--apply")
    assert (code, err) == (0, "")
    assert fleet.git("rev-parse", "--verify", "refs/heads/prove/ok")


@pytest.mark.parametrize(
    "branch", ["-x", "--force", "a..b", "@{-1}", "x y", "x.lock", "HEAD", "a" * 300, "a\0b"]
)
def test_sync_refuses_an_invalid_branch_name_before_anything_is_done(
    fleet: RepoBuilder, capsys: pytest.CaptureFixture[str], branch: str
) -> None:
    _updates(fleet.path.parent / "u.yaml", "set: {trunk.max_age_days: 5}", branch=branch)
    before = fleet.git("for-each-ref")
    code, err = _prove(capsys, "sync", "--config", "u.yaml", "--apply")
    assert code == USAGE_ERROR
    assert err.startswith(f"prove sync: u.yaml:2: branch: {branch[:80]!r}")
    assert "is not a valid branch name" in err
    assert fleet.git("for-each-ref") == before
    assert not (fleet.path.parent / ".prove").exists()


def test_branch_names_git_accepts_pass(tmp_path: Path) -> None:
    assert branch_name_problem(tmp_path, "prove/coverage-85") is None
    assert branch_name_problem(tmp_path, "feat/ü-name") is None
    problem = branch_name_problem(tmp_path, "x" * 200_000)
    assert problem is not None
    assert problem.startswith(f"{'x' * 80!r}... is not a valid branch name")


def test_init_ignores_a_deeply_nested_package_json_with_a_note(
    make_repo: MakeRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = make_repo()
    repo.commit("chore: node", files={"package.json": DEEP})
    assert main(["init", str(repo.path), "--print"]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    assert "# - package.json: not valid JSON: nested too deeply; ignored\n" in out


def test_rollback_of_a_deeply_nested_run_record_is_a_usage_error(
    fleet: RepoBuilder, capsys: pytest.CaptureFixture[str]
) -> None:
    runs = fleet.path.parent / ".prove" / "sync-runs"
    runs.mkdir(parents=True)
    (runs / "20260101T000000Z-abcdef.json").write_text(DEEP)
    code, err = _prove(capsys, "sync", "--rollback", "20260101T000000Z-abcdef")
    assert code == USAGE_ERROR
    assert err.startswith("prove sync --rollback: ")
    assert err.rstrip().endswith(
        "20260101T000000Z-abcdef.json: unreadable run record (not valid JSON: nested too deeply)"
    )


def test_status_names_a_deeply_nested_live_file_and_goes_on(
    fleet: RepoBuilder, capsys: pytest.CaptureFixture[str]
) -> None:
    live = fleet.path.parent / ".prove" / "live.json"
    live.parent.mkdir()
    live.write_text(DEEP)
    assert main(["status", "--config", "multi.yaml"]) == 0
    assert capsys.readouterr() == (
        "no run recorded yet\n",
        f"prove status: {live}: not valid JSON: nested too deeply; ignored\n",
    )


def test_a_deeply_nested_durations_file_is_replaced_like_any_unreadable_one(
    shards: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (shards / "d.json").write_text(DEEP)
    code, _ = _prove(capsys, "report", "--merge", "s1.json", "s2.json", "--durations", "d.json")
    assert code == 0
    assert json.loads((shards / "d.json").read_text())["version"] == 1
