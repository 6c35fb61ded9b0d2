"""The Graph panel with pytest-qt, offscreen: step, run, reset, breakpoints, collapse, export."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np
import pytest

import core
from playground.graph.collapse import Group
from playground.widgets.graph_panel import GraphPanel, NodeSelection


def blitz() -> tuple:
    x = core.ones(2, 2, requires_grad=True)
    y = x + 2
    z = y * y * 3
    out = z.mean()
    return x, out


@pytest.fixture
def panel(qtbot) -> GraphPanel:
    p = GraphPanel()
    qtbot.addWidget(p)
    p.resize(1000, 600)
    p.show()
    return p


def test_object_name_and_empty_state(panel: GraphPanel) -> None:
    assert panel.objectName() == "graphPanel"
    assert panel.step() is None and panel.run_to_end() is None
    assert not panel.act_step.isEnabled()


def test_tensor_without_graph(panel: GraphPanel) -> None:
    panel.show_tensor(core.ones(2), {})
    assert not panel.act_step.isEnabled() and panel.step() is None
    assert "no grad_fn" in panel.pane.toPlainText()
    panel.clear()
    assert panel.model is None and panel.view.nodes == {}


def test_blitz_stepped_to_the_end(panel: GraphPanel, qtbot) -> None:
    x, out = blitz()
    panel.show_tensor(out, {id(x): "x", id(out): "out"})
    titles = {item.title for item in panel.view.nodes.values()}
    assert {"out", "MeanBackward0", "MulBackward0", "AddBackward0", "x"} <= titles
    records = []
    panel.stepped.connect(records.append)
    with qtbot.waitSignal(panel.finished, timeout=1000):
        for _ in range(5):
            assert panel.step() is not None
    assert panel.stepper.finished  # known at the last node, not one click later
    assert panel.step() is None
    assert [r.node.name() for r in records] == [
        "MeanBackward0",
        "MulBackward0",
        "MulBackward0",
        "AddBackward0",
        "torch::autograd::AccumulateGrad",
    ]
    np.testing.assert_allclose(x.grad.numpy(), np.full((2, 2), 4.5))
    assert records[-1].variable is x
    assert "complete" in panel.status.text()
    assert not panel.act_step.isEnabled() and panel.act_reset.isEnabled()
    # The leaf's step shows .grad before and after; the edges carry the gradients.
    panel.select("x")
    assert "4.5, 4.5, 4.5, 4.5" in panel.pane.toPlainText()
    labels = [e.label.text() for e in panel.view.edges]
    assert "() ‖1‖" in labels and "(2, 2) ‖9‖" in labels


def test_current_node_and_its_edges_are_highlighted(panel: GraphPanel) -> None:
    x, out = blitz()
    panel.show_tensor(out, {id(x): "x"})
    panel.step()
    panel.step()
    cur = panel.current_step()
    vid = panel.view.vid_of(cur.key)
    assert panel.view.nodes[vid].look.current
    assert sum(item.look.current for item in panel.view.nodes.values()) == 1
    assert sum(item.look.executed for item in panel.view.nodes.values()) == 3  # + the output
    assert "MulBackward0" in panel.pane.toPlainText()
    assert "Step 2" in panel.status.text()


def test_run_reset_and_repeat(panel: GraphPanel) -> None:
    x, out = blitz()
    x.grad = core.ones(2, 2)
    panel.show_tensor(out, {id(x): "x"})
    rec = panel.run_to_end()
    assert rec.variable is x
    np.testing.assert_allclose(x.grad.numpy(), 5.5)
    panel.reset()
    np.testing.assert_allclose(x.grad.numpy(), 1.0)
    assert not any(item.look.executed for item in panel.view.nodes.values())
    assert all(e.label.text() == "" for e in panel.view.edges)
    panel.run_to_end()
    panel.step()
    np.testing.assert_allclose(x.grad.numpy(), 5.5)


def test_breakpoints_and_run_to_node(panel: GraphPanel) -> None:
    x, out = blitz()
    panel.show_tensor(out, {id(x): "x"})
    add = panel.model.find("AddBackward0")[0]
    panel.set_breakpoint(add)
    assert panel.view.nodes[panel.view.vid_of(add.key)].look.breakpoint
    panel.run_to_end()
    assert panel.current_step().key == add.key and x.grad is None
    assert "breakpoint" in panel.status.text() and "Stopped" in panel.pane.toPlainText()
    panel.run_to_end()
    np.testing.assert_allclose(x.grad.numpy(), 4.5)
    panel.reset()
    panel.set_breakpoint(add, False)
    panel.run_to_node(out.grad_fn)
    assert panel.current_step().key == 1
    panel.reset()
    panel.set_break_on_norm(5.0)
    panel.run_to_end()
    assert panel.current_step().key == add.key  # the first gradient of norm 9


def test_break_on_nan(panel: GraphPanel) -> None:
    a = core.tensor([0.0, 4.0], requires_grad=True)
    out = (a.sqrt() * 3).sum()
    panel.show_tensor(out, {id(a): "a"})
    panel.set_break_on_nonfinite(True)
    panel.run_to_end()
    assert panel.model.nodes[panel.current_step().key].name == "SqrtBackward0"


def test_engine_error_is_shown_not_raised(panel: GraphPanel, qtbot) -> None:
    a = core.ones(3, requires_grad=True)
    b = a * 1
    d = (b.exp() * b).sum()
    b.add_(1)
    panel.show_tensor(d)
    with qtbot.waitSignal(panel.failed, timeout=1000) as sig:
        panel.run_to_end()
    assert "inplace" in sig.args[0]
    assert "Backward failed" in panel.pane.toPlainText()
    assert "failed" in panel.status.text() and not panel.act_step.isEnabled()


def test_click_selects_and_signals_node_with_tensors(panel: GraphPanel, qtbot) -> None:
    x, out = blitz()
    panel.show_tensor(out, {id(x): "x"})
    panel.run_to_end()
    leaf = panel.model.find("x")[0]
    with qtbot.waitSignal(panel.nodeSelected, timeout=1000) as sig:
        panel.view.nodeClicked.emit(panel.view.vid_of(leaf.key))
    sel = sig.args[0]
    assert isinstance(sel, NodeSelection) and sel.node is leaf and sel.tensor is x
    np.testing.assert_allclose(sel.grad.numpy(), 4.5)
    assert sel.grads_in[0].shape == (2, 2)
    assert panel.view.nodes[panel.view.vid_of(leaf.key)].look.selected
    assert "AccumulateGrad" in panel.view.nodes[panel.view.vid_of(leaf.key)].toolTip()
    assert "torch.float32" in panel.view.nodes[panel.view.vid_of(leaf.key)].toolTip()


def test_find_and_numerical_check(panel: GraphPanel) -> None:
    x, out = blitz()
    panel.show_tensor(out, {id(x): "x"})
    assert panel.find("nothing-like-this") is None
    panel.run_to_end()
    node = panel.find("mul")
    assert node.name == "MulBackward0" and panel.selected == node.key
    second = panel.find("mul")
    assert second.name == "MulBackward0" and second.key != node.key
    assert "match 2 of 3" in panel.status.text()  # and AccuMULateGrad
    assert panel.find("mul").name == "AccumulateGrad" and panel.find("mul") is node
    result = panel.check_current()
    assert result.available and result.ok
    assert "OK" in panel.check_label.text()


def mlp() -> tuple:
    core.manual_seed(0)
    x = core.randn(8, 3)
    w1, b1 = core.randn(5, 3, requires_grad=True), core.randn(5, requires_grad=True)
    w2, b2 = core.randn(1, 5, requires_grad=True), core.randn(1, requires_grad=True)
    y = core.addmm(b2, core.addmm(b1, x, w1.t()).relu(), w2.t())
    loss = ((y - 1) ** 2).mean()
    names = {id(w1): "fc1.weight", id(b1): "fc1.bias", id(w2): "fc2.weight", id(b2): "fc2.bias"}
    return loss, names, (w1, b1, w2, b2)


def test_collapse_and_expand_modules(panel: GraphPanel) -> None:
    loss, names, params = mlp()
    panel.show_tensor(loss, names)
    full = len(panel.view.nodes)
    panel.set_collapsed(True)
    groups = [v for v in panel.view.nodes if isinstance(v, Group)]
    assert sorted(panel.view.nodes[g].title for g in groups) == ["fc1: Linear", "fc2: Linear"]
    assert len(panel.view.nodes) == full - 8 + 2
    # Stepping while collapsed highlights the group of the current node.
    panel.run_to_end()
    w1 = panel.model.find("fc1.weight")[0]
    assert panel.view.nodes[panel.view.vid_of(w1.key)].look.executed
    panel.view.nodeDoubleClicked.emit(Group("fc1"))  # expand one group
    assert Group("fc1") not in panel.view.nodes and Group("fc2") in panel.view.nodes
    panel.set_collapsed(False)
    assert len(panel.view.nodes) == full


def test_health_colouring_and_legend(panel: GraphPanel) -> None:
    loss, names, _ = mlp()
    panel.show_tensor(loss, names)
    panel.run_to_end()
    panel.set_health(True)
    assert panel.view.show_legend
    coloured = [i for i in panel.view.nodes.values() if i.look.health is not None]
    assert len(coloured) >= 8
    panel.set_health(False)
    assert all(i.look.health is None for i in panel.view.nodes.values())


def test_saved_tensors_toggle(panel: GraphPanel) -> None:
    x, out = blitz()
    panel.show_tensor(out, {id(x): "x"})
    n = len(panel.view.nodes)
    panel.set_show_saved(True)
    assert len(panel.view.nodes) > n
    panel.run_to_end()
    np.testing.assert_allclose(x.grad.numpy(), 4.5)


def test_export_png_and_svg(panel: GraphPanel, tmp_path) -> None:
    loss, names, _ = mlp()
    panel.show_tensor(loss, names)
    panel.step()
    png, svg = tmp_path / "g.png", tmp_path / "g.svg"
    panel.export(str(png))
    panel.export(str(svg))
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    text = svg.read_text()
    assert text.lstrip().startswith("<?xml") and "<svg" in text
    assert "AddmmBackward0" in text or "AddmmBackward0" in "".join(
        i.title for i in panel.view.nodes.values()
    )


def test_stepping_an_mlp_visits_every_node_once(panel: GraphPanel) -> None:
    # The step time (<= 50 ms) is measured by benchmarks/bench_graph.py, not by a timed test.
    loss, names, _ = mlp()
    panel.show_tensor(loss, names)
    nodes = []
    while (record := panel.step()) is not None:
        nodes.append(record.node)
    assert len(nodes) == len(set(map(id, nodes))) > 5


def test_screenshot(panel: GraphPanel, tmp_path) -> None:
    x, out = blitz()
    panel.show_tensor(out, {id(x): "x", id(out): "out"})
    panel.step()
    panel.step()
    panel.step()
    img = panel.grab()
    assert not img.isNull() and img.width() >= 900
    assert img.save(str(tmp_path / "graph.png"))


def test_pyside_none_refcount_guard() -> None:
    """Thousands of void Qt calls must not free None (PySide6 6.12 on CPython 3.11)."""
    import subprocess
    import sys

    code = (
        "import os;os.environ['QT_QPA_PLATFORM']='offscreen';"
        "from PySide6.QtWidgets import QApplication;app=QApplication([]);"
        "import playground.widgets.graph_view;from PySide6.QtCore import QPointF;p=QPointF()\n"
        "for _ in range(50000): p.setX(1.0)\n"
        "print('alive')"
    )
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    out = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True)
    assert out.returncode == 0 and "alive" in out.stdout, out.stderr[-500:]


def test_node_menu_tooltips_and_run_to_done_node(panel: GraphPanel) -> None:
    from playground.widgets.graph_toolbar import node_menu

    loss, names, _ = mlp()
    panel.show_tensor(loss, names)
    add = panel.model.find("AddmmBackward0")[0]
    menu = node_menu(panel, add.key)
    texts = [a.text() for a in menu.actions()]
    assert texts[:3] == ["Break after this node", "Run to this node", "Check numerically"]
    assert texts[3].startswith("Collapse fc")
    menu.actions()[0].trigger()
    assert add.key in panel.stepper.breakpoints.nodes
    menu.actions()[3].trigger()
    assert Group(add.group) in panel.view.nodes
    assert [a.text() for a in node_menu(panel, Group(add.group)).actions()] == ["Expand module"]
    panel.run_to_end()
    assert panel.current_step().key == add.key
    assert panel.run_to_node(add) is None and "already run" in panel.status.text()
    tip = panel.view.nodes[panel.view.vid_of(1)].toolTip()
    assert "gradient received: () ‖1‖ (healthy)" in tip


def test_second_backward_error_has_a_hint(panel: GraphPanel) -> None:
    x, out = blitz()
    out.backward()
    panel.show_tensor(out, {id(x): "x"})
    panel.run_to_end()  # MeanBackward0 saved nothing; the first MulBackward0 fails
    assert panel.model.nodes[panel.current_step().key].name == "MeanBackward0"
    text = panel.pane.toPlainText()
    assert "second time" in text and "retain_graph=True" in text


def test_switching_tensors_keeps_a_complete_pass_and_undoes_a_partial_one(
    panel: GraphPanel,
) -> None:
    x, out = blitz()
    panel.show_tensor(out, {id(x): "x"})
    panel.run_to_end()
    a = core.ones(2, requires_grad=True)
    b = core.ones(2, requires_grad=True)
    other = (a * 3).sum() + (b * 2).sum()
    panel.show_tensor(other, {id(a): "a", id(b): "b"})
    np.testing.assert_allclose(x.grad.numpy(), 4.5)  # complete: kept
    while b.grad is None:  # b's branch runs first (most recent first), a's is still to come
        panel.step()
    assert a.grad is None and not panel.stepper.finished
    panel.show_tensor(out, {id(x): "x"})
    assert b.grad is None  # partial: undone


def test_non_scalar_output_starts_from_ones(panel: GraphPanel) -> None:
    x = core.ones(2, 3, requires_grad=True)
    y = x * 2
    panel.show_tensor(y, {id(x): "x", id(y): "y"})
    assert "gradient of ones" in panel.pane.toPlainText()
    panel.run_to_end()
    np.testing.assert_allclose(x.grad.numpy(), 2.0)
    a = core.ones(3, requires_grad=True)
    panel.show_tensor(a, {id(a): "a"})  # a leaf: its accumulator is the whole graph
    panel.run_to_end()
    np.testing.assert_allclose(a.grad.numpy(), 1.0)
