"""Undoing broadcasting, once, in the engine (ops compute gradients at the broadcast shape)."""

from __future__ import annotations

from typing import Any


def _sum_to(grad: Any, shape: tuple[int, ...]) -> Any:
    """Undo broadcasting: sum ``grad`` down to ``shape``."""
    if grad.shape == shape:
        return grad
    if len(shape) == 1 and grad.ndim == 2 and grad.shape[1] == shape[0]:
        return grad.sum(axis=0)  # a bias's gradient: the common case, one call
    lead = grad.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(
        i + lead for i, n in enumerate(shape) if n == 1 and grad.shape[i + lead] != 1
    )
    out = grad.sum(axis=axes, keepdims=True) if axes else grad
    if lead:
        out = out.reshape(shape)
    return out
