"""The Conventional Commits parser and commitlint's default ignores, on strings."""

from __future__ import annotations

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from pytest_prove.engines.commits.conventional import (
    IgnoreReason,
    ParsedMessage,
    clean_message_lines,
    is_ignored,
    parse_commit_message,
)

SCISSORS_LINE = "# ------------------------ >8 ------------------------"


def _parts(message: str) -> tuple[str | None, str | None, bool, str | None, bool]:
    p = parse_commit_message(message)
    return p.type, p.scope, p.breaking, p.subject, p.is_conventional


# -- headers -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("feat: add login", ("feat", None, False, "add login", True)),
        ("fix(parser): handle CRLF", ("fix", "parser", False, "handle CRLF", True)),
        ("feat(api)!: drop v1", ("feat", "api", True, "drop v1", True)),
        ("chore!: drop Node 6", ("chore", None, True, "drop Node 6", True)),
        ("refactor(core/auth): split", ("refactor", "core/auth", False, "split", True)),
        ("docs(my scope): spaces in scope", ("docs", "my scope", False, "spaces in scope", True)),
        ("feat(): empty scope", ("feat", None, False, "empty scope", True)),
        ("feat:  two spaces", ("feat", None, False, "two spaces", True)),
        ("feat: trailing spaces   ", ("feat", None, False, "trailing spaces", True)),
        ("Feat: type case is kept", ("Feat", None, False, "type case is kept", True)),
        ("build_2: digits and underscore", ("build_2", None, False, "digits and underscore", True)),
        ("feat: ünïcödé ✨ 🚀", ("feat", None, False, "ünïcödé ✨ 🚀", True)),
        ("feat(ñandú): unicode scope", ("feat", "ñandú", False, "unicode scope", True)),
        ("fix: use f(x): y", ("fix", None, False, "use f(x): y", True)),
        ("feat:", ("feat", None, False, "", False)),
        ("feat(api)!:", ("feat", "api", True, "", False)),
    ],
)
def test_conventional_header_parts(
    header: str, expected: tuple[str | None, str | None, bool, str | None, bool]
) -> None:
    assert _parts(header) == expected


@pytest.mark.parametrize(
    "header",
    [
        "Added stuff",
        "feat add login",
        "feat:add login",  # the spec requires ": "
        "feat(scope: unclosed",
        "feat(a)(b): two scopes",
        "feat(a(b)): nested",
        " feat: leading space",
        "feat !: space before bang",
        "feat!!: two bangs",
        "(scope): no type",
        "fe at: space in type",
        "feat-x: hyphen is not a word character",
        "ëfeat: non-ASCII type",
        "feat\t: tab",
        "WIP",
    ],
)
def test_unconventional_headers(header: str) -> None:
    parsed = parse_commit_message(header)
    assert parsed.type is None
    assert parsed.subject is None
    assert not parsed.is_conventional
    assert not parsed.breaking
    assert parsed.header == header.rstrip()


# -- body and footers ----------------------------------------------------------------------


def test_spec_example_with_body_and_footers() -> None:
    message = (
        "fix: prevent racing of requests\n\n"
        "Introduce a request id and a reference to latest request. Dismiss\n"
        "incoming responses other than from latest request.\n\n"
        "Remove timeouts which were used to mitigate the racing issue but are\n"
        "obsolete now.\n\n"
        "Reviewed-by: Z\n"
        "Refs: #123\n"
    )
    parsed = parse_commit_message(message)
    assert parsed.body == (
        "Introduce a request id and a reference to latest request. Dismiss\n"
        "incoming responses other than from latest request.\n\n"
        "Remove timeouts which were used to mitigate the racing issue but are\n"
        "obsolete now."
    )
    assert parsed.footers == (("Reviewed-by", "Z"), ("Refs", "#123"))
    assert parsed.footer == "Reviewed-by: Z\nRefs: #123"
    assert parsed.body_leading_blank
    assert parsed.footer_leading_blank
    assert not parsed.breaking


