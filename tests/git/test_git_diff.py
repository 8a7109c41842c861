from __future__ import annotations

import difflib
import os
import re
import subprocess
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pytest_prove.git.diff import ChangedFile, parse_diff
from pytest_prove.git.runner import run_git
from tests.repo_builder import RepoBuilder

# Exactly what RepoContext runs, against HEAD instead of a merge base.
DIFF_ARGS = ("diff", "--patch-with-raw", "-z", "-M", "-U0", "--no-color", "--no-ext-diff")
HUNK = re.compile(rb"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@", re.MULTILINE)


def raw(status: str, *paths: str | bytes, modes: tuple[str, str] = ("100644", "100644")) -> bytes:
    """One raw entry as `git diff --raw -z` prints it."""
    names = b"".join((p if isinstance(p, bytes) else p.encode()) + b"\0" for p in paths)
    return f":{modes[0]} {modes[1]} 1234567 0000000 {status}\0".encode() + names


def diff_output(raws: list[bytes], patch: str | bytes = b"") -> bytes:
    """The raw part, the empty separator field, then the patches."""
    return b"".join(raws) + b"\0" + (patch.encode() if isinstance(patch, str) else patch)


def one(output: bytes | str) -> ChangedFile:
    files = parse_diff(output)
    assert len(files) == 1, files
    return files[0]


def test_empty_input_has_no_changes() -> None:
    assert parse_diff(b"") == []
    assert parse_diff("") == []


def test_added_file() -> None:
    patch = (
        "diff --git a/new.txt b/new.txt\nnew file mode 100644\nindex 0000000..3e75765\n"
        "--- /dev/null\n+++ b/new.txt\n@@ -0,0 +1,3 @@\n+a\n+b\n+c\n"
    )
    changed = one(diff_output([raw("A", "new.txt", modes=("000000", "100644"))], patch))
    assert changed == ChangedFile(path="new.txt", status="added", added_lines=frozenset({1, 2, 3}))


def test_modified_file_with_several_hunks() -> None:
    patch = (
        "diff --git a/f.txt b/f.txt\nindex de98044..f8f7a32 100644\n--- a/f.txt\n+++ b/f.txt\n"
        "@@ -2 +2 @@ a\n-b\n+B\n"
        "@@ -5,2 +4,0 @@ d\n-e\n-f\n"
        "@@ -9,0 +8,2 @@ h\n+i\n+j\n"
    )
    changed = one(diff_output([raw("M", "f.txt")], patch))
    assert changed.status == "modified"
    assert changed.added_lines == {2, 8, 9}
    assert changed.removed_lines == {2, 5, 6}
    assert changed.old_path is None
    assert not changed.binary


def test_deleted_file() -> None:
    patch = (
        "diff --git a/gone.txt b/gone.txt\ndeleted file mode 100644\nindex abaddc0..0000000\n"
        "--- a/gone.txt\n+++ /dev/null\n@@ -1,2 +0,0 @@\n-x\n-y\n"
    )
    changed = one(diff_output([raw("D", "gone.txt", modes=("100644", "000000"))], patch))
    assert changed == ChangedFile(
        path="gone.txt", status="deleted", removed_lines=frozenset({1, 2})
    )


def test_pure_rename_has_no_lines() -> None:
    patch = (
        "diff --git a/old.txt b/new.txt\nsimilarity index 100%\n"
        "rename from old.txt\nrename to new.txt\n"
    )
    changed = one(diff_output([raw("R100", "old.txt", "new.txt")], patch))
    assert changed == ChangedFile(path="new.txt", old_path="old.txt", status="renamed")


def test_rename_with_changes() -> None:
    patch = (
        "diff --git a/ren.txt b/renamed.txt\nsimilarity index 80%\nrename from ren.txt\n"
        "rename to renamed.txt\nindex 6b2911c..c1581d1 100644\n--- a/ren.txt\n+++ b/renamed.txt\n"
        "@@ -4,0 +5 @@ baz\n+qux\n"
    )
    changed = one(diff_output([raw("R080", "ren.txt", "renamed.txt")], patch))
    assert (changed.path, changed.old_path, changed.status) == ("renamed.txt", "ren.txt", "renamed")
    assert changed.added_lines == {5}


