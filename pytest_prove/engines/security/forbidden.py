"""Files that must never be added to a repository (credentials, keys, env files)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Final

from pytest_prove.support.globs import matches_any

__all__ = ["DEFAULT_ALLOWED", "DEFAULT_FORBIDDEN", "forbidden_paths"]

DEFAULT_FORBIDDEN: Final = (
    "**/.env",
    "**/.env.*",
    "**/id_rsa",
    "**/id_dsa",
    "**/id_ecdsa",
    "**/id_ed25519",
    "**/*.pem",
    "**/*.p12",
    "**/*.pfx",
    "**/*.keystore",
    "**/*.jks",
    "**/credentials.json",
)
# Templates that document which variables exist, without values.
DEFAULT_ALLOWED: Final = (
    "**/.env.example",
    "**/.env.sample",
    "**/.env.template",
    "**/.env.dist",
)


def forbidden_paths(
    paths: Iterable[str], forbidden: Sequence[str], allowed: Sequence[str]
) -> list[str]:
    """The ``paths`` matching a ``forbidden`` glob and no ``allowed`` one, in order."""
    return [p for p in paths if matches_any(p, forbidden) and not matches_any(p, allowed)]
