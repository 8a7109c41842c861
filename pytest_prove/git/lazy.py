"""A cached property that caches failures too, computed once even when threads race."""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable
from types import TracebackType
from typing import Any, Generic, Protocol, TypeVar, cast, overload

__all__ = ["lazy"]

_T = TypeVar("_T")
_O = TypeVar("_O", bound="_Memoising")


class _Memoising(Protocol):
    _memo: dict[str, object]
    _computing: dict[str, threading.RLock]


@dataclasses.dataclass(frozen=True)
class _Failure:
    error: Exception
    # Each re-raise starts from the original traceback instead of growing it
    # by the frames of every later access.
    traceback: TracebackType | None


class lazy(Generic[_O, _T]):
    """``functools.cached_property`` that also memoises an exception.

    The first access computes the value; later accesses return it, or raise
    the same exception again without recomputing.  Values live in the
    instance's ``_memo`` dict under the attribute's name.  Computing holds a
    lock of that attribute's own (in the instance's ``_computing`` dict), so a
    thread that asks while another computes waits for that answer instead of
    asking git again (see :mod:`pytest_prove.plugin.prefetch`), while other attributes
    stay free: a git call that hangs holds up only what depends on its answer.
    A fact's lock is taken before those of the facts it reads, an order without
    cycles (a cycle would recurse forever in one thread too), so threads cannot
    deadlock; re-entrant, so such a cycle is a ``RecursionError``, not a hang.
    """

    def __init__(self, compute: Callable[[_O], _T]) -> None:
        self._compute = compute
        self._name = compute.__name__
        self.__doc__ = compute.__doc__

    @overload
    def __get__(self, obj: None, owner: type[Any]) -> lazy[_O, _T]: ...
    @overload
    def __get__(self, obj: _O, owner: type[Any]) -> _T: ...
    def __get__(self, obj: _O | None, owner: type[Any]) -> _T | lazy[_O, _T]:
        if obj is None:
            return self
        try:
            value = obj._memo[self._name]
        except KeyError:
            # setdefault is atomic: racing threads all get the first lock stored.
            with obj._computing.setdefault(self._name, threading.RLock()):
                value = self._memoised(obj)
        if isinstance(value, _Failure):
            raise value.error.with_traceback(value.traceback)
        return cast(_T, value)

    def _memoised(self, obj: _O) -> object:
        if self._name in obj._memo:  # computed while this thread waited for the lock
            return obj._memo[self._name]
        value: object
        try:
            value = self._compute(obj)
        except Exception as err:  # noqa: BLE001 - kept, and raised by every __get__
            value = _Failure(err, err.__traceback__)
        obj._memo[self._name] = value
        return value

    @staticmethod
    def computed(obj: _Memoising, name: str) -> bool:
        """Whether ``obj.<name>`` was computed successfully already."""
        return name in obj._memo and not isinstance(obj._memo[name], _Failure)
