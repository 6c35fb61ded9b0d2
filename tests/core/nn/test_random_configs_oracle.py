"""Randomised convolution and pooling configurations against PyTorch (values and gradients)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import core

torch = pytest.importorskip("torch")


def _grads(m: Any, fn: Any, arrays: list[np.ndarray], seed: int) -> tuple:
    ts = [m.tensor(a, requires_grad=True) for a in arrays]
    out = fn(m, *ts)
    g = np.random.default_rng(seed).standard_normal(tuple(out.shape))
    out.backward(m.tensor(g))
    return out.detach().numpy(), [t.grad.numpy() for t in ts]


def _compare(fn: Any, arrays: list[np.ndarray], seed: int) -> None:
    oc, gc = _grads(core, fn, arrays, seed)
    ot, gt = _grads(torch, fn, arrays, seed)
    np.testing.assert_allclose(oc, ot, rtol=1e-9, atol=1e-9)
    for a, b in zip(gc, gt):
        np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-9)


@pytest.mark.parametrize("seed", range(40))
def test_conv2d_random(seed: int) -> None:
    rng = np.random.default_rng(seed)
    groups = int(rng.choice([1, 1, 2, 3]))
    cin, cout = groups * int(rng.integers(1, 3)), groups * int(rng.integers(1, 3))
    kh, kw = (int(v) for v in rng.integers(1, 4, 2))
    sh, sw = (int(v) for v in rng.integers(1, 4, 2))
    dh, dw = (int(v) for v in rng.integers(1, 3, 2))
    ph, pw = (int(v) for v in rng.integers(0, 3, 2))
    h = dh * (kh - 1) + 1 + int(rng.integers(0, 5))
    w = dw * (kw - 1) + 1 + int(rng.integers(0, 5))
    x = rng.standard_normal((int(rng.integers(1, 3)), cin, h, w))
    wt = rng.standard_normal((cout, cin // groups, kh, kw))
    b = rng.standard_normal(cout)
    _compare(
        lambda m, x, w, b: m.nn.functional.conv2d(x, w, b, (sh, sw), (ph, pw), (dh, dw), groups),
        [x, wt, b],
        seed,
    )


@pytest.mark.parametrize("seed", range(40))
def test_pools_random(seed: int) -> None:
    rng = np.random.default_rng(100 + seed)
    kh, kw = (int(v) for v in rng.integers(1, 4, 2))
    sh, sw = (int(v) for v in rng.integers(1, 4, 2))
    ph, pw = int(rng.integers(0, kh // 2 + 1)), int(rng.integers(0, kw // 2 + 1))
    ceil = bool(rng.integers(0, 2))
    include = bool(rng.integers(0, 2))
    h, w = kh + int(rng.integers(0, 6)), kw + int(rng.integers(0, 6))
    x = np.round(rng.standard_normal((2, 2, h, w)) * 2) / 2  # ties for the max pool
    _compare(
        lambda m, x: m.nn.functional.max_pool2d(x, (kh, kw), (sh, sw), (ph, pw), 1, ceil),
        [x],
        seed,
    )
    _compare(
        lambda m, x: m.nn.functional.avg_pool2d(x, (kh, kw), (sh, sw), (ph, pw), ceil, include),
        [x],
        seed,
    )
    oh, ow = int(rng.integers(1, h + 1)), int(rng.integers(1, w + 1))
    _compare(lambda m, x: m.nn.functional.adaptive_avg_pool2d(x, (oh, ow)), [x], seed)
