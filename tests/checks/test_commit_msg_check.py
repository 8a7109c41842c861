"""The ``commit-msg`` check: its rules on stand-in commits, the hook entry point, a real
repository, and agreement with commitizen's ``cz check``."""

from __future__ import annotations

import dataclasses
import os
import shlex
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import pydantic
import pytest

import pytest_prove
from pytest_prove.api import CheckResult, Finding, Severity
from pytest_prove.checks.commit_msg import (
    COMMIT_MSG,
    CommitMsgSettings,
    check_commit_messages,
    check_message_file,
)
from pytest_prove.git.log import Commit
from tests.peers import peer_executable
from tests.repo_builder import MakeRepo

if TYPE_CHECKING:
    from pytest_prove.git.context import RepoContext

SHA = "1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d"
SCISSORS_LINE = "# ------------------------ >8 ------------------------"


def fake_commit(message: str, sha: str = SHA, parents: tuple[str, ...] = ("0" * 40,)) -> Commit:
    return Commit(sha, " ".join(parents), "1700000000", message)


@dataclasses.dataclass(frozen=True)
class FakeContext:
    commits: tuple[Commit, ...]


def check(*commits: str | Commit, **settings: Any) -> CheckResult:
    fakes = tuple(fake_commit(c) if isinstance(c, str) else c for c in commits)
    context = cast("RepoContext", FakeContext(fakes))
    return check_commit_messages(context, CommitMsgSettings(**settings))


def rules(message: str, **settings: Any) -> set[tuple[str, Severity]]:
    return {(f.rule, f.severity) for f in check(message, **settings).findings}


def errors(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if f.severity is Severity.ERROR]


E, W = Severity.ERROR, Severity.WARNING


# -- settings ------------------------------------------------------------------------------


def test_defaults_are_config_conventional() -> None:
    settings = CommitMsgSettings()
    assert settings.types == [
        *("build", "chore", "ci", "docs", "feat", "fix"),
        *("perf", "refactor", "revert", "style", "test"),
    ]
    assert (settings.header_max_length, settings.body_max_line_length) == (100, 100)
    assert settings.footer_max_line_length == 100
    assert settings.subject_case == ["sentence-case", "start-case", "pascal-case", "upper-case"]
    # config-conventional has no scope-case; commitlint ignores fixups and blank messages.
    assert (settings.subject_full_stop, settings.scope_case) == (".", None)
    assert (settings.scopes, settings.require_scope, settings.allow_fixup) == (None, False, True)
    assert (settings.allow_empty, settings.ignore_merges, settings.ignore_reverts) == (
        True,
        True,
        True,
    )
    # Every commit is judged; only the list of findings is cut.
    assert (settings.ignore_merge_commits, settings.max_commits, settings.max_findings) == (
        False,
        None,
        100,
    )


def test_settings_take_camel_case_and_reject_unknown_keys() -> None:
    settings = CommitMsgSettings.model_validate({"headerMaxLength": 72, "allowFixup": True})
    assert (settings.header_max_length, settings.allow_fixup) == (72, True)
    with pytest.raises(pydantic.ValidationError):
        CommitMsgSettings.model_validate({"headerMaxLen": 72})
    with pytest.raises(pydantic.ValidationError):
        CommitMsgSettings.model_validate({"subjectCase": ["title-case"]})
    with pytest.raises(pydantic.ValidationError):
        CommitMsgSettings.model_validate({"maxCommits": 0})


def test_check_declaration() -> None:
    assert COMMIT_MSG.name == "commit-msg"
    assert COMMIT_MSG.aliases == ("commit-msg-convention",)
    assert COMMIT_MSG.quick
    assert COMMIT_MSG.settings_model is CommitMsgSettings
    assert COMMIT_MSG.run is check_commit_messages
    assert COMMIT_MSG.description


# -- the range check -----------------------------------------------------------------------


def test_no_commits_passes() -> None:
    result = check()
    assert result.passed
    assert result.summary == "no commits to check"
    assert result.findings == ()
    assert result.metrics == {"commits": 0, "ignored": 0, "violations": 0, "warnings": 0}


def test_good_commits_pass() -> None:
    result = check(
        "feat(api): add login",
        "fix!: drop the v1 endpoint\n\nIt was deprecated.\n\nBREAKING CHANGE: v1 is gone",
        "docs: explain setup\n\nSee https://example.com/" + "a" * 150,
        "Merge branch 'main' into feature",
    )
    assert result.findings == ()
    assert result.passed
    assert result.summary == "3 commits follow Conventional Commits (1 ignored)"
    assert result.metrics == {"commits": 4, "ignored": 1, "violations": 0, "warnings": 0}