@pytest.mark.parametrize(
    ("footer", "expected"),
    [
        ("Refs #123", ("Refs", "#123")),
        ("Refs: #123", ("Refs", "#123")),
        ("Closes #1, #2", ("Closes", "#1, #2")),
        ("Signed-off-by: A U Thor <a@example.com>", ("Signed-off-by", "A U Thor <a@example.com>")),
        ("Co-authored-by: B <b@example.com>", ("Co-authored-by", "B <b@example.com>")),
        ("BREAKING CHANGE: config moved", ("BREAKING CHANGE", "config moved")),
        ("BREAKING-CHANGE: config moved", ("BREAKING-CHANGE", "config moved")),
        ("See: https://example.com/a#b", ("See", "https://example.com/a#b")),
    ],
)
def test_single_footer(footer: str, expected: tuple[str, str]) -> None:
    parsed = parse_commit_message(f"feat: x\n\nSome body.\n\n{footer}")
    assert parsed.footers == (expected,)
    assert parsed.body == "Some body."
    assert parsed.breaking == expected[0].startswith("BREAKING")


def test_breaking_change_must_be_uppercase() -> None:
    # Spec item 16: tokens are case-insensitive except BREAKING CHANGE.
    parsed = parse_commit_message("feat: x\n\nBreaking-Change: nope")
    assert parsed.footers == (("Breaking-Change", "nope"),)
    assert not parsed.breaking
    spaced = parse_commit_message("feat: x\n\nbreaking change: nope")
    assert spaced.footers == ()
    assert spaced.body == "breaking change: nope"
    assert not spaced.breaking


def test_multi_paragraph_breaking_change_footer() -> None:
    message = (
        "feat!: new config\n\n"
        "Body.\n\n"
        "BREAKING CHANGE: the config file moved\n"
        "to .config/app.yaml.\n\n"
        "Run `app migrate` to move it.\n\n"
        "Refs: #9"
    )
    parsed = parse_commit_message(message)
    assert parsed.body == "Body."
    assert parsed.footers == (
        (
            "BREAKING CHANGE",
            "the config file moved\nto .config/app.yaml.\n\nRun `app migrate` to move it.",
        ),
        ("Refs", "#9"),
    )
    assert parsed.breaking


def test_footer_value_runs_until_the_next_token() -> None:
    parsed = parse_commit_message(
        "fix: x\n\nReviewed-by: Z\n  and friends\nRefs: #1\nsecond line of refs"
    )
    assert parsed.footers == (
        ("Reviewed-by", "Z\n  and friends"),
        ("Refs", "#1\nsecond line of refs"),
    )
    assert parsed.body is None


def test_body_paragraph_that_looks_like_a_footer_stays_body() -> None:
    parsed = parse_commit_message("feat: x\n\nNote: this explains\n\nand more prose.")
    assert parsed.body == "Note: this explains\n\nand more prose."
    assert parsed.footers == ()
    assert parsed.footer is None


def test_body_without_blank_line() -> None:
    parsed = parse_commit_message("feat: x\nbody right under the header")
    assert parsed.body == "body right under the header"
    assert not parsed.body_leading_blank
    assert parsed.footer_leading_blank


def test_footer_right_under_the_header() -> None:
    parsed = parse_commit_message("feat: x\nCloses #1")
    assert parsed.body is None
    assert parsed.footers == (("Closes", "#1"),)
    assert not parsed.footer_leading_blank
    assert parsed.body_leading_blank


def test_footers_glued_to_the_body() -> None:
    parsed = parse_commit_message(
        "feat: x\n\nSome body.\nMore body.\nSigned-off-by: A <a@example.com>\n  (continued)"
    )
    assert parsed.body == "Some body.\nMore body."
    assert parsed.footers == (("Signed-off-by", "A <a@example.com>\n  (continued)"),)
    assert not parsed.footer_leading_blank


def test_header_only_message() -> None:
    parsed = parse_commit_message("feat: x\n")
    assert (parsed.body, parsed.footer, parsed.footers) == (None, None, ())
    assert parsed.body_leading_blank
    assert parsed.footer_leading_blank


# -- cleaning: line endings, whitespace, comments, scissors ------------------------------------


def test_crlf_and_trailing_whitespace_are_normalised() -> None:
    lf = "feat(api): x\n\nbody\n\nRefs: #1\n"
    crlf = "feat(api): x  \r\n\r\nbody\t\r\n  \r\nRefs: #1 \r\n\r\n"
    assert parse_commit_message(crlf) == parse_commit_message(lf)


def test_leading_and_trailing_blank_lines_are_dropped() -> None:
    parsed = parse_commit_message("\n\n  \nfeat: x\n\n\nbody\n\n\n")
    assert parsed.header == "feat: x"
    assert parsed.body == "body"


