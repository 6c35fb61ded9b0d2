"""The inspector over real core tensors, including the awkward ones."""

import numpy as np
import pytest

import core
from playground.widgets.inspector import InspectorPanel
from playground.widgets.tensor_export import numpy_literal, save_array
from playground.widgets.tensor_table import format_value


@pytest.fixture
def panel(qtbot):
    p = InspectorPanel()
    qtbot.addWidget(p)
    p.resize(700, 500)
    p.show()
    return p


def cell(panel, r, c):
    return panel.model.index(r, c).data()


def test_header_and_table(panel):
    x = core.ones(2, 2, requires_grad=True)
    y = x + 2
    panel.inspect(y, "y")
    text = panel.header.text()
    for part in ("(2, 2)", "torch.float32", "AddBackward0", "is_leaf", "contiguous", "16 B"):
        assert part in text
    assert (panel.model.rowCount(), panel.model.columnCount()) == (2, 2)
    assert cell(panel, 1, 1) == "3.0000"


def test_value_grad_switch(panel):
    x = core.ones(3, requires_grad=True)
    panel.inspect(x, "x")
    panel.set_grad(True)
    assert "grad is None" in panel.note.text()
    assert panel.model.rowCount() == 0
    (x * 4).sum().backward()
    panel.refresh()
    assert cell(panel, 0, 0) == "4.0000"
    plain = core.ones(3)
    panel.inspect(plain, "plain")
    assert not panel.grad_button.isEnabled() and not panel.grad


@pytest.mark.parametrize(
    "make, first",
    [
        (lambda: core.tensor(2.5), "2.5000"),  # 0-d
        (lambda: core.tensor([True, False]), "True"),  # bool
        (lambda: core.tensor([7, 8], dtype=core.int64), "7"),  # int
        (lambda: core.tensor([float("nan"), float("inf")]), "nan"),
        (lambda: core.arange(720).reshape(2, 3, 4, 5, 3, 2).float(), "0.0000"),  # 6-d
    ],
)
def test_awkward_tensors_open_in_every_tab(panel, make, first):
    t = make()
    panel.inspect(t, "t")
    assert cell(panel, 0, 0) == first
    for tab in range(panel.tabs.count()):
        panel.tabs.setCurrentIndex(tab)
    assert panel.stats.stats is not None


def test_empty_tensor(panel):
    panel.inspect(core.zeros(0, 4), "e")
    assert panel.model.rowCount() == 0 and "Empty tensor" in panel.note.text()
    panel.tabs.setCurrentIndex(1)
    assert panel.heatmap.shown is None


def test_nd_slicing_with_the_axis_pickers_and_sliders(panel):
    t = core.arange(24).reshape(2, 3, 4)
    panel.inspect(t, "t")
    assert panel.slices.isVisible()
    panel.slices.slider(0).setValue(1)
    assert cell(panel, 0, 0) == "12"
    panel.slices.row_axis.setCurrentIndex(0)  # rows: dim 0, columns: dim 2, slider on dim 1
    assert (panel.model.rowCount(), panel.model.columnCount()) == (2, 4)
    panel.slices.slider(1).setValue(2)
    assert cell(panel, 1, 3) == str(12 + 8 + 3)


def test_a_huge_tensor_reads_only_visible_tiles(panel, qtbot):
    t = core.zeros(4096, 4096)
    panel.inspect(t, "big")
    qtbot.wait(20)  # let the view paint
    assert 0 < panel.model.fetches <= 4
    panel.tabs.setCurrentIndex(1)
    assert panel.heatmap.shown.shape == (512, 512)
    assert "every 8th row" in panel.heatmap.note.text()
    panel.tabs.setCurrentIndex(2)
    assert panel.stats.stats.sampled and "random sample" in panel.stats.note.text()


def test_non_tensors_show_their_printed_form(panel):
    from core import nn

    panel.inspect(nn.Linear(2, 3), "layer")
    assert "Linear(in_features=2, out_features=3" in panel.details.toPlainText()


def test_export_helpers(tmp_path):
    a = np.arange(4, dtype=np.float32).reshape(2, 2)
    assert numpy_literal(a) == "np.array([[0., 1.],\n          [2., 3.]], dtype=np.float32)"
    save_array(a, str(tmp_path / "a.npy"))
    np.testing.assert_array_equal(np.load(tmp_path / "a.npy"), a)
    save_array(a, str(tmp_path / "a.safetensors"), "w")
    from safetensors.numpy import load_file

    np.testing.assert_array_equal(load_file(str(tmp_path / "a.safetensors"))["w"], a)
    with pytest.raises(ValueError, match="use .npy or .safetensors"):
        save_array(a, str(tmp_path / "a.txt"))


def test_copy_buttons_fill_the_clipboard(panel, qapp):
    panel.inspect(core.tensor([1.0, 2.0]), "v")
    messages = []
    panel.message.connect(lambda level, text: messages.append(level))
    panel.buttons["copyNumpy"].click()
    assert qapp.clipboard().text() == "np.array([1., 2.], dtype=np.float32)"
    panel.buttons["copyText"].click()
    assert qapp.clipboard().text() == "tensor([1., 2.])"
    assert messages == ["INFO", "INFO"]


def test_cell_format():
    assert format_value(np.float32(1.5)) == "1.5000"
    assert format_value(np.float64(1e-7)) == "1.0000e-07"
    assert format_value(np.bool_(True)) == "True"
    assert format_value(np.int64(-3)) == "-3"


def test_grad_of_a_non_leaf_explains_retain_grad(panel):
    x = core.ones(2, requires_grad=True)
    y = x * 3
    panel.inspect(y, "y")
    panel.set_grad(True)
    assert "y.retain_grad()" in panel.note.text()


def test_an_object_that_cannot_print(panel):
    class Broken:
        def __repr__(self):
            raise ValueError("nope")

    panel.inspect(Broken(), "b")
    assert "repr() failed: nope" in panel.details.toPlainText()
