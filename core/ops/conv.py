"""Convolution and pooling on NCHW arrays: strided windows, matmuls, one ``+=`` per kernel offset.

im2col copies a strided view of all the windows of the padded input once (no Python loop over
pixels); the forward is then one matmul per group for the whole batch, and col2im adds the
gradient back with one strided ``+=`` per kernel offset. Pools loop over the offsets too (a
running max or a running sum). Only array methods and ``np.*`` functions are used, so the same
code runs on NumPy and CuPy.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from core.autograd.function import Node
from core.backend import array_module
from core.mkl_gemm import batched_matmul

Pad4 = tuple[int, int, int, int]  # top, bottom, left, right


def pad_hw(x: Any, pad: Pad4, value: float = 0.0) -> Any:
    top, bottom, left, right = pad
    if not any(pad):
        return x
    n, c, h, w = x.shape
    out = array_module(x).full((n, c, h + top + bottom, w + left + right), value, dtype=x.dtype)
    out[:, :, top : top + h, left : left + w] = x
    return out


def offset_slice(i: int, j: int, stride: tuple, dil: tuple, out_hw: tuple) -> tuple:
    """The (.., .., rows, cols) slice of a padded plane that kernel offset (i, j) reads."""
    r, c = i * dil[0], j * dil[1]
    return (
        slice(None),
        slice(None),
        slice(r, r + stride[0] * (out_hw[0] - 1) + 1, stride[0]),
        slice(c, c + stride[1] * (out_hw[1] - 1) + 1, stride[1]),
    )


def im2col(xp: Any, k: tuple, stride: tuple, dil: tuple, out_hw: tuple) -> Any:
    """``(C, kh, kw, N, Ho, Wo)``: a strided view of the windows, copied once.

    Channels first, batch inside: reshaped to ``(C*kh*kw, N*Ho*Wo)`` it is the right operand of
    one large matmul for the whole batch (and of one per group).
    """
    n, c = xp.shape[:2]
    s0, s1, s2, s3 = xp.strides
    shape = (c, k[0], k[1], n, out_hw[0], out_hw[1])
    strides = (s1, s2 * dil[0], s3 * dil[1], s0, s2 * stride[0], s3 * stride[1])
    view = array_module(xp).lib.stride_tricks.as_strided(xp, shape, strides)
    return np.ascontiguousarray(view)


def col2im(gpt: Any, cols: Any, stride: tuple, dil: tuple) -> None:
    """Add ``cols`` (C, kh, kw, N, Ho, Wo) into the padded gradient ``gpt`` (C, N, Hp, Wp)."""
    kh, kw, _, ho, wo = cols.shape[1:]
    for i in range(kh):
        for j in range(kw):
            gpt[offset_slice(i, j, stride, dil, (ho, wo))] += cols[:, i, j]


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
    """d conv(x, w) + b: dx = col2im(W^T g), dW = g cols^T, db = sum(g)"""

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
        n, c, o = x.shape[0], x.shape[1], w.shape[0]
        self.cols = cols = im2col(xp, k, stride, dil, (ho, wo))
        cg, og = c // groups, o // groups
        flat = cols.reshape(groups, cg * k[0] * k[1], n * ho * wo)
        wg = w.reshape(groups, og, -1)
        # per group: (O/g, C/g*kh*kw) @ (C/g*kh*kw, N*Ho*Wo); batched over groups
        out = batched_matmul(wg, flat).reshape(o, n, ho, wo)
        if b is not None:
            out += b.reshape(-1, 1, 1, 1)
        return np.ascontiguousarray(out.transpose(1, 0, 2, 3))

    def backward(self, g: Any) -> tuple:
        need = self.needs_input_grad
        w, groups, cols = self.w, self.groups, self.cols
        n, o, ho, wo = g.shape
        og = o // groups
        gt = np.ascontiguousarray(g.transpose(1, 0, 2, 3)).reshape(groups, og, n * ho * wo)
        _, c, h, wd = self.x_shape
        kk = w.shape[2] * w.shape[3]
        flat = cols.reshape(groups, (c // groups) * kk, n * ho * wo)
        gx = gw = gb = None
        if need[0]:
            top, bottom, left, right = self.pad
            gpt = np.zeros_like(g, shape=(c, n, h + top + bottom, wd + left + right))
            wg = w.reshape(groups, og, -1)
            gcols = batched_matmul(wg.transpose(0, 2, 1), gt)  # groups, C/g*kh*kw, N*Ho*Wo
            col2im(gpt, gcols.reshape(c, *w.shape[2:], n, ho, wo), self.stride, self.dil)
            gx = np.ascontiguousarray(
                gpt[:, :, top : top + h, left : left + wd].transpose(1, 0, 2, 3)
            )
        if need[1]:
            # (cols @ g^T)^T: BLAS is markedly faster with the long axis inside than outside
            gw = batched_matmul(flat, gt.transpose(0, 2, 1)).transpose(0, 2, 1).reshape(w.shape)
        if len(need) > 2 and need[2]:
            gb = gt.sum(axis=2).reshape(-1)
        return gx, gw, gb


class MaxPool2DWithIndicesBackward0(Node):
    """d maxpool(x) = g routed to the (first) maximum of each window"""

    saves = ("self",)

    def forward(self, x: Any, k: tuple, stride: tuple, pad: Pad4, dil: tuple) -> Any:
        self.unbatched = x.ndim == 3  # (C, H, W): pooled as a batch of one
        if self.unbatched:
            x = x[None]
        self.x_shape, self.k, self.stride, self.pad, self.dil = x.shape, k, stride, pad, dil
        self.xp = xp = pad_hw(x, pad, -np.inf)
        self.out_hw = (
            out_size(xp.shape[2], k[0], stride[0], 0, dil[0]),
            out_size(xp.shape[3], k[1], stride[1], 0, dil[1]),
        )
        # where each maximum sits is worked out only if needed (backward, return_indices)
        out = self._max()
        return out[0] if self.unbatched else out

    def _max(self) -> Any:
        """A running maximum over the kernel offsets (np.maximum propagates NaN, as ATen does)."""
        xp, k, hw = self.xp, self.k, self.out_hw
        out = xp[offset_slice(0, 0, self.stride, self.dil, hw)].copy()
        for i in range(k[0]):
            for j in range(k[1]):
                if i or j:
                    np.maximum(out, xp[offset_slice(i, j, self.stride, self.dil, hw)], out=out)
        return out

    def _first_max_masks(self) -> Any:
        """Yield ((i, j), mask) per kernel offset: where that offset holds the first maximum.

        Recomputed from the saved input, so an in-place change of the output (a ReLU with
        inplace=True after the pool) cannot misroute the gradient. NaN counts as the maximum.
        """
        k, xp, out, hw = self.k, self.xp, self._max(), self.out_hw
        nan = np.isnan(out)
        has_nan = bool(nan.any())
        free = None  # windows whose maximum is not yet claimed by an earlier offset
        for i in range(k[0]):
            for j in range(k[1]):
                s = xp[offset_slice(i, j, self.stride, self.dil, hw)]
                hit = s == out
                if has_nan:
                    hit |= np.isnan(s) & nan
                if free is None:
                    free = ~hit
                else:
                    hit &= free
                    free &= ~hit
                yield (i, j), hit

    def indices(self) -> Any:
        """PyTorch's indices: flat positions of the maxima in each unpadded input plane."""
        arg = np.zeros_like(self.xp, shape=(*self.xp.shape[:2], *self.out_hw), dtype=np.int64)
        for (i, j), hit in self._first_max_masks():
            np.copyto(arg, i * self.k[1] + j, where=hit)
        k, (ho, wo) = self.k, self.out_hw
        xp_ = array_module(arg)
        rows = xp_.arange(ho).reshape(-1, 1) * self.stride[0] + (arg // k[1]) * self.dil[0]
        cols = xp_.arange(wo).reshape(1, -1) * self.stride[1] + (arg % k[1]) * self.dil[1]
        return (rows - self.pad[0]) * self.x_shape[3] + cols - self.pad[2]

    def backward(self, g: Any) -> tuple:
        if self.unbatched:
            g = g[None]
        n, c, h, w = self.x_shape
        top, bottom, left, right = self.pad
        gp = np.zeros_like(g, shape=(n, c, h + top + bottom, w + left + right))
        for (i, j), hit in self._first_max_masks():
            gp[offset_slice(i, j, self.stride, self.dil, self.out_hw)] += g * hit
        gx = gp[:, :, top : top + h, left : left + w]
        return (gx[0] if self.unbatched else gx,)


class AvgPool2DBackward0(Node):
    """d avgpool(x) = g / divisor spread over each window"""

    saves = ("self",)

    def forward(self, x: Any, k: tuple, stride: tuple, pad: Pad4, divisor: Any) -> Any:
        self.unbatched = x.ndim == 3  # (C, H, W): pooled as a batch of one
        if self.unbatched:
            x = x[None]
        self.x_shape, self.k, self.stride, self.pad = x.shape, k, stride, pad
        xp = pad_hw(x, pad)
        hw = (
            out_size(xp.shape[2], k[0], stride[0], 0, 1),
            out_size(xp.shape[3], k[1], stride[1], 0, 1),
        )
        self.divisor, self.out_hw = divisor, hw
        s = xp[offset_slice(0, 0, stride, (1, 1), hw)].copy()
        for i in range(k[0]):
            for j in range(k[1]):
                if i or j:
                    s += xp[offset_slice(i, j, stride, (1, 1), hw)]
        out = (s / divisor).astype(x.dtype, copy=False)
        return out[0] if self.unbatched else out

    def backward(self, g: Any) -> tuple:
        if self.unbatched:
            g = g[None]
        n, c, h, w = self.x_shape
        top, bottom, left, right = self.pad
        gp = np.zeros_like(g, shape=(n, c, h + top + bottom, w + left + right))
        share = (g / self.divisor).astype(g.dtype, copy=False)
        for i in range(self.k[0]):
            for j in range(self.k[1]):
                gp[offset_slice(i, j, self.stride, (1, 1), self.out_hw)] += share
        gx = gp[:, :, top : top + h, left : left + w]
        return (gx[0] if self.unbatched else gx,)


def pool_windows_sum(mask: Any, k: tuple, stride: tuple, out_hw: tuple) -> Any:
    """Sum of each pooling window of a 2-D array (the avg-pool divisor of a padding mask)."""
    m = mask[None, None]
    s = m[offset_slice(0, 0, stride, (1, 1), out_hw)].copy()
    for i in range(k[0]):
        for j in range(k[1]):
            if i or j:
                s += m[offset_slice(i, j, stride, (1, 1), out_hw)]
    return s[0, 0]


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
