"""Fit views: the data and what the model makes of it, one view per kind of task.

- `RegressionFit`: 1-D data points and the model's prediction curve (y = pi x + 42 and friends).
- `ClassificationFit`: 2-D points over the model's decision regions drawn as a heat map.
- Both emit `pointDrawn(x, y)` / `pointErased(x, y)` for clicks when drawing is switched on.
Images (samples and confusion matrix) live in image_plots.py.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal

from playground.frame_budget import TimedPaint
from playground.widgets.plot_style import CLASS_COLOURS, PALETTE, apply_plot_theme, class_colour


class _DrawableFit(TimedPaint, pg.GraphicsLayoutWidget):
    pointDrawn = Signal(float, float)
    pointErased = Signal(float, float)

    def __init__(self, title: str) -> None:
        super().__init__()
        self.plot = self.addPlot(title=title)
        self.plot.showGrid(x=True, y=True, alpha=0.15)
        self.plot.setMenuEnabled(False)
        self.drawing = False
        self.scene().sigMouseClicked.connect(self._clicked)
        self.theme = "light"

    def set_drawing(self, on: bool) -> None:
        """While drawing, a left click adds a point and a right click erases the nearest."""
        self.drawing = on
        self.plot.getViewBox().setMouseEnabled(x=not on, y=not on)
        self.setCursor(Qt.CursorShape.CrossCursor if on else Qt.CursorShape.ArrowCursor)

    def _clicked(self, event: object) -> None:
        if not self.drawing:
            return
        vb = self.plot.getViewBox()
        pos = event.scenePos()  # type: ignore[attr-defined]
        if not vb.sceneBoundingRect().contains(pos):
            return
        p = vb.mapSceneToView(pos)
        if event.button() == Qt.MouseButton.RightButton:  # type: ignore[attr-defined]
            self.pointErased.emit(p.x(), p.y())
        else:
            self.pointDrawn.emit(p.x(), p.y())
        event.accept()  # type: ignore[attr-defined]

    def set_title(self, text: str) -> None:
        self.plot.setTitle(text, size="9pt")

    def set_theme(self, theme: str) -> None:
        self.theme = theme
        apply_plot_theme(self, [self.plot], theme)


class RegressionFit(_DrawableFit):
    def __init__(self) -> None:
        super().__init__("fit")
        self.setObjectName("regressionFit")
        self.plot.setLabel("bottom", "x")
        self.plot.setLabel("left", "y")
        self.plot.addLegend(offset=(8, 8), labelTextSize="8pt")
        brush = pg.mkBrush(PALETTE["data"])
        self.train = pg.ScatterPlotItem(size=6, brush=brush, pen=None, name="train")
        self.val = pg.ScatterPlotItem(
            size=6, brush=None, pen=pg.mkPen(PALETTE["val"], width=1.5), name="validation"
        )
        self.curve = pg.PlotDataItem(pen=pg.mkPen(PALETTE["fit"], width=2.5), name="model")
        for item in (self.train, self.val, self.curve):
            self.plot.addItem(item)
        self.data: dict[str, np.ndarray] = {}

    def set_data(
        self, x_train: np.ndarray, y_train: np.ndarray, x_val: np.ndarray, y_val: np.ndarray
    ) -> None:
        xt, yt = np.ravel(x_train), np.ravel(y_train)
        xv, yv = np.ravel(x_val), np.ravel(y_val)
        self.train.setData(xt, yt)
        self.val.setData(xv, yv)
        self.data.update(x_train=xt, y_train=yt, x_val=xv, y_val=yv)
        self.plot.enableAutoRange()

    def set_curve(self, xs: np.ndarray, ys: np.ndarray) -> None:
        xs, ys = np.ravel(xs), np.ravel(ys)
        self.curve.setData(xs, ys)
        self.data.update(curve_x=xs, curve_y=ys)

    def clear_curve(self) -> None:
        self.curve.setData([], [])
        self.data.pop("curve_x", None)
        self.data.pop("curve_y", None)

    def csv_table(self) -> tuple[Sequence[str], list[list[float | str]]]:
        rows: list[list[float | str]] = []
        for part in ("train", "val"):
            for x, y in zip(self.data.get(f"x_{part}", ()), self.data.get(f"y_{part}", ())):
                rows.append([part, float(x), float(y)])
        for x, y in zip(self.data.get("curve_x", ()), self.data.get("curve_y", ())):
            rows.append(["model", float(x), float(y)])
        return ("kind", "x", "y"), rows


def _rows(X: np.ndarray) -> np.ndarray:
    """`X` as (n, features), also when it is empty."""
    X = np.asarray(X)
    return X.reshape(len(X), -1) if len(X) else np.zeros((0, 2), dtype=np.float32)


def boundary_rgba(probs: np.ndarray, theme: str = "light") -> np.ndarray:
    """(H, W, K) class probabilities -> (H, W, 4) uint8: class colour mixed by probability,
    paler where the model is unsure, so the boundary reads as a soft band."""
    k = probs.shape[-1]
    colours = CLASS_COLOURS[np.arange(k) % len(CLASS_COLOURS)]
    mixed = probs.astype(np.float32) @ colours  # (H, W, 3)
    confidence = probs.max(axis=-1, keepdims=True)
    confidence = (confidence - 1.0 / k) / (1.0 - 1.0 / k + 1e-9)  # 0 at chance, 1 when certain
    strength = 0.15 + 0.35 * np.clip(confidence, 0, 1)
    base = 255.0 if theme != "dark" else 30.0
    rgb = base + (mixed - base) * strength
    alpha = np.full(rgb.shape[:2] + (1,), 255.0)
    return np.concatenate([rgb, alpha], axis=-1).clip(0, 255).astype(np.uint8)


class ClassificationFit(_DrawableFit):
    def __init__(self) -> None:
        super().__init__("decision boundary")
        self.setObjectName("classificationFit")
        self.plot.setAspectLocked(True)
        self.image = pg.ImageItem(axisOrder="row-major")
        self.image.setZValue(-10)
        self.plot.addItem(self.image)
        self.train = pg.ScatterPlotItem(size=7, pen=pg.mkPen("w", width=0.8))
        self.val = pg.ScatterPlotItem(size=7, symbol="t", pen=pg.mkPen("k", width=0.8))
        self.plot.addItem(self.train)
        self.plot.addItem(self.val)
        self.data: dict[str, np.ndarray] = {}
        self._fresh = True

    def set_data(
        self, x_train: np.ndarray, y_train: np.ndarray, x_val: np.ndarray, y_val: np.ndarray
    ) -> None:
        for item, X, y in ((self.train, x_train, y_train), (self.val, x_val, y_val)):
            X = _rows(X)
            y = np.asarray(y).astype(int).ravel()
            brushes = [pg.mkBrush(*class_colour(k)) for k in y]
            item.setData(X[:, 0], X[:, 1], brush=brushes) if len(X) else item.setData([], [])
        self._fresh = True
        self.data.update(
            x_train=np.asarray(x_train),
            y_train=np.asarray(y_train),
            x_val=np.asarray(x_val),
            y_val=np.asarray(y_val),
        )
        self.plot.enableAutoRange()

    def set_boundary(self, extent: tuple[float, float, float, float], probs: np.ndarray) -> None:
        """`probs` (H, W, K) over the rectangle `extent` = (x0, x1, y0, y1), row 0 at y0."""
        x0, x1, y0, y1 = extent
        self.image.setImage(boundary_rgba(probs, self.theme), autoLevels=False)
        self.image.setRect(x0, y0, x1 - x0, y1 - y0)
        if self._fresh:  # frame the grid once per dataset; the user's zoom is kept after that
            self._fresh = False
            self.plot.setRange(xRange=(x0, x1), yRange=(y0, y1), padding=0.01)
        self.data.update(extent=np.asarray(extent), probs=probs)

    def clear_boundary(self) -> None:
        self.image.clear()
        self.data.pop("probs", None)

    def csv_table(self) -> tuple[Sequence[str], list[list[float | str]]]:
        rows: list[list[float | str]] = []
        for part in ("train", "val"):
            X, y = self.data.get(f"x_{part}"), self.data.get(f"y_{part}")
            if X is None:
                continue
            for (a, b), k in zip(_rows(X)[:, :2], np.ravel(y)):
                rows.append([part, float(a), float(b), int(k)])
        probs = self.data.get("probs")
        if probs is not None:
            x0, x1, y0, y1 = self.data["extent"]
            h, w = probs.shape[:2]
            xs, ys = np.linspace(x0, x1, w), np.linspace(y0, y1, h)
            pred = probs.argmax(-1)
            for i in range(h):
                for j in range(w):
                    rows.append(["grid", float(xs[j]), float(ys[i]), int(pred[i, j])])
        return ("kind", "x1", "x2", "class"), rows
