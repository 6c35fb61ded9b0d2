"""Random hyperparameters (hypothesis): every optimizer still follows PyTorch to float32 precision."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import core

torch = pytest.importorskip("torch")

unit = st.floats(0.0, 0.95)
decay = st.sampled_from([0.0, 1e-3, 0.05])
flags = st.booleans()

STRATEGIES = {
    "SGD": st.fixed_dictionaries(
        {
            "lr": st.floats(1e-3, 0.1),
            "momentum": unit,
            "dampening": st.floats(0.0, 0.5),
            "weight_decay": decay,
            "maximize": flags,
        }
    ),
    "Adam": st.fixed_dictionaries(
        {
            "lr": st.floats(1e-4, 0.05),
            "betas": st.tuples(st.floats(0.0, 0.99), st.floats(0.5, 0.9999)),
            "eps": st.sampled_from([1e-8, 1e-6, 1e-3]),
            "weight_decay": decay,
            "amsgrad": flags,
            "maximize": flags,
            "decoupled_weight_decay": flags,
        }
    ),
    "RMSprop": st.fixed_dictionaries(
        {
            "lr": st.floats(1e-4, 0.02),
            "alpha": st.floats(0.5, 0.999),
            "momentum": unit,
            "centered": flags,
            "weight_decay": decay,
            "eps": st.sampled_from([1e-8, 1e-4]),
        }
    ),
    "Adagrad": st.fixed_dictionaries(
        {
            "lr": st.floats(1e-3, 0.2),
            "lr_decay": st.sampled_from([0.0, 0.01, 0.5]),
            "initial_accumulator_value": st.floats(0.0, 1.0),
            "weight_decay": decay,
            "eps": st.sampled_from([1e-10, 1e-6]),
        }
    ),
}


def _trajectory(lib, name: str, kwargs: dict, seed: int) -> list:
    rng = np.random.default_rng(seed)
    p = lib.tensor(rng.standard_normal(7).astype(np.float32), requires_grad=True)
    scale = rng.uniform(0.2, 2.0, 7).astype(np.float32)
    noise = rng.standard_normal((25, 7)).astype(np.float32)
    opt = getattr(lib.optim, name)([p], **kwargs)
    sign = -1.0 if kwargs.get("maximize") else 1.0
    out = []
    for t in range(25):
        g = sign * (scale * p.detach().numpy() + 0.1 * noise[t])
        p.grad = lib.tensor(g.astype(np.float32))
        opt.step()
        out.append(p.detach().numpy().copy())
    return out


@pytest.mark.parametrize("name", list(STRATEGIES))
def test_random_hyperparameters_match_torch(name: str) -> None:
    # (SGD's nesterov needs momentum > 0 and no dampening: drawn separately below)
    @settings(max_examples=25, deadline=None, derandomize=True)
    @given(kwargs=STRATEGIES[name], seed=st.integers(0, 1000))
    def check(kwargs: dict, seed: int) -> None:
        ours = _trajectory(core, name, kwargs, seed)
        theirs = _trajectory(torch, name, kwargs, seed)
        for a, b in zip(ours, theirs):
            np.testing.assert_allclose(a, b, rtol=5e-5, atol=2e-6)

    check()


@settings(max_examples=20, deadline=None, derandomize=True)
@given(lr=st.floats(1e-3, 0.1), momentum=st.floats(0.05, 0.95), seed=st.integers(0, 1000))
def test_random_nesterov_matches_torch(lr: float, momentum: float, seed: int) -> None:
    kwargs = {"lr": lr, "momentum": momentum, "nesterov": True}
    for a, b in zip(
        _trajectory(core, "SGD", kwargs, seed), _trajectory(torch, "SGD", kwargs, seed)
    ):
        np.testing.assert_allclose(a, b, rtol=5e-5, atol=2e-6)
