"""The Variables panel: a live table of the scratchpad's tensors, modules, optimizers and values."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QItemSelectionModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QVBoxLayout, QWidget

from playground.session import VariableInfo

_COLUMNS = (
    ("Name", "name"),
    ("Type", "type_name"),
    ("Shape", "shape"),
    ("dtype", "dtype"),
    ("Device", "device"),
    ("requires_grad", "requires_grad"),
    ("grad_fn", "grad_fn"),
    ("Memory", "memory"),
    ("Value", "value"),
)

_Index = QModelIndex | QPersistentModelIndex


class VariablesModel(QAbstractTableModel):
    def __init__(self) -> None:
        super().__init__()
        self.rows: list[VariableInfo] = []

    def set_rows(self, rows: list[VariableInfo]) -> None:
        self.beginResetModel()
        self.rows = rows
        self.endResetModel()

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(_COLUMNS)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return getattr(row, _COLUMNS[index.column()][1])
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{row.name}: {row.type_name} {row.shape} {row.value}".strip()
        return None

    def headerData(  # noqa: N802
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return _COLUMNS[section][0]
        return None


class VariablesPanel(QWidget):
    """Selecting a row emits `variableSelected(name)`; `set_rows` keeps the selection by name."""

    variableSelected = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("variablesPanel")
        self.model = VariablesModel()
        self.view = QTableView(self)
        self.view.setObjectName("variablesTable")
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.verticalHeader().setVisible(False)
        self.view.verticalHeader().setDefaultSectionSize(22)
        self.view.setAlternatingRowColors(True)
        self.view.setWordWrap(False)
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        self.view.selectionModel().currentRowChanged.connect(self._on_current)
        self._restoring = False
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.view)

    def set_rows(self, rows: list[VariableInfo]) -> None:
        selected = self.selected_name()
        self._restoring = True  # re-selecting the same name after a refresh is no new choice
        try:
            self.model.set_rows(rows)
            self.view.resizeColumnsToContents()
            if selected is not None:
                self.select(selected, notify=False)
        finally:
            self._restoring = False

    def selected_name(self) -> str | None:
        idx = self.view.selectionModel().currentIndex()
        if not idx.isValid() or idx.row() >= len(self.model.rows):
            return None
        return self.model.rows[idx.row()].name

    def select(self, name: str, notify: bool = True) -> bool:
        for i, row in enumerate(self.model.rows):
            if row.name == name:
                was = self._restoring
                self._restoring = not notify
                self.view.selectionModel().setCurrentIndex(
                    self.model.index(i, 0),
                    QItemSelectionModel.SelectionFlag.ClearAndSelect
                    | QItemSelectionModel.SelectionFlag.Rows,
                )
                self._restoring = was
                return True
        return False

    def _on_current(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if self._restoring or not current.isValid():
            return
        self.variableSelected.emit(self.model.rows[current.row()].name)
