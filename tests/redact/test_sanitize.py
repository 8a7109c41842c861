"""A gate's reported text is masked, escaped and capped before any sink sees it."""

from __future__ import annotations

import json
import os
import sys
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pytest_prove.api import CheckResult, Finding, Severity
from pytest_prove.redact import sanitize as sanitize_module
from pytest_prove.redact.mask import mask
from pytest_prove.redact.sanitize import MAX_CHARS, sanitize, sanitize_result
from pytest_prove.redact.secret_rules import BUILTIN_RULES
from tests.plugin_site import install_check
from tests.repo_builder import MakeRepo, RepoBuilder
from tests.security_samples import SAMPLES, UPPER_DIGITS, rand

TOKEN = f"ghp_{rand(36, seed=21)}"
TOKEN_RULES = sorted({rule.id for rule in BUILTIN_RULES})
BAD_NAME = os.fsdecode(b"a\xff.py")
BAD_BRANCH = os.fsdecode(b"feat/\xff")
ALLOWED_CONTROLS = {"\n", "\t"}


def _controls(text: str) -> set[str]:
    return {c for c in text if unicodedata.category(c) in ("Cc", "Cs")} - ALLOWED_CONTROLS


# --- the sanitizer -------------------------------------------------------------------


@pytest.mark.parametrize("rule", TOKEN_RULES)
def test_every_token_rule_is_masked(rule: str) -> None:
    line, secret, look_alike = SAMPLES[rule]
    shown = sanitize(f"commit {line}\nnow")
    assert secret not in shown
    assert mask(secret) in shown
    assert sanitize(look_alike) == look_alike  # the rule's own non-secret is left alone


def test_the_heuristics_do_not_mask_innocent_text() -> None:
    line, _, _ = SAMPLES["secret-assignment"]  # caught by entropy, not by a format
    assert sanitize(line) == line
    prose = "the laws of AWS: password = hunter2, see https://example.com/a:b and eyJ-ish words"
    assert sanitize(prose) is prose


def test_a_token_in_a_url_keeps_the_url_readable() -> None:
    password = rand(20, seed=22)
    shown = sanitize(f"fetch https://bob:{password}@github.com/org/repo.git failed")
    assert shown == f"fetch https://bob:{mask(password)}@github.com/org/repo.git failed"


def test_a_private_key_is_masked_from_its_header_to_its_end() -> None:
    body = rand(64, seed=23)
    text = f"out:\n-----BEGIN RSA PRIVATE KEY-----\n{body}\n-----END RSA PRIVATE KEY-----\ndone"
    assert sanitize(text) == "out:\n----****\ndone"
    cut_short = f"tail:\n-----BEGIN OPENSSH PRIVATE KEY-----\n{body}"  # an output tail ends mid-key
    assert body not in sanitize(cut_short)


def test_undecodable_bytes_show_as_the_bytes_they_stand_for() -> None:
    assert sanitize(BAD_NAME) == "a\\xff.py"
    assert sanitize("\ud800x\udfff") == "\\ud800x\\udfff"  # lone surrogates of no byte
    sanitize(BAD_BRANCH).encode()


def test_control_characters_are_escaped_but_newline_and_tab_kept() -> None:
    text = "a\x1b[2Jb\x01c\x85d\x7fe\x00f\rg\r\nh\ti\nj"
    assert sanitize(text) == "a\\x1b[2Jb\\x01c\\x85d\\x7fe\\x00f\\x0dg\nh\ti\nj"


def test_a_token_behind_a_control_character_is_masked() -> None:
    assert sanitize(f"\x1b{TOKEN}") == f"\\x1b{mask(TOKEN)}"
    password = rand(12, seed=24)
    # A vertical tab ends a URL's password; escaped, it is part of it, so masked then.
    shown = sanitize(f"https://u:{password}\x0b{password}@host")
    assert password not in shown
    assert sanitize(shown) == shown


def test_a_mask_that_turns_its_neighbour_into_a_token_masks_that_too() -> None:
    # Found by Hypothesis: the run after "glpat-" is too long to be a token until the
    # AWS key at its end is masked (the mask's stars end the run).
    first, second = rand(20, seed=25), rand(20, seed=26)
    text = f"glpat-{first}glpat-{second}gho_AKIA{rand(16, UPPER_DIGITS, seed=27)}"
    shown = sanitize(text)
    assert first not in shown
    assert sanitize(shown) == shown


