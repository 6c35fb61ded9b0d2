"""Loss functions of ``nn.functional``, each composed as PyTorch composes it."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from core.autograd.function import apply_op
from core.autograd.grad_mode import _state as _grad_state
from core.nn._functional_util import _legacy
from core.ops import loss as L
from core.tensor import Tensor


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


def _log_softmax(input: Tensor, dim: int) -> Tensor:
    # functional imports this module, so its log_softmax is looked up at call time
    from core.nn.functional import log_softmax

    return log_softmax(input, dim)


def _same_size(input: Tensor, target: Tensor) -> tuple[Tensor, Tensor]:
    if target._data.shape != input._data.shape:
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
    # one reduction for the usual case: seen unsigned, a negative target is out of range too
    if t.size and int((t.view(np.uint64) if t.dtype == np.int64 else t).max()) >= c:
        tv = t[t != ignore_index]  # ignored entries may lie outside
        if tv.size:
            lo, hi = int(tv.min()), int(tv.max())
            if lo < 0 or hi >= c:
                raise IndexError(f"Target {hi if hi >= c else lo} is out of bounds.")
    elif not 0 <= ignore_index < c:
        ignore_index = None  # no entry is ignored: the op takes its unweighted fast path
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
    logp = _log_softmax(input, class_dim)
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
    logp = _log_softmax(input, class_dim)
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
