"""The commit-msg shortcut never accepts what the full rules would report or exempt."""

from __future__ import annotations

from hypothesis import example, given, settings
from hypothesis import strategies as st

from pytest_prove.checks.commit_msg import CommitMsgSettings, _exemption, _obviously_valid
from pytest_prove.engines.commits.parser import parse_lint_message
from pytest_prove.engines.commits.rules import violations

TYPES = ["feat", "fix", "chore", "perf", "Feat", "amend", "fixup", "squash", "revert", "x_y", "b2"]
SCOPES = ["api", "core-ui", "API", "a/b", "a, b", "", "x y", "v1"]
CASES = ["lower-case", "upper-case", "sentence-case", "start-case", "pascal-case", "kebab-case"]

pieces = st.one_of(
    st.sampled_from(TYPES),
    st.sampled_from(["(", ")", "!", ":", ": ", " ", "\n", "\n\n", "\r\n", "\t", ".", "..."]),
    st.sampled_from(SCOPES),
    st.sampled_from(["1.2.0", "v1.2.0", "add x", "Add X", "ADD", "é", "😀", "# x", "Merge x"]),
    st.text(max_size=6),
)
messages = st.lists(pieces, max_size=12).map("".join)
# Messages shaped like the shortcut's target, so it says yes often enough to be tested.
plausible = st.builds(
    lambda t, s, b, subject, tail: f"{t}{s}{b}: {subject}{tail}",
    st.one_of(st.sampled_from(["feat", "fix", "chore"]), st.sampled_from(TYPES)),
    st.sampled_from(["", *[f"({x})" for x in SCOPES]]),
    st.sampled_from(["", "!"]),
    st.sampled_from(["add x", "1.2.0", "v2", "x.", "x...", "Add", "a" * 95, "é" * 60, "add 😀"]),
    st.sampled_from(["", "\n", "  \n\n", "\nbody", "\n\nbody", "\r\n"]),
)
# Bodies near what the shortcut accepts: paragraphs, footers, comments, long lines.
bodies = st.lists(
    st.sampled_from(
        [
            *("Body line.", "", " ", "  indented", "x" * 100, "y" * 101, "é" * 100, "😀"),
            *("Refs #12", "Refs: 12", "BREAKING CHANGE: z", "BREAKING CHANGE z", "Token: v"),
            *("# heading", "Merge branch 'x'", "see https://example.com/" + "a" * 90, "\r"),
            *("Signed-off-by: A <a@b>", "fixup! x", "a\tb"),
        ]
    ),
    max_size=5,
).map("\n".join)
with_bodies = st.builds(
    lambda header, gap, body: f"{header}{gap}{body}",
    plausible.map(lambda message: message.split("\n", 1)[0]),
    st.sampled_from(["\n\n", "\n", "\n\n\n", "\n \n"]),
    bodies,
)
# Footers near what the shortcut accepts: references, trailers, notes, merges, long lines.
footers = st.lists(
    st.sampled_from(
        [
            *("Fixes: #12", "Refs #3", "Closes: #1", "Co-authored-by: A <a@b>", "Token: v", ""),
            *("Merge #1", "Breaking-change #2", "BREAKING CHANGE: z", "gpg: sig", "Refs: #x"),
            *("Fixes: #12 and #13", "Reviewed-by: " + "r" * 90, "é" * 99, "😀", "fix #4", "\r"),
            *("Prefixes: #5", "Fixes: " + "#" + "9" * 95, "see https://example.com/" + "a" * 90),
        ]
    ),
    min_size=1,
    max_size=4,
).map("\n".join)
with_footers = st.builds(
    lambda header, body, gap, footer: f"{header}{body}{gap}{footer}",
    plausible.map(lambda message: message.split("\n", 1)[0]),
    st.one_of(st.just(""), bodies.map(lambda body: f"\n\n{body}")),
    st.sampled_from(["\n\n", "\n", "\n\n\n"]),
    footers,
)
DEFAULTS = CommitMsgSettings()
# Each setting is its default half of the time, so the shortcut exists often enough to test.
configs = st.builds(
    CommitMsgSettings,
    types=st.one_of(st.just(DEFAULTS.types), st.lists(st.sampled_from(TYPES), max_size=4)),
    scopes=st.one_of(st.none(), st.lists(st.sampled_from(SCOPES), max_size=3)),
    require_scope=st.booleans(),
    header_max_length=st.one_of(st.just(100), st.none(), st.integers(1, 120)),
    body_max_line_length=st.one_of(st.just(100), st.none(), st.integers(1, 120)),
    footer_max_line_length=st.one_of(st.just(100), st.none(), st.integers(1, 120)),
    subject_case=st.one_of(
        st.just(DEFAULTS.subject_case), st.lists(st.sampled_from(CASES), max_size=3)
    ),
    subject_full_stop=st.sampled_from([".", None, "!", "...", "x"]),
    scope_case=st.one_of(st.just("lower-case"), st.none(), st.sampled_from(CASES)),
    ignore_reverts=st.booleans(),
    ignore_merges=st.booleans(),
)