def test_a_long_string_keeps_its_start_and_end() -> None:
    subject = "feat: " + "word " * 40_000 + "the end"
    shown = sanitize(subject)
    assert len(shown) <= MAX_CHARS
    head, _, rest = shown.partition(" …(")
    omitted, _, tail = rest.partition(" more characters)… ")
    assert subject.startswith(head)
    assert subject.endswith(tail)
    assert len(head) + int(omitted) + len(tail) == len(subject)
    assert tail.endswith("the end")
    assert sanitize(shown) == shown


def test_a_cut_never_shows_part_of_a_token() -> None:
    keep = (MAX_CHARS - 128) // 2
    for offset in range(-40, 40, 7):  # the token straddles the cut, no whitespace near
        text = "x" * (keep + offset) + f"={TOKEN}=" + "y" * 20_000
        shown = sanitize(text)
        assert TOKEN[4:12] not in shown, offset
        assert TOKEN[-8:] not in shown, offset
        assert len(shown) <= MAX_CHARS


def test_a_result_is_sanitized_field_by_field() -> None:
    clean = Finding(rule="line-length", message="line too long", file="src/app.py", line=3)
    result = CheckResult(
        findings=[
            clean,
            Finding(rule="subject", message=f"'{TOKEN}'\x1b", file=BAD_NAME, line=1),
        ],
        metrics={"subject": f"x{TOKEN}"[1:], "count": 2, "ratio": 0.5, "ok": True},
        summary=f"1 commit quotes {TOKEN}",
        skipped=None,
    )
    shown = sanitize_result(result)
    assert shown.findings[0] is clean
    assert shown.findings[1] == Finding(
        rule="subject", message=f"'{mask(TOKEN)}'\\x1b", file="a\\xff.py", line=1
    )
    assert shown.metrics == {"subject": mask(TOKEN), "count": 2, "ratio": 0.5, "ok": True}
    assert shown.summary == f"1 commit quotes {mask(TOKEN)}"
    assert shown.skipped is None
    assert sanitize_result(CheckResult(skipped="\x1b")).skipped == "\\x1b"


def test_a_non_error_finding_is_sanitized_too() -> None:
    info = Finding(rule="output", message="\x1b", severity=Severity.INFO)
    assert sanitize_result(CheckResult(findings=[info])).findings[0].message == "\\x1b"


FRAGMENTS = st.sampled_from(
    [
        *sorted({a for rule in BUILTIN_RULES for a in rule.anchors}),
        *(line for line, _, _ in SAMPLES.values()),
        *(secret for _, secret, _ in SAMPLES.values()),
        *["://", ":", "@", "/", " ", "\n", "\t", "\r", "\x0b", "\x1b", "\x85", "****"],
        *["-----END RSA PRIVATE KEY-----", "\udcff", "\ud83d", "é", "x", "ab", "A", "_"],
    ]
)
MIXED = st.lists(st.one_of(FRAGMENTS, st.text(max_size=8)), max_size=12).map("".join)


def _assert_safe(text: str) -> None:
    shown = sanitize(text)
    shown.encode("utf-8")  # no surrogate left: every encoder and execnet take it
    assert not _controls(shown)
    assert sanitize(shown) == shown
    assert len(shown) <= MAX_CHARS


@given(st.text())
def test_any_text_comes_out_safe(text: str) -> None:
    _assert_safe(text)


@given(MIXED)
def test_text_made_of_tokens_and_controls_comes_out_safe(text: str) -> None:
    _assert_safe(text)


@given(st.lists(MIXED, min_size=1, max_size=40).map(" ".join), st.integers(200, 600))
def test_cutting_keeps_text_safe(text: str, limit: int) -> None:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(sanitize_module, "MAX_CHARS", limit)
        shown = sanitize(text * 3)
        shown.encode("utf-8")
        assert not _controls(shown)
        assert len(shown) <= limit
        assert sanitize(shown) == shown


# --- through the plugin --------------------------------------------------------------


def _repo_on(make_repo: MakeRepo, branch: str) -> RepoBuilder:
    repo = make_repo("r")
    repo.git("checkout", "-q", "-b", branch)
    return repo


def _write_config(
    pytester: pytest.Pytester, repo: RepoBuilder, checks: str, extra: str = ""
) -> None:
    pytester.makefile(
        ".yaml",
        multi=f"repositories:\n  - {{name: r, path: {repo.path}, checks: [{checks}]}}\n{extra}",
    )