def test_copy() -> None:
    patch = (
        "diff --git a/src.txt b/copy.txt\nsimilarity index 90%\n"
        "copy from src.txt\ncopy to copy.txt\n"
        "index 1..2 100644\n--- a/src.txt\n+++ b/copy.txt\n@@ -1 +1 @@\n-a\n+b\n"
    )
    changed = one(diff_output([raw("C090", "src.txt", "copy.txt")], patch))
    assert (changed.path, changed.old_path, changed.status) == ("copy.txt", "src.txt", "copied")
    assert changed.added_lines == changed.removed_lines == {1}


def test_mode_only_change() -> None:
    patch = "diff --git a/run.sh b/run.sh\nold mode 100644\nnew mode 100755\n"
    changed = one(diff_output([raw("M", "run.sh", modes=("100644", "100755"))], patch))
    assert changed == ChangedFile(path="run.sh", status="modified")


def test_binary_file() -> None:
    patch = (
        "diff --git a/bin.dat b/bin.dat\nindex 87ae6b6..22f6b3b 100644\n"
        "Binary files a/bin.dat and b/bin.dat differ\n"
    )
    changed = one(diff_output([raw("M", "bin.dat")], patch))
    assert changed.binary
    assert changed.added_lines == changed.removed_lines == frozenset()


def test_submodule_change_has_no_lines() -> None:
    patch = (
        "diff --git a/sub b/sub\nindex ef59982..aead042 160000\n--- a/sub\n+++ b/sub\n"
        "@@ -1 +1 @@\n-Subproject commit ef59982afaa56cd1906ccb80cd0b7e9ef772a916\n"
        "+Subproject commit aead04208e3b8a63c300691d90138fb84c98a1a7-dirty\n"
    )
    changed = one(diff_output([raw("M", "sub", modes=("160000", "160000"))], patch))
    assert changed == ChangedFile(path="sub", status="modified", submodule=True)


def test_missing_newline_marker_is_not_a_line() -> None:
    patch = (
        "diff --git a/f b/f\nindex 1..2 100644\n--- a/f\n+++ b/f\n"
        "@@ -3 +3,2 @@\n-c\n\\ No newline at end of file\n+c\n+d\n\\ No newline at end of file\n"
    )
    changed = one(diff_output([raw("M", "f")], patch))
    assert changed.removed_lines == {3}
    assert changed.added_lines == {3, 4}


def test_type_change_merges_its_two_patches() -> None:
    patch = (
        "diff --git a/link b/link\ndeleted file mode 100644\nindex 3cd5478..0000000\n"
        "--- a/link\n+++ /dev/null\n@@ -1,2 +0,0 @@\n-tc\n-more\n"
        "diff --git a/link b/link\nnew file mode 120000\nindex 0000000..7f66e4f\n"
        "--- /dev/null\n+++ b/link\n@@ -0,0 +1 @@\n+f.txt\n\\ No newline at end of file\n"
        "diff --git a/z b/z\nindex 1..2 100644\n--- a/z\n+++ b/z\n@@ -7 +7 @@\n-z\n+Z\n"
    )
    link, z = parse_diff(
        diff_output([raw("T", "link", modes=("100644", "120000")), raw("M", "z")], patch)
    )
    assert link == ChangedFile(
        path="link",
        status="type-changed",
        added_lines=frozenset({1}),
        removed_lines=frozenset({1, 2}),
    )
    assert z.added_lines == z.removed_lines == {7}


@pytest.mark.parametrize(
    ("name", "header_name"),
    [
        ("sp ace.txt", "a/sp ace.txt b/sp ace.txt"),
        ('ta\tb"q.txt', '"a/ta\\tb\\"q.txt" "b/ta\\tb\\"q.txt"'),
        ("back\\slash", '"a/back\\\\slash" "b/back\\\\slash"'),
        ("ünï.txt", "a/ünï.txt b/ünï.txt"),  # core.quotepath=off
        ("ünï.txt", '"a/\\303\\274n\\303\\257.txt" "b/\\303\\274n\\303\\257.txt"'),  # =on
        ("new\nline", '"a/new\\nline" "b/new\\nline"'),
    ],
)
def test_odd_paths_pair_with_their_patches(name: str, header_name: str) -> None:
    # A first entry without a patch would steal this patch if pairing went by order only.
    patch = f"diff --git {header_name}\nindex 1..2 100644\n@@ -1 +1,2 @@\n-x\n+y\n+z\n"
    first, changed = parse_diff(diff_output([raw("M", "aaa"), raw("M", name)], patch))
    assert changed.path == name
    assert changed.added_lines == {1, 2}
    assert first.added_lines == frozenset()


