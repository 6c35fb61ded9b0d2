"""Shape ops. Those PyTorch makes views return NumPy views, so memory is shared with the base."""

from __future__ import annotations

from typing import Any

import numpy as np

from core.autograd.function import Node


def reshape_view(a: Any, shape: tuple) -> Any:
    """``a`` reshaped without copying, or RuntimeError (PyTorch's ``view`` message)."""
    try:
        return a.reshape(shape, copy=False)
    except TypeError:  # CuPy: no copy= keyword
        out = a.reshape(shape)
        if out.size and not np.shares_memory(out, a):
            raise ValueError from None
        return out


class ViewBackward0(Node):
    """d view(a) = g viewed back"""

    def forward(self, a: Any, shape: tuple) -> Any:
        self.shape = a.shape
        return reshape_view(a, shape)

    def backward(self, g: Any) -> tuple:
        return (g.reshape(self.shape),)


class UnsafeViewBackward0(ViewBackward0):
    """d reshape(a) of a fresh copy = g reshaped back"""

    def forward(self, a: Any, shape: tuple) -> Any:
        self.shape = a.shape
        return a.reshape(shape)


class TBackward0(Node):
    """d a^T = g^T"""

    def forward(self, a: Any) -> Any:
        return a.T

    def backward(self, g: Any) -> tuple:
        return (g.T,)


class TransposeBackward0(Node):
    """d transpose(a, i, j) = transpose(g, i, j)"""

    def forward(self, a: Any, d0: int, d1: int) -> Any:
        self.d0, self.d1 = d0, d1
        return np.swapaxes(a, d0, d1)

    def backward(self, g: Any) -> tuple:
        return (np.swapaxes(g, self.d0, self.d1),)


class PermuteBackward0(Node):
    """d permute(a, p) = permute(g, p^-1)"""

    def forward(self, a: Any, dims: tuple) -> Any:
        self.dims = dims
        return np.transpose(a, dims)

    def backward(self, g: Any) -> tuple:
        return (np.transpose(g, np.argsort(self.dims)),)


class ExpandBackward0(Node):
    """d expand(a) = g summed over the expanded dims (done by the engine)"""

    def forward(self, a: Any, shape: tuple) -> Any:
        return np.broadcast_to(a, shape)

    def backward(self, g: Any) -> tuple:
        return (g,)


class SqueezeBackward0(Node):
    """d squeeze(a) = g reshaped back"""

    def forward(self, a: Any, dims: tuple | None = None) -> Any:
        self.shape = a.shape
        if dims is None:
            return np.squeeze(a)
        return np.squeeze(a, tuple(d for d in dims if a.shape[d] == 1))

    def backward(self, g: Any) -> tuple:
        return (g.reshape(self.shape),)


class SqueezeBackward1(SqueezeBackward0):
    """d squeeze(a, dim) = g reshaped back"""


class UnsqueezeBackward0(Node):
    """d unsqueeze(a, dim) = squeeze(g, dim)"""

    def forward(self, a: Any, dim: int) -> Any:
        self.dim = dim
        return np.expand_dims(a, dim)

    def backward(self, g: Any) -> tuple:
        return (np.squeeze(g, self.dim),)


class SelectBackward0(Node):
    """d a.select(dim, i) = g placed at index i of zeros"""

    def forward(self, a: Any, dim: int, index: int) -> Any:
        self.shape, self.dim, self.index = a.shape, dim, index
        return a[(slice(None),) * dim + (index, Ellipsis)]  # a view, even when 0-d

    def backward(self, g: Any) -> tuple:
        out = np.zeros(self.shape, dtype=g.dtype)
        out[(slice(None),) * self.dim + (self.index,)] = g
        return (out,)


class SliceBackward0(Node):
    """d a[start:end:step] along dim = g placed in that slice of zeros"""

    def forward(self, a: Any, dim: int, sl: slice) -> Any:
        self.shape, self.key = a.shape, (slice(None),) * dim + (sl,)
        return a[self.key]

    def backward(self, g: Any) -> tuple:
        out = np.zeros(self.shape, dtype=g.dtype)
        out[self.key] = g
        return (out,)


class AsStridedBackward0(Node):
    """a view of a base whose storage was written through: g placed in the view's region"""

    def forward(self, base: Any, view_fn: Any) -> Any:
        self.shape, self.view_fn = base.shape, view_fn
        return view_fn(base)

    def backward(self, g: Any) -> tuple:
        out = np.zeros(self.shape, dtype=g.dtype)
        self.view_fn(out)[...] += g
        return (out,)


