"""Pooling functions of ``nn.functional`` (max, average, adaptive average)."""

from __future__ import annotations

from typing import Any

import numpy as np

from core import backend
from core.autograd.function import apply_op
from core.nn._functional_util import _pair
from core.ops import conv as C
from core.ops.nn_util import apply_optional
from core.tensor import Tensor


# --- pooling -------------------------------------------------------------------------------------
def _pool_geometry(
    x: Tensor, kernel_size: Any, stride: Any, padding: Any, dilation: Any, ceil_mode: bool
) -> tuple:
    k = _pair(kernel_size)
    s = k if stride is None or (isinstance(stride, (list, tuple)) and not stride) else _pair(stride)
    p, d = _pair(padding), _pair(dilation)
    for i in range(2):
        if p[i] > ((k[i] - 1) * d[i] + 1) // 2:
            raise RuntimeError(
                f"pad should be at most half of effective kernel size, but got pad={p[i]}, "
                f"kernel_size={k[i]} and dilation={d[i]}"
            )
    h, w = x.shape[-2:]
    ho = C.out_size(h, k[0], s[0], 2 * p[0], d[0], ceil_mode, p[0])
    wo = C.out_size(w, k[1], s[1], 2 * p[1], d[1], ceil_mode, p[1])
    if ho <= 0 or wo <= 0:
        raise RuntimeError(
            f"Given input size: ({x.shape[-3]}x{h}x{w}). Calculated output size: "
            f"({x.shape[-3]}x{ho}x{wo}). Output size is too small"
        )
    # extra bottom/right padding so that ceil_mode's last window fits
    extra_h = max((ho - 1) * s[0] + d[0] * (k[0] - 1) + 1 - (h + 2 * p[0]), 0)
    extra_w = max((wo - 1) * s[1] + d[1] * (k[1] - 1) + 1 - (w + 2 * p[1]), 0)
    pad = (p[0], p[0] + extra_h, p[1], p[1] + extra_w)
    return k, s, p, d, pad, (ho, wo)


def _batched(input: Tensor, name: str) -> None:
    if input.ndim not in (3, 4):
        if name == "avg_pool2d" and input.ndim < 3:
            raise IndexError(
                f"Dimension out of range (expected to be in range of [{-max(input.ndim, 1)}, "
                f"{max(input.ndim, 1) - 1}], but got -3)"
            )
        raise RuntimeError("non-empty 3D or 4D (batch mode) tensor expected for input")


def max_pool2d(
    input: Tensor,
    kernel_size: Any,
    stride: Any = None,
    padding: Any = 0,
    dilation: Any = 1,
    ceil_mode: bool = False,
    return_indices: bool = False,
) -> Any:
    _batched(input, "max_pool2d")
    k, s, _, d, pad, _ = _pool_geometry(input, kernel_size, stride, padding, dilation, ceil_mode)
    # an unbatched (C, H, W) input is pooled by the same single node, as in PyTorch
    out, node = apply_optional(C.MaxPool2DWithIndicesBackward0, (input,), k, s, pad, d)
    if return_indices:
        idx = node.indices() if input.ndim == 4 else node.indices()[0]
        return out, Tensor._wrap(idx)
    return out


def avg_pool2d(
    input: Tensor,
    kernel_size: Any,
    stride: Any = None,
    padding: Any = 0,
    ceil_mode: bool = False,
    count_include_pad: bool = True,
    divisor_override: int | None = None,
) -> Tensor:
    _batched(input, "avg_pool2d")
    k, s, p, _, pad, (ho, wo) = _pool_geometry(input, kernel_size, stride, padding, 1, ceil_mode)
    for i in range(2):
        if p[i] > k[i] // 2:
            raise RuntimeError(
                "pad should be smaller than or equal to half of kernel size, but got "
                f"padW = {p[1]}, padH = {p[0]}, kW = {k[1]}, kH = {k[0]}"
            )
    if divisor_override is not None:
        divisor: Any = divisor_override
    elif pad == (p[0], p[0], p[1], p[1]) and (count_include_pad or not any(p)):
        divisor = k[0] * k[1]
    else:
        # count, per window, the cells that PyTorch divides by: the input, plus the declared
        # padding when count_include_pad, never the overhang that ceil_mode adds
        h, w = input.shape[-2:]
        mask = np.zeros((1, 1, h + pad[0] + pad[1], w + pad[2] + pad[3]), dtype=input._data.dtype)
        if count_include_pad:
            mask[:, :, : h + 2 * p[0], : w + 2 * p[1]] = 1
        else:
            mask[:, :, p[0] : p[0] + h, p[1] : p[1] + w] = 1
        divisor = C.pool_windows_sum(mask[0, 0], k, s, (ho, wo))
        if not isinstance(input._data, np.ndarray):
            divisor = backend.to_device(divisor, "cuda", input.device.index or 0)
    out, _ = apply_optional(C.AvgPool2DBackward0, (input,), k, s, pad, divisor)
    return out


def adaptive_avg_pool2d(input: Tensor, output_size: Any) -> Tensor:
    if input.ndim not in (3, 4):
        raise RuntimeError(
            f"adaptive_avg_pool2d(): Expected 3D or 4D tensor, but got {list(input.shape)}"
        )
    size = output_size if isinstance(output_size, (tuple, list)) else (output_size, output_size)
    oh = int(size[0]) if size[0] is not None else input.shape[-2]
    ow = int(size[1]) if size[1] is not None else input.shape[-1]
    if oh == 1 and ow == 1:
        return input.mean((-1, -2), keepdim=True)  # PyTorch's shortcut: one MeanBackward1
    return apply_op(C.AdaptiveAvgPool2DBackward0, (input,), (oh, ow))
