"""The secrets baseline: accepted findings, stored as salted hashes only.

A baseline lets a repository adopt the gate without fixing old findings
first.  It holds no secret: each entry is ``sha256(salt, rule, file, secret)``
with a random salt per baseline, so equal secrets in two repositories do not
give equal hashes and no precomputed table applies.  Rule and file are kept
beside the hash so a reviewer sees what was accepted.  A secret moved to
another file is a new finding.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import secrets
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Final

from pytest_prove.errors import ProveError
from pytest_prove.support.files import read_if_present

from .secrets import SecretHit

__all__ = ["BASELINE_VERSION", "Baseline", "BaselineError", "dump_baseline", "load_baseline"]

BASELINE_VERSION: Final = 1


class BaselineError(ProveError, ValueError):
    pass


def fingerprint(salt: str, hit: SecretHit) -> str:
    material = "\0".join((salt, hit.rule, hit.file, hit.secret))
    return hashlib.sha256(material.encode("utf-8", "surrogatepass")).hexdigest()


@dataclasses.dataclass(frozen=True)
class Baseline:
    salt: str
    hashes: frozenset[str]

    def accepts(self, hit: SecretHit) -> bool:
        return fingerprint(self.salt, hit) in self.hashes


def load_baseline(path: Path) -> Baseline | None:
    """The baseline in ``path``; None when there is no such file.

    :raises BaselineError: the file is unreadable or not a baseline
    """
    try:
        raw = read_if_present(path)  # a FIFO there must not hang the gate
    except OSError as err:
        raise BaselineError(f"cannot read: {err.strerror or err}") from None
    if raw is None:
        return None
    try:
        data = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise BaselineError(f"not valid JSON: {err}") from None
    except RecursionError:
        raise BaselineError("not valid JSON: nested too deeply") from None
    if not isinstance(data, dict) or data.get("version") != BASELINE_VERSION:
        raise BaselineError(
            f"not a version {BASELINE_VERSION} pytest-prove baseline: "
            "write it with `prove security baseline`"
        )
    salt, accepted = data.get("salt"), data.get("accepted")
    if not isinstance(salt, str) or not isinstance(accepted, list):
        raise BaselineError("needs a string 'salt' and a list 'accepted'")
    hashes: set[str] = set()
    for index, entry in enumerate(accepted):
        digest = entry.get("hash") if isinstance(entry, dict) else None
        if not isinstance(digest, str):
            raise BaselineError(f"accepted[{index}] needs a string 'hash'")
        hashes.add(digest)
    return Baseline(salt, frozenset(hashes))


def dump_baseline(hits: Iterable[SecretHit], salt: str | None = None) -> str:
    """The JSON text of a baseline accepting ``hits`` (sorted, so reruns diff cleanly)."""
    salt = salt if salt is not None else secrets.token_hex(16)
    entries: list[dict[str, Any]] = sorted(
        ({"rule": hit.rule, "file": hit.file, "hash": fingerprint(salt, hit)} for hit in hits),
        key=lambda e: (e["file"], e["rule"], e["hash"]),
    )
    unique = [e for i, e in enumerate(entries) if i == 0 or e != entries[i - 1]]
    data = {
        "version": BASELINE_VERSION,
        "generator": "pytest-prove",
        "salt": salt,
        "accepted": unique,
    }
    return json.dumps(data, indent=2) + "\n"
