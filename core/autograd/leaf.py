"""Accumulating into a leaf's ``.grad``: in place, or by taking an unshared buffer as PyTorch does."""

from __future__ import annotations

import sys
from typing import Any

import numpy as np

from core.autograd import function as _function
from core.autograd.broadcast import _sum_to
from core.autograd.function import (
    AccumulateGrad,
)


def _probe_refs(array: Any) -> int:
    return sys.getrefcount(array)


def _probe_leaf(array: Any) -> int:
    return _probe_refs(array)


def _engine_refs() -> int:
    """What the engine itself holds of a gradient as ``_unshared`` sees it: the node's buffer
    list and two call parameters, measured with calls of the same shape (``_run`` or ``_drain``
    -> ``_accumulate_leaf`` -> ``_unshared``; both loops hold the gradient only in that list) so
    the figure is right on every CPython version."""
    buffer = [np.empty(1)]
    return _probe_leaf(buffer[0])


_ENGINE_REFS = _engine_refs()


def _unshared(grad: Any, stepping: bool) -> bool:
    """May ``grad`` become ``.grad`` without a copy? Only if nothing else can see it: PyTorch
    steals such a buffer too. An array passed to two leaves (AddBackward0 gives both the same
    ``g``), a view, or one a step record shows the user is copied instead."""
    return (
        not stepping
        and type(grad) is np.ndarray
        and grad.flags.c_contiguous
        and grad.flags.writeable
        and sys.getrefcount(grad) <= _ENGINE_REFS
        and (grad.base is None or _sole_view(grad))
    )


def _sole_view(grad: np.ndarray) -> bool:
    """Is ``grad`` the only view of a buffer nothing else holds? A Linear's weight gradient comes
    back through TBackward0 as a transposed view of the matmul's result, and a bias gradient as
    a reshaped sum; either may become ``.grad`` as it is, where a copy would cost a full pass."""
    base = grad.base
    return (
        type(base) is np.ndarray
        and base.base is None
        and base.size == grad.size
        and sys.getrefcount(base) <= _SOLE_VIEW_REFS
    )


def _view_refs() -> int:
    """References to a view's base when only the view holds it, as ``_sole_view`` counts them."""
    view = np.empty((1, 2)).T
    base = view.base
    return sys.getrefcount(base)


_SOLE_VIEW_REFS = _view_refs()


def _accumulate_leaf(
    node: AccumulateGrad,
    grad: Any,
    accumulate: bool,
    only: set | None,
    capture: dict | None,
    record_before: bool,
) -> tuple:
    var = node.variable
    if grad is None:
        return var, None
    if grad.shape != var._data.shape:
        grad = _sum_to(grad, var._data.shape)
    if grad.dtype != var._data.dtype:
        grad = grad.astype(var._data.dtype)
    if capture is not None and id(node) in capture:
        prev = capture[id(node)]
        capture[id(node)] = grad if prev is None else prev + grad
    before = None
    if accumulate and (only is None or id(node) in only):
        old = var._grad
        if old is None:
            var._grad = _function._Tensor._wrap(
                grad if _unshared(grad, record_before) else grad.copy()
            )
        else:
            if record_before:
                before = old._data.copy()
            old._data += grad
            old._vbox[0] += 1
    return var, before
