"""Comparisons, logical and bitwise ops, and the isnan family: never differentiable."""

from __future__ import annotations

from typing import Any

import numpy as np

from core._dispatch import (
    as_operand,
    promote,
    wrap_int,
)
from core._dispatch import finish as _finish
from core.tensor import Tensor


def _compare(ufunc: Any, name: str) -> Any:
    def fn(input: Tensor, other: Any, *, out: Tensor | None = None) -> Tensor:
        if not isinstance(input, Tensor):
            from core._creation import tensor

            input = tensor(input)
        other = as_operand(other, input)
        d = promote(input, other)
        a = input._data if input._data.dtype == d.np else input._data.astype(d.np)
        b = other._data if isinstance(other, Tensor) else wrap_int(other, d.np)
        if isinstance(other, Tensor):
            from core._dispatch import check_broadcast, check_same_device

            check_same_device(input, other)
            if a.shape != b.shape:
                check_broadcast(a.shape, b.shape)
            if b.dtype != d.np:
                b = b.astype(d.np)
        return _finish(Tensor._wrap(ufunc(a, b)), out)

    fn.__name__ = name
    return fn


eq = _compare(np.equal, "eq")
ne = _compare(np.not_equal, "ne")
lt = _compare(np.less, "lt")
le = _compare(np.less_equal, "le")
gt = _compare(np.greater, "gt")
ge = _compare(np.greater_equal, "ge")
less, less_equal, greater, greater_equal, not_equal = lt, le, gt, ge, ne


def equal(input: Tensor, other: Tensor) -> bool:
    return tuple(input.shape) == tuple(other.shape) and bool(np.all(input._data == other._data))


def allclose(
    input: Tensor, other: Tensor, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False
) -> bool:
    return bool(np.allclose(input._data, other._data, rtol=rtol, atol=atol, equal_nan=equal_nan))


def isclose(
    input: Tensor, other: Tensor, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False
) -> Tensor:
    o = other._data if isinstance(other, Tensor) else other
    return Tensor._wrap(np.isclose(input._data, o, rtol=rtol, atol=atol, equal_nan=equal_nan))


def _logical(ufunc: Any, name: str) -> Any:
    def fn(input: Tensor, other: Any = None, *, out: Tensor | None = None) -> Tensor:
        if ufunc is np.logical_not:
            return _finish(Tensor._wrap(np.logical_not(input._data)), out)
        o = other._data if isinstance(other, Tensor) else other
        return _finish(Tensor._wrap(ufunc(input._data, o)), out)

    fn.__name__ = name
    return fn


logical_and = _logical(np.logical_and, "logical_and")
logical_or = _logical(np.logical_or, "logical_or")
logical_xor = _logical(np.logical_xor, "logical_xor")
logical_not = _logical(np.logical_not, "logical_not")


def _bitwise(ufunc: Any, name: str, op: str) -> Any:
    def fn(input: Tensor, other: Any, *, out: Tensor | None = None) -> Tensor:
        if not isinstance(input, Tensor):
            input, other = other, input
        other = as_operand(other, input)
        d = promote(input, other)
        if d.is_floating_point:
            raise NotImplementedError(f"\"{name}_cpu\" not implemented for '{d.scalar_name}'")
        a = input._data.astype(d.np, copy=False)
        b = other._data.astype(d.np, copy=False) if isinstance(other, Tensor) else other
        return _finish(Tensor._wrap(ufunc(a, b)), out)

    fn.__name__ = name
    return fn


bitwise_and = _bitwise(np.bitwise_and, "bitwise_and", "&")
bitwise_or = _bitwise(np.bitwise_or, "bitwise_or", "|")
bitwise_xor = _bitwise(np.bitwise_xor, "bitwise_xor", "^")


def bitwise_not(input: Tensor, *, out: Tensor | None = None) -> Tensor:
    if input._data.dtype.kind == "f":
        raise TypeError(
            "~ (operator.invert) is only implemented on integer and Boolean-type tensors"
        )
    return _finish(Tensor._wrap(np.invert(input._data)), out)


def isnan(input: Tensor) -> Tensor:
    return Tensor._wrap(np.isnan(input._data))


def isinf(input: Tensor) -> Tensor:
    return Tensor._wrap(np.isinf(input._data))


def isfinite(input: Tensor) -> Tensor:
    return Tensor._wrap(np.isfinite(input._data))


def nan_to_num(input: Tensor, nan: float = 0.0, posinf: Any = None, neginf: Any = None) -> Tensor:
    return Tensor._wrap(np.nan_to_num(input._data, nan=nan, posinf=posinf, neginf=neginf))


def nonzero(input: Tensor, *, as_tuple: bool = False) -> Any:
    idx = np.nonzero(input._data)
    if as_tuple:
        return tuple(Tensor._wrap(i.astype(np.int64)) for i in idx)
    return Tensor._wrap(
        np.stack(idx, axis=1).astype(np.int64) if idx else np.zeros((1, 0), np.int64)
    )
