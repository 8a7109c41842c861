"""A remote's page on its forge and a finding's line there: the forms git accepts, odd and
hostile remotes (never an exception, never a credential in the result)."""

from __future__ import annotations

import urllib.parse

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pytest_prove.git.forge import blob_url, forge_of, web_url

SHA = "0123456789abcdef0123456789abcdef01234567"


@pytest.mark.parametrize(
    ("remote", "page"),
    [
        ("git@github.com:o/r.git", "https://github.com/o/r"),
        ("git@github.com:o/r", "https://github.com/o/r"),
        ("ssh://git@github.com/o/r.git", "https://github.com/o/r"),
        ("ssh://git@github.com:22/o/r.git", "https://github.com/o/r"),  # ssh's port, not the web's
        ("https://github.com/o/r", "https://github.com/o/r"),
        ("https://github.com/o/r.git/", "https://github.com/o/r"),
        ("HTTPS://GitHub.com/Owner/Repo.git", "https://github.com/Owner/Repo"),
        ("https://user:ghp_secret@github.com/o/r.git", "https://github.com/o/r"),
        ("https://oauth2:glpat-secret@gitlab.com/g/sub/r.git", "https://gitlab.com/g/sub/r"),
        ("git@gitlab.com:g/r.git", "https://gitlab.com/g/r"),
        ("ssh://git@gitlab.example.org:2222/team/app.git", "https://gitlab.example.org/team/app"),
        ("http://gitlab.intranet:8080/team/app", "http://gitlab.intranet:8080/team/app"),
        ("https://github.example.com/o/r.git", "https://github.example.com/o/r"),
        ("git://github.com/o/r.git", "https://github.com/o/r"),
        ("  git@github.com:o/r.git\n", "https://github.com/o/r"),
    ],
)
def test_remotes_of_known_forges_give_their_page(remote: str, page: str) -> None:
    assert web_url(remote) == page


@pytest.mark.parametrize(
    "remote",
    [
        "",
        "/srv/git/r.git",  # a local path
        "../r.git",
        "file:///srv/github/o/r.git",
        "https://bitbucket.org/o/r.git",  # a forge this module does not know
        "https://example.com/github/o/r",
        "https://github.com/o",  # no repository
        "https://github.com/o/r/tree/main",  # GitHub has owner/name only
        "https://github.com/o/r?x=1",
        "https://github.com/o/r#frag",
        "https://github.com/o/r%20x",
        "https://github.com/o/../r",
        "javascript://github.com/o/r",
        "https://github.com:notaport/o/r",
        "https://[::1]/o/r",
        "git@github.com:o/r x",
        "git@github.com:o/r\nhttps://evil.example/",
        "https://user@gitlab.com@evil.example/o/r",
    ],
)
def test_other_remotes_give_no_page(remote: str) -> None:
    assert web_url(remote) is None


def test_forges_are_known_by_host_name() -> None:
    assert forge_of("github.com") == "github"
    assert forge_of("GitLab.COM") == "gitlab"
    assert forge_of("code.gitlab.internal") == "gitlab"
    assert forge_of("bitbucket.org") is None


def test_a_line_links_to_the_blob_at_the_commit() -> None:
    assert blob_url("https://github.com/o/r", SHA, "src/app.py", 12) == (
        f"https://github.com/o/r/blob/{SHA}/src/app.py#L12"
    )
    assert blob_url("https://gitlab.com/g/sub/r", SHA, "a b/c#d.py", 3) == (
        f"https://gitlab.com/g/sub/r/-/blob/{SHA}/a%20b/c%23d.py#L3"
    )
    assert blob_url("https://github.com/o/r", SHA, "README.md") == (
        f"https://github.com/o/r/blob/{SHA}/README.md"
    )
    assert blob_url("https://github.com/o/r", SHA, "x.py", True) == (  # a bool is no line
        f"https://github.com/o/r/blob/{SHA}/x.py"
    )


@pytest.mark.parametrize(
    ("web", "sha", "path"),
    [
        ("", SHA, "a.py"),
        ("javascript:alert(1)//github.com/o/r", SHA, "a.py"),
        ("https://user:pw@github.com/o/r", SHA, "a.py"),
        ("https://bitbucket.org/o/r", SHA, "a.py"),
        ("https://github.com/o/r", "HEAD", "a.py"),
        ("https://github.com/o/r", "main", "a.py"),
        ("https://github.com/o/r", SHA, ""),
        ("https://github.com/o/r", SHA, "/etc/passwd"),
        ("https://github.com/o/r", SHA, "../../x"),
        ("https://github.com/o/r", SHA, "a\nb.py"),
    ],
)
def test_no_link_from_parts_that_are_not_what_they_claim(web: str, sha: str, path: str) -> None:
    assert blob_url(web, sha, path, 1) is None


SAFE = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789:/._-")


@given(st.text())
def test_any_text_is_a_page_or_none_never_an_error(remote: str) -> None:
    page = web_url(remote)
    if page is not None:
        parts = urllib.parse.urlsplit(page)
        assert parts.scheme in ("https", "http")
        assert parts.username is None
        assert parts.password is None
        assert set(page) <= SAFE
        assert web_url(page) == page  # a page is its own page


_part = st.text(st.characters(codec="utf-8"), max_size=20)


@given(
    scheme=st.sampled_from(["https://", "http://", "ssh://", "git+ssh://", ""]),
    user=_part,
    secret=st.text("abcdefghijklmnopqrstuvwxyz0123456789_-", min_size=8, max_size=40),
    host=st.sampled_from(["github.com", "gitlab.com", "gitlab.example.org", "example.com"]),
    path=_part,
)
def test_credentials_never_reach_the_page(
    scheme: str, user: str, secret: str, host: str, path: str
) -> None:
    sep = "/" if scheme else ":"
    page = web_url(f"{scheme}{user}:{secret}@{host}{sep}{path}")
    if page is not None:
        assert "@" not in page
        if secret not in path:
            assert secret not in page


@given(st.text(), st.text(), st.text(), st.one_of(st.none(), st.integers(), st.booleans()))
def test_blob_urls_never_fail_and_stay_on_the_page(
    web: str, sha: str, path: str, line: int | None
) -> None:
    for page in (web, "https://github.com/o/r", "https://gitlab.com/g/r"):
        for commit in (sha, SHA):
            link = blob_url(page, commit, path, line)
            if link is not None:
                assert link.startswith(page + "/")
                parts = urllib.parse.urlsplit(link)
                assert parts.scheme in ("https", "http")
                assert parts.username is None
                assert parts.netloc == urllib.parse.urlsplit(page).netloc