def accepts(config: CommitMsgSettings, message: str) -> bool:
    (verdict,) = _obviously_valid(config, [message])
    return bool(verdict)


def _assert_sound(message: str, config: CommitMsgSettings) -> None:
    if not accepts(config, message):
        return
    assert _exemption(message, config) is None, message
    assert not list(violations(parse_lint_message(message + "\n"), config))


@settings(max_examples=3000, deadline=None)
@given(
    message=st.one_of(messages, plausible, with_bodies, with_footers),
    config=st.one_of(st.just(DEFAULTS), st.just(CommitMsgSettings(scopes=["api"])), configs),
)
@example(message="chore: 1.2.0", config=CommitMsgSettings())
@example(message="amend!: x", config=CommitMsgSettings(types=["amend"]))
@example(message="feat: x.", config=CommitMsgSettings())
@example(message="feat: " + "é" * 94, config=CommitMsgSettings())
@example(message="feat: x.  \n\nBody line.", config=CommitMsgSettings())
def test_the_shortcut_accepts_only_what_the_full_rules_accept(
    message: str, config: CommitMsgSettings
) -> None:
    _assert_sound(message, config)


# Near the shortcut's boundary, with settings close to what teams use.
@settings(max_examples=2000, deadline=None)
@given(
    message=st.one_of(plausible, with_bodies, with_footers),
    config=st.sampled_from(
        [
            DEFAULTS,
            CommitMsgSettings(scopes=["api", "a/b"]),
            CommitMsgSettings(require_scope=True),
            CommitMsgSettings(header_max_length=20, subject_full_stop=None),
            CommitMsgSettings(body_max_line_length=10, footer_max_line_length=None),
            CommitMsgSettings(footer_max_line_length=8),
            CommitMsgSettings(body_max_line_length=None, header_max_length=None),
            CommitMsgSettings(types=["chore", "amend", "Feat"], ignore_reverts=False),
        ]
    ),
)
def test_near_the_boundary_too(message: str, config: CommitMsgSettings) -> None:
    _assert_sound(message, config)


def test_the_shortcut_takes_the_common_case() -> None:
    config = CommitMsgSettings()
    for good in (
        *("feat(api): add x", "fix: handle 2 cases\n", "perf!: faster", "fix: add é"),
        *("fix: x\n\nBody.\n\nMore body.\n", "refactor(api): y\n\n" + "z" * 100),
        *("fix: x\n\nFixes: #12", "fix: x\n\nBody.\n\nRefs #3\nReviewed-by: A <a@b.c>"),
    ):
        assert accepts(config, good)
    for other in (
        *("feat: Add x", "chore: v1.2.0", "chore(deps): 1.2", "fix: x."),
        *("Merge branch 'x'", "feat: " + "x" * 95, "fix: add 😀", "fix: x\nbody"),
        *("fix: x\n\nRefs: 12", "fix: x\n\nbody\nRefs #1", "fix: x\n\n" + "y" * 101),
        *("fix: x\n\nBREAKING CHANGE: y", "fix: x\n\nRefs #1\nMerge branch 'y'"),
    ):
        assert not accepts(config, other)
    assert accepts(CommitMsgSettings(header_max_length=None), "feat: " + "x" * 500)


def test_no_shortcut_for_settings_it_cannot_stand_in_for() -> None:
    no_shortcut = CommitMsgSettings(subject_case=["lower-case"])
    assert list(_obviously_valid(no_shortcut, ["feat: x", "fix: y"])) == [None, None]
