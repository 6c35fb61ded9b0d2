"""Normalisation and embedding ops: batch norm (with running statistics), layer norm, embedding."""

from __future__ import annotations

from typing import Any

import numpy as np

from core import backend
from core.autograd.function import Node


def _bshape(a: Any, ndim: int) -> Any:
    """A per-channel vector shaped to broadcast over (N, C, ...)."""
    return a.reshape((1, -1) + (1,) * (ndim - 2))


class NativeBatchNormBackward0(Node):
    """d batchnorm: dx = w/sigma (g - mean(g) - xhat mean(g xhat)), dw = sum(g xhat), db = sum(g)"""

    saves = ("input", "weight")

    def forward(
        self, x: Any, w: Any, b: Any, rm: Any, rv: Any, training: bool, momentum: Any, eps: float
    ) -> Any:
        axes = (0,) + tuple(range(2, x.ndim))
        self.axes, self.training, self.w = axes, training, w
        if training:
            mean = x.mean(axis=axes)
            var = x.var(axis=axes)
            if rm is not None:
                n = x.size // x.shape[1]
                unbiased = var * (n / max(n - 1, 1))
                rm *= 1 - momentum
                rm += momentum * mean.astype(rm.dtype, copy=False)
                rv *= 1 - momentum
                rv += momentum * unbiased.astype(rv.dtype, copy=False)
        else:
            mean, var = rm, rv
        invstd = 1 / np.sqrt(var + eps)
        xhat = (x - _bshape(mean, x.ndim)) * _bshape(invstd, x.ndim)
        self.xhat, self.invstd = xhat, invstd
        out = xhat
        if w is not None:
            out = out * _bshape(w, x.ndim)
        if b is not None:
            out = out + _bshape(b, x.ndim)
        return out.astype(x.dtype, copy=False)

    def backward(self, g: Any) -> tuple:
        need = self.needs_input_grad
        xhat, axes, nd = self.xhat, self.axes, g.ndim
        scale = _bshape(self.invstd if self.w is None else self.w * self.invstd, nd)
        gx = gw = gb = None
        if need[0]:
            if self.training:
                gm = g.mean(axis=axes, keepdims=True)
                gxm = (g * xhat).mean(axis=axes, keepdims=True)
                gx = scale * (g - gm - xhat * gxm)
            else:
                gx = g * scale
        if len(need) > 1 and need[1]:
            gw = (g * xhat).sum(axis=axes)
        if len(need) > 2 and need[2]:
            gb = g.sum(axis=axes)
        return gx, gw, gb


class NativeLayerNormBackward0(Node):
    """d layernorm over the last k dims: dx = (ghat - mean(ghat) - xhat mean(ghat xhat)) / sigma"""

    saves = ("input", "weight")

    def forward(self, x: Any, w: Any, b: Any, k: int, eps: float) -> Any:
        axes = tuple(range(x.ndim - k, x.ndim))
        self.axes, self.w = axes, w
        mean = x.mean(axis=axes, keepdims=True)
        var = x.var(axis=axes, keepdims=True)
        self.invstd = 1 / np.sqrt(var + eps)
        self.xhat = (x - mean) * self.invstd
        out = self.xhat
        if w is not None:
            out = out * w
        if b is not None:
            out = out + b
        return out.astype(x.dtype, copy=False)

    def backward(self, g: Any) -> tuple:
        need = self.needs_input_grad
        xhat, axes = self.xhat, self.axes
        lead = tuple(range(g.ndim - len(axes)))
        gx = gw = gb = None
        if need[0]:
            gh = g if self.w is None else g * self.w
            gm = gh.mean(axis=axes, keepdims=True)
            gxm = (gh * xhat).mean(axis=axes, keepdims=True)
            gx = self.invstd * (gh - gm - xhat * gxm)
        if len(need) > 1 and need[1]:
            gw = (g * xhat).sum(axis=lead)
        if len(need) > 2 and need[2]:
            gb = g.sum(axis=lead)
        return gx, gw, gb


class EmbeddingBackward0(Node):
    """d weight[idx] = scatter-add of g into the rows idx (none into padding_idx); with
    scale_grad_by_freq each row's gradient is divided by how often its index occurs"""

    def forward(self, w: Any, idx: Any, padding_idx: Any, scale_grad_by_freq: bool = False) -> Any:
        self.idx, self.padding_idx, self.w_shape = idx, padding_idx, w.shape
        self.scale = scale_grad_by_freq
        return w[idx]

    def backward(self, g: Any) -> tuple:
        idx = self.idx.reshape(-1)
        rows = g.reshape(-1, self.w_shape[1])
        if self.scale:
            _, inverse, counts = np.unique(idx, return_inverse=True, return_counts=True)
            rows = rows / counts[inverse].reshape(-1, 1).astype(rows.dtype)
        if self.padding_idx is not None:
            keep = idx != self.padding_idx
            idx, rows = idx[keep], rows[keep]
        gw = np.zeros_like(g, shape=self.w_shape)
        return (backend.scatter_add(gw, idx, rows),)
