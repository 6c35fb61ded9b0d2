"""Matrix products. Each keeps PyTorch's node (MmBackward0, AddmmBackward0, ...)."""

from __future__ import annotations

from typing import Any

import numpy as np

from core.autograd.function import Node
from core.mkl_gemm import matmul


def blas_ready(m: Any) -> Any:
    """``m`` as BLAS can take it: NumPy's matmul on a broadcast (zero-stride) or otherwise
    strided operand skips BLAS and runs twice as slow; one contiguous copy is cheaper."""
    flags = m.flags
    if flags.c_contiguous or flags.f_contiguous:
        return m
    return np.ascontiguousarray(m)


def mat2_grad(a: Any, g: Any, b: Any) -> Any:
    """A^T @ g in the memory layout of mat2, as PyTorch's mm_mat2_backward.

    For ``x @ w.t()`` (Linear) mat2 is a transposed view: computing ``(g^T @ A)^T`` makes the
    gradient reaching the weight through TBackward0 C-contiguous, so accumulating it into ``.grad``
    is a plain copy instead of a strided transpose of the whole matrix.
    """
    if b.ndim == 2 and b.flags.f_contiguous and not b.flags.c_contiguous:
        return matmul(g.T, a).T
    return matmul(a.T, g)


class MmBackward0(Node):
    """d(A@B) = dA @ B^T, A^T @ dB"""

    saves = ("self", "mat2")
    saved_for = (1, 0)

    def forward(self, a: Any, b: Any) -> Any:
        self.a, self.b = a, b
        return matmul(blas_ready(a), blas_ready(b))

    def backward(self, g: Any) -> tuple:
        need = self.needs_input_grad
        g = blas_ready(g)
        return (
            matmul(g, self.b.T) if need[0] else None,
            mat2_grad(self.a, g, self.b) if need[1] else None,
        )


class AddmmBackward0(Node):
    """d(beta*C + alpha*A@B): dC = beta g, dA = alpha g B^T, dB = alpha A^T g"""

    saves = ("self", "mat1", "mat2")
    saved_for = (-1, 2, 1)

    def forward(self, c: Any, a: Any, b: Any, beta: Any = 1, alpha: Any = 1) -> Any:
        self.a, self.b, self.beta, self.alpha = a, b, beta, alpha
        out = matmul(blas_ready(a), blas_ready(b))
        if alpha != 1:
            out *= alpha
        out += c if beta == 1 else beta * c
        return out

    def backward(self, g: Any) -> tuple:
        need = self.needs_input_grad
        ga = blas_ready(g) if self.alpha == 1 else g * self.alpha
        return (
            (g if self.beta == 1 else g * self.beta) if need[0] else None,
            matmul(ga, self.b.T) if need[1] else None,
            mat2_grad(self.a, ga, self.b) if need[2] else None,
        )


class BmmBackward0(Node):
    """d(A@B) batched: dA = g @ B^T, dB = A^T @ g"""

    saves = ("self", "mat2")
    saved_for = (1, 0)

    def forward(self, a: Any, b: Any) -> Any:
        self.a, self.b = a, b
        return np.matmul(a, b)

    def backward(self, g: Any) -> tuple:
        need = self.needs_input_grad
        return (
            np.matmul(g, np.swapaxes(self.b, -1, -2)) if need[0] else None,
            np.matmul(np.swapaxes(self.a, -1, -2), g) if need[1] else None,
        )


class MvBackward0(Node):
    """d(A@v) = outer(g, v), A^T @ g"""

    saves = ("self", "vec")
    saved_for = (1, 0)

    def forward(self, a: Any, v: Any) -> Any:
        self.a, self.v = a, v
        return a @ v

    def backward(self, g: Any) -> tuple:
        need = self.needs_input_grad
        return (np.outer(g, self.v) if need[0] else None, self.a.T @ g if need[1] else None)


class DotBackward0(Node):
    """d(u.v) = g v, g u"""

    saves = ("self", "tensor")
    saved_for = (1, 0)

    def forward(self, u: Any, v: Any) -> Any:
        self.u, self.v = u, v
        return np.dot(u, v)

    def backward(self, g: Any) -> tuple:
        return g * self.v, g * self.u
