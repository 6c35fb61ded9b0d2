"""The backward stepper and its explanations: stepping equals backward(), reset, breakpoints,
engine errors at the right step."""

from __future__ import annotations

import numpy as np
import pytest

import core
from playground.graph.explain import broadcast_dims, explain
from playground.graph.model import build_graph
from playground.graph.stepper import Stepper


def blitz() -> tuple:
    x = core.ones(2, 2, requires_grad=True)
    y = x + 2
    z = y * y * 3
    out = z.mean()
    return x, out


def names_of(model) -> list[str]:
    return [n.name for n in model.nodes]


def grads(ts) -> list[np.ndarray | None]:
    return [None if t.grad is None else t.grad.numpy().copy() for t in ts]


def step_all(tensor, leaves, grad_tensor=None) -> Stepper:
    st = Stepper(build_graph(tensor), grad_tensor)
    while st.step() is not None:
        pass
    assert st.finished
    return st


CASES = {
    "blitz": lambda: (lambda x: ((x + 2) * (x + 2) * 3, [x]))(core.ones(2, 2, requires_grad=True)),
    "shared": lambda: (lambda a: ((a * a).sin() + a.exp() * a, [a]))(
        core.linspace(-1, 1, 6, requires_grad=True)
    ),
    "broadcast": lambda: (lambda a, b: ((a * b + b) / (1 + a * a), [a, b]))(
        core.randn(3, 1, requires_grad=True), core.randn(4, requires_grad=True)
    ),
    "views": lambda: (lambda a: ((a.view(2, 6)[:, 1:4].t() * 2).reshape(-1).tanh(), [a]))(
        core.randn(3, 4, requires_grad=True)
    ),
    "matmul": lambda: (lambda a, w, b: (core.addmm(b, a, w.t()).sigmoid(), [a, w, b]))(
        core.randn(5, 3, requires_grad=True),
        core.randn(2, 3, requires_grad=True),
        core.randn(2, requires_grad=True),
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_stepping_equals_backward(case: str) -> None:
    core.manual_seed(0)
    out, leaves = CASES[case]()
    out = out.sum()
    out.backward(retain_graph=True)
    expected = grads(leaves)
    for leaf in leaves:
        leaf.grad = None
    st = step_all(out, leaves)
    for got, want in zip(grads(leaves), expected):
        np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-7)
    # Each node ran once, in one step; every leaf's accumulator ran.
    keys = [s.key for s in st.steps]
    assert len(keys) == len(set(keys))
    assert {st.model.nodes[k].kind for k in keys} == {"op", "leaf"}


def test_custom_function_is_stepped() -> None:
    class Cube(core.autograd.Function):
        @staticmethod
        def forward(ctx, a):
            ctx.save_for_backward(a)
            return a * a * a

        @staticmethod
        def backward(ctx, g):
            (a,) = ctx.saved_tensors
            return g * 3 * a * a

    a = core.tensor([1.0, 2.0, -1.0], requires_grad=True)
    out = Cube.apply(a).sum()
    st = step_all(out, [a])
    assert "CubeBackward" in [n.name for n in st.model.nodes]
    np.testing.assert_allclose(a.grad.numpy(), [3.0, 12.0, 3.0])


def test_reset_restores_previous_grads_and_pass_repeats() -> None:
    x, out = blitz()
    x.grad = core.full((2, 2), 10.0)
    st = Stepper(build_graph(out))
    st.run()
    np.testing.assert_allclose(x.grad.numpy(), 14.5)  # accumulated into the existing .grad
    st.reset()
    np.testing.assert_allclose(x.grad.numpy(), 10.0)
    assert not st.started and st.steps == []
    st.step()
    st.step()
    st.reset()
    np.testing.assert_allclose(x.grad.numpy(), 10.0)
    st.run()
    np.testing.assert_allclose(x.grad.numpy(), 14.5)
    leaf_step = st.steps[-1]
    np.testing.assert_allclose(leaf_step.record.grad_before.numpy(), 10.0)


def test_reset_to_no_grad() -> None:
    x, out = blitz()
    st = Stepper(build_graph(out))
    st.run()
    st.reset()
    assert x.grad is None


def test_breakpoints_on_node_nan_and_norm() -> None:
    x, out = blitz()
    m = build_graph(out)
    st = Stepper(m)
    add = next(n.key for n in m.nodes if n.name == "AddBackward0")
    st.breakpoints.nodes.add(add)
    step = st.run()
    assert step.key == add and step.reason == "breakpoint"
    assert x.grad is None
    assert st.run().key == m.nodes[-1].key  # continues to the end
    st.reset()
    st.breakpoints.nodes.clear()
    st.breakpoints.norm_above = 2.0
    step = st.run()
    assert step.reason.startswith("gradient norm") and m.nodes[step.key].name == "MulBackward0"
    st.reset()
    st.breakpoints.norm_above = None
    assert st.run(until=add).key == add

    a = core.tensor([0.0, 1.0], requires_grad=True)
    out = (a.sqrt() * 2).sum()  # d sqrt at 0 is inf
    st = Stepper(build_graph(out))
    st.breakpoints.nonfinite = True
    step = st.run()
    assert step.reason == "NaN/Inf gradient"
    assert st.model.nodes[step.key].name == "SqrtBackward0"


def test_inplace_change_reports_pytorch_error_at_its_step() -> None:
    a = core.ones(3, requires_grad=True)
    b = a * 1
    c = b.exp()  # saves its result
    d = (c * b).sum()  # saves b
    b.add_(1)
    st = Stepper(build_graph(d))
    st.step()  # SumBackward0 runs fine
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        st.step()
    assert "inplace" in st.error and st.step() is None


def test_edge_grads_and_node_norms() -> None:
    x, out = blitz()
    st = Stepper(build_graph(out))
    st.run()
    eg = st.edge_grads()
    assert eg[(0, -1)].shape == () and eg[(0, -1)].norm == 1.0
    assert eg[(1, 0)].norm == pytest.approx(0.5)
    assert eg[(4, 0)].norm == pytest.approx(9.0)
    assert st.node_norms()[5].shape == (2, 2)


def test_explain_mentions_rule_shapes_and_broadcasting() -> None:
    a = core.randn(3, 1, requires_grad=True)
    b = core.randn(4, requires_grad=True)
    out = (a + b).sum()
    st = Stepper(build_graph(out, {id(a): "a", id(b): "b"}))
    st.run()
    add = next(s for s in st.steps if st.model.nodes[s.key].name == "AddBackward0")
    text = explain(st.model, st.model.nodes[add.key], add)
    assert "grad a = g" in text and "(3, 1)" in text and "(4,)" in text
    assert "summed over dims 1" in text and "summed over dims 0" in text
    leaf = st.steps[-1]
    text = explain(st.model, st.model.nodes[leaf.key], leaf)
    assert ".grad before: None" in text
    assert "Not executed yet" in explain(st.model, st.model.nodes[1], None)
    assert broadcast_dims((2, 3, 4), (3, 1)) == (0, 2)
    assert broadcast_dims((3, 4), (3, 4)) is None and broadcast_dims((), (2, 2)) is None
