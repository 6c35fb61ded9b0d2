"""The graphs that nn builds have PyTorch's nodes, edges and order (what torchviz would draw)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import core

torch = pytest.importorskip("torch")


def structure(t: Any) -> list[str]:
    """Depth-first listing of node names with their depth; shared nodes listed once."""
    seen: set[int] = set()
    out: list[str] = []

    def walk(node: Any, depth: int) -> None:
        if node is None:
            out.append("  " * depth + "None")
            return
        out.append("  " * depth + node.name() + (" (seen)" if id(node) in seen else ""))
        if id(node) in seen:
            return
        seen.add(id(node))
        for nxt, _ in node.next_functions:
            walk(nxt, depth + 1)

    walk(t.grad_fn, 0)
    return out


def _x(m: Any, shape: tuple, seed: int = 0) -> Any:
    return m.tensor(np.random.default_rng(seed).standard_normal(shape), requires_grad=True)


def _w(m: Any, shape: tuple, seed: int = 1, grad: bool = True) -> Any:
    return m.tensor(np.random.default_rng(seed).standard_normal(shape), requires_grad=grad)


def _y(m: Any, values: list) -> Any:
    return m.tensor(values)


GRAPHS: dict[str, Callable[[Any], Any]] = {
    "linear_2d": lambda m: m.nn.functional.linear(_x(m, (4, 3)), _w(m, (2, 3)), _w(m, (2,), 2)),
    "linear_3d": lambda m: m.nn.functional.linear(_x(m, (5, 4, 3)), _w(m, (2, 3)), _w(m, (2,))),
    "linear_1d": lambda m: m.nn.functional.linear(_x(m, (3,)), _w(m, (2, 3)), _w(m, (2,))),
    "linear_4d": lambda m: m.nn.functional.linear(_x(m, (2, 5, 4, 3)), _w(m, (2, 3)), _w(m, (2,))),
    "linear_noncontiguous": lambda m: m.nn.functional.linear(
        _x(m, (5, 3, 4)).transpose(1, 2), _w(m, (2, 3)), _w(m, (2,))
    ),
    "linear_nobias": lambda m: m.nn.functional.linear(_x(m, (4, 3)), _w(m, (2, 3))),
    "mse": lambda m: m.nn.functional.mse_loss(_x(m, (4, 2)), _w(m, (4, 2), grad=False)),
    "l1": lambda m: m.nn.functional.l1_loss(_x(m, (4, 2)), _w(m, (4, 2), grad=False)),
    "ce": lambda m: m.nn.functional.cross_entropy(_x(m, (4, 3)), _y(m, [0, 1, 2, 1])),
    "ce_smoothing": lambda m: m.nn.functional.cross_entropy(
        _x(m, (4, 3)), _y(m, [0, 1, 2, 1]), label_smoothing=0.1
    ),
    "ce_smoothing_weight": lambda m: m.nn.functional.cross_entropy(
        _x(m, (4, 3)),
        _y(m, [0, 1, 2, 1]),
        weight=m.tensor([1.0, 2.0, 3.0], dtype=m.float64),
        label_smoothing=0.1,
    ),
    "ce_probs": lambda m: m.nn.functional.cross_entropy(
        _x(m, (4, 3)), m.softmax(_w(m, (4, 3), grad=False), 1)
    ),
    "ce_3d": lambda m: m.nn.functional.cross_entropy(_x(m, (2, 3, 4)), _y(m, [[0, 1, 2, 1]] * 2)),
    "ce_3d_none": lambda m: m.nn.functional.cross_entropy(
        _x(m, (2, 3, 4)), _y(m, [[0, 1, 2, 1]] * 2), reduction="none"
    ),
    "nll_4d": lambda m: m.nn.functional.nll_loss(
        _x(m, (2, 3, 2, 2)), _y(m, [[[0, 1], [2, 1]]] * 2)
    ),
    "bce": lambda m: m.nn.functional.binary_cross_entropy(
        m.sigmoid(_x(m, (4,))), m.tensor([0.0, 1.0, 1.0, 0.0], dtype=m.float64)
    ),
    "bce_logits": lambda m: m.nn.functional.binary_cross_entropy_with_logits(
        _x(m, (4,)), m.tensor([0.0, 1.0, 1.0, 0.0], dtype=m.float64)
    ),
    "conv_unbatched": lambda m: m.nn.functional.conv2d(_x(m, (3, 5, 5)), _w(m, (2, 3, 3, 3))),
    "conv_nobias": lambda m: m.nn.functional.conv2d(_x(m, (1, 3, 5, 5)), _w(m, (2, 3, 3, 3))),
    "adaptive_1": lambda m: m.nn.functional.adaptive_avg_pool2d(_x(m, (1, 2, 4, 4)), 1),
    "maxpool": lambda m: m.nn.functional.max_pool2d(_x(m, (1, 2, 4, 4)), 2),
    "bn_noaffine": lambda m: m.nn.functional.batch_norm(_x(m, (4, 3)), None, None, training=True),
    "ln_nobias": lambda m: m.nn.functional.layer_norm(_x(m, (4, 3)), (3,), _w(m, (3,))),
    "dropout": lambda m: m.nn.functional.dropout(_x(m, (4, 3)), 0.5),
    "dropout_all": lambda m: m.nn.functional.dropout(_x(m, (4, 3)), 1.0),
    "flatten": lambda m: m.nn.Flatten()(_x(m, (2, 3, 4))),
    "pad": lambda m: m.nn.functional.pad(_x(m, (2, 3)), (1, 1)),
}


@pytest.mark.parametrize("name", list(GRAPHS))
def test_graph_matches_torch(name: str) -> None:
    build = GRAPHS[name]
    assert structure(build(core)) == structure(build(torch))


def test_module_graphs_match_torch() -> None:
    def build(m: Any) -> Any:
        m.manual_seed(0)
        net = m.nn.Sequential(
            m.nn.Conv2d(1, 2, 3),
            m.nn.BatchNorm2d(2),
            m.nn.ReLU(),
            m.nn.MaxPool2d(2),
            m.nn.Flatten(),
            m.nn.Linear(8, 4),
            m.nn.Dropout(0.2),
            m.nn.LayerNorm(4),
            m.nn.GELU(),
            m.nn.Linear(4, 3),
        )
        loss = m.nn.CrossEntropyLoss()(net(m.ones(2, 1, 6, 6)), m.tensor([0, 2]))
        return loss

    assert structure(build(core)) == structure(build(torch))
