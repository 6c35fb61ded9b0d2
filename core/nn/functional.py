"""``torch.nn.functional``: layers, activations and losses as functions, with PyTorch's graphs.

Each function builds the nodes PyTorch builds for it (``F.linear`` on a matrix is one
``AddmmBackward0``; ``F.cross_entropy`` is ``LogSoftmaxBackward0`` then ``NllLossBackward0``), so
the graph viewer shows what torchviz shows. The fused ops themselves live in ``core/ops``.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from core import backend
from core._dispatch import inplace as _inplace
from core._dispatch import needs_copy_for_inplace, shallow_copy_for_inplace
from core.autograd.function import apply_op
from core.autograd.grad_mode import _state as _grad_state
from core.ops import activation as A
from core.ops import conv as C
from core.ops import elementwise as E
from core.ops import loss as L
from core.ops import norm as N
from core.ops.nn_util import apply_optional
from core.ops.pad import ConstantPadNdBackward0
from core.tensor import Tensor

__all__ = [
    "adaptive_avg_pool2d",
    "avg_pool2d",
    "batch_norm",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "conv2d",
    "cross_entropy",
    "dropout",
    "elu",
    "embedding",
    "gelu",
    "huber_loss",
    "l1_loss",
    "layer_norm",
    "leaky_relu",
    "linear",
    "log_softmax",
    "max_pool2d",
    "mse_loss",
    "nll_loss",
    "one_hot",
    "pad",
    "relu",
    "sigmoid",
    "silu",
    "smooth_l1_loss",
    "softmax",
    "softplus",
    "tanh",
]


def _pair(v: Any) -> tuple[int, int]:
    if isinstance(v, (tuple, list)):
        return (int(v[0]), int(v[0])) if len(v) == 1 else (int(v[0]), int(v[1]))
    return (int(v), int(v))


def _float_name(t: Tensor) -> str:
    return {"float32": "float", "float64": "double", "float16": "c10::Half"}.get(
        t.dtype.name, t.dtype.name
    )


# --- linear and convolution ----------------------------------------------------------------------
def linear(input: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """``input @ weight.T + bias``: one AddmmBackward0 on a matrix, views around it otherwise."""
    from core._linalg_fns import addmm

    if bias is None:
        return input.matmul(weight.t())
    if bias._data.dtype != input._data.dtype and input._data.dtype == weight._data.dtype:
        raise RuntimeError(
            f"self and mat2 must have the same dtype, but got {_legacy(bias)} and {_legacy(input)}"
        )
    if input.ndim == 2:
        return addmm(bias, input, weight.t())
    if input.ndim == 0:
        raise RuntimeError(
            "both arguments to linear need to be at least 1D, but they are 0D and 2D"
        )
    if not input.is_contiguous() or bias.ndim != 1:
        # PyTorch's general path: matmul, then the bias added (AddBackward0 on top)
        return input.matmul(weight.t()) + bias
    # contiguous N-D input: flattened to a matrix around one fused addmm, as in PyTorch
    out = addmm(bias, input.view(-1, input.shape[-1]), weight.t())
    return out.view(*input.shape[:-1], weight.shape[0])


def conv2d(
    input: Tensor,
    weight: Tensor,
    bias: Tensor | None = None,
    stride: Any = 1,
    padding: Any = 0,
    dilation: Any = 1,
    groups: int = 1,
) -> Tensor:
    """2-D convolution (cross-correlation), one ConvolutionBackward0 with the bias inside."""
    if input.ndim not in (3, 4):
        raise RuntimeError(
            "Expected 3D (unbatched) or 4D (batched) input to conv2d, but got input of size: "
            f"{list(input.shape)}"
        )
    if input.ndim == 3:  # unbatched: PyTorch records Unsqueeze/Squeeze around the node
        out = conv2d(input.unsqueeze(0), weight, bias, stride, padding, dilation, groups)
        return out.squeeze(0)
    stride, dilation = _pair(stride), _pair(dilation)
    k = tuple(weight.shape[2:])
    if isinstance(padding, str):
        if padding == "valid":
            pad = (0, 0, 0, 0)
        elif padding == "same":
            if stride != (1, 1):
                raise ValueError("padding='same' is not supported for strided convolutions")
            th, tw = dilation[0] * (k[0] - 1), dilation[1] * (k[1] - 1)
            pad = (th // 2, th - th // 2, tw // 2, tw - tw // 2)
        else:
            raise ValueError(f"Invalid padding string '{padding}'")
    else:
        ph, pw = _pair(padding)
        pad = (ph, ph, pw, pw)
    if input.shape[1] != weight.shape[1] * groups:
        raise RuntimeError(
            f"Given groups={groups}, weight of size {list(weight.shape)}, expected input"
            f"{list(input.shape)} to have {weight.shape[1] * groups} channels, but got "
            f"{input.shape[1]} channels instead"
        )
    if input._data.dtype != weight._data.dtype:
        raise RuntimeError(f"expected scalar type {_legacy(input)} but found {_legacy(weight)}")
    if bias is not None and bias._data.dtype != input._data.dtype:
        raise RuntimeError(
            f"Input type ({_float_name(input)}) and bias type ({_float_name(bias)}) should be the "
            "same"
        )
    hp, wp = input.shape[2] + pad[0] + pad[1], input.shape[3] + pad[2] + pad[3]
    eh, ew = dilation[0] * (k[0] - 1) + 1, dilation[1] * (k[1] - 1) + 1
    if hp < eh or wp < ew:
        raise RuntimeError(
            f"Calculated padded input size per channel: ({hp} x {wp}). Kernel size: "
            f"({eh} x {ew}). Kernel size can't be greater than actual input size"
        )
    out, _ = apply_optional(
        C.ConvolutionBackward0, (input, weight, bias), stride, pad, dilation, groups
    )
    return out


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


# --- activations ---------------------------------------------------------------------------------
def _act(cls: type, input: Tensor, inplace: bool, *params: Any, inplace_cls: Any = None) -> Tensor:
    if not inplace:
        return apply_op(cls, (input,), *params)
    cls = inplace_cls or cls
    # an op that saves its input must see the values from before they are overwritten
    src = shallow_copy_for_inplace(input) if needs_copy_for_inplace(cls, input) else input
    return _inplace(input, apply_op(cls, (src,), *params))


def relu(input: Tensor, inplace: bool = False) -> Tensor:
    return _act(E.ReluBackward0, input, inplace)


def relu_(input: Tensor) -> Tensor:
    return relu(input, True)


def leaky_relu(input: Tensor, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:
    return _act(
        A.LeakyReluBackward0, input, inplace, negative_slope, inplace_cls=A.LeakyReluBackward1
    )


def elu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    return _act(A.EluBackward0, input, inplace, alpha, inplace_cls=A.EluBackward1)


def gelu(input: Tensor, approximate: str = "none") -> Tensor:
    if approximate not in ("none", "tanh"):
        raise RuntimeError("approximate argument must be either none or tanh.")
    return apply_op(A.GeluBackward0, (input,), approximate)


def silu(input: Tensor, inplace: bool = False) -> Tensor:
    return _act(A.SiluBackward0, input, inplace)


def sigmoid(input: Tensor) -> Tensor:
    return input.sigmoid()  # the method promotes integer inputs to float, as torch.sigmoid


def tanh(input: Tensor) -> Tensor:
    return input.tanh()


def softplus(input: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    return apply_op(A.SoftplusBackward0, (input,), beta, threshold)


def _softmax_dim(name: str, ndim: int) -> int:
    warnings.warn(
        f"Implicit dimension choice for {name} has been deprecated. Change the call to include "
        "dim=X as an argument.",
        UserWarning,
        stacklevel=3,
    )
    return 0 if ndim in (0, 1, 3) else 1


def _dim_softmax(cls: type, name: str, input: Tensor, dim: Any, dtype: Any) -> Tensor:
    if dim is None:
        dim = _softmax_dim(name, input.ndim)
    if dtype is not None:
        input = input.to(dtype)
    elif not input.is_floating_point():
        raise NotImplementedError(
            f"\"{name}_lastdim_kernel_impl\" not implemented for '{_legacy(input)}'"
        )
    n = max(input.ndim, 1)
    if not -n <= dim < n:
        raise IndexError(
            f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], but got {dim})"
        )
    if input.ndim == 0:
        return apply_op(cls, (input,), None)
    return apply_op(cls, (input,), dim % n)


def softmax(
    input: Tensor, dim: int | None = None, _stacklevel: int = 3, dtype: Any = None
) -> Tensor:
    return _dim_softmax(A.SoftmaxBackward0, "softmax", input, dim, dtype)


def log_softmax(
    input: Tensor, dim: int | None = None, _stacklevel: int = 3, dtype: Any = None
) -> Tensor:
    return _dim_softmax(A.LogSoftmaxBackward0, "log_softmax", input, dim, dtype)


# --- dropout, normalisation, embedding -----------------------------------------------------------
def dropout(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """Zeroes each element with probability p and scales the rest by 1/(1-p).

    On the CPU PyTorch records this as ``input * noise`` (one MulBackward0); so does core. The
    noise comes from ``core.random.default_generator``, so a seed reproduces it.
    """
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if not training or p == 0.0:
        return input
    from core.random import default_generator

    keep = default_generator._np.random(tuple(input.shape)) >= p
    dt = input._data.dtype
    noise = keep.astype(dt) / dt.type(1 - p) if p < 1 else np.zeros((), dtype=dt)
    if not isinstance(input._data, np.ndarray):
        noise = backend.to_device(noise, "cuda", input.device.index or 0)
    return input.mul_(Tensor._wrap(noise)) if inplace else input * Tensor._wrap(noise)


def batch_norm(
    input: Tensor,
    running_mean: Tensor | None,
    running_var: Tensor | None,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    training: bool = False,
    momentum: float = 0.1,
    eps: float = 1e-5,
) -> Tensor:
    if training:
        size = input.numel() // input.shape[1]
        if size == 1:
            raise ValueError(
                "Expected more than 1 value per channel when training, got input size "
                f"{input.size()}"
            )
    elif running_mean is None or running_var is None:
        raise RuntimeError("running_mean must be defined in evaluation mode")
    rm = running_mean._data if running_mean is not None else None
    rv = running_var._data if running_var is not None else None
    out, _ = apply_optional(
        N.NativeBatchNormBackward0, (input, weight, bias), rm, rv, training, momentum, eps
    )
    if training and running_mean is not None:
        running_mean._bump()
        running_var._bump()
    return out


def layer_norm(
    input: Tensor,
    normalized_shape: Any,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    eps: float = 1e-5,
) -> Tensor:
    ns = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
    k = len(ns)
    if tuple(input.shape[input.ndim - k :]) != ns or input.ndim < k:
        raise RuntimeError(
            f"Given normalized_shape={list(ns)}, expected input with shape [*, "
            f"{', '.join(str(s) for s in ns)}], but got input of size{list(input.shape)}"
        )
    out, _ = apply_optional(N.NativeLayerNormBackward0, (input, weight, bias), k, eps)
    return out


def embedding(
    input: Tensor,
    weight: Tensor,
    padding_idx: int | None = None,
    max_norm: float | None = None,
    norm_type: float = 2.0,
    scale_grad_by_freq: bool = False,
    sparse: bool = False,
) -> Tensor:
    if input._data.dtype.kind not in "iu":
        raise RuntimeError(
            "Expected tensor for argument #1 'indices' to have one of the following scalar types: "
            f"Long, Int; but got torch.{_legacy(input)}Tensor instead (while checking arguments "
            "for embedding)"
        )
    n = weight.shape[0]
    if padding_idx is not None:
        if not -n <= padding_idx < n:
            raise AssertionError("Padding_idx must be within num_embeddings")
        padding_idx %= n
    idx = input._data
    if idx.size and (int(idx.min()) < 0 or int(idx.max()) >= n):
        raise IndexError("index out of range in self")
    if max_norm is not None:
        _embedding_renorm(weight, idx, max_norm, norm_type)
    return apply_op(N.EmbeddingBackward0, (weight,), idx, padding_idx)


def _embedding_renorm(weight: Tensor, idx: Any, max_norm: float, norm_type: float) -> None:
    # PyTorch rescales, in place and outside autograd, the looked-up rows whose norm is too big
    xp = backend.array_module(idx)
    rows = xp.unique(idx.reshape(-1))
    w = weight._data
    norms = (xp.abs(w[rows]) ** norm_type).sum(axis=1) ** (1.0 / norm_type)
    scale = xp.where(norms > max_norm, max_norm / (norms + 1e-7), 1.0).astype(w.dtype)
    w[rows] *= scale[:, None]
    weight._bump()


def _legacy(t: Tensor) -> str:
    """PyTorch's scalar type name in messages: Float, Double, Long ..."""
    return {
        "float32": "Float",
        "float64": "Double",
        "float16": "Half",
        "bool": "Bool",
        "uint8": "Byte",
        "int8": "Char",
        "int16": "Short",
        "int32": "Int",
        "int64": "Long",
    }.get(t.dtype.name, t.dtype.name)