def test_comment_lines_are_dropped_by_default() -> None:
    message = (
        "# Please enter the commit message for your changes.\n"
        "feat: x\n"
        "# On branch main\n\n"
        "body\n"
        "#\tmodified:   file.py\n"
    )
    parsed = parse_commit_message(message)
    assert parsed.header == "feat: x"
    assert parsed.body == "body"


def test_history_messages_keep_hash_lines() -> None:
    message = "feat: x\n\n## Summary\n#123 was the cause"
    parsed = parse_commit_message(message, comment_char=None)
    assert parsed.body == "## Summary\n#123 was the cause"
    assert parse_commit_message("#123: fix", comment_char=None).header == "#123: fix"


def test_other_comment_char() -> None:
    parsed = parse_commit_message("; comment\nfeat: x\n# not a comment", comment_char=";")
    assert parsed.header == "feat: x"
    assert parsed.body == "# not a comment"


def test_scissors_drops_everything_below() -> None:
    message = (
        "feat: x\n\nbody\n\n"
        "# Please enter the commit message for your changes.\n"
        f"{SCISSORS_LINE}\n"
        "# Do not modify or remove the line above.\n"
        "diff --git a/f.py b/f.py\n"
        "+BREAKING CHANGE: not a footer, a diff line\n"
    )
    parsed = parse_commit_message(message)
    assert parsed.body == "body"
    assert parsed.footers == ()
    assert not parsed.breaking


def test_scissors_with_trailing_whitespace_and_crlf() -> None:
    parsed = parse_commit_message(f"feat: x\r\n{SCISSORS_LINE} \r\ndiff text\r\n")
    assert parsed.header == "feat: x"
    assert parsed.body is None


def test_scissors_is_content_without_comment_char() -> None:
    lines = clean_message_lines(f"feat: x\n\n{SCISSORS_LINE}\nmore", comment_char=None)
    assert lines == ["feat: x", "", SCISSORS_LINE, "more"]


def test_scissors_at_the_top_leaves_nothing() -> None:
    assert clean_message_lines(f"{SCISSORS_LINE}\nfeat: x") == []


@pytest.mark.parametrize("message", ["", "   ", "\n\n\t\n", "\r\n", "# only\n# comments"])
def test_empty_messages(message: str) -> None:
    parsed = parse_commit_message(message)
    assert parsed == ParsedMessage(
        header="",
        type=None,
        scope=None,
        breaking=False,
        subject=None,
        body=None,
        footers=(),
        is_conventional=False,
        footer=None,
        body_leading_blank=True,
        footer_leading_blank=True,
    )


def test_unicode_line_separators_are_not_line_breaks() -> None:
    # git splits on LF only; U+2028 and friends are text (Python's splitlines would differ).
    parsed = parse_commit_message("feat: a\u2028b\x1c\n\nbody\x0bmore")
    assert parsed.subject == "a\u2028b\x1c"
    assert parsed.body == "body\x0bmore"


def test_very_long_lines() -> None:
    subject = "x" * 100_000
    parsed = parse_commit_message(f"feat: {subject}\n\n{'y' * 200_000}\n\nRefs: {'z' * 50_000}")
    assert parsed.subject == subject
    assert parsed.body == "y" * 200_000
    assert parsed.footers == (("Refs", "z" * 50_000),)


def test_long_multi_line_footer_value() -> None:
    parsed = parse_commit_message("feat: x\n\nBREAKING CHANGE: a\n" + "more\n" * 100_000)
    ((token, value),) = parsed.footers
    assert token == "BREAKING CHANGE"
    assert value.count("\n") == 100_000


def test_many_lines_parse_in_linear_time() -> None:
    body = "\n".join(f"Token-{i}: value" if i % 2 else "" for i in range(20_000))
    parsed = parse_commit_message(f"feat: x\n\n{body}")
    assert len(parsed.footers) == 10_000


