"""Unary elementwise ops (and clamp, clone, to): one Node each, with PyTorch's names."""

from __future__ import annotations

from typing import Any

import numpy as np

from core.autograd.function import Node


class NegBackward0(Node):
    """d(-a) = -da"""

    def forward(self, a: Any) -> Any:
        return -a

    def backward(self, g: Any) -> tuple:
        return (-g,)


class AbsBackward0(Node):
    """d|a| = sign(a) da"""

    saves = ("self",)

    def forward(self, a: Any) -> Any:
        self.a = a
        return np.abs(a)

    def backward(self, g: Any) -> tuple:
        return (g * np.sign(self.a),)


class ExpBackward0(Node):
    """d exp(a) = exp(a) da"""

    saves_result = True

    def forward(self, a: Any) -> Any:
        # overflow to inf, silently, as PyTorch
        self.out = np.exp(a)
        return self.out

    def backward(self, g: Any) -> tuple:
        return (g * self.out,)


class LogBackward0(Node):
    """d ln(a) = da / a"""

    saves = ("self",)

    def forward(self, a: Any) -> Any:
        self.a = a
        return np.log(a)

    def backward(self, g: Any) -> tuple:
        return (g / self.a,)


class Log1PBackward0(Node):
    """d ln(1+a) = da / (1+a)"""

    saves = ("self",)

    def forward(self, a: Any) -> Any:
        self.a = a
        return np.log1p(a)

    def backward(self, g: Any) -> tuple:
        return (g / (1 + self.a),)


class SqrtBackward0(Node):
    """d sqrt(a) = da / (2 sqrt(a))"""

    saves_result = True

    def forward(self, a: Any) -> Any:
        self.out = np.sqrt(a)
        return self.out

    def backward(self, g: Any) -> tuple:
        return (g / (2 * self.out),)


class RsqrtBackward0(Node):
    """d a^(-1/2) = -a^(-3/2)/2 da"""

    saves_result = True

    def forward(self, a: Any) -> Any:
        self.out = 1 / np.sqrt(a)
        return self.out

    def backward(self, g: Any) -> tuple:
        o = self.out
        return (g * -0.5 * o * o * o,)


class SinBackward0(Node):
    """d sin(a) = cos(a) da"""

    saves = ("self",)

    def forward(self, a: Any) -> Any:
        self.a = a
        return np.sin(a)

    def backward(self, g: Any) -> tuple:
        return (g * np.cos(self.a),)


class CosBackward0(Node):
    """d cos(a) = -sin(a) da"""

    saves = ("self",)

    def forward(self, a: Any) -> Any:
        self.a = a
        return np.cos(a)

    def backward(self, g: Any) -> tuple:
        return (-g * np.sin(self.a),)


class TanBackward0(Node):
    """d tan(a) = (1 + tan(a)^2) da"""

    saves_result = True

    def forward(self, a: Any) -> Any:
        self.out = np.tan(a)
        return self.out

    def backward(self, g: Any) -> tuple:
        return (g * (1 + self.out * self.out),)


class TanhBackward0(Node):
    """d tanh(a) = (1 - tanh(a)^2) da"""

    saves_result = True

    def forward(self, a: Any) -> Any:
        self.out = np.tanh(a)
        return self.out

    def backward(self, g: Any) -> tuple:
        o = self.out
        return (g * (1 - o * o),)


class SigmoidBackward0(Node):
    """d s(a) = s(a) (1 - s(a)) da"""

    saves_result = True

    def forward(self, a: Any) -> Any:
        # exp of -|a| only, so large inputs neither overflow nor warn; half computed in float
        x = a.astype(np.float32) if a.dtype == np.float16 else a
        e = np.exp(-np.abs(x))
        self.out = np.where(x >= 0, 1 / (1 + e), e / (1 + e)).astype(a.dtype, copy=False)
        return self.out

    def backward(self, g: Any) -> tuple:
        o = self.out
        return (g * o * (1 - o),)


