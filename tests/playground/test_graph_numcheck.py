"""Numerical check of single nodes (finite differences) and the gradient-health scale."""

from __future__ import annotations

import math

import pytest

import core
from playground.graph import health
from playground.graph.model import build_graph
from playground.graph.numcheck import check_node
from playground.graph.stepper import Stepper

NUMCHECK = {
    "mul": lambda a: a * a.cos(),
    "div": lambda a: (a + 3) / (a * a + 1),
    "pow": lambda a: a.pow(3),
    "exp": lambda a: a.exp(),
    "tanh": lambda a: a.tanh(),
    "sigmoid": lambda a: a.sigmoid(),
    "relu": lambda a: (a + 0.05).relu(),
    "mean": lambda a: a.mean(0),
    "sum": lambda a: a.sum(1, keepdim=True),
    "mm": lambda a: a @ a.t(),
    "log": lambda a: (a * a + 1).log(),
}


@pytest.mark.parametrize("case", sorted(NUMCHECK))
def test_numerical_check_agrees(case: str) -> None:
    core.manual_seed(1)
    a = core.randn(3, 4, requires_grad=True)
    out = NUMCHECK[case](a)
    st = Stepper(build_graph(out.sum()))
    st.run()
    checked = 0
    for s in st.steps:
        node = st.model.nodes[s.key]
        result = check_node(node, s)
        if node.kind == "leaf":
            assert not result.available
            continue
        assert result.available, (node.name, result.message)
        assert result.ok, (node.name, result.message)
        checked += 1
    assert checked >= 2


def test_numerical_check_catches_a_wrong_gradient() -> None:
    a = core.randn(4, requires_grad=True)
    out = (a * a).sum()
    st = Stepper(build_graph(out))
    st.run()
    mul = next(s for s in st.steps if st.model.nodes[s.key].name == "MulBackward0")
    result = check_node(st.model.nodes[mul.key], mul)
    assert result.ok and result.at_actual_inputs
    mul.record.grad_inputs[0].mul_(1.5)  # as if the backward formula were wrong
    result = check_node(st.model.nodes[mul.key], mul)
    assert not result.available or not result.ok


def test_health_scale() -> None:
    assert health.health_colour(None) is None
    assert health.health_colour(math.nan) == health.NONFINITE
    assert health.health_colour(math.inf) == health.NONFINITE
    assert health.health_colour(1e-9) == health.STOPS[0][1]
    assert health.health_colour(1e9) == health.STOPS[-1][1]
    assert health.health_colour(1.0) == (26, 152, 80)
    assert health.log_position(1.0) == pytest.approx(0.5)
    assert [health.verdict(v) for v in (1e-7, 1.0, 1e7, 0.0)] == [
        "vanishing",
        "healthy",
        "exploding",
        "zero",
    ]


SHAPE_OPS = {
    "slice": lambda a: a[1:, ::2].exp(),
    "index": lambda a: a[[0, 2, 0]] * 2,
    "cat": lambda a: core.cat([a, a * 2], 0).pow(2),
    "stack": lambda a: core.stack([a, a.sin()]),
    "expand": lambda a: a[:, :1].expand(3, 5) * 2,
    "view": lambda a: a.view(2, 6) * core.arange(6.0),
    "reshape": lambda a: a.t().reshape(12) * core.arange(12.0),
    "permute": lambda a: a.unsqueeze(0).permute(2, 0, 1) * core.arange(4.0).view(4, 1, 1),
    "select": lambda a: a[1] * 3,
    "scalar_add": lambda a: (a * 2).sum() + (a * 3).sum() + 1,
}


@pytest.mark.parametrize("case", sorted(SHAPE_OPS))
def test_numerical_check_of_shape_ops(case: str) -> None:
    core.manual_seed(2)
    a = core.randn(3, 4, requires_grad=True)
    st = Stepper(build_graph(SHAPE_OPS[case](a).sum()))
    st.run()
    for s in st.steps:
        node = st.model.nodes[s.key]
        if node.kind == "op":
            result = check_node(node, s)
            assert result.available and result.ok, (node.name, result.message)


def test_numerical_check_declines_multi_output_nodes() -> None:
    a = core.randn(3, 4, requires_grad=True)
    st = Stepper(build_graph(sum(t.sum() for t in a.split(2, dim=1))))
    st.run()
    split = next(s for s in st.steps if st.model.nodes[s.key].name == "SplitBackward0")
    result = check_node(st.model.nodes[split.key], split)
    assert not result.available and "several outputs" in result.message
