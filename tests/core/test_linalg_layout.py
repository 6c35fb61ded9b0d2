"""Matrix-product gradients keep mat2's memory layout (PyTorch's mm_mat2_backward)."""

from __future__ import annotations

import numpy as np
import pytest

import core


@pytest.mark.parametrize("bias", [True, False])
def test_linear_weight_grad_is_contiguous_and_right(bias: bool) -> None:
    core.manual_seed(0)
    layer = core.nn.Linear(5, 3, bias=bias)
    x = core.randn(4, 5)
    g = core.randn(4, 3)
    layer(x).backward(g)
    grad = layer.weight.grad
    assert grad.is_contiguous() and grad.shape == (3, 5)
    np.testing.assert_allclose(grad.numpy(), g.numpy().T @ x.numpy(), rtol=1e-5, atol=1e-6)
    assert layer(x).grad_fn.name() == ("AddmmBackward0" if bias else "MmBackward0")


def test_plain_mm_grads_are_unchanged() -> None:
    a = core.randn(3, 4, requires_grad=True)
    b = core.randn(4, 2, requires_grad=True)
    (a @ b).sum().backward()
    np.testing.assert_allclose(b.grad.numpy(), a.detach().numpy().T @ np.ones((3, 2)), rtol=1e-5)
    np.testing.assert_allclose(a.grad.numpy(), np.ones((3, 2)) @ b.detach().numpy().T, rtol=1e-5)
