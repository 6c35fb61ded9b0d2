"""The Qt-free scratchpad state: prelude, `import torch`, variable rows, device moves."""

import numpy as np

import core
from playground.execution import execute
from playground.session import Session


def run(session, code):
    result = execute(code, session.namespace, lambda *_: None)
    assert result.ok, result.error
    return result


def test_prelude_binds_torch_to_core():
    s = Session()
    assert s.namespace["torch"] is core
    assert s.namespace["np"] is np
    assert s.variables() == []  # the prelude is not listed


def test_import_torch_in_the_scratchpad_means_core():
    s = Session()
    run(s, "import torch\nimport torch.nn as tnn\nfrom torch import ones")
    assert s.namespace["torch"] is core
    assert s.namespace["ones"] is core.ones
    assert s.namespace["tnn"] is s.namespace["nn"]


def test_variable_rows_for_tensors_and_values():
    s = Session()
    run(s, "x = torch.ones(2, 3, requires_grad=True)\ny = (x * 2).sum()\nk = 7\nname = 'a'")
    rows = {r.name: r for r in s.variables()}
    assert rows["x"].kind == "tensor" and rows["x"].shape == "2×3"
    assert rows["x"].requires_grad == "True" and rows["x"].memory == "24 B"
    assert rows["y"].grad_fn == "SumBackward0" and rows["y"].shape == "scalar"
    assert rows["y"].value == "12.0"
    assert rows["k"].kind == "value" and rows["k"].value == "7"
    assert [r.kind for r in s.variables()][:2] == ["tensor", "tensor"]


def test_module_and_optimizer_rows():
    s = Session()
    run(s, "m = nn.Linear(3, 2)\nopt = optim.SGD(m.parameters(), lr=0.1)")
    rows = {r.name: r for r in s.variables()}
    assert rows["m"].kind == "module" and rows["m"].shape == "8 params"
    assert rows["opt"].kind == "optimizer" and rows["opt"].value == "lr=0.1"
    names = s.tensor_names()
    assert names[id(s.namespace["m"].weight)] == "m.weight"


def test_a_broken_object_still_gets_a_row():
    s = Session()
    run(s, "class Bad:\n    def __repr__(self):\n        raise ValueError('no')\nb = Bad()")
    row = {r.name: r for r in s.variables()}["b"]
    assert "error" in row.value


def test_move_to_cpu_keeps_leaves_leaves():
    s = Session()
    run(s, "x = torch.ones(2, requires_grad=True)\ny = x * 2")
    moved = s.move_to("cpu")
    assert moved == []  # already there
    assert s.namespace["x"].is_leaf


def test_reset_forgets_user_names():
    s = Session()
    run(s, "a = 1")
    s.reset()
    assert "a" not in s.namespace and "torch" in s.namespace


def test_every_example_runs():
    from playground.examples import examples

    found = examples()
    assert len(found) >= 7
    for example in found:
        s = Session()
        result = execute(example.path.read_text(encoding="utf-8"), s.namespace, lambda *_: None)
        assert result.ok, f"{example.path.name}: {result.error}"


def test_moving_a_leaf_keeps_it_a_leaf_with_its_grad():
    from playground.session import _move_tensor

    x = core.ones(2, requires_grad=True)
    (x * 2).sum().backward()
    moved = _move_tensor(x, core.device("cpu"))
    assert moved is not x and moved.is_leaf and moved.requires_grad
    assert moved.grad.tolist() == [2.0, 2.0]
    assert _move_tensor(x * 3, core.device("cpu")).grad_fn is not None  # history kept
