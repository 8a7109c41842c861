"""The pass cache: a gate that passed is skipped while its inputs are unchanged.

Each run is a fresh process (``runpytest_subprocess``), as in real use; outcomes are
read from JUnit XML so ``-n 0`` and ``-n 2`` are compared alike.
"""

from __future__ import annotations

import dataclasses
import json
import os
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import pytest

from pytest_prove.config.fleet import GatePlan
from pytest_prove.config.load import Options, load_fleet
from pytest_prove.git.context import RepoContext
from pytest_prove.runner import cache
from tests.repo_builder import MakeRepo, RepoBuilder

XDIST = {"n0": ["-n", "0"], "n2": ["-n", "2"]}
PASS = "[python3, -c, 'pass']"
FAIL = "[python3, -c, 'import sys; sys.exit(2)']"
# Fails on demand without a change of any input the cache compares.
FAIL_ON_ENV = """[python3, -c, 'import os, sys; sys.exit(int(os.environ.get("LINT_FAIL", "0")))']"""
STORE = Path(".pytest_cache", "v", "prove", "passes")
API_GATES = {"api::commit-msg", "api::lint", "api::unit"}


@dataclasses.dataclass
class Fleet:
    pytester: pytest.Pytester
    api: RepoBuilder
    web: RepoBuilder

    def run(self, *args: str, junit: Path | None = None) -> dict[str, str]:
        """Run the gates; ``{"repo::check": "passed" | "failed" | "cached" | "skipped"}``."""
        junit = junit or self.pytester.path / "out.xml"
        junit.unlink(missing_ok=True)
        result = self.pytester.runpytest_subprocess(
            "--prove-config", "multi.yaml", f"--junitxml={junit}", *args
        )
        assert "Traceback" not in result.stdout.str() + result.stderr.str()
        outcomes = {}
        for case in ET.parse(junit).getroot().iter("testcase"):
            name = f"{case.get('classname', '').split('.')[-1]}::{case.get('name')}"
            props = {p.get("name"): p.get("value") for p in case.iter("property")}
            if case.find("failure") is not None or case.find("error") is not None:
                outcomes[name] = "failed"
            elif case.find("skipped") is not None:
                outcomes[name] = "skipped"
            elif (props.get("cached") or "").startswith("cached: passed at "):
                # Reused, and still a pass to CI servers (Jenkins and GitLab count a skip
                # as a missing test).
                outcomes[name] = "cached"
            else:
                outcomes[name] = "passed"
        return outcomes

    def store(self) -> dict[str, str]:
        path = self.pytester.path / STORE
        return json.loads(path.read_text()) if path.exists() else {}

    def rewrite(self, old: str, new: str) -> None:
        multi = self.pytester.path / "multi.yaml"
        text = multi.read_text()
        assert old in text
        multi.write_text(text.replace(old, new))


@pytest.fixture
def fleet(pytester: pytest.Pytester, make_repo: MakeRepo) -> Fleet:
    """api: commit-msg, lint and unit pass; web: commit-msg passes, lint fails."""
    api = make_repo("api")
    # prove.yaml is ignored, so editing it changes settings without dirtying the tree.
    api.commit("chore: ignore local config", files={".gitignore": "prove.yaml\n"})
    api.write("prove.yaml", "commit-msg: {header_max_length: 100}\n")
    api.git("checkout", "-q", "-b", "feat/x")
    api.commit("feat(api): add endpoint", files={"src/app.py": "x = 1\n"})
    web = make_repo("web")
    web.git("checkout", "-q", "-b", "feat/y")
    web.commit("fix: a bug", files={"src/web.py": "y = 1\n"})
    pytester.makefile(
        ".yaml",
        multi=f"""
repositories:
  - name: api
    path: {api.path}
    checks: [commit-msg, lint, unit]
  - name: web
    path: {web.path}
    checks: [commit-msg, lint]
    overrides:
      commands:
        lint: {{argv: {FAIL}}}
global:
  commands:
    lint: {{argv: {FAIL_ON_ENV}}}
    unit: {{argv: {PASS}}}
""",
    )
    return Fleet(pytester, api, web)