# -- ignores -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "message",
    [
        "Merge pull request #123 from owner/feature",  # GitHub
        "Merge pull request #7 in PROJ/repo from feature to main",  # Bitbucket Server
        "Merge branch 'feature'",  # git
        "Merge branch 'feature' into develop",
        "Merge branch 'main' of github.com:owner/repo",  # git pull
        "Merge branch 'main' of https://github.com/owner/repo into feature",
        "Merge branches 'a', 'b' and 'c' into main",  # octopus, with a destination
        "Merge remote-tracking branch 'origin/main'",
        "Merge remote-tracking branches 'origin/a' and 'origin/b'",
        "Merge tag 'v1.2.0'",
        "Merge commit 'a1b2c3d4e5' into feature",
        "Merge branch 'feature' into 'main'\n\nSee merge request group/project!12",  # GitLab
        "Merged in feature/login (pull request #5)",  # Bitbucket Cloud
        "Merged PR 42: Add login",  # Azure DevOps
        'Merge "Add login" into main',  # Gerrit
        "Automatic merge from submit-queue",
        # commitlint's merge patterns are multiline: a line of the body exempts too.
        "Add merge support\n\nMerge branch 'x' is now handled",
        "chore: sync\r\nMerge pull request #1 from a/b",
        "Auto-merged feature into main",
        "Merge branch 'x'\n\n# Conflicts:\n#\tfile.txt\n",
        "# Please enter a commit message to explain why this merge is necessary\nMerge branch 'x'",
    ],
)
def test_merges_are_ignored(message: str) -> None:
    assert is_ignored(message, ignore_fixup=False) is IgnoreReason.MERGE
    assert is_ignored(message, ignore_fixup=False, ignore_merges=False) is None


@pytest.mark.parametrize(
    "message",
    [
        "feat: merge accounts",
        "Merging is hard",
        "merge branch 'x'",  # commitlint's patterns are case-sensitive
        " Merge branch 'x'",
        "Mergebranch",
        # git's other merge titles are not in commitlint's list, so it lints them
        # (the check's ignore_merge_commits skips merges by their parents instead).
        "Merge branches 'a' and 'b'",
        "Merge tags 'v1' and 'v2'",
        "Merge commit 'a1b2c3d4e5'",
        "Merge commit from fork",  # GitHub's security advisories
        "Merge HEAD, branch 'x' of https://example.com/repo",
        "Merge https://github.com/owner/repo",
        "Merge git@github.com:owner/repo.git",
        'Merge "Add login"',
        "Merge changes I1234abcd,I5678ef01",
    ],
)
def test_not_merges(message: str) -> None:
    assert is_ignored(message, ignore_fixup=True) is None


@pytest.mark.parametrize(
    "message",
    [
        'Revert "feat: add login"\n\nThis reverts commit 1a2b3c4d5e6f.',
        'Revert "Revert "feat: x""',
        "revert the login change",
        'Reapply "feat: add login"',
    ],
)
def test_reverts_are_ignored(message: str) -> None:
    assert is_ignored(message, ignore_fixup=False) is IgnoreReason.REVERT
    assert is_ignored(message, ignore_fixup=False, ignore_reverts=False) is None


@pytest.mark.parametrize("message", ["revert: feat: add login", "Reverted it", "Revert"])
def test_not_reverts(message: str) -> None:
    assert is_ignored(message, ignore_fixup=True) is None


@pytest.mark.parametrize("prefix", ["fixup!", "squash!", "amend!"])
def test_fixups_are_configurable(prefix: str) -> None:
    message = f"{prefix} feat: add login"
    assert is_ignored(message, ignore_fixup=True) is IgnoreReason.FIXUP
    assert is_ignored(message, ignore_fixup=False) is None


@pytest.mark.parametrize("message", ["fixup feat: x", "Fixup! feat: x", "feat: fixup! x"])
def test_not_fixups(message: str) -> None:
    assert is_ignored(message, ignore_fixup=True) is None


@pytest.mark.parametrize(
    "message",
    [
        "1.2.3",
        "v1.2.3",
        "0.0.0",
        "1.2.3-rc.1",
        "1.2.3-alpha.beta-1+build.5",
        "chore(release): 1.2.3",
        "chore: v2.0.0",
        "chore(release):   1.0.0-0  ",
        "1.2.3\n\nRelease notes here",
        "v0.15.6 [ci skip]",
        "chore(release): 1.2.0 [skip ci]",
        "chore(release): 1.2.0 (skip-ci)",
    ],
)
def test_release_commits_are_ignored(message: str) -> None:
    assert is_ignored(message, ignore_fixup=False) is IgnoreReason.RELEASE


@pytest.mark.parametrize(
    "message",
    [
        "1.2",
        "01.2.3",
        "1.2.3.4",
        "1.2.3-01",  # numeric pre-release identifiers have no leading zeros
        "chore(release): release 1.2.3",
        "feat: 1.2.3",
        "=1.2.3",
        "version 1.2.3",
        "99999999999999999.0.0",  # beyond JavaScript's exact integers: semver refuses it
    ],
)
def test_not_release_commits(message: str) -> None:
    assert is_ignored(message, ignore_fixup=True) is None


