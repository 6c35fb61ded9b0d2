"""Finite-difference checks (float64) of every fused nn op: correctness without an oracle."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import core
import core.nn.functional as F
from core.autograd import gradcheck

RNG = np.random.default_rng(7)


def _t(shape: tuple, kind: str = "n") -> core.Tensor:
    if kind == "p":
        a = RNG.uniform(0.1, 0.9, shape)
    elif kind == "pos":
        a = RNG.uniform(0.5, 2.0, shape)
    else:
        a = RNG.standard_normal(shape)
        a = np.where(np.abs(a) < 0.05, 0.3, a)  # keep away from kinks
    return core.tensor(a, dtype=core.float64, requires_grad=True)


def _c(shape: tuple, kind: str = "n") -> core.Tensor:
    return _t(shape, kind).detach()


IDX = core.tensor([1, 0, 3, 2])
W5, W4, PW4 = _c((5,), "pos"), _c((4,), "pos"), _c((4,), "pos")
RM, RV = _c((3,)), _c((3,), "pos")

CHECKS: dict[str, tuple[Callable[..., Any], Callable[[], tuple]]] = {
    "leaky_relu": (lambda x: F.leaky_relu(x, 0.1), lambda: (_t((3, 4)),)),
    "elu": (lambda x: F.elu(x, 0.8), lambda: (_t((3, 4)),)),
    "gelu": (F.gelu, lambda: (_t((3, 4)),)),
    "gelu_tanh": (lambda x: F.gelu(x, approximate="tanh"), lambda: (_t((3, 4)),)),
    "silu": (F.silu, lambda: (_t((3, 4)),)),
    "softplus": (lambda x: F.softplus(x, beta=1.5, threshold=2), lambda: (_t((3, 4)),)),
    "softmax": (lambda x: F.softmax(x, 1), lambda: (_t((3, 4)),)),
    "log_softmax": (lambda x: F.log_softmax(x, 0), lambda: (_t((3, 4)),)),
    "conv2d": (
        lambda x, w, b: F.conv2d(x, w, b, stride=(2, 1), padding=1, dilation=(1, 2)),
        lambda: (_t((2, 2, 5, 6)), _t((3, 2, 2, 3)), _t((3,))),
    ),
    "conv2d_groups": (
        lambda x, w: F.conv2d(x, w, groups=2),
        lambda: (_t((1, 4, 4, 4)), _t((2, 2, 3, 3))),
    ),
    "max_pool2d": (lambda x: F.max_pool2d(x, 3, 2, 1, ceil_mode=True), lambda: (_t((1, 2, 6, 5)),)),
    "avg_pool2d": (
        lambda x: F.avg_pool2d(x, 3, 2, 1, ceil_mode=True, count_include_pad=False),
        lambda: (_t((1, 2, 6, 5)),),
    ),
    "adaptive_avg_pool2d": (
        lambda x: F.adaptive_avg_pool2d(x, (2, 3)),
        lambda: (_t((1, 2, 5, 7)),),
    ),
    "batch_norm": (
        lambda x, w, b: F.batch_norm(x, None, None, w, b, training=True),
        lambda: (_t((4, 3, 2)), _t((3,), "pos"), _t((3,))),
    ),
    "batch_norm_eval": (
        lambda x, w: F.batch_norm(x, RM, RV, w, None),
        lambda: (_t((4, 3)), _t((3,), "pos")),
    ),
    "layer_norm": (
        lambda x, w, b: F.layer_norm(x, (2, 3), w, b),
        lambda: (_t((4, 2, 3)), _t((2, 3), "pos"), _t((2, 3))),
    ),
    "embedding": (lambda w: F.embedding(core.tensor([[1, 2], [1, 0]]), w), lambda: (_t((4, 3)),)),
    "pad": (lambda x: F.pad(x, (1, -1, 2, 0), value=3.0), lambda: (_t((2, 3, 4)),)),
    "mse": (lambda x, t: F.mse_loss(x, t), lambda: (_t((3, 4)), _t((3, 4)))),
    "smooth_l1": (
        lambda x, t: F.smooth_l1_loss(x, t, beta=0.7, reduction="sum"),
        lambda: (_t((3, 4)), _t((3, 4))),
    ),
    "huber": (
        lambda x, t: F.huber_loss(x, t, reduction="none", delta=0.6),
        lambda: (_t((3, 4)), _t((3, 4))),
    ),
    "nll": (lambda x: F.nll_loss(x, IDX, weight=W5), lambda: (_t((4, 5)),)),
    "nll_2d": (
        lambda x: F.nll_loss(x, core.tensor([[[0, 2], [1, 1]]]), reduction="none"),
        lambda: (_t((1, 3, 2, 2)),),
    ),
    "cross_entropy_smooth": (
        lambda x: F.cross_entropy(x, IDX, label_smoothing=0.2),
        lambda: (_t((4, 5)),),
    ),
    "cross_entropy_probs": (lambda x, p: F.cross_entropy(x, p), lambda: (_t((4, 5)), _t((4, 5)))),
    "bce": (
        lambda p, t: F.binary_cross_entropy(p, t, weight=W4),
        lambda: (_t((3, 4), "p"), _t((3, 4), "p")),
    ),
    "bce_logits": (
        lambda x, t: F.binary_cross_entropy_with_logits(
            x, t, weight=W4, pos_weight=PW4, reduction="sum"
        ),
        lambda: (_t((3, 4)), _t((3, 4), "p")),
    ),
}


@pytest.mark.parametrize("name", list(CHECKS))
def test_gradcheck(name: str) -> None:
    fn, make = CHECKS[name]
    assert gradcheck(fn, make(), eps=1e-6, atol=1e-5, rtol=1e-4)


def test_linear_and_module_gradcheck() -> None:
    lin = core.nn.Linear(3, 2).double()
    x = _t((4, 3))
    assert gradcheck(lambda x: lin(x), (x,))
    assert gradcheck(lambda w: F.linear(x, w, lin.bias), (lin.weight,))


def test_maxpool_indices() -> None:
    x = core.tensor([[[[1.0, 5.0, 2.0], [7.0, 0.0, 3.0], [4.0, 8.0, 6.0]]]])
    out, idx = F.max_pool2d(x, 2, 1, return_indices=True)
    assert out.tolist() == [[[[7.0, 5.0], [8.0, 8.0]]]]
    assert idx.tolist() == [[[[3, 1], [7, 7]]]] and idx.dtype is core.int64


def test_one_hot() -> None:
    assert F.one_hot(core.tensor([0, 2])).tolist() == [[1, 0, 0], [0, 0, 1]]
    assert F.one_hot(core.tensor([1]), 4).tolist() == [[0, 1, 0, 0]]
    with pytest.raises(RuntimeError, match="Class values must be smaller than num_classes."):
        F.one_hot(core.tensor([3]), 2)