def one_hot(tensor: Tensor, num_classes: int = -1) -> Tensor:
    if tensor._data.dtype != np.int64:
        raise RuntimeError("one_hot is only applicable to index tensor of type LongTensor.")
    a = tensor._data
    xp = backend.array_module(a)
    if a.size and int(a.min()) < 0:
        raise RuntimeError("Class values must be non-negative.")
    if num_classes == -1:
        if a.size == 0:
            raise RuntimeError("Can not infer total number of classes from empty tensor.")
        num_classes = int(a.max()) + 1
    elif a.size and int(a.max()) >= num_classes:
        raise RuntimeError("Class values must be smaller than num_classes.")
    return Tensor._wrap((a[..., None] == xp.arange(num_classes)).astype(np.int64))


def pad(input: Tensor, pad: Any, mode: str = "constant", value: float | None = None) -> Tensor:
    if mode not in ("constant", "reflect", "replicate", "circular"):
        raise NotImplementedError(f"Unrecognised padding mode {mode}")
    pad = tuple(int(p) for p in pad)
    if mode != "constant":
        return _pad_by_gather(input, pad, mode)
    if len(pad) % 2:
        raise RuntimeError("Padding length must be divisible by 2")
    if len(pad) // 2 > input.ndim:
        raise RuntimeError(
            "Padding length should be less than or equal to two times the input "
            "dimension but got padding length "
            f"{len(pad)} and input of dimension {input.ndim}"
        )
    return apply_op(ConstantPadNdBackward0, (input,), pad, 0.0 if value is None else value)


