"""The engine's steps are a plain PyTorch loop: same weights, same batches, same losses."""

from __future__ import annotations

import numpy as np
import pytest

from core.training import TrainConfig, TrainingRun
from core.training.components import LOSS_CLASSES, optimizer_code

CASES = [
    TrainConfig(dataset="moons", n=160, epochs=2, batch_size=16, model="mlp:16,16:tanh"),
    TrainConfig(
        dataset="blobs", n=120, epochs=2, batch_size=10, model="mlp:8:relu:bn", optimizer="sgd",
        lr=0.05, momentum=0.9, weight_decay=1e-3, nesterov=True,
    ),
    TrainConfig(dataset="sine", n=96, epochs=2, batch_size=12, optimizer="rmsprop", lr=0.003),
    TrainConfig(dataset="digits", n=120, epochs=1, batch_size=20, model="lenet", optimizer="adamw"),
]  # fmt: skip


@pytest.mark.parametrize("cfg", CASES, ids=lambda c: f"{c.dataset}-{c.model}")
def test_losses_follow_pytorch(cfg: TrainConfig) -> None:
    torch = pytest.importorskip("torch")
    run = TrainingRun(cfg)
    namespace: dict = {"torch": torch}
    exec(run.spec.to_pytorch_code(run.input_shape, run.outputs), namespace)  # noqa: S102
    net = namespace["Net"]()
    net.load_state_dict(
        {k: torch.from_numpy(v.numpy().copy()) for k, v in run.model.state_dict().items()}
    )
    optimizer = eval(optimizer_code(run.config, "net.parameters()"), {"torch": torch, "net": net})
    loss_fn = getattr(torch.nn, LOSS_CLASSES[run.config.loss])()
    X, y = run.data("train")
    ours, theirs = [], []
    while (report := run.step_once()) is not None:
        idx = run.last_batch.indices
        optimizer.zero_grad()
        net.train()
        loss = loss_fn(net(torch.from_numpy(X[idx])), torch.from_numpy(y[idx]))
        loss.backward()
        optimizer.step()
        ours.append(report.loss)
        theirs.append(loss.item())
    np.testing.assert_allclose(ours, theirs, rtol=2e-4, atol=1e-6)
    for k, v in net.state_dict().items():
        np.testing.assert_allclose(
            run.model.state_dict()[k].numpy(), v.numpy(), rtol=1e-3, atol=1e-5, err_msg=k
        )
