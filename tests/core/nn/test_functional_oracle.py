"""nn.functional against PyTorch: values, input gradients and grad_fn names, float64 and float32."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import core
import core.nn.functional as CF

torch = pytest.importorskip("torch")
TF = torch.nn.functional

RNG = np.random.default_rng(0)


def _arr(shape: tuple, kind: str = "n") -> np.ndarray:
    if kind == "p":  # probabilities strictly inside (0, 1)
        return RNG.uniform(0.05, 0.95, shape)
    if kind == "pos":
        return RNG.uniform(0.5, 2.0, shape)
    return RNG.standard_normal(shape)


class Case:
    """One call: arrays (differentiable ones flagged), the same call on core and on torch."""

    def __init__(
        self,
        name: str,
        arrays: list[tuple[np.ndarray, bool]],
        call: Callable[[Any, Any, list], Any],
        tol: float = 1e-6,
    ) -> None:
        self.name, self.arrays, self.call, self.tol = name, arrays, call, tol

    def __repr__(self) -> str:
        return self.name


def _idx(a: list | np.ndarray) -> np.ndarray:
    return np.asarray(a, dtype=np.int64)


X = _arr((4, 5))
X4 = _arr((2, 3, 7, 6))
T4 = RNG.integers(0, 5, 4)


def cases() -> list[Case]:
    c = []

    def add(name: str, arrays: list, call: Callable, tol: float = 1e-6) -> None:
        c.append(Case(name, arrays, call, tol))

    # activations
    for fn in ["relu", "silu", "sigmoid", "tanh", "softplus", "gelu", "elu", "leaky_relu"]:
        add(fn, [(X, True)], lambda m, F, a, fn=fn: getattr(F, fn)(a[0]))
    add("gelu_tanh", [(X, True)], lambda m, F, a: F.gelu(a[0], approximate="tanh"))
    for fn in ["relu", "silu", "elu", "leaky_relu"]:  # in place on a non-leaf
        add(
            f"{fn}_inplace",
            [(X, True)],
            lambda m, F, a, fn=fn: getattr(F, fn)(a[0] * 1, inplace=True),
        )
    add("leaky_relu_slope", [(X, True)], lambda m, F, a: F.leaky_relu(a[0], 0.2))
    add("elu_alpha", [(X, True)], lambda m, F, a: F.elu(a[0], alpha=0.7))
    add("softplus_beta", [(X * 10, True)], lambda m, F, a: F.softplus(a[0], beta=2, threshold=5))
    for d in (0, 1, -1):
        add(f"softmax{d}", [(X, True)], lambda m, F, a, d=d: F.softmax(a[0], dim=d))
        add(f"log_softmax{d}", [(X, True)], lambda m, F, a, d=d: F.log_softmax(a[0], dim=d))
    # linear
    w, b = _arr((3, 5)), _arr((3,))
    add("linear2d", [(X, True), (w, True), (b, True)], lambda m, F, a: F.linear(*a))
    add("linear3d", [(_arr((2, 4, 5)), True), (w, True), (b, True)], lambda m, F, a: F.linear(*a))
    add("linear1d", [(_arr((5,)), True), (w, True), (b, True)], lambda m, F, a: F.linear(*a))
    add("linear_nobias", [(X, True), (w, True)], lambda m, F, a: F.linear(*a))
    # convolution
    cw, cb = _arr((4, 3, 3, 3)), _arr((4,))
    add("conv2d", [(X4, True), (cw, True), (cb, True)], lambda m, F, a: F.conv2d(*a))
    add(
        "conv2d_stride_pad",
        [(X4, True), (cw, True), (cb, True)],
        lambda m, F, a: F.conv2d(*a, stride=2, padding=1),
    )
    add(
        "conv2d_dilation",
        [(X4, True), (cw, True)],
        lambda m, F, a: F.conv2d(a[0], a[1], None, stride=(1, 2), padding=(2, 1), dilation=2),
    )
    add(
        "conv2d_groups",
        [(_arr((2, 4, 6, 5)), True), (_arr((6, 2, 2, 3)), True), (_arr((6,)), True)],
        lambda m, F, a: F.conv2d(*a, groups=2, padding=1),
    )
    add(
        "conv2d_same",
        [(X4, True), (_arr((2, 3, 4, 3)), True)],
        lambda m, F, a: F.conv2d(a[0], a[1], padding="same"),
    )
    add("conv2d_unbatched", [(X4[0], True), (cw, True), (cb, True)], lambda m, F, a: F.conv2d(*a))
    # pooling
    add("max_pool2d", [(X4, True)], lambda m, F, a: F.max_pool2d(a[0], 2))
    add("max_pool2d_stride_pad", [(X4, True)], lambda m, F, a: F.max_pool2d(a[0], 3, 2, 1))
    add("max_pool2d_ceil", [(X4, True)], lambda m, F, a: F.max_pool2d(a[0], 2, ceil_mode=True))
    add("max_pool2d_dil", [(X4, True)], lambda m, F, a: F.max_pool2d(a[0], 2, 1, dilation=2))
    add("max_pool2d_ties", [(np.round(X4), True)], lambda m, F, a: F.max_pool2d(a[0], 3, 1, 1))
    add(
        "max_pool2d_ties_dil",
        [(np.round(X4 / 2), True)],
        lambda m, F, a: F.max_pool2d(a[0], 2, 1, dilation=2, ceil_mode=True),
    )
    add("max_pool2d_3d", [(X4[0], True)], lambda m, F, a: F.max_pool2d(a[0], (2, 3)))
    add("avg_pool2d", [(X4, True)], lambda m, F, a: F.avg_pool2d(a[0], 2))
    add("avg_pool2d_3d", [(X4[1], True)], lambda m, F, a: F.avg_pool2d(a[0], 3, 2, 1))
    add("avg_pool2d_pad", [(X4, True)], lambda m, F, a: F.avg_pool2d(a[0], 3, 2, 1))
    add(
        "avg_pool2d_pad_excl",
        [(X4, True)],
        lambda m, F, a: F.avg_pool2d(a[0], 3, 2, 1, count_include_pad=False),
    )
    add("avg_pool2d_ceil", [(X4, True)], lambda m, F, a: F.avg_pool2d(a[0], 2, ceil_mode=True))
    add(
        "avg_pool2d_ceil_pad",
        [(X4, True)],
        lambda m, F, a: F.avg_pool2d(a[0], 3, 2, 1, ceil_mode=True),
    )
    add(
        "avg_pool2d_divisor",
        [(X4, True)],
        lambda m, F, a: F.avg_pool2d(a[0], 2, divisor_override=3),
    )
    add("adaptive_avg_pool2d", [(X4, True)], lambda m, F, a: F.adaptive_avg_pool2d(a[0], (3, 4)))
    add("adaptive_avg_pool2d_1", [(X4, True)], lambda m, F, a: F.adaptive_avg_pool2d(a[0], 1))
    add(
        "adaptive_avg_pool2d_none",
        [(X4, True)],
        lambda m, F, a: F.adaptive_avg_pool2d(a[0], (None, 5)),
    )
    # normalisation
    g, bb = _arr((3,), "pos"), _arr((3,))
    add(
        "batch_norm_train",
        [(X4, True), (g, True), (bb, True)],
        lambda m, F, a: F.batch_norm(a[0], None, None, a[1], a[2], training=True),
    )
    rm, rv = _arr((3,)), _arr((3,), "pos")
    add(
        "batch_norm_eval",
        [(X4, True), (g, True), (bb, True), (rm, False), (rv, False)],
        lambda m, F, a: F.batch_norm(a[0], a[3], a[4], a[1], a[2], training=False),
    )
    add(
        "batch_norm_1d",
        [(_arr((6, 3)), True), (g, True), (bb, True)],
        lambda m, F, a: F.batch_norm(a[0], None, None, a[1], a[2], training=True),
    )
    add(
        "batch_norm_noaffine",
        [(_arr((6, 3, 4)), True)],
        lambda m, F, a: F.batch_norm(a[0], None, None, training=True),
    )
    add(
        "layer_norm",
        [(X, True), (_arr((5,), "pos"), True), (_arr((5,)), True)],
        lambda m, F, a: F.layer_norm(a[0], (5,), a[1], a[2]),
    )
    add(
        "layer_norm_2",
        [(X4, True), (_arr((7, 6), "pos"), True), (_arr((7, 6)), True)],
        lambda m, F, a: F.layer_norm(a[0], (7, 6), a[1], a[2], eps=1e-3),
    )
    add("layer_norm_noaffine", [(X4, True)], lambda m, F, a: F.layer_norm(a[0], (6,)))
    # embedding, padding
    emb = _arr((6, 3))
    idx = _idx([[1, 2, 1], [0, 5, 1]])
    add("embedding", [(emb, True)], lambda m, F, a: F.embedding(m.tensor(idx), a[0]))
    add(
        "embedding_pad",
        [(emb, True)],
        lambda m, F, a: F.embedding(m.tensor(idx), a[0], padding_idx=1),
    )
    add("pad", [(X4, True)], lambda m, F, a: F.pad(a[0], (1, 2, 0, 1), value=0.5))
    add("pad_crop", [(X4, True)], lambda m, F, a: F.pad(a[0], (-1, 2)))
    # losses
    y = _arr((4, 5))
    for red in ("mean", "sum", "none"):
        for fn in ("mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss"):
            add(
                f"{fn}_{red}",
                [(X, True), (y, True)],
                lambda m, F, a, fn=fn, red=red: getattr(F, fn)(a[0], a[1], reduction=red),
            )
        for fn in ("mse_loss", "l1_loss", "huber_loss"):
            add(
                f"{fn}_weight_{red}",
                [(X, True), (y, True), (_arr((4, 5), "pos"), True)],
                lambda m, F, a, fn=fn, red=red: getattr(F, fn)(
                    a[0], a[1], reduction=red, weight=a[2]
                ),
            )
        add(
            f"nll_{red}",
            [(X, True)],
            lambda m, F, a, red=red: F.nll_loss(a[0], m.tensor(T4), reduction=red),
        )
        add(
            f"cross_entropy_{red}",
            [(X, True)],
            lambda m, F, a, red=red: F.cross_entropy(a[0], m.tensor(T4), reduction=red),
        )
        add(
            f"ce_weight_ignore_{red}",
            [(X, True), (_arr((5,), "pos"), False)],
            lambda m, F, a, red=red: F.cross_entropy(
                a[0], m.tensor(_idx([1, -100, 3, 1])), weight=a[1], reduction=red
            ),
        )
        add(
            f"ce_smoothing_{red}",
            [(X, True)],
            lambda m, F, a, red=red: F.cross_entropy(
                a[0], m.tensor(T4), reduction=red, label_smoothing=0.2
            ),
        )
        add(
            f"ce_smoothing_weight_{red}",
            [(X, True), (_arr((5,), "pos"), False)],
            lambda m, F, a, red=red: F.cross_entropy(
                a[0],
                m.tensor(_idx([1, -100, 3, 1])),
                weight=a[1],
                reduction=red,
                label_smoothing=0.1,
            ),
        )
        add(
            f"ce_probs_{red}",
            [(X, True), (_arr((4, 5), "p"), False)],
            lambda m, F, a, red=red: F.cross_entropy(a[0], a[1], reduction=red),
        )
        add(
            f"ce_probs_smooth_weight_{red}",
            [(X, True), (_arr((4, 5), "p"), False), (_arr((5,), "pos"), False)],
            lambda m, F, a, red=red: F.cross_entropy(
                a[0], a[1], weight=a[2], reduction=red, label_smoothing=0.3
            ),
        )
        add(
            f"nll_4d_{red}",
            [(_arr((2, 3, 4, 5)), True)],
            lambda m, F, a, red=red: F.nll_loss(a[0], m.tensor(RNG_T4D), reduction=red),
        )
        add(
            f"ce_3d_{red}",
            [(_arr((2, 3, 4)), True)],
            lambda m, F, a, red=red: F.cross_entropy(a[0], m.tensor(RNG_T3D), reduction=red),
        )
        add(
            f"ce_3d_smooth_weight_{red}",
            [(_arr((2, 3, 4)), True), (_arr((3,), "pos"), False)],
            lambda m, F, a, red=red: F.cross_entropy(
                a[0], m.tensor(RNG_T3D_IGN), weight=a[1], reduction=red, label_smoothing=0.25
            ),
        )
        add(
            f"ce_4d_probs_{red}",
            [(_arr((2, 3, 2, 2)), True), (_arr((2, 3, 2, 2), "p"), False)],
            lambda m, F, a, red=red: F.cross_entropy(
                a[0], a[1], reduction=red, label_smoothing=0.1
            ),
        )
        add(
            f"bce_{red}",
            [(_arr((4, 5), "p"), True), (_arr((4, 5), "p"), True)],
            lambda m, F, a, red=red: F.binary_cross_entropy(a[0], a[1], reduction=red),
        )
        add(
            f"bce_weight_{red}",
            [(_arr((4, 5), "p"), True), (_arr((4, 5), "p"), True), (_arr((5,), "pos"), False)],
            lambda m, F, a, red=red: F.binary_cross_entropy(a[0], a[1], weight=a[2], reduction=red),
        )
        add(
            f"bce_logits_{red}",
            [(X * 3, True), (_arr((4, 5), "p"), True)],
            lambda m, F, a, red=red: F.binary_cross_entropy_with_logits(a[0], a[1], reduction=red),
        )
        add(
            f"bce_logits_pw_{red}",
            [
                (X * 3, True),
                (_arr((4, 5), "p"), True),
                (_arr((5,), "pos"), False),
                (_arr((5,), "pos"), False),
            ],
            lambda m, F, a, red=red: F.binary_cross_entropy_with_logits(
                a[0], a[1], weight=a[2], pos_weight=a[3], reduction=red
            ),
        )
    add("nll_1d", [(_arr((5,)), True)], lambda m, F, a: F.nll_loss(a[0], m.tensor(2)))
    add("ce_1d", [(_arr((5,)), True)], lambda m, F, a: F.cross_entropy(a[0], m.tensor(2)))
    add(
        "nll_5d",
        [(_arr((2, 3, 2, 2, 3)), True)],
        lambda m, F, a: F.nll_loss(a[0], m.tensor(RNG_T5D)),
    )
    add(
        "smooth_l1_beta",
        [(X, True), (y, True)],
        lambda m, F, a: F.smooth_l1_loss(a[0], a[1], beta=0.3),
    )
    add("huber_delta", [(X, True), (y, True)], lambda m, F, a: F.huber_loss(a[0], a[1], delta=0.4))
    return c


RNG_T4D = RNG.integers(0, 3, (2, 4, 5))
RNG_T3D = RNG.integers(0, 3, (2, 4))
RNG_T3D_IGN = np.where(RNG.random((2, 4)) < 0.3, -100, RNG.integers(0, 3, (2, 4)))
RNG_T5D = RNG.integers(0, 3, (2, 2, 2, 3))
CASES = cases()


def _run(mod: Any, F: Any, case: Case, dtype_name: str) -> tuple:
    dt = getattr(mod, dtype_name)
    tensors = []
    for a, diff in case.arrays:
        t = mod.tensor(a, dtype=dt)
        if diff:
            t.requires_grad_(True)
        tensors.append(t)
    out = case.call(mod, F, tensors)
    if isinstance(out, tuple):
        out = out[0]
    gen = np.random.default_rng(1).standard_normal(tuple(out.shape))
    out.backward(mod.tensor(gen, dtype=out.dtype))
    grads = [t.grad for t in tensors if t.requires_grad]
    return out, grads


@pytest.mark.filterwarnings("ignore:Using padding='same'")
@pytest.mark.parametrize("dtype_name", ["float64", "float32"])
@pytest.mark.parametrize("case", CASES, ids=repr)
def test_against_torch(case: Case, dtype_name: str) -> None:
    out_c, grads_c = _run(core, CF, case, dtype_name)
    out_t, grads_t = _run(torch, TF, case, dtype_name)
    tol = case.tol if dtype_name == "float64" else max(case.tol, 2e-4)
    assert out_c.dtype.name == str(out_t.dtype).removeprefix("torch."), case.name
    assert tuple(out_c.shape) == tuple(out_t.shape), case.name
    np.testing.assert_allclose(out_c.detach().numpy(), out_t.detach().numpy(), rtol=tol, atol=tol)
    assert out_c.grad_fn.name() == out_t.grad_fn.name(), case.name
    for gc, gt in zip(grads_c, grads_t):
        if gt is None:
            assert gc is None or not np.any(gc.numpy())
            continue
        np.testing.assert_allclose(gc.numpy(), gt.numpy(), rtol=tol, atol=tol)


def test_sigmoid_and_tanh_of_integers_are_float() -> None:
    for name in ("sigmoid", "tanh"):
        c = getattr(CF, name)(core.tensor([0, 1, 2]))
        t = getattr(TF, name)(torch.tensor([0, 1, 2]))
        assert c.dtype.name == str(t.dtype)[6:]
        np.testing.assert_allclose(c.numpy(), t.numpy(), rtol=1e-6)


def test_max_pool_indices_match_torch() -> None:
    x = np.round(X4 * 2)  # ties: the first maximum wins
    for kwargs in (
        {"kernel_size": 2},
        {"kernel_size": 3, "stride": 2, "padding": 1},
        {"kernel_size": 2, "dilation": 2, "ceil_mode": True},
    ):
        for arr in (x, x[0]):
            _, ic = CF.max_pool2d(core.tensor(arr), return_indices=True, **kwargs)
            _, it = TF.max_pool2d(torch.tensor(arr), return_indices=True, **kwargs)
            assert ic.dtype is core.int64
            np.testing.assert_array_equal(ic.numpy(), it.numpy())


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape", [(10, 1), (3, 5, 6), (0,)])
def test_mse_loss_gradients_are_pytorchs_bit_for_bit(
    reduction: str, dtype: type, shape: tuple
) -> None:
    """PyTorch's kernel order, norm * (x - t) * g, and (t - x) for the target: a zero where
    x == t stays +0 (its print shows -0. otherwise)."""
    x = (RNG.standard_normal(shape) * 3).astype(dtype)
    t = RNG.standard_normal(shape).astype(dtype)
    if x.size:
        t.flat[0] = x.flat[0]
    grads = []
    for lib in (core, torch):
        a, b = lib.tensor(x, requires_grad=True), lib.tensor(t, requires_grad=True)
        loss = lib.nn.functional.mse_loss(a, b, reduction=reduction)
        (loss.sum() if reduction == "none" else loss).mul(1.7).backward()
        grads.append([a.grad.numpy().tobytes(), b.grad.numpy().tobytes()])
    assert grads[0] == grads[1]
