"""The Variables table over real core tensors."""

from PySide6.QtCore import Qt

from playground.execution import execute
from playground.session import Session
from playground.widgets.variables import VariablesPanel


def test_rows_selection_and_refresh(qtbot):
    s = Session()
    execute("x = torch.ones(2, 2, requires_grad=True)\ny = x + 2\nk = 3", s.namespace, print)
    panel = VariablesPanel()
    qtbot.addWidget(panel)
    panel.set_rows(s.variables())
    model = panel.model
    assert model.rowCount() == 3
    header = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    assert header[:8] == [
        "Name",
        "Type",
        "Shape",
        "dtype",
        "Device",
        "requires_grad",
        "grad_fn",
        "Memory",
    ]
    cells = [model.index(1, c).data() for c in range(model.columnCount())]
    assert cells[:8] == [
        "y",
        "Tensor",
        "2×2",
        "torch.float32",
        "cpu",
        "True",
        "AddBackward0",
        "16 B",
    ]
    with qtbot.waitSignal(panel.variableSelected) as blocker:
        panel.select("y")
    assert blocker.args == ["y"]
    # a refresh keeps the selection without announcing it again
    with qtbot.assertNotEmitted(panel.variableSelected):
        panel.set_rows(s.variables())
    assert panel.selected_name() == "y"
