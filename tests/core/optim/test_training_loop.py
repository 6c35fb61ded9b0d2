"""A whole training loop (DataLoader, nn MLP, optimizer, scheduler) against the same loop in torch."""

from __future__ import annotations

import numpy as np
import pytest

import core

OPTIMIZERS = [
    ("SGD", {"lr": 0.05, "momentum": 0.9, "weight_decay": 1e-3}, "StepLR", {"step_size": 4}),
    ("Adam", {"lr": 0.01, "amsgrad": True}, "CosineAnnealingLR", {"T_max": 10}),
    ("AdamW", {"lr": 0.01}, "OneCycleLR", {"max_lr": 0.05, "total_steps": 40}),
    ("RMSprop", {"lr": 0.005, "centered": True, "momentum": 0.5}, "ExponentialLR", {"gamma": 0.95}),
    ("Adagrad", {"lr": 0.05}, "MultiStepLR", {"milestones": [10, 20]}),
]


def _train(lib, opt_name, opt_kw, sched_name, sched_kw, weights, x, y):
    nn = lib.nn
    model = nn.Sequential(nn.Linear(2, 8), nn.Tanh(), nn.Linear(8, 1))
    model.load_state_dict({k: lib.tensor(v) for k, v in weights.items()})
    opt = getattr(lib.optim, opt_name)(model.parameters(), **opt_kw)
    sched = getattr(lib.optim.lr_scheduler, sched_name)(opt, **sched_kw)
    # shuffle=False: the two libraries' generators differ, so feed the same order
    loader = lib.utils.data.DataLoader(
        lib.utils.data.TensorDataset(lib.tensor(x), lib.tensor(y)), batch_size=16
    )
    losses = []
    for _ in range(10):
        for xb, yb in loader:
            opt.zero_grad()
            loss = nn.functional.mse_loss(model(xb), yb)
            loss.backward()
            opt.step()
            sched.step()
            losses.append(loss.item())
    return np.array(losses), {k: v.detach().numpy() for k, v in model.state_dict().items()}


@pytest.mark.parametrize("case", OPTIMIZERS, ids=[c[0] for c in OPTIMIZERS])
def test_training_loop_matches_torch(case: tuple) -> None:
    torch = pytest.importorskip("torch")
    if not hasattr(core, "nn") or not hasattr(core.nn, "Sequential"):
        pytest.skip("core.nn is not available")
    rng = np.random.default_rng(0)
    x = rng.uniform(-1, 1, (64, 2)).astype(np.float32)
    y = (np.sin(2 * x[:, :1]) + x[:, 1:] ** 2).astype(np.float32)
    weights = {
        "0.weight": rng.standard_normal((8, 2)).astype(np.float32) * 0.5,
        "0.bias": rng.standard_normal(8).astype(np.float32) * 0.1,
        "2.weight": rng.standard_normal((1, 8)).astype(np.float32) * 0.5,
        "2.bias": np.zeros(1, np.float32),
    }
    ours = _train(core, *case, weights, x, y)
    theirs = _train(torch, *case, weights, x, y)
    np.testing.assert_allclose(ours[0], theirs[0], rtol=1e-4, atol=1e-6)
    for k in weights:
        np.testing.assert_allclose(ours[1][k], theirs[1][k], rtol=1e-4, atol=1e-5, err_msg=k)
    assert ours[0][-1] < ours[0][0]
