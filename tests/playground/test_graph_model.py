"""Graph snapshot: names, shapes, edges, saved tensors, module groups; against PyTorch."""

from __future__ import annotations

import numpy as np
import pytest

import core
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