def _run(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    return pytester.runpytest(
        "--prove-config",
        "multi.yaml",
        "-p",
        "no:cacheprovider",
        "--prove-no-history",
        "--junitxml=junit.xml",
        "--json-report",
        "--json-report-file=report.json",
        "--prove-sarif=prove.sarif",
        "--prove-gitlab-codequality=codequality.json",
        *args,
    )


OUTPUTS = ("junit.xml", "report.json", "prove.sarif", "codequality.json")


def _outputs(pytester: pytest.Pytester, result: pytest.RunResult) -> dict[str, str]:
    found = {name: (pytester.path / name).read_text(encoding="utf-8") for name in OUTPUTS}
    found["<stdout>"] = "\n".join(result.outlines)
    found["<stderr>"] = "\n".join(result.errlines)
    return found


def _findings(pytester: pytest.Pytester, check: str) -> list[dict[str, object]]:
    report = json.loads((pytester.path / "report.json").read_text(encoding="utf-8"))
    [test] = [t for t in report["tests"] if t["nodeid"].endswith(f"::{check}")]
    findings: list[dict[str, object]] = test["metadata"]["prove"]["findings"]
    return findings


XDIST = pytest.mark.parametrize("xdist", [[], ["-n", "2"]], ids=["n0", "n2"])


@XDIST
def test_a_non_utf8_file_name_fails_its_gate_and_every_output_is_written(
    pytester: pytest.Pytester, make_repo: MakeRepo, xdist: list[str]
) -> None:
    repo = _repo_on(make_repo, "feat/x")
    repo.commit("feat: x", files={BAD_NAME: "x = 1\n"})
    _write_config(pytester, repo, "tdd, commit-msg")
    result = _run(pytester, *xdist)
    result.assert_outcomes(failed=1, passed=1)
    assert result.ret == 1
    result.stdout.fnmatch_lines(["*a\\xff.py changed without a matching test change*"])
    outputs = _outputs(pytester, result)
    assert "INTERNALERROR" not in outputs["<stdout>"] + outputs["<stderr>"]
    assert {f.get("file") for f in _findings(pytester, "tdd")} == {"a\\xff.py"}
    sarif = json.loads(outputs["prove.sarif"])
    [text] = [r["message"]["text"] for r in sarif["runs"][0]["results"]]
    assert "a\\xff.py" in text  # no such file: placed at the config, named in the text
    assert "a\\xff.py" in outputs["junit.xml"]


@XDIST
def test_a_non_utf8_branch_name_is_judged_not_crashed(
    pytester: pytest.Pytester, make_repo: MakeRepo, xdist: list[str]
) -> None:
    repo = _repo_on(make_repo, BAD_BRANCH)
    repo.commit("feat: x", files={"a.py": "x = 1\n"})
    _write_config(pytester, repo, "trunk")
    result = _run(pytester, *xdist)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*branch feat/\\xff breaks trunk-based limits*"])
    assert "INTERNALERROR" not in result.stdout.str()


@XDIST
def test_no_raw_token_reaches_any_output(
    pytester: pytest.Pytester, make_repo: MakeRepo, xdist: list[str]
) -> None:
    repo = _repo_on(make_repo, "feat/rotate")
    repo.commit(f"Rotate {TOKEN}", files={"src/features/new.py": "x = 1\n"})
    repo.commit(f"feat: rotate {TOKEN} again")
    tail = f"print('output password={TOKEN}'); raise SystemExit(1)"
    command = json.dumps([sys.executable, "-c", tail])
    _write_config(
        pytester, repo, "commit-msg, killswitch, out", f"global:\n  commands:\n    out: {command}\n"
    )
    result = _run(pytester, *xdist)
    result.assert_outcomes(failed=3)
    outputs = _outputs(pytester, result)
    for name, text in outputs.items():
        assert TOKEN not in text, name
        assert TOKEN[4:16] not in text, name
    assert outputs["<stdout>"].count(mask(TOKEN)) >= 3  # commit-msg, killswitch, output tail
    output_tail = [f["message"] for f in _findings(pytester, "out") if f["rule"] == "output"]
    assert output_tail == [f"output password={mask(TOKEN)}"]


def test_notification_credentials_a_tool_prints_are_masked(
    pytester: pytest.Pytester, make_repo: MakeRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    # no known format: only their being the notification credentials marks them
    monkeypatch.setenv("PROVE_SMTP_PASSWORD", "hunter2pw-plain")
    monkeypatch.setenv("PROVE_TEAMS_WEBHOOK", "https://example.invalid/hook/s3cr3t-path")
    repo = _repo_on(make_repo, "feat/x")
    code = "import os; print(os.environ['PROVE_SMTP_PASSWORD'], os.environ['PROVE_TEAMS_WEBHOOK'])"
    command = json.dumps([sys.executable, "-c", code + "; raise SystemExit(1)"])
    _write_config(pytester, repo, "out", f"global:\n  commands:\n    out: {command}\n")
    result = _run(pytester)
    result.assert_outcomes(failed=1)
    for name, text in _outputs(pytester, result).items():
        assert "hunter2pw" not in text, name
        assert "s3cr3t" not in text, name
    result.stdout.fnmatch_lines([f"*{mask('hunter2pw-plain')}*"])


def test_control_characters_from_git_are_escaped_on_the_terminal(
    pytester: pytest.Pytester, make_repo: MakeRepo
) -> None:
    repo = _repo_on(make_repo, "feat/x")
    repo.commit("\x1b[2Jwipe\x01 \u0085 subject", files={"f\x1b[2J.py": "x = 1\n"})
    _write_config(pytester, repo, "commit-msg, tdd")
    result = _run(pytester, "-n", "2")
    result.assert_outcomes(failed=2)
    out = result.stdout.str()
    assert not _controls(out)
    assert "\\x1b[2Jwipe\\x01 \\x85 subject" in out
    assert "f\\x1b[2J.py" in out


def test_a_huge_commit_subject_is_cut(pytester: pytest.Pytester, make_repo: MakeRepo) -> None:
    repo = _repo_on(make_repo, "feat/x")
    message = pytester.path / "message.txt"  # 200 KB: more than one argument may hold
    message.write_text("feat: huge " + "subject " * 25_000 + "end", encoding="utf-8")
    repo.git("commit", "-q", "--allow-empty", "--cleanup=verbatim", "-F", str(message))
    _write_config(pytester, repo, "killswitch")  # it quotes the subject of a feature commit
    result = _run(pytester)
    result.assert_outcomes(failed=1)
    findings = _findings(pytester, "killswitch")
    [quoted] = [str(f["message"]) for f in findings if f["rule"] == "unguarded-commit"]
    assert "feat: huge subject" in quoted
    assert "more characters)… subject subject" in quoted
    assert len(quoted) <= MAX_CHARS
    assert len(result.stdout.str()) < 4 * MAX_CHARS
    assert Path(pytester.path / "junit.xml").stat().st_size < 4 * MAX_CHARS


CRASHING_CHECK = """
from pytest_prove import hookimpl
from pytest_prove.api import Check, CheckSettings


def crash(context, settings):
    raise OSError(2, "No such file", "a\\udcff.py ghp_" + "aB3dE5fG7hJ9kL2mN4pQ6rS8tU0vW1xY3zA5")


@hookimpl
def prove_checks():
    return [Check(name="crashing", run=crash, settings_model=CheckSettings)]
"""


@XDIST
def test_a_check_that_raises_fails_its_gate_readably_and_safely(
    pytester: pytest.Pytester,
    make_repo: MakeRepo,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    xdist: list[str],
) -> None:
    site = install_check(tmp_path / "site", "crashcheck", CRASHING_CHECK)
    monkeypatch.setenv("PYTHONPATH", str(site))
    repo = _repo_on(make_repo, "feat/x")
    repo.commit("feat: x", files={"a.py": "x = 1\n"})
    _write_config(pytester, repo, "crashing, commit-msg")
    result = pytester.runpytest_subprocess(
        "--prove-config", "multi.yaml", "-p", "no:cacheprovider", "--junitxml=junit.xml", *xdist
    )
    result.assert_outcomes(failed=1, passed=1)
    out = result.stdout.str() + result.stderr.str()
    assert "INTERNALERROR" not in out
    assert "OSError" in out
    assert "a\\udcff.py" in out  # OSError quotes the name with repr(): escaped already
    token = "ghp_" + "aB3dE5fG7hJ9kL2mN4pQ6rS8tU0vW1xY3zA5"
    assert token not in out
    assert token not in (pytester.path / "junit.xml").read_text(encoding="utf-8")