def test_finding_names_the_commit() -> None:
    (finding, *_) = check("Added stuff").findings
    assert finding == Finding(
        rule="type-empty", message='1a2b3c4d5e "Added stuff": type may not be empty'
    )
    assert (finding.file, finding.line) == (None, None)


def test_type_enum_message_lists_the_types() -> None:
    (finding,) = check("added: stuff").findings
    assert finding.rule == "type-enum"
    assert finding.message == (
        '1a2b3c4d5e "added: stuff": type must be one of '
        "build, chore, ci, docs, feat, fix, perf, refactor, revert, style, test"
    )


def test_long_headers_are_shortened_in_the_label() -> None:
    header = "feat: " + "x" * 120
    (finding,) = check(header).findings
    assert finding.rule == "header-max-length"
    assert finding.message == (
        f'1a2b3c4d5e "{header[:59]}…": header must not be longer than 100 characters, '
        "current length is 126"
    )


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("Added stuff", {("type-empty", E), ("subject-empty", E)}),
        ("", set()),  # commitlint drops a blank message unread
        ("feat add x", {("type-empty", E), ("subject-empty", E)}),
        ("foo: x", {("type-enum", E)}),
        ("Feat: x", {("type-case", E), ("type-enum", E)}),
        ("feat:", {("type-empty", E), ("subject-empty", E)}),  # the header wants ": "
        ("feat: Add login", {("subject-case", E)}),
        ("feat: Add Login Page", {("subject-case", E)}),
        ("feat: ADD LOGIN", {("subject-case", E)}),
        ("feat: AddLogin", {("subject-case", E)}),
        ("feat: add login.", {("subject-full-stop", E)}),
        ("feat(API): x", set()),  # config-conventional has no scope-case
        ("feat(api/Auth): x", set()),
        (" feat: x", {("header-trim", E), ("type-empty", E), ("subject-empty", E)}),
        ("feat: " + "x" * 95, {("header-max-length", E)}),
        ("feat: " + "🚀" * 48, {("header-max-length", E)}),  # 102 UTF-16 units, as commitlint
        ("feat: x\nbody right under", {("body-leading-blank", W)}),
        ("feat: x\n\n" + "y" * 101, {("body-max-line-length", E)}),
        ("feat: x\n\nbody\nCloses #1", {("footer-leading-blank", W)}),
        ("feat: x\n\nbody\n\nRefs #1 " + "z" * 100, {("footer-max-line-length", E)}),
        # commitlint's footer starts at an issue reference: "Refs: z" is body.
        ("feat: x\n\nbody\n\nRefs: " + "z" * 100, {("body-max-line-length", E)}),
        ("feat: x ", {("header-trim", E)}),  # a header from an API keeps its trailing space
        ("Added stuff.", {("type-empty", E), ("subject-empty", E), ("subject-full-stop", E)}),
        ("(chore): x", {("type-empty", E)}),
        ("fixup! feat: x", set()),  # commitlint ignores them; allow_fixup=false rejects them
        ("squash! feat: x", set()),
        ("amend! feat: x", set()),
        ("#42 fixed", {("type-empty", E), ("subject-empty", E)}),  # history keeps "#" lines
    ],
)
def test_rules(message: str, expected: set[tuple[str, Severity]]) -> None:
    assert rules(message) == expected


@pytest.mark.parametrize(
    "message",
    [
        "feat: add x...",  # an ellipsis is not a full stop
        "feat: 2FA support",  # subjects not starting with a letter have no case
        "feat: `Eslint` config",
        "fix: iOS crash",
        "feat: add 'Login' page",  # quoted text is a name
        "feat(api, auth): x",
        "feat(api/auth): x",
        "feat(my scope): x",
        "feat(): x",
        "fix:  Improve x",  # the subject starts with a space, so its case is not judged
        "feat: " + "x" * 94,  # exactly 100
        "feat: " + "🚀" * 47,  # exactly 100 UTF-16 units
        "feat: x\n\nsee https://example.com/" + "p" * 200,
        "feat: x\n\nBREAKING CHANGE: " + "b" * 60 + "\n\nmore text",
        "revert: feat: add login",
        "feat: x\n\n## Summary\n\n#123 explains it",
        'Revert "feat: x"\n\nThis reverts commit abc.',
        "Merged PR 12: Anything Goes.",
        "1.2.3",
    ],
)
def test_passes(message: str) -> None:
    assert rules(message) == set()


