"""Which commit a change is measured against: the trunk, the base ref and its commit.

The middle of :class:`~pytest_prove.git.context.RepoContext`.  The base is never guessed:
``--prove-base``, a CI variable or the trunk names it, and of a local trunk and its
remote-tracking branch the one a branch cut today would start from is taken (#16).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Final

from pytest_prove.git import forge, refs
from pytest_prove.git.lazy import lazy
from pytest_prove.git.probe import RepoContextError, RepoProbe
from pytest_prove.git.ref_files import refs_listing

__all__ = ["FETCH_HINT", "BaseChoice"]

_FETCH_ADVICE: Final = (
    "the clone may be shallow or lack the branch — fetch it (actions/checkout: fetch-depth: 0)"
)
FETCH_HINT: Final = f"{_FETCH_ADVICE}, or pass --prove-base REF"


class BaseChoice(RepoProbe):
    """A repository's trunk and base; see :class:`~pytest_prove.git.context.RepoContext`."""

    def __init__(
        self,
        root: Path | str,
        *,
        name: str | None,
        env: Mapping[str, str] | None,
        base: str | None,
        trunk: str | None,
    ) -> None:
        super().__init__(root, name=name, env=env)
        self._base = base
        self._trunk = trunk

    @lazy
    def _refs_listing(self) -> bytes:
        probe = self._probe
        ahead = self._files_ahead
        if ahead is not None and ahead.probe is not None:  # read with the probe in use
            listing = ahead.listing
        else:
            listing = refs_listing(probe.git_dir, probe.common_dir)
        return listing if listing is not None else self._git(*refs.REFS_ARGS)

    @lazy
    def _refs(self) -> dict[str, str]:
        return refs.parse_refs(self._refs_listing)

    @lazy
    def _ref_objects(self) -> dict[str, str]:
        return refs.ref_objects(self._refs_listing)

    @lazy
    def trunk(self) -> str:
        """The trunk branch's name: configured, ``origin/HEAD``, or a usual name.

        Never guessed: the current branch taken for its own trunk would leave nothing
        to compare, and every gate that judges a change would pass without looking.
        """
        if self._trunk:
            return self._trunk
        branch = self.branch
        found = refs.find_trunk(self._refs, branch)
        if found is not None:
            return found
        fix = "set `trunk_branch: NAME` in prove.yaml (or the orchestrator entry), or pass "
        if branch is not None and refs.remote_head_target(self._refs) == branch:
            self._refuse_a_single_branch_clone(branch)
            raise RepoContextError(
                f"{self.name}: origin/HEAD names the current branch {branch!r}, which cannot be "
                f"its own trunk, and no {'/'.join(refs.TRUNK_NAMES)} is here: {fix}"
                "--prove-base REF"
            )
        on = f"; the current branch is {branch!r}" if branch else ""
        raise RepoContextError(
            f"{self.name}: cannot tell the trunk branch (no origin/HEAD, no "
            f"{'/'.join(refs.TRUNK_NAMES)}{on}): {fix}--prove-base REF"
        )

    @lazy
    def _origin(self) -> dict[str, list[str]]:
        """``remote.origin.url`` and ``remote.origin.fetch``, each value as git prints it.

        One git call for both: the fetch refspecs tell a single-branch clone, the URL where
        the repository's files are shown (:attr:`web_url`).
        """
        out = self._git(
            "config", "--get-regexp", r"^remote\.origin\.(url|fetch)$", ok=(0, 1)
        )  # fmt: skip
        found: dict[str, list[str]] = {}
        for line in out.decode("utf-8", "replace").splitlines():
            name, _, value = line.partition(" ")
            found.setdefault(name.rpartition(".")[2], []).append(value)
        return found

    @property
    def _origin_fetch(self) -> bytes:
        """``remote.origin.fetch``: no ``*`` in it is a single-branch clone; empty, no origin."""
        return "\n".join(self._origin.get("fetch", [])).encode()

    @property
    def remote_url(self) -> str:
        """``remote.origin.url`` as configured (credentials and all: never show it); '' when
        the repository has no origin."""
        return next(iter(self._origin.get("url", [])), "")

    @lazy
    def web_url(self) -> str:
        """The repository's page on its forge (``https://github.com/o/r``, no credentials), or
        '' when origin is on no forge :mod:`.forge` knows."""
        return forge.web_url(self.remote_url) or ""

    def _refuse_a_single_branch_clone(self, branch: str) -> None:
        """``git clone --single-branch -b feat/x`` makes ``origin/HEAD`` name the branch itself
        and fetches nothing else: say how to fetch the trunk.
        """
        fetch = self._origin_fetch
        if fetch and b"*" not in fetch:
            raise RepoContextError(
                f"{self.name}: a single-branch clone of {branch} lacks the trunk to compare "
                f"with: {FETCH_HINT}, or set trunk_branch in the configuration"
            )

    @lazy
    def _base_choice(self) -> tuple[str, str, str | None, str]:
        """The base's name, who asked for it, its commit when rev-parse had to find it, and
        a note on why a remote-tracking branch was taken instead of the local one."""
        name, source = refs.requested_base(self._base, self.env) or (self.trunk, "trunk")
        resolved = refs.resolve_ref(name, self._refs)
        commit = None
        note = ""
        # Not a ref name: maybe a sha or an expression such as HEAD~3.  A
        # leading "-" would be read as an option.
        if resolved is None and not name.startswith("-"):
            out = self._git("rev-parse", "--verify", "-q", f"{name}^{{commit}}", ok=(0, 1))
            commit = out.strip().decode() or None
            resolved = name if commit else None
        if resolved is None:
            raise RepoContextError(self._missing_base(name, source))
        if resolved == name and source != "--prove-base":
            # --prove-base is taken as written; a trunk or CI target name may be stale.
            resolved, note = self._fresher_of(name)
        return resolved, source, commit, note

    def _missing_base(self, name: str, source: str) -> str:
        """Why the base is not here. A ``--prove-base`` that names nothing is most often a
        typo, and its fix is not to pass ``--prove-base`` again (#20)."""
        missing = f"base ref {name!r} (from {source}) not found in {self.name}"
        if source != "--prove-base":
            return f"{missing}: {FETCH_HINT}"
        close = refs.close_ref_names(name, self._refs)
        if close:
            missing += f" (did you mean {' or '.join(repr(c) for c in close)}?)"
        if self._fetch_would_help():
            missing += f": {_FETCH_ADVICE}"
        return missing

    def _fetch_would_help(self) -> bool:
        """The clone is shallow, fetches one branch only, or has fetched none yet."""
        if self.shallow:
            return True
        fetch = self._origin_fetch
        if not fetch:  # no origin to fetch from
            return False
        return b"*" not in fetch or not any(r.startswith("refs/remotes/") for r in self._refs)

    def _fresher_of(self, name: str) -> tuple[str, str]:
        """``name`` or ``origin/<name>``, whichever a branch cut today would start from.

        A local trunk that lags its remote-tracking branch would count other people's
        commits as the branch's own (diff-cover compares with ``origin/main`` for this
        reason); a local trunk ahead of it holds the developer's unpushed base.
        """
        pair = refs.tracking_pair(name, self._refs)
        objects = self._ref_objects
        if pair is None or objects.get(pair[0]) == objects.get(pair[1]):
            return name, ""
        local, remote = (objects[full] for full in pair)
        counts = self._git("rev-list", "--left-right", "--count", f"{local}...{remote}", "--")
        only_local, only_remote = (int(n) for n in counts.split())
        if only_local and not only_remote:
            return name, (
                f"local {name} is {only_local} ahead of origin/{name} (not pushed): "
                f"compared with local {name}"
            )
        if not only_local:
            return f"origin/{name}", (
                f"local {name} is {only_remote} behind origin/{name}: compared with origin/{name}"
            )
        return f"origin/{name}", (
            f"local {name} and origin/{name} have diverged ({only_local} and {only_remote} "
            f"commits of their own): compared with origin/{name}, as a pull request would be"
        )

    @property
    def base_ref(self) -> str:
        """The ref the changes are measured against, as given or as ``origin/<name>``."""
        return self._base_choice[0]

    @property
    def base_source(self) -> str:
        """Where :attr:`base_ref` came from: ``--prove-base``, a CI variable, or ``trunk``."""
        return self._base_choice[1]

    @property
    def base_note(self) -> str:
        """Why the remote-tracking trunk was compared with instead of the local one, or ''."""
        return self._base_choice[3]

    @lazy
    def _git_merge_base(self) -> str:
        """The sha of the best common ancestor of :attr:`base_ref` and ``HEAD``, as
        ``git merge-base`` tells it (or why there is none); asked once."""
        # Shas, not names, go to git: a ref named like an option ("--output=...") is data.
        head, base_ref = self.head, self.base_ref
        out = self._git("merge-base", self.base_commit, head, ok=(0, 1)).strip()
        if not out:
            hint = (
                FETCH_HINT
                if self.shallow
                else "the histories are unrelated — pass --prove-base REF"
            )
            raise RepoContextError(f"no merge-base of {base_ref!r} and HEAD in {self.name}: {hint}")
        return out.decode("ascii")

    @lazy
    def base_commit(self) -> str:
        """The sha of the commit :attr:`base_ref` names."""
        base_ref, _, commit, _ = self._base_choice
        if commit is not None:  # a sha or an expression such as HEAD~3, resolved already
            return commit
        objects = self._ref_objects
        found = next((objects[full] for full in refs.dwim(base_ref) if objects.get(full)), None)
        if found is None and base_ref.startswith("-"):  # git would read it as an option
            raise RepoContextError(f"base ref {base_ref!r} does not name a commit in {self.name}")
        if found is None:  # a ref git could not resolve (a dangling symref): let git say why
            found = self._git("rev-parse", "--verify", f"{base_ref}^{{commit}}").strip().decode()
        return found
