"""Loss ops with PyTorch's fused nodes, and the scalar-overload nodes its composite losses use.

``reduction`` is 0 (none), 1 (mean) or 2 (sum) as in ATen. Every loss computes its per-element
values, reduces them, and its backward scales the gradient by the reduction's factor.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from core.autograd.function import Node
from core.backend import array_module

NONE, MEAN, SUM = 0, 1, 2


REDUCTIONS = {"none": NONE, "mean": MEAN, "sum": SUM}


def _reduce(v: Any, reduction: int) -> Any:
    if reduction == MEAN:
        return v.sum() / v.size if v.size else v.sum() * np.nan  # PyTorch's NaN, no warning
    if reduction == SUM:
        return v.sum()
    return v


def _spread(g: Any, shape: tuple, reduction: int, dtype: Any) -> Any:
    """The gradient of each element from the gradient of the reduced loss.

    A 0-d factor for mean and sum: it broadcasts in the product with the elementwise derivative.
    """
    if reduction == MEAN:
        size = 1
        for s in shape:
            size *= s
        return (g / size).astype(dtype, copy=False) if size else g
    return g


class _PairLoss(Node):
    """A loss of (input, target) elementwise; ``d_elem`` gives d loss_i / d input_i."""

    saves = ("self", "target")

    def forward(self, x: Any, t: Any, reduction: int, *param: Any) -> Any:
        self.x, self.t, self.reduction, self.param = x, t, reduction, param
        v = self.elem(x, t, *param)  # overflow gives inf silently (apply_op runs it quiet)
        self.shape = v.shape
        return _reduce(v, reduction).astype(x.dtype, copy=False)

    def backward(self, g: Any) -> tuple:
        d = self.d_elem(self.x, self.t, *self.param)  # a new array: scaled in place
        d *= _spread(g, self.shape, self.reduction, self.x.dtype)
        need = self.needs_input_grad
        return d if need[0] else None, (-d if len(need) > 1 and need[1] else None)


class MseLossBackward0(_PairLoss):
    """d (x - t)^2 = 2 (x - t) dx"""

    @staticmethod
    def elem(x: Any, t: Any) -> Any:
        d = x - t
        d *= d
        return d

    def backward(self, g: Any) -> tuple:
        """PyTorch's kernel, in its order: ``norm * (x - t) * g`` with norm = 2/numel (mean)
        or 2, taken to the input's dtype; three passes where the generic path takes five.
        Bit for bit PyTorch's, for the target too."""
        need = self.needs_input_grad
        x, t = self.x, self.t
        gx = self._scaled(x - t, g) if need[0] else None
        # the target's own kernel: (t - x), not -(x - t), whose zeros would print as -0.
        gt = self._scaled(t - x, g) if len(need) > 1 and need[1] else None
        return gx, gt

    def _scaled(self, d: Any, g: Any) -> Any:
        """``norm * d * g`` in place, d broadcast as the forward was (its size is numel)."""
        d *= d.dtype.type(2.0 / d.size if self.reduction == MEAN and d.size else 2.0)
        d *= g
        return d


class SmoothL1LossBackward0(_PairLoss):
    """d smooth_l1 = (x - t)/beta inside |x - t| < beta, sign(x - t) outside"""

    @staticmethod
    def elem(x: Any, t: Any, beta: float) -> Any:
        d = np.abs(x - t)
        if beta == 0:
            return d
        return np.where(d < beta, 0.5 * d * d / beta, d - 0.5 * beta)

    @staticmethod
    def d_elem(x: Any, t: Any, beta: float) -> Any:
        d = x - t
        if beta == 0:
            return np.sign(d)
        return np.where(np.abs(d) < beta, d / beta, np.sign(d))


class HuberLossBackward0(_PairLoss):
    """d huber = (x - t) inside |x - t| < delta, delta sign(x - t) outside"""

    @staticmethod
    def elem(x: Any, t: Any, delta: float) -> Any:
        d = np.abs(x - t)
        return np.where(d < delta, 0.5 * d * d, delta * (d - 0.5 * delta))

    @staticmethod
    def d_elem(x: Any, t: Any, delta: float) -> Any:
        d = x - t
        return np.where(np.abs(d) < delta, d, delta * np.sign(d))


def _log_clamped(p: Any) -> Any:
    return np.maximum(np.log(p), -100)  # PyTorch clamps the logs at -100


class BinaryCrossEntropyBackward0(Node):
    """d bce = w (p - t) / max(p (1 - p), eps) dp,  -w (log p - log(1 - p)) dt"""

    saves = ("self", "target")

    def forward(self, p: Any, t: Any, w: Any, reduction: int) -> Any:
        self.p, self.t, self.w, self.reduction = p, t, w, reduction
        v = -(t * _log_clamped(p) + (1 - t) * _log_clamped(1 - p))
        if w is not None:
            v = v * w
        self.shape = v.shape
        return _reduce(v, reduction).astype(p.dtype, copy=False)

    def backward(self, g: Any) -> tuple:
        p, t, w = self.p, self.t, self.w
        gs = _spread(g, self.shape, self.reduction, p.dtype)
        if w is not None:
            gs = gs * w
        need = self.needs_input_grad
        gp = gt = None
        if need[0]:
            gp = gs * (p - t) / np.maximum((1 - p) * p, 1e-12)
        if len(need) > 1 and need[1]:
            gt = gs * (_log_clamped(1 - p) - _log_clamped(p))
        return gp, gt