def test_long_messages_are_linted_in_linear_time() -> None:
    body = "\n".join("" if i % 3 else f"line {i} of a long body" for i in range(200_000))
    assert rules(f"feat: x\n\n{body}\n\nCloses #1\n" + "more\n" * 100_000) == set()
    assert rules("feat: x\n\n" + "y" * 1_000_000) == {("body-max-line-length", E)}


def test_one_finding_per_rule_per_commit() -> None:
    result = check("feat: x\n\n" + "a" * 101 + "\n" + "b" * 120, "Bad", "Bad")
    assert [f.rule for f in result.findings] == [
        "body-max-line-length",
        *("type-empty", "subject-empty") * 2,
    ]
    assert result.metrics["violations"] == 5
    assert result.summary == "3 of 3 commits break Conventional Commits (0 ignored)"


def test_warnings_do_not_fail() -> None:
    result = check("feat: x\nbody", "feat: y\n\nbody\nRefs: #1")
    assert result.passed
    assert result.metrics == {"commits": 2, "ignored": 0, "violations": 0, "warnings": 2}


def test_merge_commits_by_parents_on_request() -> None:
    # commitlint judges a merge by its message, not by its parents.
    merge = fake_commit("Integrate the feature work", parents=("a" * 40, "b" * 40))
    assert {f.rule for f in check(merge).findings} == {"type-empty", "subject-empty"}
    assert check(merge, ignore_merge_commits=True).metrics["ignored"] == 1
    assert check(fake_commit("feat: x", parents=("a" * 40, "b" * 40)), ignore_merge_commits=True)


def test_fixups_can_be_rejected() -> None:
    for message in ("fixup! feat: x", "squash! feat: x", "amend! feat: x"):
        assert rules(message, allow_fixup=False) == {("fixup-commit", E)}


def test_blank_messages_can_be_rejected() -> None:
    assert rules("\n", allow_empty=False) == {("type-empty", E), ("subject-empty", E)}


def test_merge_messages_can_be_linted() -> None:
    assert rules("Merge branch 'x'", ignore_merges=False) == {
        ("type-empty", E),
        ("subject-empty", E),
    }


def test_reverts_can_be_linted() -> None:
    assert rules('Revert "feat: x"', ignore_reverts=False) == {
        ("type-empty", E),
        ("subject-empty", E),
    }


def test_fixups_can_be_allowed() -> None:
    result = check("fixup! feat: x", "squash! whatever", allow_fixup=True)
    assert result.findings == ()
    assert result.metrics["ignored"] == 2


def test_custom_types_and_scopes() -> None:
    assert rules("wip: x", types=["wip"]) == set()
    assert rules("feat: x", types=["wip"]) == {("type-enum", E)}
    assert rules("feat(db): x", scopes=["api", "ui"]) == {("scope-enum", E)}
    assert rules("feat(api,ui): x", scopes=["api", "ui"]) == set()
    assert rules("feat(api/db): x", scopes=["api", "ui"]) == {("scope-enum", E)}
    assert rules("feat(any): x", scopes=[]) == set()
    assert rules("feat: x", require_scope=True) == {("scope-empty", E)}
    assert rules("feat(api): x", require_scope=True) == set()


def test_rules_can_be_switched_on_and_off() -> None:
    relaxed: dict[str, Any] = {
        "header_max_length": None,
        "body_max_line_length": None,
        "footer_max_line_length": None,
        "subject_case": [],
        "subject_full_stop": None,
        "scope_case": None,
    }
    message = "feat(API): " + "X" * 200 + ".\n\n" + "b" * 200 + "\n\nRefs #1 " + "f" * 200
    assert rules(message, scope_case="lower-case") == {
        ("header-max-length", E),
        ("subject-case", E),
        ("subject-full-stop", E),
        ("scope-case", E),
        ("body-max-line-length", E),
        ("footer-max-line-length", E),
    }
    assert rules(message, **relaxed) == set()


