"""F.pad's reflect / replicate / circular modes and Conv2d's padding_mode, against torch."""

from __future__ import annotations

import numpy as np
import pytest

import core
import core.nn.functional as F

CASES = [
    ((2, 5), (1, 2)),
    ((1, 2, 5), (2, 1)),
    ((1, 2, 5, 6), (1, 2, 2, 1)),
    ((2, 4, 5), (0, 3, 1, 1)),
    ((1, 1, 3, 4, 5), (1, 1, 2, 0, 1, 2)),
]
MODES = ["reflect", "replicate", "circular"]


def _fd_grad(fn, a: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    g = np.zeros_like(a)
    for i in range(a.size):
        a.reshape(-1)[i] += eps
        up = fn(a)
        a.reshape(-1)[i] -= 2 * eps
        down = fn(a)
        a.reshape(-1)[i] += eps
        g.reshape(-1)[i] = (up - down) / (2 * eps)
    return g


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("shape,pad", CASES)
def test_gradient_against_finite_differences(mode, shape, pad):
    if mode == "reflect" and any(p >= n for p, n in zip(pad[::2], shape[::-1])):
        pytest.skip("reflect needs pad < size")
    rng = np.random.default_rng(0)
    a = rng.standard_normal(shape)
    w = rng.standard_normal(F.pad(core.tensor(a), pad, mode=mode).shape)
    x = core.tensor(a, requires_grad=True)
    (F.pad(x, pad, mode=mode) * core.tensor(w)).sum().backward()
    numeric = _fd_grad(
        lambda v: float((F.pad(core.tensor(v), pad, mode=mode).numpy() * w).sum()), a.copy()
    )
    np.testing.assert_allclose(x.grad.numpy(), numeric, atol=1e-6)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("shape,pad", CASES)
def test_values_gradients_and_node_against_torch(mode, shape, pad):
    torch = pytest.importorskip("torch")
    a = np.random.default_rng(1).standard_normal(shape).astype(np.float32)
    tx = torch.tensor(a, requires_grad=True)
    cx = core.tensor(a, requires_grad=True)
    try:
        ty = torch.nn.functional.pad(tx, pad, mode=mode)
    except (RuntimeError, NotImplementedError) as exc:
        with pytest.raises(type(exc)):
            F.pad(cx, pad, mode=mode)
        return
    cy = F.pad(cx, pad, mode=mode)
    np.testing.assert_array_equal(cy.detach().numpy(), ty.detach().numpy())
    assert cy.grad_fn.name() == ty.grad_fn.name()
    w = np.random.default_rng(2).standard_normal(ty.shape).astype(np.float32)
    (ty * torch.tensor(w)).sum().backward()
    (cy * core.tensor(w)).sum().backward()
    np.testing.assert_allclose(cx.grad.numpy(), tx.grad.numpy(), rtol=1e-5, atol=1e-6)


def test_reflect_padding_too_large_is_refused_as_in_torch():
    with pytest.raises(RuntimeError, match="Padding size should be less than"):
        F.pad(core.randn(1, 2, 5, 5), (5, 5, 0, 0), mode="reflect")


def test_unknown_mode_is_refused():
    with pytest.raises(NotImplementedError, match="Unrecognised padding mode"):
        F.pad(core.randn(1, 2, 5, 5), (1, 1), mode="mirror")


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("padding,kernel", [(1, 3), ("same", 4), ((2, 1), 3)])
def test_conv2d_padding_mode_against_torch(mode, padding, kernel):
    torch = pytest.importorskip("torch")
    t = torch.nn.Conv2d(2, 3, kernel, padding=padding, padding_mode=mode)
    c = core.nn.Conv2d(2, 3, kernel, padding=padding, padding_mode=mode)
    c.load_state_dict({k: core.tensor(v.detach().numpy()) for k, v in t.state_dict().items()})
    assert repr(c) == repr(t)
    a = np.random.default_rng(3).standard_normal((1, 2, 6, 7)).astype(np.float32)
    ty = t(torch.tensor(a, requires_grad=True))
    cy = c(core.tensor(a, requires_grad=True))
    np.testing.assert_allclose(cy.detach().numpy(), ty.detach().numpy(), rtol=1e-5, atol=1e-5)
    assert cy.grad_fn.next_functions[0][0].name() == ty.grad_fn.next_functions[0][0].name()


def test_conv2d_rejects_an_unknown_padding_mode():
    with pytest.raises(ValueError, match="padding_mode must be one of"):
        core.nn.Conv2d(1, 1, 3, padding_mode="mirror")
