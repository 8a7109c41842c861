"""The secret scanner: lines, allow markers, entropy, custom rules, masking, baselines."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pytest_prove.engines.security.baseline import BaselineError, dump_baseline, load_baseline
from pytest_prove.engines.security.entropy import is_hex, shannon_entropy
from pytest_prove.engines.security.secrets import SecretHit, SecretScanner
from pytest_prove.redact.mask import mask
from pytest_prove.redact.secret_rules import Rule
from tests.security_samples import SAMPLES, rand

GITHUB_LINE, GITHUB_TOKEN, _ = SAMPLES["github-token"]
ASSIGNED_LINE, ASSIGNED, _ = SAMPLES["secret-assignment"]


def _scan(text: str, path: str = "app.py", **kwargs: object) -> list[tuple[str, int]]:
    return [(h.rule, h.line) for h in SecretScanner(**kwargs).scan(path, text)]  # type: ignore[arg-type]


def test_only_the_given_lines_are_scanned() -> None:
    text = f"a = 1\n{GITHUB_LINE}\nb = 2\n{ASSIGNED_LINE}\n"
    scanner = SecretScanner()
    assert [(h.rule, h.line) for h in scanner.scan("x.py", text, {3, 4})] == [
        ("secret-assignment", 4)
    ]
    assert [h.line for h in scanner.scan("x.py", text, {2})] == [2]
    assert [h.line for h in scanner.scan("x.py", text)] == [2, 4]
    assert scanner.scan("x.py", text, set()) == []
    assert scanner.scan("x.py", text, {99}) == []


def test_line_numbers_with_crlf_and_many_hits() -> None:
    text = "\r\n".join(["x = 1", GITHUB_LINE, "y = 2", GITHUB_LINE, ASSIGNED_LINE]) + "\r\n"
    assert _scan(text) == [("github-token", 2), ("github-token", 4), ("secret-assignment", 5)]


@pytest.mark.parametrize(
    "marker", ["# prove: allow-secret", "# pragma: allowlist secret", "// prove: allow-secret"]
)
def test_inline_allow_markers(marker: str) -> None:
    assert _scan(f"{GITHUB_LINE}  {marker}\n{ASSIGNED_LINE}\n") == [("secret-assignment", 2)]


def test_next_line_marker_also_from_an_unchanged_line() -> None:
    text = f"# pragma: allowlist nextline secret\n{GITHUB_LINE}\n{GITHUB_LINE}\n"
    assert _scan(text) == [("github-token", 3)]
    # Only the secret's line was added; the marker above it was already there.
    assert [h.line for h in SecretScanner().scan("a.py", text, {2, 3})] == [3]


def test_a_token_assigned_to_a_secret_name_is_reported_once_by_its_rule() -> None:
    assert _scan(f'api_token = "{GITHUB_TOKEN}"') == [("github-token", 1)]


@pytest.mark.parametrize(
    "value",
    [
        "changeme",
        "your-api-key-here",
        "${API_TOKEN}",
        "{{ secrets.TOKEN }}",
        "<password>",
        "xxxxxxxxxxxx",
        "example-secret-1234",
        "os.environ",
        "aaaaaaaaaaaa",
    ],
)
def test_placeholders_are_not_secrets(value: str) -> None:
    assert _scan(f'password = "{value}"') == []


def test_entropy_limits_are_configurable() -> None:
    line = 'password = "s3cr3tP4ss"'  # entropy about 2.65 bits per character
    assert _scan(line) == []
    assert _scan(line, min_entropy=2.5) == [("secret-assignment", 1)]
    hex_line = f'secret = "{rand(32, "0123456789abcdef")}"'
    assert _scan(hex_line) == [("secret-assignment", 1)]
    assert _scan(hex_line, min_entropy_hex=3.99) == []


def test_unquoted_values_count_in_config_files_only() -> None:
    line = f"DB_PASSWORD={rand(16, seed=21)}"
    assert _scan(line, path="deploy/.env") == [("secret-assignment", 1)]
    assert _scan(line, path="settings.yaml") == [("secret-assignment", 1)]
    assert _scan(line, path="app.py") == []  # `password = other_variable` in code
    # YAML flow collections and anchors are structure, not values.
    assert _scan("secrets: {allow_paths: [old.py]}\ntoken: *default_token_ref", path="a.yaml") == []


def test_keyword_must_end_the_name() -> None:
    value = rand(20, seed=22)
    assert _scan(f'token_type = "{value}"') == []
    assert _scan(f'github_token = "{value}"') == [("secret-assignment", 1)]
    assert _scan(f'"clientSecret": "{value}"') == [("secret-assignment", 1)]


def test_custom_rules_with_secret_group_paths_and_entropy() -> None:
    rule = Rule(
        id="acme-key",
        description="ACME key",
        pattern=r"(?i)acme_(?P<secret>[a-z0-9]{16})",
        min_entropy=3.0,
        paths=("src/**",),
        word_start=False,
    )
    key = rand(16, "abcdefghijklmnopqrstuvwxyz0123456789", seed=23)
    hits = SecretScanner(custom=[rule]).scan("src/a.py", f"k = ACME_{key}\n")
    assert [(h.rule, h.secret) for h in hits] == [("acme-key", key)]
    assert SecretScanner(custom=[rule]).scan("docs/a.md", f"k = ACME_{key}\n") == []
    assert SecretScanner(custom=[rule]).scan("src/a.py", "k = acme_aaaaaaaaaaaaaaaa\n") == []


def test_megabyte_minified_line_is_fast_and_finds_the_secret() -> None:
    text = "var a=" + ",".join(f"x{i}:'v{i}'" for i in range(150_000)) + f",k:'{GITHUB_TOKEN}'"
    assert len(text) > 1_000_000
    assert _scan(text) == [("github-token", 1)]


def test_hit_repr_never_holds_the_secret() -> None:
    (hit,) = SecretScanner().scan("a.py", GITHUB_LINE)
    assert GITHUB_TOKEN not in repr(hit)
    assert hit.masked == "ghp_****"


@pytest.mark.parametrize(
    ("secret", "masked"),
    [("ghp_abcdefghijkl", "ghp_****"), ("abcdefgh", "ab****"), ("abc", "a****"), ("", "****")],
)
def test_mask(secret: str, masked: str) -> None:
    assert mask(secret) == masked


@given(st.text(min_size=0, max_size=200))
def test_mask_reveals_at_most_four_characters_and_a_third(secret: str) -> None:
    shown = mask(secret).removesuffix("****")
    assert secret.startswith(shown)
    assert len(shown) <= min(4, len(secret) // 3)


@given(st.text(max_size=400), st.sets(st.integers(min_value=-3, max_value=40)))
def test_scanner_never_crashes_and_hits_are_on_scanned_lines(text: str, lines: set[int]) -> None:
    for hit in SecretScanner().scan("a.env", text, lines):
        assert hit.line in lines


def test_entropy() -> None:
    assert shannon_entropy("") == 0
    assert shannon_entropy("aaaa") == 0
    assert shannon_entropy("abcd") == pytest.approx(2.0)
    assert is_hex("deadBEEF09")
    assert not is_hex("xyz")
    assert not is_hex("")


def _hit(secret: str, file: str = "a.py", rule: str = "github-token") -> SecretHit:
    return SecretHit(rule=rule, file=file, line=3, secret=secret)


def test_baseline_round_trip_holds_no_secret(tmp_path: Path) -> None:
    path = tmp_path / "baseline.json"
    path.write_text(dump_baseline([_hit(GITHUB_TOKEN), _hit(GITHUB_TOKEN)]))
    text = path.read_text()
    assert GITHUB_TOKEN not in text
    assert GITHUB_TOKEN[4:12] not in text
    data = json.loads(text)
    assert [(e["rule"], e["file"]) for e in data["accepted"]] == [("github-token", "a.py")]
    baseline = load_baseline(path)
    assert baseline is not None
    assert baseline.accepts(_hit(GITHUB_TOKEN))
    assert not baseline.accepts(_hit(GITHUB_TOKEN, file="b.py"))  # moved: a new finding
    assert not baseline.accepts(_hit(GITHUB_TOKEN, rule="jwt"))
    assert not baseline.accepts(_hit(ASSIGNED))


def test_baselines_are_salted() -> None:
    one, two = (json.loads(dump_baseline([_hit(GITHUB_TOKEN)])) for _ in range(2))
    assert one["salt"] != two["salt"]
    assert one["accepted"][0]["hash"] != two["accepted"][0]["hash"]


def test_missing_baseline_is_none(tmp_path: Path) -> None:
    assert load_baseline(tmp_path / "none.json") is None


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"{not json", "not valid JSON"),
        (b"\xff\xfe", "not valid JSON"),
        (b"[" * 100_000 + b"]" * 100_000, "not valid JSON: nested too deeply"),
        (b"[]", "not a version 1 pytest-prove baseline"),
        (b'{"version": 1, "salt": 3, "accepted": []}', "needs a string 'salt'"),
        (b'{"version": 1, "salt": "s", "accepted": [{"rule": "x"}]}', "accepted[0] needs"),
    ],
)
def test_malformed_baselines(tmp_path: Path, content: bytes, problem: str) -> None:
    path = tmp_path / "baseline.json"
    path.write_bytes(content)
    with pytest.raises(BaselineError, match=problem.replace("[", r"\[")):
        load_baseline(path)
