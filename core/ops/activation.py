"""Activation ops with PyTorch's nodes (ReLU, Sigmoid and Tanh live in ``elementwise``)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from core import backend
from core.autograd.function import Node


def _sigmoid(a: Any) -> Any:
    e = np.exp(-np.abs(a))  # exp of -|a| only: no overflow for large inputs
    return np.where(a >= 0, 1 / (1 + e), e / (1 + e)).astype(a.dtype, copy=False)


def erf(a: Any) -> Any:
    """The error function at full precision, on either device."""
    return backend.erf(a)


class LeakyReluBackward0(Node):
    """d leaky_relu(a) = da where a > 0, slope * da elsewhere"""

    saves = ("self",)

    def forward(self, a: Any, slope: float) -> Any:
        self.a, self.slope = a, slope
        return np.where(a > 0, a, a * slope).astype(a.dtype, copy=False)

    def backward(self, g: Any) -> tuple:
        return (np.where(self.a > 0, g, g * self.slope),)


class EluBackward0(Node):
    """d elu(a) = da where a > 0, alpha * exp(a) da elsewhere"""

    saves = ("self",)

    def forward(self, a: Any, alpha: float) -> Any:
        self.a, self.alpha = a, alpha
        neg = alpha * np.expm1(np.minimum(a, 0))
        return np.where(a > 0, a, neg).astype(a.dtype, copy=False)

    def backward(self, g: Any) -> tuple:
        a = self.a
        return (np.where(a > 0, g, g * self.alpha * np.exp(np.minimum(a, 0))),)


class LeakyReluBackward1(Node):
    """d leaky_relu_(a) = da where result > 0, slope * da elsewhere (in place: saves the result)"""

    saves_result = True

    def forward(self, a: Any, slope: float) -> Any:
        self.slope = slope
        self.out = np.where(a > 0, a, a * slope).astype(a.dtype, copy=False)
        return self.out

    def backward(self, g: Any) -> tuple:
        return (np.where(self.out > 0, g, g * self.slope),)


class EluBackward1(Node):
    """d elu_(a) = da where result > 0, (result + alpha) da elsewhere (in place: saves the result)"""

    saves_result = True

    def forward(self, a: Any, alpha: float) -> Any:
        self.alpha = alpha
        neg = alpha * np.expm1(np.minimum(a, 0))
        self.out = np.where(a > 0, a, neg).astype(a.dtype, copy=False)
        return self.out

    def backward(self, g: Any) -> tuple:
        o = self.out
        return (np.where(o > 0, g, g * (o + self.alpha)),)


_SQRT_2_OVER_PI = math.sqrt(2 / math.pi)


class GeluBackward0(Node):
    """d gelu(a) = (Phi(a) + a phi(a)) da  (or the derivative of the tanh approximation)"""

    saves = ("self",)

    def forward(self, a: Any, approximate: str) -> Any:
        self.a, self.approximate = a, approximate
        if approximate == "tanh":
            inner = _SQRT_2_OVER_PI * (a + 0.044715 * a * a * a)
            return (0.5 * a * (1 + np.tanh(inner))).astype(a.dtype, copy=False)
        # erf is the costly part (exact, per element): keep Phi(a) for the backward
        self.cdf = 0.5 * (1 + erf(a / math.sqrt(2)))
        return (a * self.cdf).astype(a.dtype, copy=False)

    def backward(self, g: Any) -> tuple:
        a = self.a
        if self.approximate == "tanh":
            inner = _SQRT_2_OVER_PI * (a + 0.044715 * a * a * a)
            t = np.tanh(inner)
            d_inner = _SQRT_2_OVER_PI * (1 + 3 * 0.044715 * a * a)
            return (g * (0.5 * (1 + t) + 0.5 * a * (1 - t * t) * d_inner),)
        pdf = np.exp(-0.5 * a * a) / math.sqrt(2 * math.pi)
        return (g * (self.cdf + a * pdf),)


class SiluBackward0(Node):
    """d (a sigmoid(a)) = s (1 + a (1 - s)) da"""

    saves = ("self",)

    def forward(self, a: Any) -> Any:
        self.a = a
        return a * _sigmoid(a)

    def backward(self, g: Any) -> tuple:
        a = self.a
        s = _sigmoid(a)
        return (g * s * (1 + a * (1 - s)),)


class SoftplusBackward0(Node):
    """d softplus(a) = sigmoid(beta a) da  (identity above the threshold)"""

    saves = ("self",)

    def forward(self, a: Any, beta: float, threshold: float) -> Any:
        self.a, self.beta, self.threshold = a, beta, threshold
        z = a * beta
        soft = (np.maximum(z, 0) + np.log1p(np.exp(-np.abs(z)))) / beta
        return np.where(z > threshold, a, soft).astype(a.dtype, copy=False)

    def backward(self, g: Any) -> tuple:
        z = self.a * self.beta
        return (np.where(z > self.threshold, g, g * _sigmoid(z)),)


class SoftmaxBackward0(Node):
    """d softmax(a) = s * (g - sum(g * s))  along dim"""

    saves_result = True

    def forward(self, a: Any, dim: int) -> Any:
        self.dim = dim
        # a row of -inf gives NaN, silently as in torch
        e = np.exp(a - a.max(axis=dim, keepdims=True))
        self.out = e / e.sum(axis=dim, keepdims=True)
        return self.out

    def backward(self, g: Any) -> tuple:
        s = self.out
        return (s * (g - (g * s).sum(axis=self.dim, keepdims=True)),)


class LogSoftmaxBackward0(Node):
    """d log_softmax(a) = g - softmax(a) * sum(g)  along dim"""

    saves_result = True

    def forward(self, a: Any, dim: int) -> Any:
        self.dim = dim
        # -inf rows: NaN, as in torch
        out = a - a.max(axis=dim, keepdims=True)
        total = np.exp(out).sum(axis=dim, keepdims=True)
        out -= np.log(total, out=total)
        self.out = out
        return out

    def backward(self, g: Any) -> tuple:
        grad = np.exp(self.out)
        grad *= g.sum(axis=self.dim, keepdims=True)
        return (np.subtract(g, grad, out=grad),)
