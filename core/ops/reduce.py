"""Reductions over all elements (``...Backward0``) or over dims (``...Backward1``)."""

from __future__ import annotations

from typing import Any

import numpy as np

from core.autograd.function import Node


def _expand_back(g: Any, shape: tuple, dims: tuple | None, keepdim: bool) -> Any:
    """Re-insert reduced dims so ``g`` broadcasts against an input of ``shape``."""
    if dims is not None and not keepdim:
        for d in sorted(dims):
            g = np.expand_dims(g, d)
    return np.broadcast_to(g, shape)


class SumBackward0(Node):
    """d sum(a) = 1 everywhere"""

    def forward(self, a: Any, dtype: Any = None) -> Any:
        self.shape = a.shape
        return a.sum(dtype=dtype)

    def backward(self, g: Any) -> tuple:
        return (np.broadcast_to(g, self.shape),)


class SumBackward1(Node):
    """d sum(a, dims) = 1 everywhere, broadcast over the reduced dims"""

    def forward(self, a: Any, dims: tuple, keepdim: bool, dtype: Any = None) -> Any:
        self.shape, self.dims, self.keepdim = a.shape, dims, keepdim
        return a.sum(axis=dims, keepdims=keepdim, dtype=dtype)

    def backward(self, g: Any) -> tuple:
        return (_expand_back(g, self.shape, self.dims, self.keepdim),)


class MeanBackward0(Node):
    """d mean(a) = 1/n everywhere"""

    def forward(self, a: Any) -> Any:
        self.shape, self.n = a.shape, a.size
        if not a.size:  # the mean of nothing is nan, silently (NumPy would warn)
            return np.full_like(a, np.nan, shape=())
        return a.mean()

    def backward(self, g: Any) -> tuple:
        return (np.broadcast_to(g / self.n, self.shape),)


class MeanBackward1(Node):
    """d mean(a, dims) = 1/n over the reduced dims"""

    def forward(self, a: Any, dims: tuple, keepdim: bool) -> Any:
        self.shape, self.dims, self.keepdim = a.shape, dims, keepdim
        self.n = int(np.prod([a.shape[d] for d in dims])) if dims else 1
        if not self.n:
            return a.sum(axis=dims, keepdims=keepdim) / self.n
        return a.mean(axis=dims, keepdims=keepdim)

    def backward(self, g: Any) -> tuple:
        return (_expand_back(g / self.n, self.shape, self.dims, self.keepdim),)


class ProdBackward0(Node):
    """d prod(a) = prod(a) / a_i (computed without dividing by zero)"""

    saves = ("self",)
    saves_result = True

    def forward(self, a: Any) -> Any:
        self.a = a
        return a.prod()

    def backward(self, g: Any) -> tuple:
        return (g * _prod_others(self.a.reshape(-1), 0).reshape(self.a.shape),)


class ProdBackward1(Node):
    """d prod(a, dim) = product of the other elements along dim"""

    saves = ("self",)
    saves_result = True

    def forward(self, a: Any, dim: int, keepdim: bool) -> Any:
        self.a, self.dim, self.keepdim = a, dim, keepdim
        return a.prod(axis=dim, keepdims=keepdim)

    def backward(self, g: Any) -> tuple:
        others = _prod_others(self.a, self.dim)
        return (_expand_back(g, self.a.shape, (self.dim,), self.keepdim) * others,)


def _prod_others(a: Any, axis: int) -> Any:
    """Product of all elements but one along ``axis``, by exclusive prefix and suffix products."""
    a = np.moveaxis(a, axis, -1)
    ones = np.ones(a.shape[:-1] + (1,), dtype=a.dtype)
    left = np.concatenate([ones, np.cumprod(a, axis=-1)[..., :-1]], axis=-1)
    right = np.flip(np.concatenate([ones, np.cumprod(np.flip(a, -1), axis=-1)[..., :-1]], -1), -1)
    return np.moveaxis(left * right, -1, axis)