def _pad_by_gather(input: Tensor, pad: tuple[int, ...], mode: str) -> Tensor:
    """reflect / replicate / circular over the last len(pad)//2 dims (PyTorch's 1-3 dims)."""
    from core.ops.pad import pad_index, pad_node

    k = len(pad) // 2
    if len(pad) % 2 or not 1 <= k <= 3 or input.ndim not in (k + 1, k + 2):
        raise NotImplementedError(
            f"Only 2D, 3D, 4D, 5D padding with non-constant padding are supported for now; got "
            f"{input.ndim}D input and padding of length {len(pad)} for mode {mode!r}"
        )
    xp = backend.array_module(input._data)
    index = []
    for i in range(k):  # pad lists the last dim first
        dim = input.ndim - 1 - i
        before, after, n = pad[2 * i], pad[2 * i + 1], input.shape[dim]
        too_big = (mode == "reflect" and (before >= n or after >= n)) or (
            mode == "circular" and (before > n or after > n)
        )
        if too_big or n == 0:
            raise RuntimeError(
                f"Argument #4: Padding size should be less than the corresponding input dimension, "
                f"but got: padding ({before}, {after}) at dimension {dim} of input {list(input.shape)}"
            )
        index.insert(0, xp.asarray(pad_index(n, before, after, mode)))
    key = (Ellipsis, *np.ix_(*index)) if xp is np else (Ellipsis, *xp.ix_(*index))
    return apply_op(pad_node(mode, k), (input,), key)


