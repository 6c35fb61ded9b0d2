"""Constant padding (PyTorch's ``constant_pad_nd``); negative amounts crop."""

from __future__ import annotations

from typing import Any

import numpy as np

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
