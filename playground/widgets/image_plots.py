"""Image tasks: a grid of validation samples labelled with the model's predictions (green when
right, red when wrong) beside the confusion matrix."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyqtgraph as pg
from PySide6.QtGui import QColor, QFont, QTransform
from PySide6.QtWidgets import QGraphicsItem, QGraphicsSimpleTextItem

from playground.frame_budget import TimedPaint
from playground.widgets.plot_style import FOREGROUND, apply_plot_theme, ink_colormap

GRID_COLS = 6
GRID_ROWS = 4
RIGHT, WRONG = "#1f9d55", "#d6332f"


def mosaic(images: np.ndarray, cols: int, gap: int = 2, row_gap: int = 2) -> np.ndarray:
    """(n, h, w) images -> one float image of `cols` columns, NaN (transparent) in the gaps."""
    n, h, w = images.shape
    rows = max(1, -(-n // cols))
    out = np.full((rows * (h + row_gap), cols * (w + gap)), np.nan, dtype=np.float32)
    for i in range(n):
        r, c = divmod(i, cols)
        top, left = r * (h + row_gap), c * (w + gap)
        out[top : top + h, left : left + w] = images[i]
    return out


class Label(QGraphicsSimpleTextItem):
    """A text label at a data position, drawn at a constant size.

    Qt's own item (painted in C++), not pyqtgraph's TextItem: a Python paint() needs the GIL,
    which the training thread holds most of the time, and 100+ of them made every repaint slow.
    """

    def __init__(self, centred: bool) -> None:
        super().__init__()
        self.centred = centred
        self.shown: tuple[str, str] | None = None
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations)
        font = QFont()
        font.setPointSizeF(8.5)
        self.setFont(font)

    def show_text(self, text: str, colour: str) -> None:
        if self.shown == (text, colour):
            return
        self.shown = (text, colour)
        self.setText(text)
        self.setBrush(QColor(colour))
        if self.centred:
            rect = self.boundingRect()
            self.setTransform(QTransform.fromTranslate(-rect.width() / 2, -rect.height() / 2))


class ImagesFit(TimedPaint, pg.GraphicsLayoutWidget):
    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("imagesFit")
        self.theme = "light"
        self.samples = self.addPlot(row=0, col=0, title="validation samples: prediction (label)")
        self.confusion = self.addPlot(row=0, col=1, title="confusion matrix")
        for plot in (self.samples, self.confusion):
            plot.invertY(True)
            plot.setAspectLocked(True)
            plot.setMenuEnabled(False)
            plot.setMouseEnabled(x=False, y=False)
        self.samples.hideAxis("left")
        self.samples.hideAxis("bottom")
        self.confusion.setLabel("left", "true")
        self.confusion.setLabel("bottom", "predicted")
        self.sample_image = pg.ImageItem(axisOrder="row-major")
        self.sample_image.setColorMap(ink_colormap())
        self.samples.addItem(self.sample_image)
        self.cm_image = pg.ImageItem(axisOrder="row-major")
        # coloured here (RGBA): pyqtgraph's colour map path rebuilt its 256-colour table in
        # Python on every repaint after an update, a fifth of this plot's paint
        self.cm_colours = pg.colormap.get("CET-L12").getLookupTable(0.0, 1.0, 256, alpha=True)
        self.confusion.addItem(self.cm_image)
        self.labels: list[Label] = []
        self.cm_text: list[Label] = []
        self.ci.layout.setColumnStretchFactor(0, 3)
        self.ci.layout.setColumnStretchFactor(1, 2)
        self.data: dict[str, np.ndarray] = {}

    def set_samples(self, images: np.ndarray, labels: np.ndarray, preds: np.ndarray | None) -> None:
        """`images` (n, h, w) or (n, 1, h, w) in [0, 1]; `preds` None before any training."""
        images = np.asarray(images, dtype=np.float32)
        images = images.reshape(images.shape[0], *images.shape[-2:])[: GRID_COLS * GRID_ROWS]
        labels = np.asarray(labels).ravel()[: len(images)]
        n, h, w = images.shape
        row_gap = max(2, h // 2)  # room for the label under each image
        grid = mosaic(images, GRID_COLS, 2, row_gap)
        shown = self.sample_image.image
        # the samples stay the same all run long: only new ones are worth rendering again
        if (
            shown is None
            or shown.shape != grid.shape
            or not np.array_equal(shown, grid, equal_nan=True)
        ):
            self.sample_image.setImage(grid, levels=(0.0, 1.0))
        while len(self.labels) < n:  # items are reused: creating them is what costs
            item = Label(centred=False)
            self.samples.addItem(item)
            self.labels.append(item)
        for i, item in enumerate(self.labels):
            item.setVisible(i < n)
            if i >= n:
                continue
            r, c = divmod(i, GRID_COLS)
            if preds is None:
                text, colour = f"{labels[i]}", FOREGROUND[self.theme]
            else:
                ok = int(preds[i]) == int(labels[i])
                text = f"{int(preds[i])}" if ok else f"{int(preds[i])} ({labels[i]})"
                colour = RIGHT if ok else WRONG
            item.show_text(text, colour)
            item.setPos(c * (w + 2), r * (h + row_gap) + h - 0.3)
        if getattr(self, "_framed", None) != (n, h, w):
            self._framed = (n, h, w)
            self.samples.setRange(
                xRange=(0, GRID_COLS * (w + 2)),
                yRange=(0, GRID_ROWS * (h + row_gap)),
                padding=0.02,
            )
        self.data.update(labels=labels, preds=np.asarray(preds if preds is not None else []))

    def set_confusion(self, matrix: np.ndarray) -> None:
        """Counts[true, predicted]; cells coloured by each row's share, annotated with counts."""
        m = np.asarray(matrix, dtype=np.int64)
        share = m / np.maximum(m.sum(axis=1, keepdims=True), 1)
        colour = np.minimum(
            (share * len(self.cm_colours)).astype(np.int64), len(self.cm_colours) - 1
        )
        self.cm_image.setImage(self.cm_colours[colour], autoLevels=False)
        k = m.shape[0]
        if len(self.cm_text) != m.size:  # a new size: new cells, ticks and frame
            for item in self.cm_text:
                self.confusion.removeItem(item)
            self.cm_text = []
            for idx in range(m.size):
                item = Label(centred=True)
                item.setPos(idx % k + 0.5, idx // k + 0.5)
                self.confusion.addItem(item)
                self.cm_text.append(item)
            ticks = [[(i + 0.5, str(i)) for i in range(k)]]
            self.confusion.getAxis("left").setTicks(ticks)
            self.confusion.getAxis("bottom").setTicks(ticks)
            self.confusion.setRange(xRange=(0, k), yRange=(0, k), padding=0.02)
        for idx, item in enumerate(self.cm_text):
            i, j = divmod(idx, k)
            look = (str(m[i, j]) if m[i, j] else "", "#ffffff" if share[i, j] > 0.55 else "#303030")
            item.show_text(*look)
        self.data["confusion"] = m

    def set_theme(self, theme: str) -> None:
        self.theme = theme
        apply_plot_theme(self, [self.samples, self.confusion], theme)

    def csv_table(self) -> tuple[Sequence[str], list[list[float | str]]]:
        m = self.data.get("confusion")
        if m is None:
            return ("true", "predicted", "count"), []
        rows = [[i, j, int(m[i, j])] for i in range(m.shape[0]) for j in range(m.shape[1])]
        return ("true", "predicted", "count"), rows