# --- losses --------------------------------------------------------------------------------------
def _reduction_enum(reduction: str, size_average: Any = None, reduce: Any = None) -> int:
    if size_average is not None or reduce is not None:
        size_average = True if size_average is None else size_average
        reduce = True if reduce is None else reduce
        reduction = "mean" if size_average and reduce else "sum" if reduce else "none"
        warnings.warn(
            "size_average and reduce args will be deprecated, please use "
            f"reduction='{reduction}' instead.",
            UserWarning,
            stacklevel=3,
        )
    if reduction not in L.REDUCTIONS:
        raise ValueError(f"{reduction} is not a valid value for reduction")
    return L.REDUCTIONS[reduction]


def _same_size(input: Tensor, target: Tensor) -> tuple[Tensor, Tensor]:
    if tuple(target.shape) != tuple(input.shape):
        warnings.warn(
            f"Using a target size ({target.size()}) that is different to the input size "
            f"({input.size()}). This will likely lead to incorrect results due to broadcasting. "
            "Please ensure they have the same size.",
            UserWarning,
            stacklevel=3,
        )
        shape = np.broadcast_shapes(tuple(input.shape), tuple(target.shape))
        input, target = input.expand(*shape), target.expand(*shape)
    return input, target


def _pair_loss(cls: type, input: Tensor, target: Tensor, red: int, *params: Any) -> Tensor:
    input, target = _same_size(input, target)
    if target._data.dtype != input._data.dtype:
        from core._dispatch import apply_cast, promote

        d = promote(input, target)
        return apply_cast(
            cls,
            (input, target),
            [input._data.astype(d.np, copy=False), target._data.astype(d.np, copy=False)],
            red,
            *params,
        )
    return apply_op(cls, (input, target), red, *params)