def test_ignore_reason_is_a_readable_str() -> None:
    reason = is_ignored("Merge branch 'x'", ignore_fixup=False)
    assert isinstance(reason, str)
    assert reason == "merge commit"


# -- properties ----------------------------------------------------------------------------

_WHITESPACE = " \t\r\v\f"
types = st.from_regex(r"[A-Za-z0-9_]+", fullmatch=True)
scopes = st.text(st.characters(exclude_characters="()\n"), min_size=1)
subjects = st.text(st.characters(exclude_characters="\n"), min_size=1).filter(
    lambda s: s == s.strip(_WHITESPACE)
)
prose_lines = st.from_regex(r"[A-Za-z][A-Za-z ,.]{0,40}[A-Za-z.]", fullmatch=True)
paragraphs = st.lists(prose_lines, min_size=1, max_size=4).map("\n".join)
tokens = st.from_regex(r"[A-Za-z][A-Za-z0-9-]{0,20}", fullmatch=True) | st.sampled_from(
    ["BREAKING CHANGE", "BREAKING-CHANGE"]
)
footer_values = st.from_regex(r"[^\s#]([^\n]*[^\s])?", fullmatch=True)
# Arbitrary text rarely holds a footer or a scissors line; these pieces often do.
_PIECES = [*"ab:#!()- \t\r\n", "\n\n", "feat", "Refs", "BREAKING CHANGE", "Merge ", SCISSORS_LINE]
messages = st.text() | st.lists(st.sampled_from(_PIECES)).map("".join)


@given(messages)
@example("feat: x\r")
@example("#\n# ------------------------ >8 ------------------------")
@example("feat(\n): x")
def test_parser_never_raises(message: str) -> None:
    for comment_char in ("#", None):
        parsed = parse_commit_message(message, comment_char=comment_char)
        assert "\n" not in parsed.header
        assert parsed.is_conventional == bool(parsed.type and parsed.subject)
        assert parsed.breaking >= any(t.startswith("BREAKING") for t, _ in parsed.footers)
    is_ignored(message, ignore_fixup=False)


@given(types, st.none() | scopes, st.booleans(), subjects)
def test_header_from_valid_parts_parses_back(
    type_: str, scope: str | None, bang: bool, subject: str
) -> None:
    header = f"{type_}{f'({scope})' if scope else ''}{'!' if bang else ''}: {subject}"
    assert _parts(header) == (type_, scope, bang, subject, True)


@given(
    types,
    subjects,
    st.lists(paragraphs, max_size=3),
    st.lists(st.tuples(tokens, footer_values), max_size=4),
)
def test_message_from_valid_parts_parses_back(
    type_: str, subject: str, body: list[str], footers: list[tuple[str, str]]
) -> None:
    footer = "\n".join(f"{token}: {value}" for token, value in footers)
    message = "\n\n".join([f"{type_}: {subject}", *body, *([footer] if footer else [])])
    parsed = parse_commit_message(message)
    assert parsed.body == ("\n\n".join(body) or None)
    assert parsed.footers == tuple(footers)
    assert parsed.breaking == any(token.startswith("BREAKING") for token, _ in footers)
    assert parsed.body_leading_blank
    assert parsed.footer_leading_blank


@given(messages)
def test_rendering_the_parts_parses_back_to_them(message: str) -> None:
    parsed = parse_commit_message(message)
    rendered = "\n\n".join(part for part in (parsed.header, parsed.body, parsed.footer) if part)
    again = parse_commit_message(rendered)
    assert again.body_leading_blank
    assert again.footer_leading_blank
    assert dataclasses_without_blanks(again) == dataclasses_without_blanks(parsed)


@given(messages)
def test_line_endings_and_trailing_whitespace_do_not_matter(message: str) -> None:
    expected = parse_commit_message(message)
    assert parse_commit_message(message.replace("\n", "\r\n")) == expected
    assert parse_commit_message(message.replace("\n", " \t\n")) == expected


def dataclasses_without_blanks(parsed: ParsedMessage) -> tuple[object, ...]:
    return (
        parsed.header,
        parsed.type,
        parsed.scope,
        parsed.breaking,
        parsed.subject,
        parsed.body,
        parsed.footers,
        parsed.is_conventional,
        parsed.footer,
    )