class BinaryCrossEntropyWithLogitsBackward0(Node):
    """d bce(sigmoid(x)) = w ((pw t + 1 - t) sigmoid(x) - pw t) dx + w (pw (sp - x) - sp) dt

    With sp = softplus(x) the loss is w (pw t (sp - x) + (1 - t) sp), free of overflow.
    """

    saves = ("self", "target")

    def forward(self, x: Any, t: Any, w: Any, pw: Any, reduction: int) -> Any:
        self.x, self.t, self.w, self.pw, self.reduction = x, t, w, pw, reduction
        # log sigmoid(-x) = -(max(x, 0) + log1p(exp(-|x|))), computed without overflow
        sp = np.maximum(x, 0) + np.log1p(np.exp(-np.abs(x)))  # -log sigmoid(-x)
        self.sp = sp
        v = sp - t * x if pw is None else pw * t * (sp - x) + (1 - t) * sp
        if w is not None:
            v = v * w
        self.shape = v.shape
        return _reduce(v, reduction).astype(x.dtype, copy=False)

    def backward(self, g: Any) -> tuple:
        x, t, w, pw = self.x, self.t, self.w, self.pw
        gs = _spread(g, self.shape, self.reduction, x.dtype)
        if w is not None:
            gs = gs * w
        e = np.exp(-np.abs(x))
        s = np.where(x >= 0, 1 / (1 + e), e / (1 + e))
        need = self.needs_input_grad
        gx = gt = None
        if need[0]:
            gx = gs * (s - t) if pw is None else gs * ((pw * t + 1 - t) * s - pw * t)
        if len(need) > 1 and need[1]:
            sp = self.sp
            gt = -gs * x if pw is None else gs * (pw * (sp - x) - sp)
        return gx, gt


class NllLossBackward0(Node):
    """d nll = -w[t] / total_weight at the target class, 0 elsewhere"""

    saves = ("self",)

    def forward(self, x: Any, t: Any, w: Any, reduction: int, ignore_index: int | None) -> Any:
        # x: (N, C, *) or (C,); t: (N, *) or (); ignore_index None: no entry is ignored
        self.x_shape, self.reduction = x.shape, reduction
        unbatched = x.ndim == 1
        if unbatched:
            x, t = x[None], t.reshape(1)
        xp = array_module(x)
        if w is None and x.ndim == 2 and (ignore_index is None or not (t == ignore_index).any()):
            # the common case (no class weights, nothing ignored): every row weighs 1
            rows = xp.arange(len(t))
            v = -x[rows, t]
            self.safe, self.wt, self.total = t, None, len(t)
        else:
            valid = t != ignore_index if ignore_index is not None else xp.ones(t.shape, bool)
            safe = xp.where(valid, t, 0)
            wt = (w[safe] if w is not None else xp.ones_like(x, shape=safe.shape)) * valid
            wt = wt.astype(x.dtype, copy=False)
            picked = xp.take_along_axis(x, safe[:, None], axis=1)[:, 0]
            v = -picked * wt
            self.safe, self.wt, self.total = safe, wt, wt.sum()
        self.unbatched = unbatched
        if reduction == NONE:
            return v[0] if unbatched else v
        if reduction == SUM:
            return v.sum().astype(x.dtype, copy=False)
        return (v.sum() / self.total).astype(x.dtype, copy=False)

    def backward(self, g: Any) -> tuple:
        shape = self.x_shape if not self.unbatched else (1,) + tuple(self.x_shape)
        wt = self.wt
        if self.reduction == NONE:
            coef = -g.reshape(self.safe.shape)
        elif self.reduction == SUM:
            coef = -g
        else:
            coef = -g / self.total
        if wt is not None:
            coef = coef * wt
        xp = array_module(g)
        coef = xp.asarray(coef, dtype=g.dtype)
        if len(shape) == 2:  # one entry per row: the target class (a 0-d coef broadcasts)
            gx = xp.zeros(shape, dtype=g.dtype)
            gx[xp.arange(shape[0]), self.safe] = coef
        else:  # (N, C, d1, ...): a one-hot along the class axis, scaled
            coef = xp.broadcast_to(coef, self.safe.shape)
            classes = xp.arange(shape[1]).reshape((1, -1) + (1,) * (len(shape) - 2))
            gx = (self.safe[:, None] == classes) * coef[:, None]
        return (gx.reshape(self.x_shape),)


class NllLoss2DBackward0(NllLossBackward0):
    """d nll over (N, C, H, W): -w[t] / total_weight at each pixel's target class"""


class MulBackward1(Node):
    """d (a * s) = s da  (s a Python number: ATen's Scalar overload)"""

    def forward(self, a: Any, s: float) -> Any:
        self.s = s
        return (a * s).astype(a.dtype, copy=False)

    def backward(self, g: Any) -> tuple:
        return (g * self.s,)


class DivBackward1(Node):
    """d (a / s) = da / s  (s a Python number: ATen's Scalar overload)"""

    def forward(self, a: Any, s: float) -> Any:
        self.s = s
        return (a / s).astype(a.dtype, copy=False)

    def backward(self, g: Any) -> tuple:
        return (g / self.s,)
