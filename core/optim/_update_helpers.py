"""Helpers every optimizer's update uses: hyperparameters as numbers, the ``step`` counter, state
tensors that follow their parameter's device, and PyTorch's ``lerp_``."""

from __future__ import annotations

from typing import Any

import numpy as np

from core import backend
from core import dtypes as _dt
from core.tensor import Tensor


def _scalar(x: Any) -> Any:
    """A hyperparameter as a Python number (PyTorch accepts 1-element tensors for some)."""
    return x.item() if isinstance(x, Tensor) else x


def _step_tensor() -> Tensor:
    """PyTorch's ``state["step"]``: a 0-d CPU float32 (float64 under a float64 default) tensor."""
    np_dtype = np.float64 if _dt.get_default_dtype() is _dt.float64 else np.float32
    return Tensor._wrap(np.zeros((), dtype=np_dtype))


def _incr_step(step_t: Tensor) -> float:
    """``step_t += 1`` in place; the new value as a Python float (PyTorch's ``_get_value``)."""
    a = step_t._data
    a += 1
    return float(a)


def _zeros_like(p: Tensor, fill: float = 0.0) -> Tensor:
    xp = p._xp()
    a = xp.zeros_like(p._data) if fill == 0 else xp.full_like(p._data, fill)
    return Tensor._wrap(a)


def _follow(t: Tensor, p: Tensor) -> Any:
    """The array of state tensor ``t``, moved first to ``p``'s device if ``p`` moved."""
    a = t._data
    if type(a) is not type(p._data) or (type(a) is not np.ndarray and a.device != p._data.device):
        dev = p.device
        t._data = a = backend.to_device(a, dev.type, dev.index or 0)
    return a


def _lerp_(a: Any, b: Any, weight: float) -> None:
    """``a.lerp_(b, weight)`` with PyTorch's two formulas (small and large weights)."""
    if abs(weight) < 0.5:
        diff = b - a
        diff *= weight
        a += diff
    else:
        one_minus = a.dtype.type(1) - a.dtype.type(weight)
        a[...] = b - (b - a) * one_minus
