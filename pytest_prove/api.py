"""The check API: what a check is, what it returns.

A check is a name, a ``quick`` flag, a pydantic settings model and a function
``(context, settings) -> CheckResult``.  Built-in checks and third-party checks
are declared the same way and registered through the ``prove_checks`` hook,
either as the [`Check`][pytest_prove.api.Check] itself or as a
[`CheckRef`][pytest_prove.api.CheckRef] naming where it lives.
"""

from __future__ import annotations

import dataclasses
import datetime
import enum
import re
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Annotated, Any, Generic, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

if TYPE_CHECKING:
    from pytest_prove.git.context import RepoContext

__all__ = [
    "Check",
    "CheckRef",
    "CheckResult",
    "CheckSettings",
    "Finding",
    "MetricValue",
    "Regex",
    "Severity",
]


class Severity(enum.StrEnum):
    """How much a finding weighs: ``error`` fails the gate; ``warning`` and ``info`` are
    reported without failing it."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


MetricValue = int | float | str | bool


@dataclasses.dataclass(frozen=True, kw_only=True)
class Finding:
    """One problem a check found.

    :param rule: a stable id for what was violated (``branch-name``, ``exit-code``)
    :param message: one line for a human; never a raw secret
    :param severity: only ``error`` findings fail a gate
    :param file: repository-relative path with ``/`` separators, when the finding has a place
    :param line: 1-based line in ``file``
    :param end_line: last line of a range starting at ``line``
    """

    rule: str
    message: str
    severity: Severity = Severity.ERROR
    file: str | None = None
    line: int | None = None
    end_line: int | None = None

    def location(self) -> str:
        """``file:line`` (or ``file:line-end``), ``file``, or empty without a place."""
        if self.file is None:
            return ""
        if self.line is None:
            return self.file
        if self.end_line is not None and self.end_line != self.line:
            return f"{self.file}:{self.line}-{self.end_line}"
        return f"{self.file}:{self.line}"

    def to_dict(self, check: str) -> dict[str, Any]:
        """The serialised form shared by JSON metadata, history, SARIF and dashboard."""
        data: dict[str, Any] = {
            "check": check,
            "rule": self.rule,
            "severity": str(self.severity),
            "message": self.message,
        }
        for key in ("file", "line", "end_line"):
            value = getattr(self, key)
            if value is not None:
                data[key] = value
        return data


@dataclasses.dataclass(frozen=True, kw_only=True)
class CheckResult:
    """What a check returns.

    :param findings: every problem found; the gate fails if any has severity ``error``
    :param metrics: numbers and labels worth reporting (``coverage_percent``, ``exit_code``)
    :param summary: a one-line description of the outcome; a default is derived when absent
    :param skipped: when set, the gate is reported as skipped with this reason
    :param valid_until: for a verdict that time alone can change (a branch's age): a
        cached pass is not reused after this instant
    :param judged: what the check looked at, counted by kind (``{"commits": 3}``,
        ``{"files": 5, "added lines": 120}``): every report shows it as evidence, and a
        pass on a branch whose counts are all zero carries a ``judged-nothing`` warning;
        empty for a check that judges no change (a command gate)
    """

    findings: Sequence[Finding] = ()
    metrics: Mapping[str, MetricValue] = dataclasses.field(default_factory=dict)
    summary: str | None = None
    skipped: str | None = None
    valid_until: datetime.datetime | None = None
    judged: Mapping[str, int] = dataclasses.field(default_factory=dict)

    @property
    def errors(self) -> list[Finding]:
        """The findings of severity ``error``: the ones that fail the gate."""
        return [f for f in self.findings if f.severity is Severity.ERROR]

    @property
    def passed(self) -> bool:
        """True when no finding has severity ``error``."""
        return not self.errors


def _compiles(value: str) -> str:
    try:
        re.compile(value)
    except re.error as exc:
        raise ValueError(f"not a valid regular expression: {exc}") from None
    return value


Regex = Annotated[str, AfterValidator(_compiles)]
"""A settings field holding a regular expression, rejected at load time if it does not compile."""

# Shared by check settings and the configuration files' own models.
# Upper bounds of numeric settings: beyond them a value is a typo, and datetime,
# sleep or str repetition would raise OverflowError in the middle of a gate.
MAX_TIMEOUT_MS = 7 * 24 * 3600 * 1000  # a week
MAX_DAYS = 36_500  # a hundred years
MAX_COUNT = 1_000_000  # lengths, commit counts, lines

STRICT_MODEL_CONFIG: ConfigDict = ConfigDict(
    extra="forbid",
    frozen=True,
    alias_generator=to_camel,
    validate_by_name=True,
    validate_by_alias=True,
)


class CheckSettings(BaseModel):
    """Base for every check's settings model.

    Settings are frozen, reject unknown keys, and accept both ``snake_case`` and
    ``camelCase`` keys.  Every field needs a default, since a repository may
    enable a check without configuring it.  Every check inherits ``timeout``: the
    milliseconds its gate may run (``global.timeout`` when unset).
    """

    model_config = STRICT_MODEL_CONFIG

    timeout: int | None = Field(
        default=None,
        gt=0,
        le=MAX_TIMEOUT_MS,
        strict=True,
        description="Milliseconds the gate may run (default: global.timeout)",
    )


SettingsT = TypeVar("SettingsT", bound=CheckSettings)


@dataclasses.dataclass(frozen=True, kw_only=True)
class Check(Generic[SettingsT]):
    """A quality gate that can run against one repository.

    :param name: the name used in config and node ids; lower-case, ``-`` separated
    :param run: ``(context, settings) -> CheckResult``; must not print or write files
    :param settings_model: the pydantic model validating this check's settings
    :param quick: quick gates are the ones ``--prove-quick`` keeps
    :param version: bump when a change alters verdicts, so cached passes are not reused
    :param aliases: older names accepted in config (the seed's ``diffCoverage``)
    :param cacheable: False for a check whose verdict depends on more than the repository and
        its settings (the clock, the network): its passes are never reused
    :param description: one line for ``prove schema`` and docs
    :param prefetch: the ``RepoContext`` facts the check reads
        (``commits``, ``changed_files``, ...): a run may ask git for them in the background
        while the gate before this one runs; names that are not such facts are ignored
    :param cache_inputs: ``(context, settings) -> str``, a digest of what the check reads that
        git's view of the repository does not show (a git-ignored coverage report): it joins
        the pass cache's key, so a cacheable check may read such files
    """

    name: str
    run: Callable[[RepoContext, SettingsT], CheckResult]
    settings_model: type[SettingsT]
    quick: bool = False
    version: str = "1"
    aliases: tuple[str, ...] = ()
    cacheable: bool = True
    description: str = ""
    prefetch: tuple[str, ...] = ()
    cache_inputs: Callable[[RepoContext, SettingsT], str] | None = None


@dataclasses.dataclass(frozen=True, kw_only=True)
class CheckRef:
    """A check registered by where it lives, imported the first time it is used.

    Every pytest start-up builds the registry, and a check module pays for its settings
    model, its regexes and its own imports when it is imported; a run whose
    configuration never names the check should not pay that.  The registry knows the
    name and aliases from here and loads ``target`` only when the check is asked for.

    :param name: the check's name, as its [`Check`][pytest_prove.api.Check] declares it
    :param target: ``"package.module:ATTRIBUTE"`` holding the [`Check`][pytest_prove.api.Check]
    :param aliases: the check's aliases, as its [`Check`][pytest_prove.api.Check] declares them
    """

    name: str
    target: str
    aliases: tuple[str, ...] = ()
