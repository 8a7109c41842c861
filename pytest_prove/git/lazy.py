"""A cached property that caches failures too."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from types import TracebackType
from typing import Any, Generic, Protocol, TypeVar, cast, overload

__all__ = ["lazy"]

_T = TypeVar("_T")
_O = TypeVar("_O", bound="_Memoising")


class _Memoising(Protocol):
    _memo: dict[str, object]


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
    instance's ``_memo`` dict under the attribute's name.
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
            try:
                value = obj._memo[self._name] = self._compute(obj)
            except Exception as err:
                obj._memo[self._name] = _Failure(err, err.__traceback__)
                raise
        if isinstance(value, _Failure):
            raise value.error.with_traceback(value.traceback)
        return cast(_T, value)

    @staticmethod
    def computed(obj: _Memoising, name: str) -> bool:
        """Whether ``obj.<name>`` was computed successfully already."""
        return name in obj._memo and not isinstance(obj._memo[name], _Failure)
