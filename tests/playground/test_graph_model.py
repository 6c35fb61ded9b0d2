"""Graph snapshot, stepper, explanations and numerical check, without Qt."""

from __future__ import annotations

import math

import numpy as np
import pytest

import core
from playground.graph import health
from playground.graph.explain import broadcast_dims, explain
from playground.graph.model import build_graph
from playground.graph.numcheck import check_node
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


def test_blitz_graph_names_shapes_and_edges() -> None:
    x, out = blitz()
    m = build_graph(out, {id(x): "x", id(out): "out"})
    assert names_of(m) == [
        "out",
        "MeanBackward0",
        "MulBackward0",
        "MulBackward0",
        "AddBackward0",
        "AccumulateGrad",
    ]
    assert [n.kind for n in m.nodes] == ["output", "op", "op", "op", "op", "leaf"]
    leaf = m.nodes[-1]
    assert leaf.title == "x" and leaf.tensor is x and leaf.shape == (2, 2)
    assert leaf.dtype == "torch.float32"
    assert m.nodes[1].shape == () and m.nodes[2].shape == (2, 2)
    # y * y: two edges from the same MulBackward0 to the same AddBackward0, slots 0 and 1.
    assert [(e.src, e.dst, e.slot) for e in m.edges if e.src == 3] == [(3, 4, 0), (3, 4, 1)]
    assert m.find("x")[0] is leaf and m.find("mul")[0].name == "MulBackward0"


def test_node_names_match_pytorch() -> None:
    torch = pytest.importorskip("torch")

    def walk(fn) -> list[str]:
        seen, order, stack = set(), [], [fn]
        while stack:
            f = stack.pop()
            order.append(f.name().split("::")[-1])
            fresh = [n for n, _ in f.next_functions if n is not None and n not in seen]
            seen.update(fresh)
            stack.extend(reversed(fresh))
        return order

    for lib in (core, torch):
        x = lib.ones(3, 1, requires_grad=True)
        w = lib.ones(4, 2, requires_grad=True)
        b = lib.zeros(4, requires_grad=True)
        h = lib.addmm(b, lib.ones(3, 2), w.t())
        out = ((x * h).exp().sum(1) / 2).mean()
        if lib is core:
            ours = names_of(build_graph(out))[1:]
        else:
            theirs = walk(out.grad_fn)
    assert ours == theirs


def test_saved_tensors_are_optional_nodes() -> None:
    x, out = blitz()
    m = build_graph(out, {id(x): "x"}, show_saved=True)
    saved = [n for n in m.nodes if n.kind == "saved"]
    assert {n.name for n in saved} == {"self", "other"}
    assert all(e.kind == "saved" for e in m.edges if m.nodes[e.dst].kind == "saved")


def test_groups_inferred_from_parameter_names() -> None:
    x = core.randn(5, 3)
    w1, b1 = core.randn(4, 3, requires_grad=True), core.randn(4, requires_grad=True)
    w2, b2 = core.randn(2, 4, requires_grad=True), core.randn(2, requires_grad=True)
    h = core.addmm(b1, x, w1.t()).relu()
    out = core.addmm(b2, h, w2.t()).sum()
    names = {id(w1): "fc1.weight", id(b1): "fc1.bias", id(w2): "fc2.weight", id(b2): "fc2.bias"}
    m = build_graph(out, names)
    by = {(n.name, n.title): n.group for n in m.nodes}
    assert by[("AccumulateGrad", "fc1.weight")] == "fc1"
    assert by[("ReluBackward0", "ReluBackward0")] is None
    assert by[("SumBackward0", "SumBackward0")] is None
    assert sorted(n.group for n in m.nodes if n.name == "AddmmBackward0") == ["fc1", "fc2"]
    assert sorted(n.group for n in m.nodes if n.name == "TBackward0") == ["fc1", "fc2"]
    assert m.groups == {"fc2": "fc2: Linear", "fc1": "fc1: Linear"}


def test_groups_from_recorded_module_metadata() -> None:
    x = core.ones(2, requires_grad=True)
    y = x * 2
    y.grad_fn.metadata["module"] = ("act", "Scale")
    m = build_graph(y.sum())
    assert [n.group for n in m.nodes if n.name == "MulBackward0"] == ["act"]
    assert m.groups == {"act": "act: Scale"}


def test_groups_from_core_module_tags() -> None:
    w = core.ones(3, 2, requires_grad=True)
    b = core.zeros(3, requires_grad=True)
    x = core.ones(4, 2)
    h = core.addmm(b, x, w.t())
    for fn in (h.grad_fn, h.grad_fn.next_functions[2][0]):  # what nn.Module.__call__ records
        fn.metadata["module"] = "encoder.fc1"
        fn.metadata["module_type"] = "Linear"
    m = build_graph(h.relu().sum(), {id(w): "encoder.fc1.weight", id(b): "encoder.fc1.bias"})
    assert m.groups == {"encoder.fc1": "encoder.fc1: Linear"}
    grouped = sorted(n.title for n in m.nodes if n.group == "encoder.fc1")
    assert grouped == ["AddmmBackward0", "TBackward0", "encoder.fc1.bias", "encoder.fc1.weight"]


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