def test_non_utf8_path_and_content() -> None:
    name = b"caf\xe9.txt"
    patch = (
        b"diff --git a/caf\xe9.txt b/caf\xe9.txt\nindex 1..2 100644\n--- a/caf\xe9.txt\n"
        b"+++ b/caf\xe9.txt\n@@ -1 +1 @@\n-\xff\xfe old\n+\xe9t\xe9\r\n"
    )
    changed = one(diff_output([raw("M", name)], patch))
    assert changed.path == os.fsdecode(name)
    assert os.fsencode(changed.path) == name
    assert changed.added_lines == changed.removed_lines == {1}


def test_unknown_prefixes_fall_back_to_git_order() -> None:
    patch = (
        "diff --git c/one w/one\n--- c/one\n+++ w/one\n@@ -1 +1 @@\n-a\n+b\n"
        "diff --git c/two w/two\n--- c/two\n+++ w/two\n@@ -0,0 +1 @@\n+c\n"
    )
    one_, two = parse_diff(diff_output([raw("M", "one"), raw("A", "two")], patch))
    assert one_.added_lines == one_.removed_lines == {1}
    assert two.added_lines == {1}
    assert two.removed_lines == frozenset()


def test_context_lines_are_counted() -> None:
    patch = "diff --git a/f b/f\n--- a/f\n+++ b/f\n@@ -1,4 +1,4 @@\n a\n-b\n+B\n c\n-d\n+D\n"
    changed = one(diff_output([raw("M", "f")], patch))
    assert changed.added_lines == changed.removed_lines == {2, 4}


def test_an_empty_context_line_does_not_end_the_hunk() -> None:
    # diff.suppressBlankEmpty prints a blank context line as "" instead of " "
    patch = "diff --git a/f b/f\n--- a/f\n+++ b/f\n@@ -1,3 +1,3 @@\n-a\n+A\n\n-c\n+C\n"
    changed = one(diff_output([raw("M", "f")], patch))
    assert changed.added_lines == changed.removed_lines == {1, 3}


def test_a_hunk_is_as_long_as_its_header_says() -> None:
    patch = (
        "diff --git a/f b/f\n--- a/f\n+++ b/f\n@@ -1,2 +1 @@\n-a\n-b\n+c\n"
        "diff --git a/g b/g\n--- a/g\n+++ b/g\n@@ -1,0 +2,5 @@\n+1\n+2\n"
    )
    f, g = parse_diff(diff_output([raw("M", "f"), raw("M", "g")], patch))
    assert (f.added_lines, f.removed_lines) == ({1}, {1, 2})
    # a truncated hunk ends at the next file's header
    assert (g.added_lines, g.removed_lines) == ({2, 3}, frozenset())


def test_nul_bytes_inside_the_patch_do_not_end_it() -> None:
    # git calls a file text when the first 8000 bytes have no NUL; later ones show up.
    patch = b"diff --git a/f b/f\n--- a/f\n+++ b/f\n@@ -0,0 +1,2 @@\n+a\0b\n+c\n"
    assert one(diff_output([raw("A", "f", modes=("000000", "100644"))], patch)).added_lines == {
        1,
        2,
    }


def test_unmerged_entry_is_modified() -> None:
    patch = "diff --git a/f b/f\n--- a/f\n+++ b/f\n@@ -1 +1,2 @@\n-a\n+<<<<<<< HEAD\n+c\n"
    assert one(diff_output([raw("U", "f")], patch)).status == "modified"


def test_huge_hunk_numbers_are_ignored_not_allocated() -> None:
    patch = "diff --git a/f b/f\n@@ -1,99999999999999999999 +1,9999999999999999999999 @@\n+a\n"
    assert one(diff_output([raw("M", "f")], patch)).added_lines == frozenset()


# --- properties -------------------------------------------------------------

