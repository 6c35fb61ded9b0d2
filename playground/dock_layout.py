"""Where the docks go by default, and in what proportions."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt

if TYPE_CHECKING:
    from playground.main_window import MainWindow

RIGHT_TABS = ("graph", "training", "plots")  # tabbed together above the inspector


def arrange(w: MainWindow) -> None:
    """Scratchpad left over Variables/Log; Graph/Training/Plots right over the Inspector."""
    d = w.docks
    w.setDockNestingEnabled(True)
    w.splitDockWidget(d["scratchpad"], d["variables"], Qt.Orientation.Vertical)
    w.tabifyDockWidget(d["variables"], d["log"])
    right = [d[k] for k in RIGHT_TABS if k in d]
    if right:
        w.splitDockWidget(right[0], d["inspector"], Qt.Orientation.Vertical)
        for other in right[1:]:
            w.tabifyDockWidget(right[0], other)
        right[0].raise_()
    d["variables"].raise_()


def default_sizes(w: MainWindow) -> None:
    """Dock proportions; they only take once the window has its real size (first show)."""
    d = w.docks
    width, height = w.width(), w.height()
    horizontal, vertical = Qt.Orientation.Horizontal, Qt.Orientation.Vertical
    w.resizeDocks(
        [d["scratchpad"], d["inspector"]], [width * 45 // 100, width * 55 // 100], horizontal
    )
    w.resizeDocks(
        [d["scratchpad"], d["variables"]], [height * 65 // 100, height * 35 // 100], vertical
    )
    right = [d[k] for k in RIGHT_TABS if k in d]
    if right:
        w.resizeDocks(
            [right[0], d["inspector"]], [height * 55 // 100, height * 45 // 100], vertical
        )
