"""The Graph panel's tool bar (stepping, breakpoints, find, view options, export) and the
context menu of a node."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDoubleSpinBox, QFileDialog, QLineEdit, QMenu, QToolBar

from playground.graph.collapse import Group

if TYPE_CHECKING:
    from playground.widgets.graph_panel import GraphPanel


def build_toolbar(self: GraphPanel) -> QToolBar:
    """The panel's actions (kept as ``act_*`` attributes of the panel) in one tool bar."""
    tb = QToolBar("Graph", self)
    tb.setObjectName("graphToolbar")

    def act(text: str, slot: Any, tip: str, key: Any = None, checkable: bool = False) -> QAction:
        a = QAction(text, self)
        a.setToolTip(tip)
        a.setCheckable(checkable)
        if key is not None:
            a.setShortcut(QKeySequence(key))
            a.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        a.triggered.connect(slot)
        tb.addAction(a)
        self.addAction(a)
        return a

    self.act_step = act(
        "Step", lambda: self.step(), "Execute one backward node (F10)", Qt.Key.Key_F10
    )
    self.act_run = act(
        "Run",
        lambda: self.run_to_end(),
        "Run to the end or a breakpoint (F5)",
        Qt.Key.Key_F5,
    )
    self.act_run_to = act(
        "Run to",
        lambda: self.run_to_node(self.selected),
        "Run until the selected node has executed",
    )
    self.act_reset = act("Reset", lambda: self.reset(), "Restore the gradients of before the pass")
    tb.addSeparator()
    self.act_break = act(
        "Break",
        self.toggle_breakpoint,
        "Break after the selected node (F9)",
        Qt.Key.Key_F9,
    )
    self.act_nan = act(
        "NaN/Inf",
        lambda on: self.set_break_on_nonfinite(on),
        "Stop when a NaN or Inf gradient appears",
        checkable=True,
    )
    self.norm_box = QDoubleSpinBox(self)
    self.norm_box.setDecimals(1)
    self.norm_box.setRange(0, 1e12)
    self.norm_box.setSpecialValueText("norm: off")
    self.norm_box.setPrefix("norm > ")
    self.norm_box.setMaximumWidth(130)
    self.norm_box.setToolTip("Stop when a gradient norm exceeds this (0: off)")
    self.norm_box.valueChanged.connect(lambda v: self.set_break_on_norm(v or None))
    tb.addWidget(self.norm_box)
    tb.addSeparator()
    act("Fit", lambda: self.view.fit(), "Fit the graph to the view")
    self.find_box = QLineEdit(self)
    self.find_box.setPlaceholderText("Find node…")
    self.find_box.setMaximumWidth(130)
    self.find_box.returnPressed.connect(lambda: self.find(self.find_box.text()))
    tb.addWidget(self.find_box)
    self.act_collapse = act(
        "Modules",
        lambda on: self.set_collapsed(on),
        "Fold the nodes of each module into one box",
        checkable=True,
    )
    self.act_health = act(
        "Health",
        lambda on: self.set_health(on),
        "Colour nodes and edges by gradient norm (log scale)",
        checkable=True,
    )
    self.act_saved = act(
        "Saved",
        lambda on: self.set_show_saved(on),
        "Show the tensors saved for backward",
        checkable=True,
    )
    act("Export…", lambda: export_dialog(self), "Save the graph as PNG or SVG")
    return tb


def node_menu(panel: GraphPanel, vid: Any) -> QMenu:
    """Right-click on a node: breakpoint, run to it, check it, fold or unfold its module."""
    menu = QMenu(panel)
    if isinstance(vid, Group):
        menu.addAction("Expand module", lambda: panel.collapse_group(str(vid.id), False))
        return menu
    model, stepper = panel.model, panel.stepper
    if model is None or stepper is None:
        return menu
    node = model.nodes[vid]
    on = vid in stepper.breakpoints.nodes
    menu.addAction(
        "Remove breakpoint" if on else "Break after this node",
        lambda: panel.set_breakpoint(vid, not on),
    )
    run_to = menu.addAction("Run to this node", lambda: panel.run_to_node(vid))
    run_to.setEnabled(vid not in stepper.executed() and not stepper.finished)

    def check() -> None:
        panel.select(vid)
        panel.check_current()

    menu.addAction("Check numerically", check)
    if node.group is not None:
        label = model.groups.get(node.group, node.group)
        menu.addAction(f"Collapse {label}", lambda: panel.collapse_group(node.group, True))
    return menu


def export_dialog(panel: GraphPanel) -> None:
    """Ask for a file name and export the graph (PNG or SVG by its suffix)."""
    path, _ = QFileDialog.getSaveFileName(
        panel, "Export graph", "graph.png", "PNG (*.png);;SVG (*.svg)"
    )
    if path:
        try:
            panel.export(path)
        except OSError as exc:
            panel.status.setText(str(exc))