FRAGMENTS = [
    b":100644 100644 1234567 0000000 M\0f\0",
    b":100644 100644 1 2 R090\0a\0b\0",
    b":000000 160000 1 2 A\0",
    b"\0",
    b"diff --git a/f b/f\n",
    b"diff --git ",
    b"@@ -1,2 +3,4 @@\n",
    b"@@ -0,0 +1 @@",
    b"+x\n",
    b"-y\n",
    b" z\n",
    b"\\ No newline at end of file\n",
    b"Binary files a/f and b/f differ\n",
    b"\n",
    b'"',
]


@given(st.binary(max_size=2000))
def test_arbitrary_bytes_never_crash(data: bytes) -> None:
    for changed in parse_diff(data):
        assert all(n >= 0 for n in changed.added_lines | changed.removed_lines)


@given(st.lists(st.sampled_from(FRAGMENTS) | st.binary(max_size=8), max_size=40))
def test_shuffled_diff_fragments_never_crash(parts: list[bytes]) -> None:
    parse_diff(b"".join(parts))


@given(st.text(max_size=300))
def test_arbitrary_text_never_crashes(text: str) -> None:
    parse_diff(text)


LINES = st.lists(st.sampled_from(["a", "b", "c", "d", "", "a b", "\tx"]), max_size=12)


def expected_from_headers(patch: bytes) -> tuple[frozenset[int], frozenset[int]]:
    """Added and removed line numbers as the hunk headers state them."""
    added: set[int] = set()
    removed: set[int] = set()
    for match in HUNK.finditer(patch):
        old_start, old_count, new_start, new_count = match.groups()
        removed.update(range(int(old_start), int(old_start) + int(old_count or 1)))
        added.update(range(int(new_start), int(new_start) + int(new_count or 1)))
    return frozenset(added), frozenset(removed)


def assert_reconstructs(old: list[str], new: list[str], changed: ChangedFile) -> None:
    """Dropping removed lines from old and added lines from new leaves the same text."""
    kept_old = [line for n, line in enumerate(old, 1) if n not in changed.removed_lines]
    kept_new = [line for n, line in enumerate(new, 1) if n not in changed.added_lines]
    assert kept_old == kept_new
    assert max(changed.added_lines, default=0) <= len(new)
    assert max(changed.removed_lines, default=0) <= len(old)


def unified_zero(old: list[str], new: list[str]) -> str:
    """A -U0 patch built with difflib, with git's hunk header conventions."""
    out = ["diff --git a/f b/f\n", "--- a/f\n", "+++ b/f\n"]
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        old_start = i1 + 1 if i2 > i1 else i1
        new_start = j1 + 1 if j2 > j1 else j1
        out.append(f"@@ -{old_start},{i2 - i1} +{new_start},{j2 - j1} @@\n")
        out += [f"-{line}\n" for line in old[i1:i2]]
        out += [f"+{line}\n" for line in new[j1:j2]]
    return "".join(out)


@given(LINES, LINES)
def test_difflib_hunks_reconstruct(old: list[str], new: list[str]) -> None:
    patch = unified_zero(old, new)
    changed = one(diff_output([raw("M", "f")], patch))
    assert_reconstructs(old, new, changed)
    added, removed = expected_from_headers(patch.encode())
    assert (changed.added_lines, changed.removed_lines) == (added, removed)


@pytest.fixture(scope="module")
def scratch_repo(tmp_path_factory: pytest.TempPathFactory) -> RepoBuilder:
    repo = RepoBuilder(tmp_path_factory.mktemp("diff-property") / "repo").init()
    repo.commit("Initial commit", files={"README.md": "x\n"})
    return repo


def write_lines(path: Path, lines: list[str], final_newline: bool) -> list[str]:
    """Write the file; its lines as git sees them (a missing final newline counts)."""
    text = "\n".join(lines) + ("\n" if final_newline and lines else "")
    path.write_bytes(text.encode())
    return text.splitlines(keepends=True)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(old=LINES, new=LINES, old_eol=st.booleans(), new_eol=st.booleans())
def test_real_git_diffs_reconstruct(
    scratch_repo: RepoBuilder, old: list[str], new: list[str], old_eol: bool, new_eol: bool
) -> None:
    target = scratch_repo.path / "f.txt"
    old_lines = write_lines(target, old, old_eol)
    scratch_repo.commit("old")
    new_lines = write_lines(target, new, new_eol)
    output = run_git(scratch_repo.path, *DIFF_ARGS, "HEAD")
    files = parse_diff(output)
    if old_lines == new_lines:
        assert files == []
        return
    (changed,) = files
    assert changed.path == "f.txt"
    assert_reconstructs(old_lines, new_lines, changed)
    patch = output[output.index(b"diff --git") :]
    added, removed = expected_from_headers(patch)
    assert (changed.added_lines, changed.removed_lines) == (added, removed)