def _weighted(
    v: Tensor, weight: Tensor, input: Tensor, reduction: str, mean_by_weight: bool
) -> Any:
    """PyTorch's composite weighted losses: elementwise loss times weight, then reduced."""
    if tuple(weight.shape) != tuple(input.shape):
        raise ValueError("Weights and input must have the same size.")
    v = v * weight
    if reduction == "none":
        return v
    if reduction == "sum":
        return v.sum()
    if reduction == "mean":
        return v.sum() / weight.sum() if mean_by_weight else v.mean()
    raise ValueError(f"Invalid reduction mode: {reduction}. Expected one of 'none', 'mean', 'sum'.")


def _legacy_reduction(reduction: str, size_average: Any, reduce: Any) -> str:
    if size_average is None and reduce is None:
        return reduction
    return {L.NONE: "none", L.MEAN: "mean", L.SUM: "sum"}[
        _reduction_enum(reduction, size_average, reduce)
    ]


def mse_loss(
    input: Tensor,
    target: Tensor,
    size_average: Any = None,
    reduce: Any = None,
    reduction: str = "mean",
    weight: Tensor | None = None,
) -> Tensor:
    if weight is not None:
        reduction = _legacy_reduction(reduction, size_average, reduce)
        x, t = _same_size(input, target)
        return _weighted((x - t).pow(2), weight, input, reduction, True)
    return _pair_loss(
        L.MseLossBackward0, input, target, _reduction_enum(reduction, size_average, reduce)
    )


def l1_loss(
    input: Tensor,
    target: Tensor,
    size_average: Any = None,
    reduce: Any = None,
    reduction: str = "mean",
    weight: Tensor | None = None,
) -> Tensor:
    """PyTorch composes it: (input - target).abs(), then mean or sum."""
    if weight is not None:
        reduction = _legacy_reduction(reduction, size_average, reduce)
        x, t = _same_size(input, target)
        return _weighted((x - t).abs(), weight, input, reduction, True)
    red = _reduction_enum(reduction, size_average, reduce)
    input, target = _same_size(input, target)
    v = (input - target).abs()
    return v.mean() if red == L.MEAN else v.sum() if red == L.SUM else v


def smooth_l1_loss(
    input: Tensor,
    target: Tensor,
    size_average: Any = None,
    reduce: Any = None,
    reduction: str = "mean",
    beta: float = 1.0,
) -> Tensor:
    if beta < 0:
        raise RuntimeError("smooth_l1_loss does not support negative values for beta.")
    return _pair_loss(
        L.SmoothL1LossBackward0,
        input,
        target,
        _reduction_enum(reduction, size_average, reduce),
        beta,
    )


