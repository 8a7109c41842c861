"""Where a repository's files are shown on its forge: the web address of a remote, and
the address of a file's line at a commit.

Pure string work on ``remote.origin.url`` (which :mod:`.base_choice` reads in the same git
call as ``remote.origin.fetch``, so a link costs no process).  Known forges: GitHub
(``github.com``, and hosts whose name contains ``github``, as GitHub Enterprise servers
usually are) and GitLab (``gitlab.com``, and hosts whose name contains ``gitlab``).  Any
other host, and any remote that is not plainly ``host`` + ``owner/name`` in safe characters,
gives no link rather than a wrong one.  A remote's credentials
(``https://user:token@host/...``) never reach a result: only the host, the port of an
http(s) remote and the path's names are kept.
"""

from __future__ import annotations

import re
import urllib.parse
from typing import Final, Literal

__all__ = ["Forge", "blob_url", "forge_of", "web_url"]

Forge = Literal["github", "gitlab"]

# ``[user@]host:path``, git's scp-like form: no scheme, and no "/" before the first ":".
_SCP: Final = re.compile(r"(?:[^@/:]*@)?(?P<host>[^@/:]+):(?P<path>[^/].*)")
_HOST: Final = re.compile(r"[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?")
# Owner, group and repository names as both forges allow them; anything else (a space,
# "%", a query) is no plain repository path, and gets no link.
_NAME: Final = re.compile(r"[A-Za-z0-9_.-]+")
_SHA: Final = re.compile(r"[0-9a-f]{7,64}")
_SCHEMES: Final = frozenset({"https", "http", "ssh", "git", "git+ssh", "ssh+git"})
# In a remote: control characters, spaces and backslashes (no forge URL has them).
_CONTROL: Final = re.compile(r"[\x00-\x20\x7f-\x9f\\]")
# In a file's path: control characters (a space is a name's own).
_PATH_CONTROL: Final = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def forge_of(host: str) -> Forge | None:
    """The forge a host name belongs to, if it is one this module knows."""
    host = host.lower()
    if "gitlab" in host:
        return "gitlab"
    if "github" in host:
        return "github"
    return None


def _split(remote: str) -> tuple[str, str, str] | None:
    """The origin the page is reached at (``https://`` or ``http://host:port``'s scheme and
    port), the host name and the path of a remote; ``None`` for a local path or a form git
    would not take for a host's."""
    if "://" not in remote:
        found = _SCP.fullmatch(remote)
        return None if found is None else ("https://{}", found["host"].lower(), found["path"])
    try:
        parts = urllib.parse.urlsplit(remote)
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in _SCHEMES or parts.query or parts.fragment:
        return None
    if scheme in ("http", "https"):
        origin = f"{scheme}://{{}}" + (f":{port}" if port is not None else "")
    else:  # ssh and git: the page is on the web's default port, not the remote's
        origin = "https://{}"
    return origin, parts.hostname or "", parts.path


def web_url(remote: str) -> str | None:
    """The repository's page for a remote URL (``git@github.com:o/r.git`` ->
    ``https://github.com/o/r``), or ``None`` for a local path or an unknown forge.

    The page of an ``http://`` remote is ``http://`` (a forge inside a network); every other
    kind (ssh, git, scp-like) is reached with ``https://`` on the default port.
    """
    remote = remote.strip()
    split = None if _CONTROL.search(remote) else _split(remote)
    if split is None:
        return None
    origin, host, path = split
    kind = forge_of(host) if _HOST.fullmatch(host) else None
    names = path.strip("/").removesuffix(".git").split("/")
    # GitHub: owner/name; GitLab: group/[subgroup/...]name.
    fits = len(names) == 2 if kind == "github" else 2 <= len(names) <= 20
    if kind is None or not fits or any(not _NAME.fullmatch(n) or n in (".", "..") for n in names):
        return None
    return f"{origin.format(host)}/{'/'.join(names)}"


def blob_url(web: str, sha: str, path: str, line: int | None = None) -> str | None:
    """The address of ``path`` (relative to the repository's root) at commit ``sha`` on the
    forge whose page is ``web`` (a :func:`web_url`), at ``line`` if one is given.

    ``None`` when any part is not what it claims: ``web`` not a page :func:`web_url` makes,
    ``sha`` not a hexadecimal commit id, or ``path`` absolute, empty or climbing out with
    ``..``.  Every name of the path is percent-encoded.
    """
    if not web or web_url(web) != web or not _SHA.fullmatch(sha):
        return None
    names = path.split("/")
    if not path or _PATH_CONTROL.search(path) or any(n in ("", ".", "..") for n in names):
        return None
    host = urllib.parse.urlsplit(web).hostname or ""
    blob = "blob" if forge_of(host) == "github" else "-/blob"
    quoted = "/".join(urllib.parse.quote(n, safe="") for n in names)
    anchor = (
        f"#L{line}" if isinstance(line, int) and not isinstance(line, bool) and line > 0 else ""
    )
    return f"{web}/{blob}/{sha}/{quoted}{anchor}"