def test_real_git_diff_of_every_kind_of_change(tmp_path: Path) -> None:
    repo = RepoBuilder(tmp_path / "kinds").init()
    odd_name = 'dir with space/ta\tb"q ünï.txt'
    latin_name = os.fsdecode(b"caf\xe9.txt")
    repo.commit(
        "base",
        files={
            "f.txt": "a\nb\nc\n",
            "bin.dat": b"bin\0ary",
            "del.txt": "del\n",
            "mode.sh": "mode\n",
            "ren.txt": "r1\nr2\nr3\nr4\n",
            "tc.txt": "tc\n",
            odd_name: "q\n",
            latin_name: b"\xe9\n",
        },
    )
    repo.write("f.txt", "a\nB\nc\nd")
    repo.write("bin.dat", b"bin\0ary2")
    repo.delete("del.txt")
    (repo.path / "mode.sh").chmod(0o755)
    repo.git("mv", "ren.txt", "renamed.txt")
    repo.write("renamed.txt", "r1\nr2\nr3\nr4\nr5\n")
    repo.delete("tc.txt")
    (repo.path / "tc.txt").symlink_to("f.txt")
    repo.write(odd_name, "q2\n")
    repo.write(latin_name, b"\xe9\xe9\n")
    repo.write("new.txt", "n1\nn2\n")
    repo.stage("new.txt")

    files = {f.path: f for f in parse_diff(run_git(repo.path, *DIFF_ARGS, "HEAD"))}

    assert files["f.txt"].added_lines == {2, 4}
    assert files["f.txt"].removed_lines == {2}
    assert files["bin.dat"].binary
    assert files["del.txt"].status == "deleted"
    assert files["del.txt"].removed_lines == {1}
    assert files["mode.sh"] == ChangedFile(path="mode.sh", status="modified")
    assert files["renamed.txt"].old_path == "ren.txt"
    assert files["renamed.txt"].added_lines == {5}
    assert files["tc.txt"].status == "type-changed"
    assert files["tc.txt"].added_lines == files["tc.txt"].removed_lines == {1}
    assert files[odd_name].added_lines == files[odd_name].removed_lines == {1}
    assert files[latin_name].added_lines == {1}
    assert files["new.txt"].status == "added"
    assert files["new.txt"].added_lines == {1, 2}
    assert len(files) == 9


@pytest.mark.parametrize(
    "config",
    [("diff.interHunkContext=10",), ("diff.interHunkContext=10", "diff.suppressBlankEmpty=true")],
)
def test_context_a_user_config_adds_is_parsed(tmp_path: Path, config: tuple[str, ...]) -> None:
    repo = RepoBuilder(tmp_path / "ctx").init()
    repo.commit("base", files={"conf.py": "a = 1\n\nb = 2\n\nc = 3\n"})
    repo.write("conf.py", "a = 10\n\nb = 2\n\ntoken = 'x'\n")
    options = [part for item in config for part in ("-c", item)]
    argv = ["git", *options, *DIFF_ARGS, "HEAD"]
    output = subprocess.run(argv, cwd=repo.path, capture_output=True, check=True).stdout
    assert b"@@ -1,5 +1,5 @@" in output  # the user's config merged the two hunks
    (changed,) = parse_diff(output)
    assert changed.added_lines == changed.removed_lines == {1, 5}


def test_our_git_calls_pin_the_hunk_shape(tmp_path: Path) -> None:
    repo = RepoBuilder(tmp_path / "pinned").init()
    repo.git("config", "diff.interHunkContext", "10")
    repo.git("config", "diff.suppressBlankEmpty", "true")
    repo.commit("base", files={"conf.py": "a = 1\n\nb = 2\n\nc = 3\n"})
    repo.write("conf.py", "a = 10\n\nb = 2\n\ntoken = 'x'\n")
    output = run_git(repo.path, *DIFF_ARGS, "HEAD")
    assert output.count(b"@@ -") == 2
    (changed,) = parse_diff(output)
    assert changed.added_lines == changed.removed_lines == {1, 5}
