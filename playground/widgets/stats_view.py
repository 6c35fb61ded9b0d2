"""Statistics of a tensor (min, max, mean, std, NaN and Inf counts) and a histogram."""

from __future__ import annotations

from typing import Any

import pyqtgraph as pg
from PySide6.QtWidgets import QFormLayout, QLabel, QVBoxLayout, QWidget

from core.inspect import tensor_stats

_BRUSH = {"light": (70, 110, 200, 170), "dark": (110, 150, 235, 170)}
_BACKGROUND = {"light": "#ffffff", "dark": "#1e1f22"}


class StatsView(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("statsView")
        self.labels: dict[str, QLabel] = {}
        form = QFormLayout()
        for key in ("elements", "min", "max", "mean", "std", "NaN", "Inf"):
            label = QLabel(objectName=f"stat_{key}")
            self.labels[key] = label
            form.addRow(key, label)
        self.note = QLabel(objectName="statsNote")
        self.note.setWordWrap(True)
        self.histogram = pg.PlotWidget()
        self.histogram.setMenuEnabled(False)
        self.histogram.setMinimumHeight(120)
        self._theme = "light"
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.note)
        layout.addWidget(self.histogram, 1)
        self.stats = None

    def set_theme(self, theme: str) -> None:
        self._theme = theme if theme in _BRUSH else "light"
        self.histogram.setBackground(_BACKGROUND[self._theme])

    def clear(self, message: str = "") -> None:
        self.stats = None
        for label in self.labels.values():
            label.setText("")
        self.histogram.clear()
        self.note.setText(message)

    def show_tensor(self, tensor: Any, grad: bool) -> None:
        stats = tensor_stats(tensor, grad=grad)
        if stats is None:
            self.clear("No gradient yet: call backward() first.")
            return
        self.stats = stats
        self.labels["elements"].setText(f"{stats.numel:,}")
        for key in ("min", "max", "mean", "std"):
            self.labels[key].setText(f"{getattr(stats, key):.6g}")
        self.labels["NaN"].setText(f"{stats.nan:,}")
        self.labels["Inf"].setText(f"{stats.inf:,}")
        notes = []
        if stats.sampled:
            notes.append(
                f"Computed on a random sample of {stats.count:,} of {stats.numel:,} elements."
            )
        if stats.nan or stats.inf:
            notes.append("min, max, mean and std leave NaN and Inf out.")
        if stats.numel == 0:
            notes.append("Empty tensor: no values.")
        self.note.setText(" ".join(notes))
        self.histogram.clear()
        if stats.hist_counts.size:
            self.histogram.plot(
                stats.hist_edges,
                stats.hist_counts,
                stepMode="center",
                fillLevel=0,
                brush=_BRUSH[self._theme],
                pen=None,
            )