class MaxBackward1(Node):
    """d max(a) = evenly split among the maximal elements"""

    saves = ("self",)
    saves_result = True

    def forward(self, a: Any) -> Any:
        self.a = a
        self.out = a.max()
        return self.out

    def backward(self, g: Any) -> tuple:
        mask = self.a == self.out
        return (g * mask / mask.sum(),)


class MinBackward1(MaxBackward1):
    """d min(a) = evenly split among the minimal elements"""

    def forward(self, a: Any) -> Any:
        self.a = a
        self.out = a.min()
        return self.out


class MaxBackward0(Node):
    """d max(a, dim).values = 1 at the selected index"""

    num_outputs = 2
    fn = staticmethod(np.argmax)

    def forward(self, a: Any, dim: int, keepdim: bool) -> Any:
        self.shape, self.dim, self.keepdim = a.shape, dim, keepdim
        idx = type(self).fn(a, axis=dim, keepdims=True)
        values = np.take_along_axis(a, idx, axis=dim)
        self.idx = idx
        if not keepdim:
            values, idx = np.squeeze(values, dim), np.squeeze(idx, dim)
        return values, idx.astype(np.int64)

    def backward(self, g: Any, _g_indices: Any = None) -> tuple:
        if not self.keepdim:
            g = np.expand_dims(g, self.dim)
        out = np.zeros(self.shape, dtype=g.dtype)
        np.put_along_axis(out, self.idx, g, axis=self.dim)
        return (out,)


class MinBackward0(MaxBackward0):
    """d min(a, dim).values = 1 at the selected index"""

    fn = staticmethod(np.argmin)


class AmaxBackward0(Node):
    """d amax(a, dims) = evenly split among the maximal elements"""

    saves = ("self",)
    saves_result = True
    fn = staticmethod(np.max)

    def forward(self, a: Any, dims: tuple, keepdim: bool) -> Any:
        self.a, self.dims, self.keepdim = a, dims, keepdim
        self.out = type(self).fn(a, axis=dims, keepdims=True)
        return self.out if keepdim else np.squeeze(self.out, dims)

    def backward(self, g: Any) -> tuple:
        mask = self.a == self.out
        g = _expand_back(g, self.out.shape, self.dims, self.keepdim)
        return (g * mask / mask.sum(axis=self.dims, keepdims=True),)


class AminBackward0(AmaxBackward0):
    """d amin(a, dims) = evenly split among the minimal elements"""

    fn = staticmethod(np.min)


class VarBackward0(Node):
    """d var(a) = 2 (a - mean) / (n - correction)"""

    saves = ("self",)

    def forward(self, a: Any, dims: tuple | None, correction: float, keepdim: bool) -> Any:
        self.a, self.dims, self.keepdim = a, dims, keepdim
        n = a.size if dims is None else int(np.prod([a.shape[d] for d in dims]))
        self.denom = max(n - correction, 0)
        self.centered = a - a.mean(axis=dims, keepdims=True) if a.size else a
        out = (self.centered * self.centered).sum(axis=dims, keepdims=keepdim) / self.denom
        return out.astype(a.dtype, copy=False)

    def backward(self, g: Any) -> tuple:
        g = _expand_back(g, self.a.shape, self.dims, self.keepdim) if self.dims else g
        return (g * 2 * self.centered / self.denom,)


class StdBackward0(VarBackward0):
    """d std(a) = (a - mean) / ((n - correction) std)"""

    saves_result = True

    def forward(self, a: Any, dims: tuple | None, correction: float, keepdim: bool) -> Any:
        self.out = np.sqrt(super().forward(a, dims, correction, keepdim))
        return self.out

    def backward(self, g: Any) -> tuple:
        return super().backward(g / (2 * self.out))


