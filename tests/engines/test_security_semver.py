"""Semantic version precedence (semver.org item 11)."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pytest_prove.engines.security.semver import InvalidSemverError, SemVer, parse_semver

# semver.org's own example chains.
ORDERED = [
    "1.0.0-alpha",
    "1.0.0-alpha.1",
    "1.0.0-alpha.beta",
    "1.0.0-beta",
    "1.0.0-beta.2",
    "1.0.0-beta.11",
    "1.0.0-rc.1",
    "1.0.0",
    "1.0.1",
    "1.9.0",
    "1.10.0",
    "1.11.0",
    "2.0.0",
    "2.1.0",
    "2.1.1",
]


def test_precedence() -> None:
    parsed = [parse_semver(v) for v in ORDERED]
    assert parsed == sorted(parsed)
    assert all(a < b for a, b in itertools.pairwise(parsed))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("v1.2.3", SemVer(1, 2, 3)),
        ("=1.2.3", SemVer(1, 2, 3)),
        ("1.2.3+build.7", SemVer(1, 2, 3)),
        ("1.2.3-rc.1+b", SemVer(1, 2, 3, ("rc", 1))),
        ("1.2.3-01a", SemVer(1, 2, 3, ("01a",))),
    ],
)
def test_parse(text: str, expected: SemVer) -> None:
    assert parse_semver(text) == expected


@pytest.mark.parametrize("text", ["1.2", "01.2.3", "1.2.3-", "latest", "1.2.3.4", "", "^1.2.3"])
def test_invalid(text: str) -> None:
    with pytest.raises(InvalidSemverError):
        parse_semver(text)


def test_build_metadata_does_not_order() -> None:
    assert parse_semver("1.0.0+a") == parse_semver("1.0.0+b")
    assert not parse_semver("1.0.0+a") < parse_semver("1.0.0+b")


_ids = st.one_of(
    st.integers(min_value=0, max_value=999).map(str),
    st.from_regex(r"[a-zA-Z-][0-9A-Za-z-]{0,5}", fullmatch=True),
)
_versions = st.builds(
    lambda a, b, c, pre: f"{a}.{b}.{c}" + (f"-{'.'.join(pre)}" if pre else ""),
    *(st.integers(min_value=0, max_value=30),) * 3,
    st.lists(_ids, max_size=3),
)


@given(_versions, _versions, _versions)
def test_total_order(a: str, b: str, c: str) -> None:
    x, y, z = map(parse_semver, (a, b, c))
    assert (x < y) + (y < x) + (x == y) == 1
    if x < y < z:
        assert x < z
    assert str(parse_semver(str(x))) == str(x)
