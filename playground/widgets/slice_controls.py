"""Axis pickers and index sliders that choose which 2-D slice of an n-d tensor is shown."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QSlider,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from core.inspect import default_axes


class SliceControls(QWidget):
    """For an n-d shape: row/column axis pickers and one slider per remaining axis.

    Emits `changed()` whenever `axes` or `index` change; hidden for 0-d, 1-d and 2-d tensors.
    """

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sliceControls")
        self.shape: tuple[int, ...] = ()
        self.axes: tuple[int, ...] = ()
        self.index: list[int] = []
        self.row_axis = QComboBox(objectName="rowAxisPicker")
        self.col_axis = QComboBox(objectName="colAxisPicker")
        self.row_axis.currentIndexChanged.connect(self._axes_picked)
        self.col_axis.currentIndexChanged.connect(self._axes_picked)
        pickers = QHBoxLayout()
        for widget in (QLabel("rows"), self.row_axis, QLabel("  columns"), self.col_axis):
            pickers.addWidget(widget)
        pickers.addStretch(1)
        self._grid = QGridLayout()  # one row per fixed axis: label, slider, spin box
        self._grid.setColumnStretch(1, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(pickers)
        layout.addLayout(self._grid)
        self._sliders: dict[int, tuple[QLabel, QSlider, QSpinBox]] = {}
        self.setVisible(False)

    def set_shape(self, shape: tuple[int, ...]) -> None:
        """Reset to the default axes when the shape changes; keep the choice otherwise."""
        if shape == self.shape and self.axes:
            return
        self.shape = tuple(shape)
        self.axes = default_axes(len(shape))
        self.index = [0] * len(shape)
        self.setVisible(len(shape) > 2)
        if len(shape) > 2:
            for box, axis in ((self.row_axis, self.axes[0]), (self.col_axis, self.axes[1])):
                box.blockSignals(True)
                box.clear()
                box.addItems([f"dim {d} ({n})" for d, n in enumerate(shape)])
                box.setCurrentIndex(axis)
                box.blockSignals(False)
        self._rebuild_sliders()

    def _axes_picked(self) -> None:
        r, c = self.row_axis.currentIndex(), self.col_axis.currentIndex()
        if r < 0 or c < 0:
            return
        if r == c:  # picking the other box's axis swaps them
            old_r, old_c = self.axes
            r, c = (r, old_r) if self.sender() is self.row_axis else (old_c, c)
            for box, value in ((self.row_axis, r), (self.col_axis, c)):
                box.blockSignals(True)
                box.setCurrentIndex(value)
                box.blockSignals(False)
        self.axes = (r, c)
        self._rebuild_sliders()
        self.changed.emit()

    def _rebuild_sliders(self) -> None:
        for label, slider, spin in self._sliders.values():
            for w in (label, slider, spin):
                self._grid.removeWidget(w)
                w.deleteLater()
        self._sliders.clear()
        if len(self.shape) <= 2:
            return
        row = 0
        for dim, size in enumerate(self.shape):
            if dim in self.axes:
                continue
            label = QLabel(f"dim {dim}")
            slider = QSlider(Qt.Orientation.Horizontal, objectName=f"indexSlider{dim}")
            spin = QSpinBox(objectName=f"indexSpin{dim}")
            for w in (slider, spin):
                w.setRange(0, max(size - 1, 0))
                w.setValue(min(self.index[dim], max(size - 1, 0)))
            slider.valueChanged.connect(spin.setValue)
            spin.valueChanged.connect(slider.setValue)
            spin.valueChanged.connect(lambda v, d=dim: self._index_moved(d, v))
            self._grid.addWidget(label, row, 0)
            self._grid.addWidget(slider, row, 1)
            self._grid.addWidget(spin, row, 2)
            self._sliders[dim] = (label, slider, spin)
            row += 1

    def _index_moved(self, dim: int, value: int) -> None:
        if self.index[dim] != value:
            self.index[dim] = value
            self.changed.emit()

    def slider(self, dim: int) -> QSlider:
        return self._sliders[dim][1]