@pytest.mark.parametrize(
    ("case", "matching", "not_matching"),
    [
        ("lower-case", "add login", "add Login"),
        ("upper-case", "ADD LOGIN", "ADD login"),
        ("sentence-case", "Add login", "add login"),
        ("start-case", "Add Login", "Add login"),
        ("pascal-case", "AddLogin", "HTTPServer"),
        ("camel-case", "addLogin", "AddLogin"),
        ("kebab-case", "add-login", "add login"),
        ("snake-case", "add_login", "add-login"),
    ],
)
def test_subject_cases(case: str, matching: str, not_matching: str) -> None:
    assert rules(f"feat: {matching}", subject_case=[case]) == {("subject-case", E)}
    assert rules(f"feat: {not_matching}", subject_case=[case]) == set()


def test_scope_case_setting() -> None:
    assert rules("feat(user-api): x", scope_case="kebab-case") == set()
    assert rules("feat(user_api): x", scope_case="kebab-case") == {("scope-case", E)}


def test_every_commit_is_judged_and_findings_are_capped() -> None:
    commits = [fake_commit("Bad" if i % 2 else "feat: x\nglued", sha=str(i) * 40) for i in range(9)]
    result = check(*commits, max_findings=3)
    assert result.summary == "4 of 9 commits break Conventional Commits (0 ignored)"
    assert result.metrics == {"commits": 9, "ignored": 0, "violations": 8, "warnings": 5}
    # Errors before warnings and the newest first, so the cut list still fails the gate.
    assert [(f.message[:10], f.rule) for f in result.findings[:3]] == [
        ("5555555555", "subject-empty"),
        ("7777777777", "type-empty"),
        ("7777777777", "subject-empty"),
    ]
    assert result.findings[-1] == Finding(
        rule="max-findings",
        message="showing 3 of 13 findings, the newest (max_findings=3)",
        severity=Severity.INFO,
    )
    assert not result.passed


def test_max_commits_checks_the_newest() -> None:
    commits = [fake_commit("Bad", sha=f"{i:040x}") for i in range(5)]
    commits[-1] = fake_commit("feat: fine", sha="f" * 40)
    result = check(*commits, max_commits=2)
    assert result.metrics == {"commits": 2, "ignored": 0, "violations": 2, "warnings": 0}
    assert {f.message.split()[0] for f in result.errors} == {"0000000000"}
    assert result.findings[-1] == Finding(
        rule="max-commits",
        message="checked the newest 2 of 5 commits in range (max_commits=2)",
        severity=Severity.INFO,
    )


# -- the hook entry point ------------------------------------------------------------------


def write(tmp_path: Path, content: str | bytes) -> Path:
    path = tmp_path / "COMMIT_EDITMSG"
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    return path


def test_hook_file_with_template_and_verbose_diff(tmp_path: Path) -> None:
    message = (
        "feat: add login\n\n"
        "# Please enter the commit message for your changes. Lines starting\n"
        "# with '#' will be ignored, and an empty message aborts the commit.\n"
        f"{SCISSORS_LINE}\n"
        "# Do not modify or remove the line above.\n"
        "diff --git a/app.py b/app.py\n"
        "+" + "x" * 300 + "\n"
    )
    assert check_message_file(write(tmp_path, message), CommitMsgSettings()) == []


def test_hook_file_findings_name_the_header(tmp_path: Path) -> None:
    findings = check_message_file(write(tmp_path, "Added stuff\n# comment\n"), CommitMsgSettings())
    assert findings == [
        Finding(rule="type-empty", message='"Added stuff": type may not be empty'),
        Finding(rule="subject-empty", message='"Added stuff": subject may not be empty'),
    ]


def test_hook_file_crlf_and_bad_utf8(tmp_path: Path) -> None:
    path = write(tmp_path, b"feat: caf\xe9 \xff\r\n\r\nbody\r\n")
    assert check_message_file(path, CommitMsgSettings()) == []
    path = write(tmp_path, b"Caf\xe9\r\n")
    first = check_message_file(path, CommitMsgSettings())[0]
    assert first.message == '"Caf\ufffd": type may not be empty'


def test_hook_file_exemptions(tmp_path: Path) -> None:
    settings = CommitMsgSettings()
    for message in (
        "Merge branch 'main' into feature\n\n# Conflicts:\n#\tapp.py\n",
        'Revert "feat: x"\n\nThis reverts commit abc.\n',
        "fixup! feat: add login\n",  # made by `git commit --fixup`: the range check stops it
    ):
        assert check_message_file(write(tmp_path, message), settings) == [], message


