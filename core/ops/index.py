"""Advanced indexing, gather/scatter and masked ops (results are copies, as in PyTorch)."""

from __future__ import annotations

from typing import Any

import numpy as np

from core import backend
from core.autograd.function import Node


def _scatter_add(out: Any, key: Any, g: Any) -> Any:
    return backend.scatter_add(out, key, g)


class IndexBackward0(Node):
    """d a[idx] = g added at idx of zeros (repeated indices accumulate)"""

    def forward(self, a: Any, key: Any) -> Any:
        self.shape, self.key = a.shape, key
        return a[key]

    def backward(self, g: Any) -> tuple:
        return (_scatter_add(np.zeros(self.shape, dtype=g.dtype), self.key, g),)


class IndexSelectBackward0(Node):
    """d index_select(a, dim, idx) = g added at idx along dim"""

    def forward(self, a: Any, dim: int, index: Any) -> Any:
        self.shape, self.dim, self.index = a.shape, dim, index
        return np.take(a, index, axis=dim)

    def backward(self, g: Any) -> tuple:
        key = (slice(None),) * self.dim + (self.index,)
        return (_scatter_add(np.zeros(self.shape, dtype=g.dtype), key, g),)


class GatherBackward0(Node):
    """d gather(a, dim, idx) = g scattered-added at idx along dim"""

    saves = ("self",)

    def forward(self, a: Any, dim: int, index: Any) -> Any:
        self.shape, self.dim, self.index = a.shape, dim, index
        return gather_array(a, dim, index)

    def backward(self, g: Any) -> tuple:
        out = np.zeros(self.shape, dtype=g.dtype)
        idx = list(np.indices(self.index.shape, sparse=True))
        idx[self.dim] = self.index
        backend.scatter_add(out, tuple(idx), g)
        return (out,)


class SortBackward0(GatherBackward0):
    """d sort(a).values = g put back where each value came from"""

    saves = ()  # PyTorch keeps the indices only


class TopkBackward0(SortBackward0):
    """d topk(a).values = g put back where each of the k values came from"""


def gather_array(a: Any, dim: int, index: Any) -> Any:
    """``out[i][j] = a[i][index[i][j]]`` (dim 1); index may be smaller than ``a`` elsewhere."""
    idx = list(np.indices(index.shape, sparse=True))
    idx[dim] = index
    return a[tuple(idx)]


def scatter_array(a: Any, dim: int, index: Any, src: Any, reduce: str | None = None) -> Any:
    out = a.copy()
    idx = list(np.indices(index.shape, sparse=True))
    idx[dim] = index
    key = tuple(idx)
    if not hasattr(src, "shape") or src.ndim == 0:
        values = src
    else:
        values = src[tuple(slice(0, n) for n in index.shape)]
    if reduce in ("add", "sum"):
        backend.scatter_add(out, key, values)
    elif reduce in ("multiply", "prod"):
        np.multiply.at(out, key, values)
    else:
        out[key] = values
    return out


class ScatterBackward0(Node):
    """d scatter(a, dim, idx, src): da = g with scattered places zeroed, dsrc = g gathered"""

    def forward(self, a: Any, src: Any, dim: int, index: Any) -> Any:
        self.dim, self.index, self.src_shape = dim, index, src.shape
        return scatter_array(a, dim, index, src)

    def backward(self, g: Any) -> tuple:
        ga = scatter_array(g, self.dim, self.index, np.zeros((), dtype=g.dtype))
        gs = np.zeros(self.src_shape, dtype=g.dtype)
        gs[tuple(slice(0, n) for n in self.index.shape)] = gather_array(g, self.dim, self.index)
        return ga, gs


class ScatterBackward1(Node):
    """d scatter(a, dim, idx, value) = g with the scattered places zeroed"""

    def forward(self, a: Any, dim: int, index: Any, value: Any) -> Any:
        self.dim, self.index = dim, index
        return scatter_array(a, dim, index, value)

    def backward(self, g: Any) -> tuple:
        return (scatter_array(g, self.dim, self.index, np.zeros((), dtype=g.dtype)),)


class ScatterAddBackward0(Node):
    """d scatter_add(a, dim, idx, src): da = g, dsrc = g gathered at idx"""

    def forward(self, a: Any, src: Any, dim: int, index: Any) -> Any:
        self.dim, self.index, self.src_shape = dim, index, src.shape
        return scatter_array(a, dim, index, src, "add")

    def backward(self, g: Any) -> tuple:
        gs = np.zeros(self.src_shape, dtype=g.dtype)
        gs[tuple(slice(0, n) for n in self.index.shape)] = gather_array(g, self.dim, self.index)
        return g, gs


class MaskedFillBackward0(Node):
    """d masked_fill(a, m, v) = g where not m"""

    def forward(self, a: Any, mask: Any, value: Any) -> Any:
        self.mask = mask
        return np.where(mask, np.asarray(value, dtype=a.dtype), a)

    def backward(self, g: Any) -> tuple:
        return (np.where(self.mask, np.zeros((), dtype=g.dtype), g),)


class MaskedFillBackward1(Node):
    """d masked_fill(a, m, v) with a 0-d tensor value: da = g where not m, dv = sum of g where m"""

    def forward(self, a: Any, value: Any, mask: Any) -> Any:
        self.mask = mask
        return np.where(mask, value.astype(a.dtype), a)

    def backward(self, g: Any) -> tuple:
        z = np.zeros((), dtype=g.dtype)
        return np.where(self.mask, z, g), np.where(self.mask, g, z).sum()


class CopySlices(Node):
    """``base[region] = value`` recorded in place: d base = g outside the region, d value = g[region]

    When an op wrote into a view in place (``z[0].mul_(y)``), the node wraps that op (``fn``), as
    PyTorch's does: its edges are the base's and the op's other inputs', and its backward runs the
    op's backward on the region's gradient.
    """

    fn: Any = None

    def forward(self, base: Any, value: Any, view_fn: Any) -> Any:
        self.view_fn = view_fn
        return base  # written by the caller; the node only routes gradients

    def backward(self, g: Any) -> tuple:
        gb = g.copy()
        if self.fn is not None:
            from core.autograd.engine import _check_versions, _conform

            _check_versions(self.fn)
            res = _conform(self.fn, tuple(self.fn.backward(self.view_fn(g).copy())))
            self.view_fn(gb)[...] = 0 if res[0] is None else res[0]
            return (gb, *res[1:])
        gv = self.view_fn(g).copy() if self.needs_input_grad[1] else None
        self.view_fn(gb)[...] = 0
        return gb, gv

    def name(self) -> str:
        return "torch::autograd::CopySlices"


class IndexPutBackward0(Node):
    """``a[index] = value`` with an advanced index: da = g zeroed at index, dvalue = g[index]"""

    def backward(self, g: Any) -> tuple:
        gb = g.copy()
        gb[self.key] = 0
        return gb, (g[self.key] if self.needs_input_grad[1] else None)