class LinalgVectorNormBackward0(Node):
    """d ||a||_p = sign(a) |a|^(p-1) / ||a||^(p-1)"""

    saves = ("self",)
    saves_result = True

    def forward(self, a: Any, p: float, dims: tuple | None, keepdim: bool) -> Any:
        self.a, self.p, self.dims, self.keepdim = a, p, dims, keepdim
        absa = np.abs(a)
        if p == 2:
            out = np.sqrt((a * a).sum(axis=dims, keepdims=True))
        elif p == np.inf:
            out = absa.max(axis=dims, keepdims=True)
        elif p == 1:
            out = absa.sum(axis=dims, keepdims=True)
        elif p == 0:
            out = (a != 0).sum(axis=dims, keepdims=True).astype(a.dtype)
        else:
            out = np.power(np.power(absa, p).sum(axis=dims, keepdims=True), 1.0 / p)
        self.out = out.astype(a.dtype, copy=False)
        return (
            self.out if keepdim else (np.squeeze(self.out, dims) if dims else self.out.reshape(()))
        )

    def backward(self, g: Any) -> tuple:
        a, p, out = self.a, self.p, self.out
        g = g.reshape(out.shape) if not self.keepdim else g
        if p == 2:
            local = np.where(out == 0, 0, a / out)
        elif p == 1:
            local = np.sign(a)
        elif p == np.inf:
            mask = np.abs(a) == out
            local = np.sign(a) * mask / mask.sum(axis=self.dims, keepdims=True)
        elif p == 0:
            local = np.zeros_like(a)
        else:
            local = np.where(
                out == 0, 0, np.sign(a) * np.power(np.abs(a), p - 1) / np.power(out, p - 1)
            )
        return (g * local,)


class LogsumexpBackward0(Node):
    """d logsumexp(a) = softmax(a) along the reduced dims"""

    saves = ("self",)
    saves_result = True

    def forward(self, a: Any, dims: tuple, keepdim: bool) -> Any:
        self.a, self.dims, self.keepdim = a, dims, keepdim
        if a.size == 0:  # an empty sum of exponentials: log 0 = -inf
            shape = tuple(1 if i in dims else n for i, n in enumerate(a.shape))
            self.out = np.full_like(a, -np.inf, shape=shape)
            return self.out if keepdim else np.squeeze(self.out, dims)
        m = a.max(axis=dims, keepdims=True)
        m = np.where(np.isfinite(m), m, 0)
        self.out = np.log(np.exp(a - m).sum(axis=dims, keepdims=True)) + m
        return self.out if keepdim else np.squeeze(self.out, dims)

    def backward(self, g: Any) -> tuple:
        g = _expand_back(g, self.out.shape, self.dims, self.keepdim)
        return (g * np.exp(self.a - self.out),)


class CumsumBackward0(Node):
    """d cumsum(a) = reversed cumulative sum of the gradient"""

    def forward(self, a: Any, dim: int, dtype: Any = None) -> Any:
        self.dim = dim
        return np.cumsum(a, axis=dim, dtype=dtype)

    def backward(self, g: Any) -> tuple:
        return (np.flip(np.cumsum(np.flip(g, self.dim), axis=self.dim), self.dim),)


class CumprodBackward0(Node):
    """d cumprod(a)_j / da_i = prod_{k<=j, k!=i} a_k"""

    saves = ("self",)

    def forward(self, a: Any, dim: int) -> Any:
        self.a, self.dim = a, dim
        return np.cumprod(a, axis=dim)

    def backward(self, g: Any) -> tuple:
        a = np.moveaxis(self.a, self.dim, -1)
        gm = np.moveaxis(g, self.dim, -1)
        n = a.shape[-1]
        out = np.zeros_like(a)
        for i in range(n):
            b = a.copy()
            b[..., i] = 1
            c = np.cumprod(b, axis=-1)
            out[..., i] = (gm[..., i:] * c[..., i:]).sum(-1)
        return (np.moveaxis(out, -1, self.dim),)
