"""Per-layer distributions of weights and gradients over time (TensorBoard's distribution view):
for the chosen parameter, bands between the 5/25/75/95th percentiles around the median."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from playground.training_views import PERCENTILES
from playground.widgets.plot_style import PALETTE, apply_plot_theme


class HistogramPlots(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("histogramPlots")
        self.history: dict[str, list[tuple[float, np.ndarray, np.ndarray]]] = {}
        self.layer = QComboBox(objectName="histogramLayer")
        self.layer.currentTextChanged.connect(lambda _t: self.redraw())
        top = QHBoxLayout()
        top.addWidget(QLabel("Parameter:"))
        top.addWidget(self.layer, 1)
        self.canvas = pg.GraphicsLayoutWidget()
        self.weights = self.canvas.addPlot(row=0, col=0, title="weights")
        self.grads = self.canvas.addPlot(row=0, col=1, title="gradients")
        self.items: dict[str, list[pg.GraphicsObject]] = {"weights": [], "grads": []}
        for plot in (self.weights, self.grads):
            plot.setMenuEnabled(False)
            plot.setLabel("bottom", "step")
            plot.showGrid(x=True, y=True, alpha=0.15)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.canvas, 1)

    def clear_history(self) -> None:
        self.history.clear()
        self.layer.clear()
        for plot in (self.weights, self.grads):
            plot.clear()

    def add(self, step: float, stats: Mapping[str, tuple[np.ndarray, np.ndarray]]) -> None:
        """`stats`: parameter name -> (weight percentiles, grad percentiles)."""
        for name, (w, g) in stats.items():
            if name not in self.history:
                self.history[name] = []
                self.layer.addItem(name)
            self.history[name].append((step, np.asarray(w), np.asarray(g)))

    def redraw(self) -> None:
        rows = self.history.get(self.layer.currentText(), [])
        for plot, which in ((self.weights, 1), (self.grads, 2)):
            plot.clear()
            if not rows:
                continue
            x = np.array([r[0] for r in rows])
            p = np.array([r[which] for r in rows])  # (T, 5)
            colour = pg.mkColor(PALETTE["train"] if which == 1 else PALETTE["val"])
            edge = pg.mkColor(colour)
            edge.setAlpha(90)
            curves = [plot.plot(x, p[:, i], pen=pg.mkPen(edge, width=1)) for i in range(5)]
            for lo, hi, alpha in ((0, 4, 50), (1, 3, 110)):
                fill = pg.mkColor(colour)
                fill.setAlpha(alpha)
                plot.addItem(pg.FillBetweenItem(curves[lo], curves[hi], brush=fill))
            plot.plot(x, p[:, 2], pen=pg.mkPen(colour, width=2))

    def set_theme(self, theme: str) -> None:
        apply_plot_theme(self.canvas, [self.weights, self.grads], theme)

    def csv_table(self) -> tuple[Sequence[str], list[list[float | str]]]:
        head = ["parameter", "step"]
        head += [f"w_p{q}" for q in PERCENTILES] + [f"g_p{q}" for q in PERCENTILES]
        rows = [
            [name, step, *map(float, w), *map(float, g)]
            for name, entries in self.history.items()
            for step, w, g in entries
        ]
        return head, rows