class RepeatBackward0(Node):
    """d repeat(a, r) = g folded and summed over the repeats"""

    def forward(self, a: Any, repeats: tuple) -> Any:
        self.shape, self.repeats = a.shape, repeats
        return np.tile(a, repeats)

    def backward(self, g: Any) -> tuple:
        lead = len(self.repeats) - len(self.shape)
        shape = (1,) * lead + tuple(self.shape)
        split = []
        for r, n in zip(self.repeats, shape):
            split += [r, n]
        g = g.reshape(split).sum(axis=tuple(range(0, 2 * len(shape), 2)))
        return (g.reshape(self.shape),)


class CatBackward0(Node):
    """d cat(xs, dim) = g split back into the pieces"""

    def forward(self, *arrays_and_dim: Any) -> Any:
        *arrays, dim = arrays_and_dim
        self.dim = dim
        self.bounds = np.cumsum([a.shape[dim] if a.ndim else 0 for a in arrays])[:-1]
        return np.concatenate(arrays, axis=dim)

    def backward(self, g: Any) -> tuple:
        return tuple(np.split(g, self.bounds, axis=self.dim))


class StackBackward0(Node):
    """d stack(xs, dim) = g unbound along dim"""

    def forward(self, *arrays_and_dim: Any) -> Any:
        *arrays, dim = arrays_and_dim
        self.dim = dim
        return np.stack(arrays, axis=dim)

    def backward(self, g: Any) -> tuple:
        return tuple(np.take(g, i, axis=self.dim) for i in range(g.shape[self.dim]))


class SplitBackward0(Node):
    """d split(a) = the pieces' gradients concatenated back"""

    def __init__(self) -> None:
        self.num_outputs = 1

    def forward(self, a: Any, bounds: list, dim: int) -> Any:
        self.dim = dim
        pieces = np.split(a, bounds, axis=dim)
        self.num_outputs = len(pieces)
        return pieces

    def backward(self, *grads: Any) -> tuple:
        return (np.concatenate(grads, axis=self.dim),)


class SplitWithSizesBackward0(SplitBackward0):
    """d split(a, [sizes]) = the pieces' gradients concatenated back"""


class UnbindBackward0(SplitBackward0):
    """d unbind(a) = the slices' gradients stacked back"""

    def forward(self, a: Any, dim: int) -> Any:
        self.dim = dim
        pieces = [a[(slice(None),) * dim + (i, Ellipsis)] for i in range(a.shape[dim])]
        self.num_outputs = len(pieces)
        return pieces

    def backward(self, *grads: Any) -> tuple:
        return (np.stack(grads, axis=self.dim),)


class FlipBackward0(Node):
    """d flip(a) = flip(g)"""

    def forward(self, a: Any, dims: tuple) -> Any:
        self.dims = dims
        return np.flip(a, dims).copy()

    def backward(self, g: Any) -> tuple:
        return (np.flip(g, self.dims),)


class TriuBackward0(Node):
    """d triu(a) = triu(g)"""

    def forward(self, a: Any, k: int) -> Any:
        self.k = k
        return np.triu(a, k)

    def backward(self, g: Any) -> tuple:
        return (np.triu(g, self.k),)


class TrilBackward0(Node):
    """d tril(a) = tril(g)"""

    def forward(self, a: Any, k: int) -> Any:
        self.k = k
        return np.tril(a, k)

    def backward(self, g: Any) -> tuple:
        return (np.tril(g, self.k),)


# The in-place spellings (``t_``, ``transpose_``, ``squeeze_``, ``unsqueeze_``) record the same
# backward under PyTorch's names for them.
class TBackward1(TBackward0):
    """d a.t_() = g^T"""


class TransposeBackward1(TransposeBackward0):
    """d a.transpose_(i, j) = transpose(g, i, j)"""


class SqueezeBackward3(SqueezeBackward0):
    """d a.squeeze_() = g reshaped back"""


class SqueezeBackward4(SqueezeBackward0):
    """d a.squeeze_(dim) = g reshaped back"""


class UnsqueezeBackward1(UnsqueezeBackward0):
    """d a.unsqueeze_(dim) = squeeze(g, dim)"""


class AliasBackward0(Node):
    """d alias(a) = g  (x[...] or x[:] is a new tensor viewing all of x)"""

    def forward(self, a: Any) -> Any:
        return a.view()

    def backward(self, g: Any) -> tuple:
        return (g,)
