"""Colours shared by the training plots, and the light/dark look of a pyqtgraph canvas."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pyqtgraph as pg

PALETTE = {
    "train": "#2f6fd6",
    "val": "#e0761b",
    "lr": "#2e9d5b",
    "mark": "#b03aa8",
    "fit": "#d6332f",
    "data": "#2f6fd6",
}

# Okabe-Ito-like class colours: distinguishable for colour-blind readers, fine on both themes.
CLASS_COLOURS = np.array(
    [
        (47, 111, 214),  # blue
        (224, 118, 27),  # orange
        (46, 157, 91),  # green
        (176, 58, 168),  # purple
        (214, 51, 47),  # red
        (128, 96, 64),  # brown
        (90, 170, 200),  # sky
        (200, 170, 40),  # yellow
        (100, 100, 100),  # grey
        (20, 20, 120),  # navy
    ],
    dtype=np.float32,
)

BACKGROUND = {"light": "#ffffff", "dark": "#1e1f22"}
FOREGROUND = {"light": "#404040", "dark": "#c8c8c8"}


def class_colour(k: int) -> tuple[int, int, int]:
    r, g, b = CLASS_COLOURS[k % len(CLASS_COLOURS)]
    return int(r), int(g), int(b)


def apply_plot_theme(canvas: pg.GraphicsView, plots: Iterable[pg.PlotItem], theme: str) -> None:
    """Background of `canvas`, axis and label colours of `plots`."""
    canvas.setBackground(BACKGROUND.get(theme, BACKGROUND["light"]))
    pen = pg.mkPen(FOREGROUND.get(theme, FOREGROUND["light"]))
    for plot in plots:
        for name in ("left", "bottom", "right", "top"):
            axis = plot.getAxis(name)
            axis.setPen(pen)
            axis.setTextPen(pen)
        if plot.titleLabel is not None:
            plot.titleLabel.setAttr("color", FOREGROUND.get(theme))
        if plot.legend is not None:
            plot.legend.setLabelTextColor(FOREGROUND.get(theme))


def ink_colormap() -> pg.ColorMap:
    """0 -> white paper, 1 -> black ink (a new map: pyqtgraph's named maps are shared)."""
    return pg.ColorMap([0.0, 1.0], [(255, 255, 255), (0, 0, 0)])