FIRST = {
    "api::commit-msg": "passed",
    "api::lint": "passed",
    "api::unit": "passed",
    "web::commit-msg": "passed",
    "web::lint": "failed",
}
ALL_CACHED = {**dict.fromkeys(FIRST, "cached"), "web::lint": "failed"}


@pytest.mark.parametrize("mode", sorted(XDIST))
def test_unchanged_fleet_is_cached_and_failures_never_are(fleet: Fleet, mode: str) -> None:
    assert fleet.run(*XDIST[mode]) == FIRST
    stored = fleet.store()
    assert sorted(stored) == [f"multi.yaml::{g}" for g in sorted(FIRST) if g != "web::lint"]
    assert all(len(key) == 64 for key in stored.values())
    assert fleet.run(*XDIST[mode]) == ALL_CACHED
    assert fleet.run(*XDIST[mode]) == ALL_CACHED
    assert fleet.store() == stored


@pytest.mark.parametrize("mode", sorted(XDIST))
def test_a_damaged_store_entry_is_ignored_and_the_gate_runs(fleet: Fleet, mode: str) -> None:
    fleet.run()
    stored = fleet.store()
    (fleet.pytester.path / STORE).write_text(
        json.dumps({**stored, "multi.yaml::api::unit": 5, "7": None})
    )
    assert fleet.run(*XDIST[mode]) == {**ALL_CACHED, "api::unit": "passed"}


@pytest.mark.parametrize("mode", sorted(XDIST))
def test_a_reused_pass_is_a_pass_that_names_the_head(fleet: Fleet, mode: str) -> None:
    fleet.run()
    result = fleet.pytester.runpytest_subprocess("--prove-config", "multi.yaml", "-v", *XDIST[mode])
    result.assert_outcomes(passed=len(FIRST) - 1, failed=1)
    result.stdout.fnmatch_lines(
        [
            f"*PASSED (*..{fleet.api.head[:10]}: cached: passed at"
            f" {fleet.api.head[:7]} with the same inputs)*"
        ]
    )


def _new_commit(fleet: Fleet) -> None:
    fleet.api.commit("feat(api): more", files={"src/more.py": "z = 1\n"})


def _base_moves(fleet: Fleet) -> None:
    fleet.api.checkout("main")
    fleet.api.commit("chore: trunk moves on", files={"trunk.txt": "t\n"})
    fleet.api.checkout("feat/x")


def _staged(fleet: Fleet) -> None:
    fleet.api.write("src/app.py", "x = 2\n")
    fleet.api.stage("src/app.py")


def _unstaged(fleet: Fleet) -> None:
    fleet.api.write("src/app.py", "x = 2\n")


def _untracked(fleet: Fleet) -> None:
    fleet.api.write("notes/new.txt", "new\n")


def _deleted(fleet: Fleet) -> None:
    fleet.api.delete("src/app.py")


CHANGES: dict[str, Callable[[Fleet], None]] = {
    "new commit": _new_commit,
    "base moves": _base_moves,
    "staged change": _staged,
    "unstaged change": _unstaged,
    "new untracked file": _untracked,
    "deleted file": _deleted,
}


# Workers compute keys as one process does: -n 2 for one change is enough.
@pytest.mark.parametrize(
    ("change", "mode"), [*((change, "n0") for change in sorted(CHANGES)), ("unstaged change", "n2")]
)
def test_a_change_in_the_repository_reruns_its_gates_only(
    fleet: Fleet, change: str, mode: str
) -> None:
    fleet.run(*XDIST[mode])
    CHANGES[change](fleet)
    assert fleet.run(*XDIST[mode]) == {**ALL_CACHED, **dict.fromkeys(API_GATES, "passed")}
    assert fleet.run(*XDIST[mode]) == ALL_CACHED


def test_untracked_content_and_staging_are_inputs(fleet: Fleet) -> None:
    fleet.api.write("notes/draft.txt", "one\n")
    fleet.run()
    assert fleet.run() == ALL_CACHED
    fleet.api.write("notes/draft.txt", "two\n")
    assert fleet.run() == {**ALL_CACHED, **dict.fromkeys(API_GATES, "passed")}
    # The same content, now staged: what a commit would contain changed.
    fleet.api.stage("notes/draft.txt")
    assert fleet.run() == {**ALL_CACHED, **dict.fromkeys(API_GATES, "passed")}
    assert fleet.run() == ALL_CACHED