def test_hook_file_comment_char(tmp_path: Path) -> None:
    path = write(tmp_path, "; git's core.commentChar\nfeat: x\n")
    assert check_message_file(path, CommitMsgSettings(), comment_char=";") == []
    assert check_message_file(path, CommitMsgSettings()) != []


def test_hook_file_missing(tmp_path: Path) -> None:
    with pytest.raises(OSError, match="COMMIT_EDITMSG"):
        check_message_file(tmp_path / "COMMIT_EDITMSG", CommitMsgSettings())


def test_as_a_real_commit_msg_hook(make_repo: MakeRepo) -> None:
    repo = make_repo()
    hook = repo.path / ".git" / "hooks" / "commit-msg"
    hook.parent.mkdir(exist_ok=True)
    hook.write_text(
        f"#!/bin/sh\nexec {shlex.quote(sys.executable)} -c '"
        "import sys, pathlib\n"
        "from pytest_prove.checks.commit_msg import CommitMsgSettings, check_message_file\n"
        "found = check_message_file(pathlib.Path(sys.argv[1]), CommitMsgSettings())\n"
        "print(*(f.message for f in found), sep=chr(10))\n"
        'sys.exit(any(f.severity == "error" for f in found))\n'
        '\' "$1"\n'
    )
    hook.chmod(0o755)
    root = os.fspath(Path(pytest_prove.__file__).parents[1])
    env = {"PYTHONPATH": root, "GIT_EDITOR": "true"}
    repo.write("app.py", "y = 1  # " + "z" * 200 + "\n")
    repo.stage()
    refused = subprocess.run(
        ("git", "commit", "-q", "-m", "Added stuff"),
        cwd=repo.path,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=False,
    )
    assert refused.returncode == 1
    # git hands a hook's stdout to its own stderr
    assert '"Added stuff": type may not be empty' in refused.stderr
    # -e -v: the hook sees git's comments and the diff below the scissors line.
    repo.git("commit", "-q", "-e", "-v", "-m", "feat: add app", env=env)
    assert repo.git("log", "-1", "--format=%s") == "feat: add app"


# -- a real repository ---------------------------------------------------------------------


def test_real_repository(make_repo: MakeRepo) -> None:
    from pytest_prove.git.context import RepoContext

    repo = make_repo()
    repo.branch("feature")
    repo.checkout("feature")
    good = repo.commit("feat(api): add login", files={"a.py": "a = 1\n"})
    bad = repo.commit("Added stuff", files={"b.py": "b = 1\n"})
    hashes = repo.commit("fix: x\n\n## Summary\n#12 was the cause", files={"c.py": "c\n"})
    fixup = repo.commit("fixup! feat(api): add login", files={"a.py": "a = 2\n"})
    repo.checkout("main")
    repo.commit("chore: trunk work", files={"t.py": "t\n"})
    repo.checkout("feature")
    repo.merge("main", "Sync with trunk")  # a merge, whatever its message says
    merge = repo.head
    context = RepoContext(repo.path, base="main")
    result = check_commit_messages(context, CommitMsgSettings())
    # commitlint's verdicts: the fixup is ignored, the merge's own title is linted.
    assert [f.message for f in result.findings] == [
        f'{bad[:10]} "Added stuff": type may not be empty',
        f'{bad[:10]} "Added stuff": subject may not be empty',
        # "#12 was the cause" holds an issue reference, so it opens the footer.
        f'{hashes[:10]} "fix: x": footer must have leading blank line',
        f'{merge[:10]} "Sync with trunk": type may not be empty',
        f'{merge[:10]} "Sync with trunk": subject may not be empty',
    ]
    assert result.metrics == {"commits": 5, "ignored": 1, "violations": 4, "warnings": 1}
    strict = CommitMsgSettings(allow_fixup=False, ignore_merge_commits=True)
    result = check_commit_messages(context, strict)
    assert [f.message for f in result.findings] == [
        f'{bad[:10]} "Added stuff": type may not be empty',
        f'{bad[:10]} "Added stuff": subject may not be empty',
        f'{hashes[:10]} "fix: x": footer must have leading blank line',
        f'{fixup[:10]} "fixup! feat(api): add login": fixup!/squash!/amend! commits must be '
        "squashed before merging (git rebase -i --autosquash)",
    ]
    assert result.metrics == {"commits": 5, "ignored": 1, "violations": 3, "warnings": 1}
    assert good != hashes


