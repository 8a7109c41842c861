"""The commit-msg gate against commitlint, on messages where the two used to differ or
easily could.

Each expectation is commitlint's own answer (@commitlint/cli 20.5.3 with
@commitlint/config-conventional 20.5.3, given each message as ``git log --format=%B%n``
gives it, as ``commitlint --from/--to`` does), recorded here so that the test needs no
node.  bench/commitlint_agreement.py builds those answers; the same comparison over whole
public histories is in bench/README.md.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

import pytest

from pytest_prove.api import Severity
from pytest_prove.checks.commit_msg import CommitMsgSettings, check_commit_messages
from pytest_prove.git.log import Commit

if TYPE_CHECKING:
    from pytest_prove.git.context import RepoContext


class _Context:
    def __init__(self, *commits: Commit) -> None:
        self.commits = commits


# (message, commitlint's errors, commitlint's warnings); no error means a valid commit.
COMMITLINT_ANSWERS: list[tuple[str, tuple[str, ...], tuple[str, ...]]] = [
    # scope-case, dropped from config-conventional
    ("docs(README.md): update husky hook file creation (#3352)", (), ()),
    ("feat(GitHubCI): add (#3549)", (), ()),
    ("chore(devDeps): bump eslint", (), ()),
    # header-trim: headers written by an API keep their whitespace
    ("feat: add preset parser ", ("header-trim",), ()),
    (" feat: x", ("header-trim", "subject-empty", "type-empty"), ()),
    ("feat: x\xa0", ("header-trim",), ()),
    ("\tfix: x ", ("header-trim", "subject-empty", "type-empty"), ()),
    ("feat:  ", ("header-trim",), ()),
    # two spaces: the subject starts with a space, so its case is not judged
    ("fix:  Improve type annotations", (), ()),
    # merges: only commitlint's titles are ignored, on any line
    ("reset next branch (#4202)", ("subject-empty", "type-empty"), ()),
    ("Merge commit from fork", ("subject-empty", "type-empty"), ()),
    ("Merge commit 'a1b2c3d'", ("subject-empty", "type-empty"), ()),
    ("Merge branches 'a' and 'b'", ("subject-empty", "type-empty"), ()),
    ("Merge branch 'main' into feature", (), ()),
    ("Merge pull request #12 from owner/branch", (), ()),
    ("Merged in feature/login (pull request #5)", (), ()),
    ("Merged PR 42: Add login", (), ()),
    ("chore: Merge remote-tracking branch 'origin/main' into main", ("subject-case",), ()),
    ("Add merge support\n\nMerge branch 'x' is now handled", (), ()),
    ("Merge tag 'v1.2.0'", (), ()),
    # reverts, fixups, releases
    ('Revert "feat: x"\n\nThis reverts commit 1a2b3c4d.', (), ()),
    ("revert the login change", (), ()),
    ('Reapply "feat: x"', (), ()),
    ("revert: feat: x", (), ()),
    ("fixup! Simplify reply sent monitoring (#3072) (#3079)", (), ()),
    ("squash! feat: x", (), ()),
    ("amend! feat: x", (), ()),
    ("v0.15.6 [ci skip]", (), ()),
    ("chore(release): v1.2.0 [skip ci]", (), ()),
    ("1.2.3", (), ()),
    ("chore(release): 1.2", (), ()),
    # headers
    ("feat:", ("subject-empty", "type-empty"), ()),
    ("feat: ", ("header-trim", "subject-empty"), ()),
    ("(chore): update tslint-loader for tslint 4", ("type-empty",), ()),
    ("Added comparing servers.", ("subject-empty", "subject-full-stop", "type-empty"), ()),
    ("Some random code.", ("subject-empty", "subject-full-stop", "type-empty"), ()),
    ("feat: x...", (), ()),
    ("feat(a)(b): c", (), ()),
    ("fix(api): use b(c): Done", ("subject-case",), ()),
    ("Feat: x", ("type-case", "type-enum"), ()),
    ("feat: Ärger mit Umlauten", ("subject-case",), ()),
    ("feat: ärger", (), ()),
    ("feat: `Eslint` config", (), ()),
    ("feat: 2FA support", (), ()),
    ("feat!: drop v1", (), ()),
    ("feat(api)!: Drop v1", ("subject-case",), ()),
    ("feat: " + "x" * 95, ("header-max-length",), ()),
    ("feat: " + "x" * 95 + "123456", ("header-max-length",), ()),
    ("feat: " + "😀" * 47, (), ()),
    ("feat: " + "😀" * 48, ("header-max-length",), ()),
    ("feat\u2028: x", ("subject-empty", "type-empty"), ()),
    # body and footer: commitlint's footer starts at an issue reference or a BREAKING CHANGE note
    ("feat: x\n\nSee #12: " + "y" * 100, ("body-max-line-length",), ()),
    ("feat: x\n\nRefs: " + "z" * 100, ("body-max-line-length",), ()),
    ("feat: x\n\nbody\n\nRefs #1 " + "z" * 100, ("footer-max-line-length",), ()),
    ("feat: x\n\nbody\nCloses #1", (), ("footer-leading-blank",)),
    ("feat: x\n\nbody\n\nCloses #1", (), ()),
    ("feat: x\n\n## Summary\n#12 was the cause", (), ("footer-leading-blank",)),
    ("feat: x\n\nbreaking change: the config moved\n" + "w" * 101, ("footer-max-line-length",), ()),
    ("feat: x\n\n  * BREAKING CHANGE the config moved", (), ()),
    ("feat: x\n\nBREAKING-CHANGE: y\n\nmore\n\n" + "v" * 101, ("footer-max-line-length",), ()),
    ("feat: x\n\nsee https://example.com/#12 " + "u" * 100, (), ()),
    ("feat: x\n\nfixes the bug in #12 " + "t" * 100, ("footer-max-line-length",), ()),
    ("feat: x\n\n#12 fixes the bug " + "s" * 100, ("body-max-line-length",), ()),
    ("feat: x\n\nprefix #4 " + "r" * 100, ("footer-max-line-length",), ()),
    ("feat: x\n\nowner/repo#1 " + "q" * 100, ("footer-max-line-length",), ()),
    ("feat: x\n\ngh-12 " + "p" * 100, ("body-max-line-length",), ()),
    ("feat: x\n\n#a-b. " + "o" * 100, ("body-max-line-length",), ()),
    ("feat: x\n\nSigned-off-by: A <a@example.com>\n" + "n" * 101, ("body-max-line-length",), ()),
    ("feat: x\n\nsee https://example.com/" + "m" * 120, (), ()),
    ("feat: x\n\nsee HTTPS://EXAMPLE.COM/" + "m" * 120, ("body-max-line-length",), ()),
    ("feat: x\n\nsee ftp://example.com/" + "m" * 120, ("body-max-line-length",), ()),
    ("feat: x\n\n" + "é" * 101, ("body-max-line-length",), ()),
    ("feat: x\n\n" + "😀" * 51, ("body-max-line-length",), ()),
    ("feat: x\nbody right under", (), ("body-leading-blank",)),
    ("feat: x\nCloses #1", (), ("footer-leading-blank",)),
    ("feat: x\n\n\n\nbody after blank lines", (), ()),
    ("feat: x\n \nbody after a space line", (), ("body-leading-blank",)),
    ("feat: x\n\ngpg: Signature made", (), ()),
    ("gpg: Signature made", (), ()),
    ("feat: x\r\n\r\nbody\r\nCloses #1\r\n", (), ("footer-leading-blank",)),
    ("feat: x\n\nCloses #1\u2028more", (), ()),
    ("\n", (), ()),
]


@pytest.mark.parametrize(("message", "errors", "warnings"), COMMITLINT_ANSWERS)
def test_same_verdict_and_rules_as_commitlint(
    message: str, errors: tuple[str, ...], warnings: tuple[str, ...]
) -> None:
    # git ends every message it prints with %B with a newline.
    commit = Commit("1" * 40, "0" * 40, "1700000000", message + "\n")
    context = cast("RepoContext", _Context(commit))
    result = check_commit_messages(context, CommitMsgSettings())
    found = {(f.rule, f.severity) for f in result.findings}
    assert found == {(rule, Severity.ERROR) for rule in errors} | {
        (rule, Severity.WARNING) for rule in warnings
    }
    assert result.passed is not bool(errors)
