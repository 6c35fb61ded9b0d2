"""Elementwise ops. Gradients are computed at the broadcast shape; the engine sums them back."""

from __future__ import annotations

from typing import Any

import numpy as np

from core.autograd.function import Node


def _is_array(x: Any) -> bool:
    return hasattr(x, "shape")


# --- binary arithmetic -------------------------------------------------------------------------
class AddBackward0(Node):
    """d(a + alpha*b) = da + alpha*db"""

    wrapped_scalar = True

    def forward(self, a: Any, b: Any, alpha: Any = 1) -> Any:
        self.alpha = alpha
        return a + b if alpha == 1 else a + alpha * b

    def backward(self, g: Any) -> tuple:
        return g, (g if self.alpha == 1 else g * self.alpha)


class SubBackward0(Node):
    """d(a - alpha*b) = da - alpha*db"""

    wrapped_scalar = True

    def forward(self, a: Any, b: Any, alpha: Any = 1) -> Any:
        self.alpha = alpha
        return a - b if alpha == 1 else a - alpha * b

    def backward(self, g: Any) -> tuple:
        return g, (-g if self.alpha == 1 else g * -self.alpha)


class RsubBackward1(Node):
    """d(s - alpha*a) = -alpha*da  (a Python scalar minus a tensor)"""

    def forward(self, a: Any, s: Any, alpha: Any = 1) -> Any:
        self.alpha = alpha
        return s - a if alpha == 1 else s - alpha * a

    def backward(self, g: Any) -> tuple:
        return (-g if self.alpha == 1 else g * -self.alpha,)


class MulBackward0(Node):
    """d(a*b) = b da + a db"""

    wrapped_scalar = True

    saves = ("self", "other")
    saved_for = (1, 0)

    def forward(self, a: Any, b: Any) -> Any:
        self.a, self.b = a, b
        return a * b

    def backward(self, g: Any) -> tuple:
        need = self.needs_input_grad
        ga = g * self.b if need[0] else None
        gb = g * self.a if len(need) > 1 and need[1] else None
        return ga, gb


class DivBackward0(Node):
    """d(a/b) = da/b - a db/b^2"""

    wrapped_scalar = True

    saves = ("self", "other")
    saved_for = (1, None)

    def forward(self, a: Any, b: Any) -> Any:
        self.a, self.b = a, b
        return a / b  # x/0 is inf or nan, silently (apply_op runs it quiet)

    def backward(self, g: Any) -> tuple:
        need = self.needs_input_grad
        ga = g / self.b if need[0] else None
        gb = -g * self.a / (self.b * self.b) if len(need) > 1 and need[1] else None
        return ga, gb


class DivBackward2(Node):
    """rounded division is piecewise constant: zero gradient"""

    wrapped_scalar = True

    saves = ("self", "other")

    def forward(self, a: Any, b: Any, mode: str) -> Any:
        self.a = a
        q = a / b
        return np.floor(q) if mode == "floor" else np.trunc(q)

    def backward(self, g: Any) -> tuple:
        z = np.zeros_like(g)
        return z, z


class RemainderBackward0(Node):
    """d(a mod s) = da  (s a scalar)"""

    def forward(self, a: Any, s: Any) -> Any:
        return np.remainder(a, s)

    def backward(self, g: Any) -> tuple:
        return (g,)


class RemainderBackward1(Node):
    """d(a mod b) = da - floor(a/b) db"""

    saves = ("self", "other")

    def forward(self, a: Any, b: Any) -> Any:
        self.a, self.b = a, b
        return np.remainder(a, b)

    def backward(self, g: Any) -> tuple:
        return g, -g * np.floor(self.a / self.b)


class FmodBackward0(Node):
    """d fmod(a, s) = da  (s a scalar)"""

    def forward(self, a: Any, s: Any) -> Any:
        return np.fmod(a, s)

    def backward(self, g: Any) -> tuple:
        return (g,)


class FmodBackward1(Node):
    """d fmod(a, b) = da - trunc(a/b) db"""

    saves = ("self", "other")

    def forward(self, a: Any, b: Any) -> Any:
        self.a, self.b = a, b
        return np.fmod(a, b)

    def backward(self, g: Any) -> tuple:
        return g, -g * np.trunc(self.a / self.b)