def huber_loss(
    input: Tensor,
    target: Tensor,
    reduction: str = "mean",
    delta: float = 1.0,
    weight: Tensor | None = None,
) -> Tensor:
    if delta <= 0:
        raise RuntimeError("huber_loss does not support non-positive values for delta.")
    if weight is not None:
        v = _pair_loss(L.HuberLossBackward0, input, target, L.NONE, delta)
        return _weighted(v, weight, input, reduction, False)
    return _pair_loss(L.HuberLossBackward0, input, target, _reduction_enum(reduction), delta)


def _no_grad_weight(weight: Tensor | None, fn: str) -> Any:
    if weight is None:
        return None
    if weight.requires_grad and _grad_state.enabled:
        raise RuntimeError(
            f"The function '{fn}' is not differentiable with respect to argument 'weight'. This "
            "input cannot have requires_grad True."
        )
    return weight._data


def nll_loss(
    input: Tensor,
    target: Tensor,
    weight: Tensor | None = None,
    size_average: Any = None,
    ignore_index: int = -100,
    reduce: Any = None,
    reduction: str = "mean",
) -> Tensor:
    """Negative log likelihood; (N, C) and (C,) give NllLossBackward0, (N, C, d1, ...) 2-D."""
    red = _reduction_enum(reduction, size_average, reduce)
    if input.ndim < 1:
        raise ValueError(f"Expected 1 or more dimensions (got {input.ndim})")
    if input.ndim != 1 and input.shape[0] != target.shape[0]:
        raise ValueError(
            f"Expected input batch_size ({input.shape[0]}) to match target batch_size "
            f"({target.shape[0]})."
        )
    if target._data.dtype not in (np.int64, np.uint8):
        raise RuntimeError(f"expected target dtype to be Long or Byte, but got {_legacy(target)}")
    c = input.shape[1] if input.ndim > 1 else input.shape[0]
    w = _no_grad_weight(weight, "nll_loss_forward")
    if w is not None and w.shape != (c,):
        raise RuntimeError(
            f"weight tensor should be defined either for all {c} classes or no classes but got "
            f"weight tensor of shape: {list(weight.shape)}"
        )
    t = target._data
    valid = t != ignore_index
    if t.size and valid.any():
        tv = t[valid]
        lo, hi = int(tv.min()), int(tv.max())
        if lo < 0 or hi >= c:
            raise IndexError(f"Target {hi if hi >= c else lo} is out of bounds.")
    if input.ndim <= 2:
        return apply_op(L.NllLossBackward0, (input,), t, w, red, ignore_index)
    if tuple(target.shape[1:]) != tuple(input.shape[2:]):
        raise RuntimeError(
            f"Expected target size {[input.shape[0], *input.shape[2:]]}, got {list(target.shape)}"
        )
    if input.ndim == 4:
        return apply_op(L.NllLoss2DBackward0, (input,), t, w, red, ignore_index)
    # PyTorch views (N, C, d1, ...) as (N, C, 1, -1) and runs the 2-D loss
    n = input.shape[0]
    out = apply_op(
        L.NllLoss2DBackward0, (input.view(n, c, 1, -1),), t.reshape(n, 1, -1), w, red, ignore_index
    )
    return out.view(n, *input.shape[2:]) if red == L.NONE else out


