"""The issue's "best pure-Python peer", MyGrad, on the same workloads, where it is installed
(``pip install mygrad``; never a dependency): its speed targets were set against it.

MyGrad has no modules or optimizers, so each workload is written the way its documentation
writes a model: weight tensors, its operators, and the update done on ``.data``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def mygrad_or_none() -> Any:
    try:
        import mygrad
    except ImportError:
        return None
    return mygrad


def linear_regression(mg: Any) -> Callable[[], None]:
    """y = pi x + 42 + noise, one weight and one bias, SGD lr 0.05, 500 epochs."""
    import numpy as np

    rng = np.random.default_rng(0)
    x = (rng.random((10, 1)) * 5).astype(np.float32)
    y = (np.pi * x + 42 + rng.random((10, 1))).astype(np.float32)
    x, y = mg.tensor(x, constant=True), mg.tensor(y, constant=True)

    def run() -> None:
        w = mg.tensor(rng.uniform(-1, 1, (1, 1)).astype(np.float32))
        b = mg.tensor(rng.uniform(-1, 1, (1,)).astype(np.float32))
        for _ in range(500):
            loss = mg.mean((mg.matmul(x, w) + b - y) ** 2)
            loss.backward()
            for p in (w, b):
                p.data -= 0.05 * p.grad
                p.null_grad()

    return run


def mlp_step(mg: Any) -> Callable[[], None]:
    """784-256-256-10 with ReLU, softmax cross-entropy, SGD with momentum 0.9, batch 128."""
    import numpy as np
    from mygrad.nnet.activations import relu
    from mygrad.nnet.losses import softmax_crossentropy

    rng = np.random.default_rng(0)

    def layer(n_in: int, n_out: int) -> list[Any]:
        k = 1 / np.sqrt(n_in)
        return [
            mg.tensor(rng.uniform(-k, k, (n_in, n_out)).astype(np.float32)),
            mg.tensor(rng.uniform(-k, k, (n_out,)).astype(np.float32)),
        ]

    params = layer(784, 256) + layer(256, 256) + layer(256, 10)
    momenta = [np.zeros_like(p.data) for p in params]
    x = rng.standard_normal((128, 784)).astype(np.float32)
    y = rng.integers(0, 10, 128)

    def step() -> None:
        w1, b1, w2, b2, w3, b3 = params
        h = relu(mg.matmul(x, w1) + b1)
        h = relu(mg.matmul(h, w2) + b2)
        loss = softmax_crossentropy(mg.matmul(h, w3) + b3, y)
        loss.backward()
        for p, m in zip(params, momenta):
            m *= 0.9
            m += p.grad
            p.data -= 0.01 * m
            p.null_grad()

    return step