@pytest.mark.parametrize("mode", sorted(XDIST))
def test_the_reports_a_run_writes_into_a_repository_are_no_change_of_it(
    fleet: Fleet, mode: str
) -> None:
    # A CI job that gates the repository it stands in: `--junitxml=report.xml` and the rest.
    api = fleet.api.path
    reports = [
        "--json-report",
        f"--json-report-file={api / 'gates.json'}",
        f"--prove-sarif={api / 'out.sarif'}",
        f"--prove-gitlab-codequality={api / 'quality.json'}",
    ]
    junit = api / "report.xml"
    assert fleet.run(*XDIST[mode], *reports, junit=junit) == FIRST
    for name in ("gates.json", "out.sarif", "quality.json"):
        assert (api / name).is_file()
    assert fleet.run(*XDIST[mode], *reports, junit=junit) == ALL_CACHED
    # Any other file there still is a change.
    fleet.api.write("notes.txt", "x\n")
    changed = {**ALL_CACHED, **dict.fromkeys(API_GATES, "passed")}
    assert fleet.run(*XDIST[mode], *reports, junit=junit) == changed


def test_a_tracked_report_file_the_run_rewrites_is_left_out(make_repo: MakeRepo) -> None:
    repo = make_repo("r")
    repo.commit("ci: keep the last report", files={"report.xml": "<old/>\n", "a.py": "x\n"})
    context = RepoContext(repo.path)
    clean = cache.tree_digest(context)
    repo.write("report.xml", "<new/>\n")
    assert cache.tree_digest(RepoContext(repo.path), [repo.path / "report.xml"]) == clean
    assert cache.tree_digest(RepoContext(repo.path)) != clean
    repo.write("a.py", "y\n")
    assert cache.tree_digest(RepoContext(repo.path), [repo.path / "report.xml"]) != clean
    # A file outside the work tree, or the work tree itself, leaves the digest alone.
    outside = cache.tree_digest(RepoContext(repo.path), [repo.path.parent / "x", repo.path])
    assert outside == cache.tree_digest(RepoContext(repo.path))


def test_ignored_files_are_not_inputs(fleet: Fleet) -> None:
    fleet.run()
    (fleet.api.path / ".gitignore").write_text("prove.yaml\nbuild/\n")
    fleet.api.commit("chore: ignore build")
    fleet.run()
    fleet.api.write("build/out.bin", b"\0\1")
    assert fleet.run() == ALL_CACHED


@pytest.mark.parametrize("mode", sorted(XDIST))
def test_settings_changes_rerun_that_gate_only(fleet: Fleet, mode: str) -> None:
    fleet.run(*XDIST[mode])
    # The repository's own file.
    (fleet.api.path / "prove.yaml").write_text("commit-msg: {header_max_length: 90}\n")
    assert fleet.run(*XDIST[mode]) == {**ALL_CACHED, "api::commit-msg": "passed"}
    # The orchestrator file.
    fleet.rewrite("    unit: {argv: ", "    unit: {timeout: 9000, argv: ")
    assert fleet.run(*XDIST[mode]) == {**ALL_CACHED, "api::unit": "passed"}
    # The command line; back to the stored settings without it.
    overridden = fleet.run("--prove-set", "commit-msg.header_max_length=80", *XDIST[mode])
    assert overridden == {**ALL_CACHED, "api::commit-msg": "passed", "web::commit-msg": "passed"}
    assert fleet.run("--prove-set", "commit-msg.header_max_length=80") == ALL_CACHED
    assert fleet.run(*XDIST[mode]) == {
        **ALL_CACHED,
        "api::commit-msg": "passed",
        "web::commit-msg": "passed",
    }