def cross_entropy(
    input: Tensor,
    target: Tensor,
    weight: Tensor | None = None,
    size_average: Any = None,
    ignore_index: int = -100,
    reduce: Any = None,
    reduction: str = "mean",
    label_smoothing: float = 0.0,
) -> Tensor:
    """log_softmax then nll_loss; probabilities or label smoothing composed as PyTorch does."""
    red = _reduction_enum(reduction, size_average, reduce)
    reduction = {L.NONE: "none", L.MEAN: "mean", L.SUM: "sum"}[red]
    if not 0.0 <= label_smoothing <= 1.0:
        raise RuntimeError(f"label_smoothing must be between 0.0 and 1.0. Got: {label_smoothing}")
    class_dim = 0 if input.ndim == 1 else 1
    n_classes = input.shape[class_dim]
    if target.is_floating_point():
        return _cross_entropy_probs(input, target, weight, red, label_smoothing, class_dim)
    logp = log_softmax(input, class_dim)
    nll = nll_loss(logp, target, weight, ignore_index=ignore_index, reduction=reduction)
    if label_smoothing <= 0.0:
        return nll
    if weight is not None:
        shape = [1] * input.ndim
        shape[class_dim] = n_classes
        smooth = -(logp * weight.view(*shape)).sum(class_dim)
    else:
        smooth = -logp.sum(class_dim)
    ignore = target == ignore_index
    smooth = smooth.masked_fill(ignore, 0.0)
    if red == L.MEAN:
        if weight is not None:
            denom = weight.gather(0, target.masked_select(~ignore).flatten()).sum()
        else:
            denom = (~ignore).sum()
        ret = smooth.sum() / denom
    elif red == L.SUM:
        ret = smooth.sum()
    else:
        ret = smooth
    return _scalar_mul(nll, 1 - label_smoothing) + _scalar_mul(ret, label_smoothing / n_classes)


def _scalar_mul(t: Tensor, s: float) -> Tensor:
    return apply_op(L.MulBackward1, (t,), s)


def _cross_entropy_probs(
    input: Tensor,
    target: Tensor,
    weight: Tensor | None,
    red: int,
    label_smoothing: float,
    class_dim: int,
) -> Tensor:
    if tuple(input.shape) != tuple(target.shape):
        raise RuntimeError(
            f"Expected floating point type target to have the same shape as input, "
            f"but got {list(target.shape)}"
        )
    n_classes = input.shape[class_dim]
    logp = log_softmax(input, class_dim)
    if label_smoothing > 0.0:
        target = target * (1 - label_smoothing) + label_smoothing / n_classes
    prod = logp * target
    if weight is not None:
        shape = [1] * input.ndim
        shape[class_dim] = n_classes
        prod = prod * weight.view(*shape)
    if red == L.MEAN:
        return apply_op(L.DivBackward1, (-prod.sum(),), input.numel() / n_classes)
    if red == L.SUM:
        return -prod.sum()
    return -prod.sum(class_dim)


def binary_cross_entropy(
    input: Tensor,
    target: Tensor,
    weight: Tensor | None = None,
    size_average: Any = None,
    reduce: Any = None,
    reduction: str = "mean",
) -> Tensor:
    red = _reduction_enum(reduction, size_average, reduce)
    if tuple(target.shape) != tuple(input.shape):
        raise ValueError(
            f"Using a target size ({target.size()}) that is different to the input size "
            f"({input.size()}) is deprecated. Please ensure they have the same size."
        )
    a = input._data
    if a.size and (bool((a < 0).any()) or bool((a > 1).any())):
        raise RuntimeError("all elements of input should be between 0 and 1")
    w = _no_grad_weight(weight, "binary_cross_entropy")
    if w is not None and w.shape != a.shape:
        w = np.broadcast_to(w, a.shape)
    return apply_op(L.BinaryCrossEntropyBackward0, (input, target), w, red)


def binary_cross_entropy_with_logits(
    input: Tensor,
    target: Tensor,
    weight: Tensor | None = None,
    size_average: Any = None,
    reduce: Any = None,
    reduction: str = "mean",
    pos_weight: Tensor | None = None,
) -> Tensor:
    red = _reduction_enum(reduction, size_average, reduce)
    if tuple(target.shape) != tuple(input.shape):
        raise ValueError(
            f"Target size ({target.size()}) must be the same as input size ({input.size()})"
        )
    w = _no_grad_weight(weight, "binary_cross_entropy_with_logits")
    if pos_weight is not None and pos_weight.requires_grad and _grad_state.enabled:
        raise RuntimeError(
            "The function 'binary_cross_entropy_with_logits' is not differentiable with respect "
            "to argument 'pos_weight'. This input cannot have requires_grad True."
        )
    pw = pos_weight._data if pos_weight is not None else None
    return apply_op(L.BinaryCrossEntropyWithLogitsBackward0, (input, target), w, pw, red)
