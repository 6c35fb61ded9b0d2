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
from core.nn._functional_util import _float_name, _legacy, _pair
from core.nn._loss_functional import (  # noqa: F401  (re-exported)
    _reduction_enum,
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    cross_entropy,
    huber_loss,
    l1_loss,
    mse_loss,
    nll_loss,
    smooth_l1_loss,
)
from core.nn._pool_functional import (  # noqa: F401  (re-exported)
    adaptive_avg_pool2d,
    avg_pool2d,
    max_pool2d,
)
from core.ops import activation as A
from core.ops import conv as C
from core.ops import elementwise as E
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
    return apply_op(N.EmbeddingBackward0, (weight,), idx, padding_idx, scale_grad_by_freq)


def _embedding_renorm(weight: Tensor, idx: Any, max_norm: float, norm_type: float) -> None:
    # PyTorch rescales, in place and outside autograd, the looked-up rows whose norm is too big
    xp = backend.array_module(idx)
    rows = xp.unique(idx.reshape(-1))
    w = weight._data
    norms = (xp.abs(w[rows]) ** norm_type).sum(axis=1) ** (1.0 / norm_type)
    scale = xp.where(norms > max_norm, max_norm / (norms + 1e-7), 1.0).astype(w.dtype)
    w[rows] *= scale[:, None]
    weight._bump()


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
