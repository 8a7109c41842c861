"""What the command line adds to the configuration files."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence


@dataclasses.dataclass(frozen=True)
class Options:
    """What the command line adds to the files.

    :param repos: only these repositories (``--prove-repo``)
    :param sets: ``KEY=VALUE`` settings of the top layer (``--prove-set``)
    :param schedule: only repositories with this schedule (``--prove-schedule``)
    :param shard: ``(k, n)``: only the k-th of n shards (``--prove-shard K/N``)
    """

    repos: Sequence[str] = ()
    sets: Sequence[str] = ()
    schedule: str | None = None
    shard: tuple[int, int] | None = None
