"""Gradient clipping, as ``torch.nn.utils.clip_grad_norm_`` / ``clip_grad_value_``."""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import numpy as np

from core.autograd.grad_mode import no_grad
from core.tensor import Tensor


def _grads(parameters: Any) -> list[Tensor]:
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    return [p.grad for p in parameters if p.grad is not None]


def clip_grad_norm_(
    parameters: Iterable[Tensor] | Tensor,
    max_norm: float,
    norm_type: float = 2.0,
    error_if_nonfinite: bool = False,
    foreach: bool | None = None,
) -> Tensor:
    """Scale all gradients together so that their joint norm is at most ``max_norm``."""
    from core._creation import tensor

    grads = _grads(parameters)
    max_norm, norm_type = float(max_norm), float(norm_type)
    if not grads:
        return tensor(0.0)
    with no_grad():
        norms = [
            g.detach().abs().max() if norm_type == math.inf else g.detach().norm(norm_type)
            for g in grads
        ]
        stacked = np.stack(
            [n._data if isinstance(n._data, np.ndarray) else n._data.get() for n in norms]
        )
        total = (
            stacked.max()
            if norm_type == math.inf
            else ((stacked.astype(np.float64) ** norm_type).sum() ** (1.0 / norm_type))
        )
        total = np.asarray(total, dtype=grads[0]._data.dtype)
        if error_if_nonfinite and not np.isfinite(total):
            raise RuntimeError(
                f"The total norm of order {norm_type} for gradients from `parameters` is "
                "non-finite, so it cannot be clipped. To disable this error and scale the "
                "gradients by the non-finite norm anyway, set `error_if_nonfinite=False`"
            )
        coef = min(float(max_norm / (total + 1e-6)), 1.0)
        for g in grads:
            g._data *= g._data.dtype.type(coef)
            g._bump()
    return Tensor._wrap(total)


def clip_grad_value_(
    parameters: Iterable[Tensor] | Tensor, clip_value: float, foreach: bool | None = None
) -> None:
    """Clamp every gradient element into [-clip_value, clip_value] in place."""
    clip_value = float(clip_value)
    with no_grad():
        for g in _grads(parameters):
            g.clamp_(-clip_value, clip_value)