def test_real_repository_without_commits_in_range(make_repo: MakeRepo) -> None:
    from pytest_prove.git.context import RepoContext

    repo = make_repo()
    result = check_commit_messages(RepoContext(repo.path, base="main"), CommitMsgSettings())
    assert result.summary == "no commits to check"
    assert result.passed


# -- agreement with commitizen -------------------------------------------------------------

# Both tools accept these (ours may warn).
AGREED_PASS = [
    "feat: add login",
    "feat!: drop v1",
    "fix(parser)!: handle CRLF\n\nbody\n\nBREAKING CHANGE: y",
    "feat: x\n\n\n\nbody after extra blank lines",
    "# template comment\nfeat: x",
    f"feat: x\n\nbody\n\n# Please enter...\n{SCISSORS_LINE}\ndiff --git a/x b/x",
    "feat:  two spaces",
    "perf: 100x faster",
    "docs(readme): update links\n\nSee https://example.com/" + "a" * 150,
    "feat: x\n\nbody\nCloses #1",
    "revert: feat: add login",
    "chore(release): 1.2.3",
    "Merge branch 'main'",
    "feat(API): x",
    "Merged PR 1: Anything",
    'Revert "feat: x"',
    "fixup! feat: x",  # the hook file lets fixups through, as cz does; the range check does not
]
# Both tools reject these.
AGREED_FAIL = [
    "Added stuff",
    "feat:",
    "feat: ",
    "Feat: x",
    "feat!:x",
    "feat:add",
    "feat add x",
    "unknown: x",
    "WIP",
    "feat-x: y",
    "build_2: y",
]
# Deliberate differences: ours follows @commitlint/config-conventional and git.
DISAGREE = [
    # commitizen's default types add "bump" (its own release commits); commitlint's do not.
    ("bump: version 1.0.0 → 1.1.0", False),
    # commitlint's subject-case, subject-full-stop, scope-case and header-max-length rules;
    # commitizen checks none of them by default.
    ("feat: Add login", False),
    ("feat: add login.", False),
    ("feat: " + "x" * 200, False),
    # commitlint only warns (body-leading-blank); commitizen requires the blank line.
    ("feat: x\nbody", True),
    # commitizen's scope is \S+; commitlint takes any text between the parentheses.
    ("feat(my scope): x", True),
    ("feat(): x", True),
    # commitizen strips the message; git keeps a leading space and commitlint flags it.
    (" feat: x", False),
    # commitizen's pattern wants "\n\n" after the header, so a CRLF file fails there.
    ("docs: x\r\n\r\nbody\r\n", True),
    # commitlint ignores a header that is only a version; commitizen does not.
    ("1.2.3", True),
    # commitlint drops a blank message unread (git then refuses to commit it).
    ("", True),
    # commitlint ignores only the merge titles of its list; commitizen all "Merge ..." ones.
    ("Merge commit 'a1b2c3d'", False),
]


def cz_accepts(message: str) -> bool:
    pytest.importorskip("commitizen")
    from commitizen.commands.check import Check as CzCheck
    from commitizen.config.base_config import BaseConfig
    from commitizen.exceptions import InvalidCommitMessageError

    try:
        CzCheck(config=BaseConfig(), arguments={"message": message})()
    except InvalidCommitMessageError:
        return False
    return True


def ours_accepts(tmp_path: Path, message: str) -> bool:
    return not errors(check_message_file(write(tmp_path, message), CommitMsgSettings()))


@pytest.mark.parametrize("message", AGREED_PASS + AGREED_FAIL)
def test_agrees_with_commitizen(tmp_path: Path, message: str) -> None:
    assert ours_accepts(tmp_path, message) == (message in AGREED_PASS)
    assert cz_accepts(message) == (message in AGREED_PASS)


@pytest.mark.parametrize(("message", "ours"), DISAGREE)
def test_known_differences_from_commitizen(tmp_path: Path, message: str, ours: bool) -> None:
    assert ours_accepts(tmp_path, message) is ours
    assert cz_accepts(message) is not ours


@pytest.mark.parametrize(("message", "accepted"), [("feat: add login", True), ("Added", False)])
def test_cz_cli_agrees_with_its_api(tmp_path: Path, message: str, accepted: bool) -> None:
    cz = peer_executable("cz")
    done = subprocess.run(
        (cz, "check", "--message", message), cwd=tmp_path, capture_output=True, check=False
    )
    assert (done.returncode == 0) is accepted
    assert cz_accepts(message) is accepted
