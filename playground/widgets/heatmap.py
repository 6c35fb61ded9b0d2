"""Heat map of a 2-D slice with a colour bar (pyqtgraph); large slices are drawn from a stride."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from core.inspect import slice_2d, view_shape

MAX_SIDE = 512  # pixels per side drawn; bigger slices are strided, and the note says so

_BACKGROUND = {"light": "#ffffff", "dark": "#1e1f22"}
_FOREGROUND = {"light": "#404040", "dark": "#c8c8c8"}


class HeatMapView(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("heatMap")
        self.canvas = pg.GraphicsLayoutWidget()
        self.plot = self.canvas.addPlot()
        self.plot.invertY(True)
        self.plot.setAspectLocked(False)
        self.plot.setMenuEnabled(False)
        self.image = pg.ImageItem(axisOrder="row-major")
        self.plot.addItem(self.image)
        self.colour_bar = pg.ColorBarItem(colorMap=pg.colormap.get("viridis"), interactive=False)
        self.colour_bar.setImageItem(self.image, insert_in=self.plot)
        self.note = QLabel(objectName="heatMapNote")
        self.note.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.canvas, 1)
        layout.addWidget(self.note)
        self.shown: np.ndarray | None = None

    def set_theme(self, theme: str) -> None:
        self.canvas.setBackground(_BACKGROUND.get(theme, "#ffffff"))
        pen = pg.mkPen(_FOREGROUND.get(theme, "#404040"))
        bar_axis = self.colour_bar.getAxis("right")  # ColorBarItem is a PlotItem
        for axis in (self.plot.getAxis("left"), self.plot.getAxis("bottom"), bar_axis):
            axis.setPen(pen)
            axis.setTextPen(pen)

    def clear(self, message: str = "") -> None:
        self.shown = None
        self.image.clear()
        self.note.setText(message)

    def show_slice(
        self, tensor: Any, axes: tuple[int, ...], index: tuple[int, ...], grad: bool
    ) -> None:
        shape = tuple(tensor.shape)
        if any(n == 0 for n in shape):
            self.clear("Empty tensor: nothing to draw.")
            return
        rows, cols = view_shape(shape, axes)
        rs, cs = max(1, math.ceil(rows / MAX_SIDE)), max(1, math.ceil(cols / MAX_SIDE))
        data = slice_2d(tensor, axes, index, slice(None, None, rs), slice(None, None, cs), grad)
        if data is None:
            self.clear("No gradient yet: call backward() first.")
            return
        data = data.astype(np.float32)
        finite = data[np.isfinite(data)]
        lo, hi = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
        if hi <= lo:
            lo, hi = lo - 0.5, hi + 0.5
        self.shown = data
        self.image.setImage(np.where(np.isfinite(data), data, np.nan), autoLevels=False)
        self.image.setRect(0, 0, cols, rows)
        self.colour_bar.setLevels((lo, hi))
        self.plot.autoRange(padding=0.02)
        notes = []
        if rs > 1 or cs > 1:
            notes.append(f"Drawn from every {rs}th row and {cs}th column of {rows}×{cols}.")
        bad = data.size - finite.size
        if bad:
            notes.append(f"{bad} NaN/Inf cell(s) left blank.")
        self.note.setText(" ".join(notes))
        self.note.setVisible(bool(notes))
