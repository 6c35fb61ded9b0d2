"""The Tensor inspector: header, 2-D slice table, heat map, statistics, value/grad switch, export.

Only the visible tab is drawn, and each reads only what it shows (see tensor_table, heatmap,
stats_view), so opening a huge tensor costs the header and a few table tiles.
"""

from __future__ import annotations

import html
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QStackedWidget,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from core.inspect import format_bytes, is_tensor, summarize
from playground.widgets import tensor_export
from playground.widgets.heatmap import HeatMapView
from playground.widgets.slice_controls import SliceControls
from playground.widgets.stats_view import StatsView
from playground.widgets.tensor_table import TensorTableModel


def _is_array_like(obj: Any) -> bool:
    import numpy as np

    return is_tensor(obj) or isinstance(obj, np.ndarray)


class InspectorPanel(QWidget):
    """`inspect(obj, name)` opens a tensor (or shows what any other object is)."""

    fileDropped = Signal(str)
    message = Signal(str, str)  # level, text: for the log and the status bar

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("inspectorPanel")
        self.setAcceptDrops(True)
        self.obj: Any = None
        self.name: str | None = None
        self.title = QLabel("Nothing selected", objectName="inspectorTitle")
        self.header = QLabel(objectName="inspectorHeader")
        self.header.setWordWrap(True)
        self.header.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.value_button = QRadioButton("value", objectName="inspectorValue")
        self.grad_button = QRadioButton("grad", objectName="inspectorGrad")
        self.value_button.setChecked(True)
        self._which = QButtonGroup(self)
        for b in (self.value_button, self.grad_button):
            self._which.addButton(b)
        self.grad_button.toggled.connect(self._redraw)
        bar = QHBoxLayout()
        bar.addWidget(self.value_button)
        bar.addWidget(self.grad_button)
        bar.addStretch(1)
        self.buttons: dict[str, QPushButton] = {}
        for key, text, slot in (
            ("copyText", "Copy", self._copy_text),
            ("copyNumpy", "Copy as NumPy", self._copy_numpy),
            ("save", "Save…", self.save_dialog),
        ):
            button = QPushButton(text, objectName=f"inspector_{key}")
            button.clicked.connect(slot)
            bar.addWidget(button)
            self.buttons[key] = button

        self.slices = SliceControls()
        self.slices.changed.connect(self._redraw)
        self.model = TensorTableModel()
        self.table = QTableView(objectName="inspectorTable")
        self.table.setModel(self.model)
        self.table.verticalHeader().setDefaultSectionSize(22)
        self.table.horizontalHeader().setDefaultSectionSize(84)
        self.heatmap = HeatMapView()
        self.stats = StatsView()
        self.tabs = QTabWidget(objectName="inspectorTabs")
        self.tabs.addTab(self.table, "Table")
        self.tabs.addTab(self.heatmap, "Heat map")
        self.tabs.addTab(self.stats, "Statistics")
        self.tabs.currentChanged.connect(self._redraw)
        self.note = QLabel(objectName="inspectorNote")
        self.note.setWordWrap(True)
        self.details = QPlainTextEdit(objectName="inspectorDetails", readOnly=True)

        tensor_page = QWidget()
        page = QVBoxLayout(tensor_page)
        page.setContentsMargins(0, 0, 0, 0)
        page.addLayout(bar)
        page.addWidget(self.slices)
        page.addWidget(self.note)
        page.addWidget(self.tabs, 1)
        self.pages = QStackedWidget()
        self.pages.addWidget(tensor_page)
        self.pages.addWidget(self.details)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.header)
        layout.addWidget(self.pages, 1)
        self.clear()

    # ---- what is shown ----------------------------------------------------------------------
    @property
    def grad(self) -> bool:
        return self.grad_button.isChecked()

    def set_grad(self, on: bool) -> None:
        (self.grad_button if on else self.value_button).setChecked(True)

    def clear(self, message: str = "Select a tensor in Variables, or drop a file here.") -> None:
        self.obj, self.name = None, None
        self.title.setText("Nothing selected")
        self.header.setText(html.escape(message))
        self.model.set_source(None)
        self.pages.setCurrentIndex(0)
        self.pages.setEnabled(False)
        self.slices.set_shape(())

    def inspect(self, obj: Any, name: str | None = None) -> None:
        """Open `obj`: a tensor or array in full, anything else as its printed form."""
        self.obj, self.name = obj, name
        label = name or type(obj).__name__
        self.pages.setEnabled(True)
        if not _is_array_like(obj):
            self.title.setText(f"<b>{html.escape(label)}</b> · {type(obj).__name__}")
            self.header.setText("")
            try:
                text = repr(obj)
            except Exception as exc:  # a user's class may fail to print
                text = f"<{type(obj).__name__}: repr() failed: {exc}>"
            self.details.setPlainText(text if len(text) < 100_000 else text[:100_000] + "\n…")
            self.pages.setCurrentIndex(1)
            return
        self.pages.setCurrentIndex(0)
        self.title.setText(f"<b>{html.escape(label)}</b>")
        self.refresh()

    def refresh(self) -> None:
        """Re-read the shown tensor (its values, grad or shape may have changed in place)."""
        if self.obj is None or not _is_array_like(self.obj):
            return
        try:
            s = summarize(self.obj)
        except Exception as exc:  # a broken tensor must not take the panel down
            self.clear(f"Cannot read {self.name or 'this object'}: {exc}")
            self.message.emit("ERROR", f"inspector: {exc}")
            return
        self.header.setText(_header_html(s))
        self.grad_button.setEnabled(s.requires_grad or s.has_grad)
        if self.grad and not (s.requires_grad or s.has_grad):
            self.set_grad(False)  # toggling emits and redraws
        self.slices.set_shape(s.shape)
        self._redraw()

    def _redraw(self, *_: object) -> None:
        if self.obj is None or not _is_array_like(self.obj):
            return
        t, grad = self.obj, self.grad
        axes, index = self.slices.axes, tuple(self.slices.index)
        try:
            s = summarize(t)
            no_grad = grad and not s.has_grad
            notes = []
            who = self.name or "this tensor"
            if no_grad and not s.is_leaf:
                notes.append(
                    f"{who} is not a leaf, so backward() does not keep its .grad: "
                    f"call {who}.retain_grad() before backward() to see it."
                )
            elif no_grad:
                notes.append(f"{who}.grad is None: call backward() first.")
            elif s.numel == 0:
                notes.append("Empty tensor: shape " + str(s.shape) + ", no values.")
            elif s.ndim == 0:
                notes.append("0-d tensor (a scalar).")
            self.note.setText(" ".join(notes))
            self.note.setVisible(bool(notes))
            self.model.set_source(None if no_grad else t, axes, index, grad)
            current = self.tabs.currentWidget()
            if current is self.heatmap:
                self.heatmap.show_slice(t, axes, index, grad)
            elif current is self.stats:
                self.stats.show_tensor(t, grad)
        except Exception as exc:
            self.note.setText(f"Cannot draw this tensor: {exc}")
            self.note.setVisible(True)
            self.message.emit("ERROR", f"inspector: {exc}")

    def set_theme(self, theme: str) -> None:
        self.heatmap.set_theme(theme)
        self.stats.set_theme(theme)

    # ---- export -----------------------------------------------------------------------------
    def _copy_text(self) -> None:
        self._report(tensor_export.copy_text(self.obj, self.grad))

    def _copy_numpy(self) -> None:
        self._report(tensor_export.copy_numpy(self.obj, self.grad))

    def save_dialog(self) -> None:
        """Ask where, then save the shown tensor (or its grad) as .safetensors or .npy."""
        self._report(tensor_export.save_dialog(self, self.obj, self.name, self.grad))

    def _report(self, result: tuple[str, str] | None) -> None:
        if result is not None:
            self.message.emit(*result)

    # ---- drag and drop ----------------------------------------------------------------------
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802
        for url in event.mimeData().urls():
            if url.isLocalFile():
                self.fileDropped.emit(url.toLocalFile())
        event.acceptProposedAction()


def _header_html(s: Any) -> str:
    rows = [
        ("shape", str(s.shape)),
        ("dtype", s.dtype),
        ("device", s.device),
        ("requires_grad", str(s.requires_grad)),
        ("is_leaf", str(s.is_leaf)),
        ("grad_fn", s.grad_fn or "None"),
        ("version", str(s.version)),
        ("stride", f"{s.stride} {'contiguous' if s.contiguous else 'non-contiguous'}"),
        ("memory", f"{format_bytes(s.nbytes)} ({s.numel:,} elements)"),
    ]
    # nowrap: a line breaks between entries, never inside "(60, 1) contiguous"
    return " &nbsp; ".join(
        f"<span style='white-space:nowrap'><span style='opacity:0.65'>{k}</span> "
        f"<b>{html.escape(v)}</b></span>"
        for k, v in rows
    )
