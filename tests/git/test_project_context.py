"""A monorepo's projects: views of one repository context, each on its own folder.

The layout is a JS workspace's (``packages/<name>/src``, ``packages/<name>/tests``) with a
Python project beside it; the feature branch touches one project only.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from pytest_prove.checks.registry import load_registry
from pytest_prove.git.context import RepoContext
from pytest_prove.git.project import ProjectContext, project_folder
from tests.monorepo_builder import make_monorepo
from tests.repo_builder import RepoBuilder


@pytest.fixture
def mono(tmp_path: Path) -> RepoBuilder:
    repo = make_monorepo(tmp_path / "mono", {"packages/b-extra/src/x.py": "X = 1\n"})
    repo.commit("feat(b): b2", files={"packages/b/src/b2.py": "B2 = 2\n"})
    repo.commit("docs: root readme", files={"README.md": "# mono\n"})
    repo.commit("fix(extra): x", files={"packages/b-extra/src/x.py": "X = 2\n"})
    repo.git("mv", "packages/a/src/a1.py", "packages/b/src/a1.py")
    repo.commit("refactor: a1 moves to b")
    return repo


def project(repository: RepoContext, folder: str) -> ProjectContext:
    return ProjectContext(repository, folder, name=folder.replace("/", "-"))


def test_a_project_sees_its_folder_as_a_repository(mono: RepoBuilder) -> None:
    repository = RepoContext(mono.path, base="main")
    b = project(repository, "packages/b")
    assert b.toplevel == b.root == mono.path / "packages" / "b"
    changed = {f.path: f for f in b.changed_files}
    assert sorted(changed) == ["src/a1.py", "src/b2.py"]
    # renamed in from a folder it does not own: added, as the project sees it
    assert (changed["src/a1.py"].status, changed["src/a1.py"].old_path) == ("added", None)
    assert b.changed_file("src/b2.py") is changed["src/b2.py"]
    assert b.changed_file("packages/b/src/b2.py") is None
    assert "tests/test_b1.py" in b.work_tree_files
    assert not any(p.startswith(("packages/", "x.py")) for p in b.work_tree_files)
    assert b.read_at_base("src/b1.py") == b"B = 1\n"
    assert b.read_at_base("src/b2.py") is None


def test_a_project_judges_the_commits_that_touch_its_folder(mono: RepoBuilder) -> None:
    repository = RepoContext(mono.path, base="main")
    a, b = project(repository, "packages/a"), project(repository, "packages/b")
    assert [c.message.split("\n")[0] for c in b.commits] == [
        "feat(b): b2",
        "refactor: a1 moves to b",
    ]
    # the file moved out of a's folder: that commit touches a too
    assert [c.message.split("\n")[0] for c in a.commits] == ["refactor: a1 moves to b"]
    # `packages/b-extra` is not inside `packages/b`
    extra = project(repository, "packages/b-extra")
    assert [c.message.split("\n")[0] for c in extra.commits] == ["fix(extra): x"]
    assert len(b.range_commits) == 4
    assert b.whole_repository is repository


def test_repository_facts_are_the_repositorys(mono: RepoBuilder) -> None:
    repository = RepoContext(mono.path, base="main")
    b = project(repository, "packages/b")
    for fact in ("head", "branch", "base_ref", "base_commit", "merge_base", "mode", "behind"):
        assert getattr(b, fact) == getattr(repository, fact), fact
    assert b.git_calls == repository.git_calls


def _run_every_check(context: RepoContext) -> None:
    checks = load_registry().checks
    for name in ("commit-msg", "trunk", "tdd", "security", "delivery-mode"):
        checks[name].run(context, checks[name].settings_model())


def test_fifty_projects_cost_the_git_calls_of_one(mono: RepoBuilder) -> None:
    one = RepoContext(mono.path, base="main")
    _run_every_check(project(one, "packages/b"))
    many = RepoContext(mono.path, base="main")
    for index in range(50):
        folder = "packages/b" if index % 2 else "packages/a"
        _run_every_check(project(many, folder))
    assert many.git_calls == one.git_calls
    assert one.git_calls > 0


@pytest.mark.parametrize(
    ("top", "path", "expected"),
    [
        ("/r", "/r/packages/b", "packages/b"),
        ("/r", "/r", None),
        ("/r", "/elsewhere/b", None),
        ("/r", "/r/a/b/c", "a/b/c"),
    ],
)
def test_project_folder(top: str, path: str, expected: str | None) -> None:
    assert project_folder(Path(top), Path(path)) == expected


def _cobertura(path: str, hits: int) -> str:
    return (
        '<?xml version="1.0" ?>\n<coverage version="7.6.1" line-rate="1" branch-rate="0">'
        '<sources><source>.</source></sources><packages><package name="p"><classes>'
        f'<class name="b2.py" filename="{path}" line-rate="1"><lines>'
        f'<line number="1" hits="{hits}"/></lines></class></classes></package></packages>'
        "</coverage>\n"
    )


@pytest.mark.parametrize("own_report", [True, False])
def test_coverage_reads_the_projects_report_first_then_the_repositorys(
    mono: RepoBuilder, own_report: bool
) -> None:
    # A workspace-wide run writes one report at the top, with repository-relative paths;
    # a project's own run writes one in its folder, with paths relative to it.
    mono.write("coverage.xml", _cobertura("packages/b/src/b2.py", hits=0))
    if own_report:
        mono.write("packages/b/coverage.xml", _cobertura("src/b2.py", hits=1))
    check = load_registry().checks["coverage"]
    b = project(RepoContext(mono.path, base="main"), "packages/b")
    result = check.run(b, check.settings_model(include_untracked=True))
    assert result.metrics["covered"] == (1 if own_report else 0), result.findings
    assert result.metrics["measurable"] == 1
    assert result.passed is own_report


def test_projects_ask_git_no_more_than_their_repository_would(mono: RepoBuilder) -> None:
    whole = RepoContext(mono.path, base="main")
    _run_every_check(whole)
    shared = RepoContext(mono.path, base="main")
    shared.track_paths = True  # as the plugin builds a repository that serves projects
    for folder in ("packages/a", "packages/b", "packages/b-extra") * 10:
        _run_every_check(project(shared, folder))
    assert shared.git_calls == whole.git_calls


def test_the_log_with_paths_reads_empty_commits_merges_and_odd_names(tmp_path: Path) -> None:
    repo = RepoBuilder(tmp_path / "odd").init()
    repo.commit("chore: start", files={"a/x.txt": "1\n"})
    repo.git("checkout", "-q", "-b", "feat/odd")
    repo.git("commit", "-q", "--allow-empty", "-m", "chore: nothing")
    repo.commit("feat: odd names", files={"b/new\nline.txt": "2\n", "b/ü.txt": "3\n"})
    repo.git("checkout", "-q", "main")
    repo.commit("fix: on main", files={"c/y.txt": "4\n"})
    repo.git("checkout", "-q", "feat/odd")
    repo.merge("main", "Merge main into feat/odd")
    context = RepoContext(repo.path, base="main~1")
    context.track_paths = True
    plain = RepoContext(repo.path, base="main~1")
    assert context.commits == plain.commits  # the same commits, read with their paths
    by_message = {c.message.split("\n")[0]: c.sha for c in context.commits}
    assert context.commits_touching("b") == {by_message["feat: odd names"]}
    # a merge counts what it brings against its first parent
    assert context.commits_touching("c") == {
        by_message["fix: on main"],
        by_message["Merge main into feat/odd"],
    }
    assert len(context.commits) == 4  # the empty commit too
    assert context.commits_touching("a") == frozenset()


def test_the_repositorys_report_without_the_project_says_so(mono: RepoBuilder) -> None:
    mono.write("coverage.xml", _cobertura("packages/a/src/a2.py", hits=1))
    check = load_registry().checks["coverage"]
    b = project(RepoContext(mono.path, base="main"), "packages/b")
    result = check.run(b, check.settings_model(include_untracked=True))
    assert not result.passed
    (finding,) = result.findings
    assert finding.rule == "no-project-data"
    assert "none is under packages/b/" in finding.message