def lenet_loss(lib) -> tuple:
    """A LeNet-5 training step's loss with parameters named as nn.Module would name them."""
    F = lib.nn.functional
    g = np.random.default_rng(0)

    def p(*s):
        return lib.tensor((g.standard_normal(s) * 0.2).astype(np.float32), requires_grad=True)

    P = {
        "conv1.weight": p(6, 1, 5, 5),
        "conv1.bias": p(6),
        "conv2.weight": p(16, 6, 5, 5),
        "conv2.bias": p(16),
        "fc1.weight": p(120, 400),
        "fc1.bias": p(120),
        "fc2.weight": p(84, 120),
        "fc2.bias": p(84),
        "fc3.weight": p(10, 84),
        "fc3.bias": p(10),
    }
    x = lib.tensor(g.standard_normal((2, 1, 32, 32)).astype(np.float32))
    h = F.max_pool2d(F.relu(F.conv2d(x, P["conv1.weight"], P["conv1.bias"])), 2)
    h = F.max_pool2d(F.relu(F.conv2d(h, P["conv2.weight"], P["conv2.bias"])), 2)
    h = F.relu(F.linear(h.reshape(2, -1), P["fc1.weight"], P["fc1.bias"]))
    h = F.relu(F.linear(h, P["fc2.weight"], P["fc2.bias"]))
    loss = F.cross_entropy(F.linear(h, P["fc3.weight"], P["fc3.bias"]), lib.tensor([3, 7]))
    return loss, P


def test_lenet_step_graph_groups_stepping_and_checks() -> None:
    loss, P = lenet_loss(core)
    loss.backward(retain_graph=True)
    expected = {k: v.grad.numpy().copy() for k, v in P.items()}
    for v in P.values():
        v.grad = None
    m = build_graph(loss, {id(v): k for k, v in P.items()})
    assert m.groups == {
        "fc3": "fc3: Linear",
        "fc2": "fc2: Linear",
        "fc1": "fc1: Linear",
        "conv2": "conv2: Conv2d",
        "conv1": "conv1: Conv2d",
    }
    st = Stepper(m)
    st.run()
    for k, v in P.items():
        np.testing.assert_allclose(v.grad.numpy(), expected[k], rtol=1e-5, atol=1e-6)
    names = {st.model.nodes[s.key].name for s in st.steps}
    assert {"ConvolutionBackward0", "MaxPool2DWithIndicesBackward0", "NllLossBackward0"} <= names
    for s in st.steps:
        node = st.model.nodes[s.key]
        if node.kind == "op" and node.name != "ConvolutionBackward0":  # conv: slow, covered below
            result = check_node(node, s)
            assert result.available and result.ok, (node.name, result.message)
    conv = next(s for s in st.steps if st.model.nodes[s.key].name == "ConvolutionBackward0")
    assert check_node(st.model.nodes[conv.key], conv, samples=8).ok


def walk(fn) -> list[tuple[str, list]]:
    """(name, names of next_functions) of every node, depth first: the same walk for both."""
    out, seen, stack = [], {fn}, [fn]
    while stack:
        f = stack.pop()
        kids = [n for n, _ in f.next_functions]
        out.append(
            (f.name().split("::")[-1], [k.name().split("::")[-1] if k else None for k in kids])
        )
        fresh = [n for n in kids if n is not None and n not in seen]
        seen.update(fresh)
        stack.extend(reversed(fresh))
    return out


def test_lenet_graph_matches_pytorch() -> None:
    torch = pytest.importorskip("torch")
    loss = lenet_loss(core)[0]
    ours = walk(loss.grad_fn)
    assert ours == walk(lenet_loss(torch)[0].grad_fn)
    assert sorted(n.name for n in build_graph(loss).nodes[1:]) == sorted(n for n, _ in ours)


def test_nn_module_groups_from_core_tags() -> None:
    nn = pytest.importorskip("core.nn")
    if not hasattr(nn, "Conv2d"):
        pytest.skip("core.nn not built yet")
    F = nn.functional

    class LeNet(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.conv1, self.conv2 = nn.Conv2d(1, 6, 5), nn.Conv2d(6, 16, 5)
            self.fc1, self.fc2, self.fc3 = (
                nn.Linear(400, 120),
                nn.Linear(120, 84),
                nn.Linear(84, 10),
            )

        def forward(self, x):
            x = F.max_pool2d(F.relu(self.conv1(x)), 2)
            x = F.max_pool2d(F.relu(self.conv2(x)), 2).flatten(1)
            return self.fc3(F.relu(self.fc2(F.relu(self.fc1(x)))))

    core.manual_seed(0)
    net = LeNet()
    loss = nn.CrossEntropyLoss()(net(core.randn(2, 1, 32, 32)), core.tensor([1, 2]))
    names = {id(p): n for n, p in net.named_parameters()}
    modules = {n: type(m).__name__ for n, m in net.named_modules() if n}
    m = build_graph(loss, names, modules=modules)
    # The root module's own ops (relu, pool, flatten) wrap its children: not a foldable group.
    assert m.groups == {
        "CrossEntropyLoss": "CrossEntropyLoss",
        "fc3": "fc3: Linear",
        "fc2": "fc2: Linear",
        "fc1": "fc1: Linear",
        "conv2": "conv2: Conv2d",
        "conv1": "conv1: Conv2d",
    }
    by_group: dict = {}
    for n in m.nodes:
        by_group.setdefault(n.group, []).append(n.title)
    assert sorted(by_group["fc1"]) == ["AddmmBackward0", "TBackward0", "fc1.bias", "fc1.weight"]
    assert sorted(by_group["conv1"]) == ["ConvolutionBackward0", "conv1.bias", "conv1.weight"]
    assert "ReluBackward0" in by_group[None]
    # Without class names, the kind of layer is guessed from its nodes.
    assert build_graph(loss, names).groups["conv2"] == "conv2: Conv2d"
    st = Stepper(m)
    st.run()
    assert all(p.grad is not None for p in net.parameters())
