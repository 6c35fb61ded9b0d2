"""Convolution and pooling on NCHW arrays: windows are strided views (im2col), products tensordot.

A window view ``(N, C, Ho, Wo, kh, kw)`` of the padded input is built with ``as_strided`` (no
copy); the forward contracts it with the weight, and the backward scatters gradients back with one
strided ``+=`` per kernel offset (col2im), so both run on NumPy and CuPy arrays alike.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from core.autograd.function import Node
from core.backend import array_module

Pad4 = tuple[int, int, int, int]  # top, bottom, left, right


def pad_hw(x: Any, pad: Pad4, value: float = 0.0) -> Any:
    top, bottom, left, right = pad
    if not any(pad):
        return x
    n, c, h, w = x.shape
    out = array_module(x).full((n, c, h + top + bottom, w + left + right), value, dtype=x.dtype)
    out[:, :, top : top + h, left : left + w] = x
    return out


def windows(
    xp: Any,
    k: tuple[int, int],
    stride: tuple[int, int],
    dil: tuple[int, int],
    out_hw: tuple[int, int],
) -> Any:
    """The ``(N, C, Ho, Wo, kh, kw)`` strided view of a padded input."""
    n, c = xp.shape[:2]
    s0, s1, s2, s3 = xp.strides
    shape = (n, c, out_hw[0], out_hw[1], k[0], k[1])
    strides = (s0, s1, s2 * stride[0], s3 * stride[1], s2 * dil[0], s3 * dil[1])
    if isinstance(xp, np.ndarray):
        return np.lib.stride_tricks.as_strided(xp, shape, strides, writeable=False)
    return array_module(xp).lib.stride_tricks.as_strided(xp, shape, strides)  # CuPy: no flag


def scatter_windows(
    gp: Any, cols: Any, k: tuple[int, int], stride: tuple[int, int], dil: tuple[int, int]
) -> None:
    """col2im: add ``cols`` (N, C, Ho, Wo, kh, kw) into the padded gradient ``gp`` in place."""
    ho, wo = cols.shape[2:4]
    for i in range(k[0]):
        for j in range(k[1]):
            r, c = i * dil[0], j * dil[1]
            gp[
                :,
                :,
                r : r + stride[0] * (ho - 1) + 1 : stride[0],
                c : c + stride[1] * (wo - 1) + 1 : stride[1],
            ] += cols[:, :, :, :, i, j]


def out_size(
    size: int, k: int, stride: int, pad_total: int, dil: int, ceil: bool = False, pad_left: int = 0
) -> int:
    span = size + pad_total - dil * (k - 1) - 1
    if ceil:
        o = -(-span // stride) + 1
        if (o - 1) * stride >= size + pad_left:  # the last window must start inside the input
            o -= 1
        return o
    return span // stride + 1


class ConvolutionBackward0(Node):
    """d conv(x, w) + b: dx = col2im(g . w), dw = g . im2col(x), db = sum(g)"""

    saves = ("input", "weight")

    def forward(
        self, x: Any, w: Any, b: Any, stride: tuple, pad: Pad4, dil: tuple, groups: int
    ) -> Any:
        self.x_shape, self.w, self.stride, self.pad, self.dil, self.groups = (
            x.shape,
            w,
            stride,
            pad,
            dil,
            groups,
        )
        k = w.shape[2:]
        xp = pad_hw(x, pad)
        ho = out_size(xp.shape[2], k[0], stride[0], 0, dil[0])
        wo = out_size(xp.shape[3], k[1], stride[1], 0, dil[1])
        cols = windows(xp, k, stride, dil, (ho, wo))
        self.cols = cols
        o = w.shape[0]
        cg, og = w.shape[1], o // groups
        if groups == 1:
            out = np.tensordot(cols, w, axes=([1, 4, 5], [1, 2, 3]))  # N, Ho, Wo, O
        else:
            out = np.concatenate(
                [
                    np.tensordot(
                        cols[:, g * cg : (g + 1) * cg],
                        w[g * og : (g + 1) * og],
                        axes=([1, 4, 5], [1, 2, 3]),
                    )
                    for g in range(groups)
                ],
                axis=3,
            )
        out = out.transpose(0, 3, 1, 2)
        if b is not None:
            out = out + b.reshape(1, -1, 1, 1)
        return np.ascontiguousarray(out)

    def backward(self, g: Any) -> tuple:
        need = self.needs_input_grad
        w, groups, cols = self.w, self.groups, self.cols
        cg, og = w.shape[1], w.shape[0] // groups
        gx = gw = gb = None
        if need[0]:
            n, c, h, wd = self.x_shape
            top, bottom, left, right = self.pad
            gp = np.zeros_like(w, shape=(n, c, h + top + bottom, wd + left + right))
            for gi in range(groups):
                # (N, O, Ho, Wo) . (O, C, kh, kw) -> (N, Ho, Wo, C, kh, kw)
                gc = np.tensordot(
                    g[:, gi * og : (gi + 1) * og], w[gi * og : (gi + 1) * og], axes=([1], [0])
                )
                sub = gp[:, gi * cg : (gi + 1) * cg]
                scatter_windows(
                    sub, gc.transpose(0, 3, 1, 2, 4, 5), w.shape[2:], self.stride, self.dil
                )
            gx = gp[:, :, top : top + h, left : left + wd]
        if need[1]:
            gw = (
                np.concatenate(
                    [
                        np.tensordot(
                            g[:, gi * og : (gi + 1) * og],
                            cols[:, gi * cg : (gi + 1) * cg],
                            axes=([0, 2, 3], [0, 2, 3]),
                        )
                        for gi in range(groups)
                    ],
                    axis=0,
                )
                if groups > 1
                else np.tensordot(g, cols, axes=([0, 2, 3], [0, 2, 3]))
            )
        if len(need) > 2 and need[2]:
            gb = g.sum(axis=(0, 2, 3))
        return gx, gw, gb


class MaxPool2DWithIndicesBackward0(Node):
    """d maxpool(x) = g routed to the argmax of each window"""

    saves = ("self",)

    def forward(self, x: Any, k: tuple, stride: tuple, pad: Pad4, dil: tuple) -> Any:
        self.x_shape, self.k, self.stride, self.pad, self.dil = x.shape, k, stride, pad, dil
        xp = pad_hw(x, pad, -np.inf)
        ho = out_size(xp.shape[2], k[0], stride[0], 0, dil[0])
        wo = out_size(xp.shape[3], k[1], stride[1], 0, dil[1])
        cols = windows(xp, k, stride, dil, (ho, wo))
        flat = cols.reshape(*cols.shape[:4], k[0] * k[1])
        # NaN wins a window, as in PyTorch
        arg = np.argmax(np.where(np.isnan(flat), np.inf, flat), axis=-1)
        self.arg = arg
        out = np.take_along_axis(flat, arg[..., None], axis=-1)[..., 0]
        # PyTorch's indices: flat positions in the unpadded input plane
        ki, kj = arg // k[1], arg % k[1]
        xp_ = array_module(x)
        rows = xp_.arange(ho).reshape(-1, 1) * stride[0] + ki * dil[0] - pad[0]
        cols_ = xp_.arange(wo).reshape(1, -1) * stride[1] + kj * dil[1] - pad[2]
        self.indices = (rows * x.shape[3] + cols_).astype(np.int64)
        return out

    def backward(self, g: Any) -> tuple:
        n, c, h, w = self.x_shape
        top, bottom, left, right = self.pad
        gp = np.zeros_like(g, shape=(n, c, h + top + bottom, w + left + right))
        k = self.k
        # one-hot of each window's argmax, times the gradient (no scatter: runs on CuPy too)
        hot = self.arg[..., None] == array_module(g).arange(k[0] * k[1])
        cols = (hot * g[..., None]).reshape(*g.shape, k[0], k[1])
        scatter_windows(gp, cols, k, self.stride, self.dil)
        return (gp[:, :, top : top + h, left : left + w],)


class AvgPool2DBackward0(Node):
    """d avgpool(x) = g / divisor spread over each window"""

    saves = ("self",)

    def forward(self, x: Any, k: tuple, stride: tuple, pad: Pad4, divisor: Any) -> Any:
        self.x_shape, self.k, self.stride, self.pad = x.shape, k, stride, pad
        xp = pad_hw(x, pad)
        ho = out_size(xp.shape[2], k[0], stride[0], 0, 1)
        wo = out_size(xp.shape[3], k[1], stride[1], 0, 1)
        self.divisor = divisor
        s = windows(xp, k, stride, (1, 1), (ho, wo)).sum(axis=(4, 5))
        return (s / divisor).astype(x.dtype, copy=False)

    def backward(self, g: Any) -> tuple:
        n, c, h, w = self.x_shape
        top, bottom, left, right = self.pad
        gp = np.zeros_like(g, shape=(n, c, h + top + bottom, w + left + right))
        share = (g / self.divisor).astype(g.dtype, copy=False)
        cols = np.broadcast_to(share[..., None, None], (*g.shape, *self.k))
        scatter_windows(gp, cols, self.k, self.stride, (1, 1))
        return (gp[:, :, top : top + h, left : left + w],)


def adaptive_matrix(size: int, out: int, like: Any) -> Any:
    """Row i averages input positions floor(i*size/out) .. ceil((i+1)*size/out) - 1."""
    m = np.zeros_like(like, shape=(out, size))
    for i in range(out):
        lo, hi = (i * size) // out, -(-((i + 1) * size) // out)
        m[i, lo:hi] = 1.0 / (hi - lo)
    return m


class AdaptiveAvgPool2DBackward0(Node):
    """d adaptive_avg_pool(x) = Ph^T g Pw  (the pooling is Ph x Pw^T)"""

    saves = ("self",)

    def forward(self, x: Any, out_hw: tuple) -> Any:
        self.ph = adaptive_matrix(x.shape[-2], out_hw[0], x)
        self.pw = adaptive_matrix(x.shape[-1], out_hw[1], x)
        return np.matmul(np.matmul(self.ph, x), self.pw.T)

    def backward(self, g: Any) -> tuple:
        return (np.matmul(np.matmul(self.ph.T, g), self.pw),)