@pytest.mark.parametrize("mode", sorted(XDIST))
def test_a_gate_that_fails_drops_its_entry(
    fleet: Fleet, mode: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    fleet.run(*XDIST[mode])
    assert "multi.yaml::api::lint" in fleet.store()
    fleet.api.write("notes/wip.txt", "wip\n")
    monkeypatch.setenv("LINT_FAIL", "1")
    assert fleet.run(*XDIST[mode])["api::lint"] == "failed"
    assert "multi.yaml::api::lint" not in fleet.store()
    # Back to the inputs it once passed with: the old pass is gone, so it runs (and fails).
    fleet.api.delete("notes/wip.txt")
    outcomes = fleet.run(*XDIST[mode])
    assert outcomes == {**ALL_CACHED, **dict.fromkeys(API_GATES, "passed"), "api::lint": "failed"}


@pytest.mark.parametrize("mode", sorted(XDIST))
def test_prove_no_cache_runs_everything_and_keeps_the_store(fleet: Fleet, mode: str) -> None:
    fleet.run(*XDIST[mode])
    stored = fleet.store()
    fleet.api.write("notes/wip.txt", "wip\n")
    assert fleet.run("--prove-no-cache", *XDIST[mode]) == FIRST
    assert fleet.store() == stored


@pytest.mark.parametrize("mode", sorted(XDIST))
def test_cache_clear_empties_it(fleet: Fleet, mode: str) -> None:
    fleet.run(*XDIST[mode])
    assert fleet.run("--cache-clear", *XDIST[mode]) == FIRST
    assert len(fleet.store()) == 4
    assert fleet.run(*XDIST[mode]) == ALL_CACHED


@pytest.mark.parametrize("mode", sorted(XDIST))
def test_without_the_cacheprovider_it_is_off(fleet: Fleet, mode: str) -> None:
    for _ in range(2):
        assert fleet.run("-p", "no:cacheprovider", *XDIST[mode]) == FIRST
    assert not (fleet.pytester.path / STORE).exists()


def test_a_trunk_pass_is_reused_only_until_the_branch_would_be_too_old(
    pytester: pytest.Pytester, make_repo: MakeRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Its verdict depends on the clock: a branch ages with nothing else changing.
    repo = make_repo("svc")
    repo.git("checkout", "-q", "-b", "feat/x")
    repo.commit("feat: x", date="2024-01-01T10:00:00+00:00")  # max_age_days 2: ok until the 3rd
    pytester.makefile(".yaml", multi=f"repositories:\n  - {{name: svc, path: {repo.path}}}\n")

    def run(now: str) -> pytest.RunResult:
        monkeypatch.setenv("PROVE_NOW", now)
        return pytester.runpytest_subprocess("--prove-config", "multi.yaml", "-k", "trunk", "-v")

    run("2024-01-01T12:00:00+00:00").assert_outcomes(passed=1)
    cached = run("2024-01-02T12:00:00+00:00")
    cached.assert_outcomes(passed=1)
    cached.stdout.fnmatch_lines(["*PASSED*cached: passed at *"])
    # Past the limit the pass is not reused: the gate runs, and fails on the branch's age.
    run("2024-01-03T12:00:00+00:00").assert_outcomes(failed=1)


def test_a_repository_without_a_key_just_runs(pytester: pytest.Pytester, tmp_path: Path) -> None:
    empty = RepoBuilder(tmp_path / "empty").init()  # no commit: no HEAD
    pytester.makefile(
        ".yaml",
        multi=f"""
repositories:
  - {{name: empty, path: {empty.path}, checks: [unit]}}
global:
  commands:
    unit: {{argv: {PASS}}}
""",
    )
    for _ in range(2):
        pytester.runpytest_subprocess("--prove-config", "multi.yaml").assert_outcomes(passed=1)
    store = pytester.path / STORE
    assert not store.exists() or json.loads(store.read_text()) == {}


# -- the key function ---------------------------------------------------------------------


@pytest.fixture
def gate_and_context(make_repo: MakeRepo, tmp_path: Path) -> tuple[GatePlan, RepoContext]:
    repo = make_repo("keyed")
    repo.git("checkout", "-q", "-b", "feat/k")
    repo.commit("feat: k", files={"k.py": "k = 1\n"})
    (tmp_path / "multi.yaml").write_text(
        f"repositories:\n  - {{name: keyed, path: {repo.path}, checks: [commit-msg]}}\n"
    )
    gate = load_fleet(tmp_path / "multi.yaml", tmp_path, Options()).repos[0].gates[0]
    return gate, RepoContext(repo.path, name="keyed")


def _key(gate: GatePlan, root: Path) -> str:
    return cache.gate_cache_key(RepoContext(root, name="keyed"), gate, gate.settings)


def test_key_is_stable_and_covers_check_and_plugin_versions(
    gate_and_context: tuple[GatePlan, RepoContext], monkeypatch: pytest.MonkeyPatch
) -> None:
    gate, context = gate_and_context
    key = cache.gate_cache_key(context, gate, gate.settings)
    assert len(key) == 64
    assert _key(gate, context.root) == key
    bumped = dataclasses.replace(gate, check=dataclasses.replace(gate.check, version="2"))
    assert _key(bumped, context.root) != key
    other = gate.settings.model_copy(update={"header_max_length": 72})
    assert cache.gate_cache_key(context, gate, other) != key
    monkeypatch.setattr(cache, "__version__", "999.0")
    assert _key(gate, context.root) != key


def test_clean_tree_costs_one_git_call(gate_and_context: tuple[GatePlan, RepoContext]) -> None:
    _, context = gate_and_context
    # What the item has asked already to report mode, base and head.
    _ = context.head, context.base_ref, context.mode, context.branch
    before = context.git_calls
    cache.repo_state(context)
    # git status; the base's commit comes with the refs the base was chosen from
    assert context.git_calls - before == 1


def test_staged_and_unstaged_same_content_differ(make_repo: MakeRepo) -> None:
    repo = make_repo("tree")
    clean = cache.tree_digest(RepoContext(repo.path))
    repo.write("README.md", "changed\n")
    unstaged = cache.tree_digest(RepoContext(repo.path))
    repo.stage("README.md")
    staged = cache.tree_digest(RepoContext(repo.path))
    assert len({clean, unstaged, staged}) == 3
    repo.git("reset", "-q")
    assert cache.tree_digest(RepoContext(repo.path)) == unstaged


COBERTURA = (
    '<?xml version="1.0" ?><coverage version="7.6"><packages><package name="src"><classes>'
    '<class name="app.py" filename="src/app.py"><lines><line number="1" hits="{hits}"/>'
    "</lines></class></classes></package></packages></coverage>"
)


@pytest.mark.parametrize("mode", sorted(XDIST))
def test_a_coverage_pass_is_cached_until_its_ignored_report_changes(
    pytester: pytest.Pytester, make_repo: MakeRepo, mode: str
) -> None:
    repo = make_repo("svc")
    repo.commit("chore: ignore reports", files={".gitignore": "coverage.xml\n"})
    repo.git("checkout", "-q", "-b", "feat/x")
    repo.commit("feat: add app", files={"src/app.py": "x = 1\n"})
    repo.write("coverage.xml", COBERTURA.format(hits=1))
    pytester.makefile(
        ".yaml", multi=f"repositories:\n  - {{name: svc, path: {repo.path}, checks: [coverage]}}\n"
    )
    svc = Fleet(pytester, repo, repo)
    gate = "svc::coverage"
    argv = XDIST[mode]
    assert svc.run(*argv) == {gate: "passed"}
    assert svc.run(*argv) == {gate: "cached"}
    repo.write("coverage.xml", COBERTURA.format(hits=0))  # the tests stopped running the line
    assert svc.run(*argv) == {gate: "failed"}
    repo.write("coverage.xml", COBERTURA.format(hits=1))
    assert svc.run(*argv) == {gate: "passed"}
    (repo.path / "coverage.xml").unlink()
    assert svc.run(*argv) == {gate: "failed"}  # no report: an error finding, never the cached pass


def testsettings_digest_is_remembered_by_object_not_by_address() -> None:
    import hashlib
    import json

    from pytest_prove.checks.commit_msg import CommitMsgSettings
    from pytest_prove.runner.cache import settings_digest

    first = CommitMsgSettings(max_findings=3)
    assert settings_digest(first) == settings_digest(CommitMsgSettings(max_findings=3))
    assert settings_digest(first) is settings_digest(first)  # dumped once
    dumped = json.dumps(first.model_dump(mode="json"), sort_keys=True)
    assert settings_digest(first) == hashlib.sha256(dumped.encode()).hexdigest()
    assert settings_digest(first) != settings_digest(CommitMsgSettings(max_findings=4))


# -- the helper reads the repositories' files -------------------------------------------

# Loaded by the runs below (the rootdir's conftest): every call is the helper's, ready from
# the first, and each repository whose files it read is noted in `helped.txt`.
_HELPER_AT_ONCE = """
import os
from pytest_prove.git import launcher

launcher._SPAWN_AT = 1
_init, _start = launcher.GitLauncher.__init__, launcher.GitLauncher.start_in_repository


def _warmed(self):
    _init(self)
    assert self.warm()


def _noted(self, root, *args, **kwargs):
    call = _start(self, root, *args, **kwargs)
    if call is not None:
        with open(os.path.join(os.path.dirname(__file__), "helped.txt"), "a") as out:
            out.write(os.path.basename(os.fspath(root)) + "\\n")
    return call


launcher.GitLauncher.__init__ = _warmed
launcher.GitLauncher.start_in_repository = _noted
"""


@pytest.mark.parametrize("mode", sorted(XDIST))
def test_an_unchanged_fleet_of_real_shapes_is_cached_from_what_the_helper_read(
    pytester: pytest.Pytester, make_repo: MakeRepo, tmp_path: Path, mode: str
) -> None:
    plain = make_repo("plain")
    plain.released_branch("feat/a", "src/a.py")
    worktree = tmp_path / "linked"
    plain.git("worktree", "add", "-q", "-b", "feat/b", os.fspath(worktree), "main")
    RepoBuilder(worktree).commit("fix: b", files={"src/b.py": "b = 1\n"})
    shallow = tmp_path / "shallow"  # as actions/checkout with fetch-depth: 2, all branches
    plain.git(
        *("clone", "-q", "--depth=2", "--no-single-branch", "--branch=feat/a"),
        *(plain.path.as_uri(), os.fspath(shallow)),
    )
    unsure = make_repo("unsure")  # an include: only git may say what it holds
    unsure.git("config", "include.path", os.fspath(tmp_path / "absent.config"))
    unsure.diverge("feat/c")
    unsure.commit("docs: c", files={"README.md": "c\n"})
    shapes = {"plain": plain.path, "linked": worktree, "shallow": shallow}
    shapes["unsure"] = unsure.path
    # Without xdist the first repositories' facts are asked for by threads at start-up (see
    # Prefetcher.start): the shapes come after them.
    first = {f"first-{n}": make_repo(f"first-{n}").path for n in range(4)}
    entries = "".join(
        f"  - {{name: {name}, path: {path}, checks: [commit-msg, security]}}\n"
        for name, path in {**first, **shapes}.items()
    )
    pytester.makefile(".yaml", multi=f"repositories:\n{entries}")
    pytester.makeconftest(_HELPER_AT_ONCE)
    names = [*first, *shapes]
    gates = {f"{name}::{check}" for name in names for check in ("commit-msg", "security")}
    run = Fleet(pytester, plain, unsure).run
    assert run(*XDIST[mode]) == dict.fromkeys(gates, "passed")
    helped = pytester.path / "helped.txt"
    assert not helped.exists()  # nothing is started ahead while nothing is stored
    assert run(*XDIST[mode]) == dict.fromkeys(gates, "cached")
    # Each shape's files were read by the helper (the unsure one's by git after it), and
    # the keys matched those of the run that read them itself.
    assert {path.name for path in shapes.values()} <= set(helped.read_text().split())
    unsure.write("README.md", "changed\n")
    assert run(*XDIST[mode]) == {
        **dict.fromkeys(gates, "cached"),
        **dict.fromkeys(("unsure::commit-msg", "unsure::security"), "passed"),
    }