class ReluBackward0(Node):
    """d relu(a) = da where a > 0"""

    saves_result = True

    def forward(self, a: Any) -> Any:
        self.out = np.maximum(a, 0)
        return self.out

    def backward(self, g: Any) -> tuple:
        return (g * (self.out > 0),)


class ClampBackward1(Node):
    """d clamp(a, lo, hi) = da inside [lo, hi], 0 outside  (scalar bounds)"""

    saves = ("self",)

    def forward(self, a: Any, lo: Any, hi: Any) -> Any:
        self.a, self.lo, self.hi = a, lo, hi
        return np.clip(a, lo, hi)

    def backward(self, g: Any) -> tuple:
        a = self.a
        mask = np.ones(a.shape, dtype=bool)
        if self.lo is not None:
            mask &= a >= self.lo
        if self.hi is not None:
            mask &= a <= self.hi
        return (g * mask,)


class ClampMinBackward0(ClampBackward1):
    """d clamp_min(a, lo) = da where a >= lo"""


class ClampMaxBackward0(ClampBackward1):
    """d clamp_max(a, hi) = da where a <= hi"""


class ClampBackward0(Node):
    """d clamp(a, lo, hi) with tensor bounds: the gradient goes to whichever value is returned"""

    saves = ("self", "min", "max")

    def forward(self, a: Any, lo: Any, hi: Any) -> Any:
        self.a, self.lo, self.hi = a, lo, hi
        return np.minimum(np.maximum(a, lo), hi)

    def backward(self, g: Any) -> tuple:
        a, lo, hi = self.a, self.lo, self.hi
        in_range = (a >= lo) & (a <= hi)
        return g * in_range, g * ((a < lo) & (lo <= hi)), g * (hi < np.maximum(a, lo))


class _ZeroGrad(Node):
    """Piecewise-constant ops: the gradient is zero almost everywhere."""

    fn: Any = None

    def forward(self, a: Any) -> Any:
        return type(self).fn(a)

    def backward(self, g: Any) -> tuple:
        return (np.zeros_like(g),)


class FloorBackward0(_ZeroGrad):
    """d floor(a) = 0"""

    fn = staticmethod(np.floor)


class CeilBackward0(_ZeroGrad):
    """d ceil(a) = 0"""

    fn = staticmethod(np.ceil)


class RoundBackward0(_ZeroGrad):
    """d round(a) = 0  (half to even, as PyTorch)"""

    fn = staticmethod(np.round)


class SignBackward0(_ZeroGrad):
    """d sign(a) = 0"""

    fn = staticmethod(lambda a: a.copy() if a.dtype == bool else np.sign(a))


class RoundBackward1(Node):
    """d round(a, decimals) = 0"""

    def forward(self, a: Any, decimals: int) -> Any:
        return np.round(a, decimals)

    def backward(self, g: Any) -> tuple:
        return (np.zeros_like(g),)


class TruncBackward0(_ZeroGrad):
    """d trunc(a) = 0"""

    fn = staticmethod(np.trunc)


class ReciprocalBackward0(Node):
    """d (1/a) = -da / a^2"""

    saves_result = True

    def forward(self, a: Any) -> Any:
        self.out = 1 / a
        return self.out

    def backward(self, g: Any) -> tuple:
        o = self.out
        return (-g * o * o,)


class CloneBackward0(Node):
    """d clone(a) = da"""

    def forward(self, a: Any) -> Any:
        return a.copy()

    def backward(self, g: Any) -> tuple:
        return (g,)


class ToCopyBackward0(Node):
    """d a.to(dtype/device) = da, converted back"""

    def forward(self, a: Any, convert: Any) -> Any:
        self.src_is_numpy = isinstance(a, np.ndarray)
        return convert(a)

    def backward(self, g: Any) -> tuple:
        if self.src_is_numpy and not isinstance(g, np.ndarray):
            from core.backend import to_numpy

            g = to_numpy(g)
        elif not self.src_is_numpy and isinstance(g, np.ndarray):
            from core.backend import to_device

            g = to_device(g, "cuda")
        return (g,)
