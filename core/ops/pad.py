"""Constant padding (PyTorch's ``constant_pad_nd``); negative amounts crop."""

from __future__ import annotations

from typing import Any

import numpy as np

from core import backend
from core.autograd.function import Node


class ConstantPadNdBackward0(Node):
    """d pad(a) = the gradient's slice where a sits"""

    def forward(self, a: Any, pad: tuple[int, ...], value: float) -> Any:
        # ``pad`` pairs run from the last dim backwards, as in F.pad
        n = len(pad) // 2
        widths = [(0, 0)] * (a.ndim - n) + [(pad[2 * i], pad[2 * i + 1]) for i in range(n)][::-1]
        shape = tuple(s + lo + hi for s, (lo, hi) in zip(a.shape, widths))
        if any(s < 0 for s in shape):
            raise RuntimeError(
                f"The input size {a.shape[-1]}, plus negative padding {pad[0]} and {pad[1]} "
                f"resulted in a negative output size, which is invalid. Check dimension "
                f"{a.ndim - 1} of your input."
            )
        out = np.full_like(a, value, shape=shape)
        src = tuple(slice(max(-lo, 0), s - max(-hi, 0)) for s, (lo, hi) in zip(a.shape, widths))
        dst = tuple(
            slice(max(lo, 0), max(lo, 0) + (sl.stop - sl.start)) for (lo, _), sl in zip(widths, src)
        )
        out[dst] = a[src]
        self.src, self.dst, self.shape = src, dst, a.shape
        return out

    def backward(self, g: Any) -> tuple:
        gx = np.zeros_like(g, shape=self.shape)
        gx[self.src] = g[self.dst]
        return (gx,)


# --- reflect / replicate / circular: one gather along the padded dims ---

# np.pad's name for each of PyTorch's modes
NUMPY_MODE = {"reflect": "reflect", "replicate": "edge", "circular": "wrap"}


def pad_index(size: int, before: int, after: int, mode: str) -> np.ndarray:
    """Source positions of a padded axis: e.g. reflect of 0..4 by (2, 1) is 2 1 0 1 2 3 4 3."""
    return np.pad(np.arange(size), (before, after), mode=NUMPY_MODE[mode])


class _GatherPad(Node):
    """d pad(a) = the padded gradient scatter-added back to the positions it was copied from"""

    def forward(self, a: Any, key: tuple) -> Any:
        self.shape, self.key = a.shape, key
        return a[key]

    def backward(self, g: Any) -> tuple:
        return (backend.scatter_add(np.zeros_like(g, shape=self.shape), self.key, g),)


def pad_node(mode: str, ndims: int) -> type[_GatherPad]:
    """The node class PyTorch records for ``mode`` over ``ndims`` trailing dims."""
    key = (mode, ndims)
    if key not in _NODES:
        if mode == "circular":
            cls = type(
                "CopySlices", (_GatherPad,), {"name": lambda self: "torch::autograd::CopySlices"}
            )
        else:
            base = "Reflection" if mode == "reflect" else "Replication"
            cls = type(f"{base}Pad{ndims}DBackward0", (_GatherPad,), {})
        cls.__doc__ = _GatherPad.__doc__
        _NODES[key] = cls
    return _NODES[key]


_NODES: dict[tuple[str, int], type[_GatherPad]] = {}