class NotImplementedBackward(Node):
    """an op PyTorch does not differentiate: backward raises, as PyTorch's NotImplemented node"""

    op = ""

    def forward(self, out: Any, op: str) -> Any:
        self.op = op
        return out

    def backward(self, *grads: Any) -> tuple:
        raise RuntimeError(f"derivative for aten::{self.op} is not implemented")

    def name(self) -> str:
        return "torch::autograd::NotImplemented"


NotImplementedBackward.__name__ = NotImplementedBackward.__qualname__ = "NotImplemented"


class PowBackward0(Node):
    """d(a^p) = p a^(p-1) da  (p a number)"""

    saves = ("self",)

    def forward(self, a: Any, p: Any) -> Any:
        self.a, self.p = a, p
        if p == 2:
            return a * a
        return np.power(a, p)

    def backward(self, g: Any) -> tuple:
        p = self.p
        if p == 0:
            return (np.zeros_like(g),)
        if p == 2:
            return (g * 2 * self.a,)
        return (g * p * np.power(self.a, p - 1),)


class PowBackward1(Node):
    """d(a^b) = b a^(b-1) da + a^b ln(a) db"""

    saves = ("self", "exponent")
    saves_result = True

    def forward(self, a: Any, b: Any) -> Any:
        self.a, self.b = a, b
        self.out = np.power(a, b)
        return self.out

    def backward(self, g: Any) -> tuple:
        a, b = self.a, self.b
        ga = g * b * np.power(a, b - 1)
        gb = g * np.where(a > 0, self.out * np.log(np.where(a > 0, a, 1)), 0)
        return ga, gb


class PowBackward2(Node):
    """d(s^a) = s^a ln(s) da  (s a scalar base)"""

    saves = ("exponent",)  # the tensor is the exponent here
    saves_result = True

    def forward(self, a: Any, s: Any) -> Any:
        self.s = s
        self.out = np.power(np.asarray(s, dtype=a.dtype), a) if np.isscalar(s) else np.power(s, a)
        return self.out

    def backward(self, g: Any) -> tuple:
        return (g * self.out * np.log(self.s),)


class MaximumBackward0(Node):
    """d max(a,b) = da where a>b, db where b>a, half each at ties"""

    saves = ("self", "other")

    def forward(self, a: Any, b: Any) -> Any:
        self.a, self.b = a, b
        return np.maximum(a, b)

    def backward(self, g: Any) -> tuple:
        return _pick(g, self.a, self.b, greater=True)


class MinimumBackward0(Node):
    """d min(a,b) = da where a<b, db where b<a, half each at ties"""

    saves = ("self", "other")

    def forward(self, a: Any, b: Any) -> Any:
        self.a, self.b = a, b
        return np.minimum(a, b)

    def backward(self, g: Any) -> tuple:
        return _pick(g, self.a, self.b, greater=False)


def _pick(g: Any, a: Any, b: Any, greater: bool) -> tuple:
    wa = (a > b) if greater else (a < b)
    tie = a == b
    fa = wa + tie * 0.5
    fb = (~wa & ~tie) + tie * 0.5
    return g * fa.astype(g.dtype), g * fb.astype(g.dtype)


class WhereBackward0(Node):
    """d where(c, a, b) = da where c, db elsewhere"""

    def forward(self, a: Any, b: Any, cond: Any) -> Any:
        self.cond = cond
        return np.where(cond, a, b)

    def backward(self, g: Any) -> tuple:
        z = np.zeros((), dtype=g.dtype)
        return np.where(self.cond, g, z), np.where(self.cond, z, g)


# The unary ops live in core/ops/unary.py; their names stay reachable here.
from core.ops.unary import (  # noqa: E402, F401
    AbsBackward0,
    CeilBackward0,
    ClampBackward0,
    ClampBackward1,
    ClampMaxBackward0,
    ClampMinBackward0,
    CloneBackward0,
    CosBackward0,
    ExpBackward0,
    FloorBackward0,
    Log1PBackward0,
    LogBackward0,
    NegBackward0,
    ReciprocalBackward0,
    ReluBackward0,
    RoundBackward0,
    RoundBackward1,
    RsqrtBackward0,
    SigmoidBackward0,
    SignBackward0,
    SinBackward0,
    SqrtBackward0,
    TanBackward0,
    TanhBackward0,
    ToCopyBackward0,
    TruncBackward0,
    _ZeroGrad,
)
