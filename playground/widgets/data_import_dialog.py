"""The user's own data: a CSV, NPY or NPZ file read as columns, inputs and the target chosen in a
dialog with a preview. Reading never unpickles (``allow_pickle=False``).

`read_columns` and `build_dataset` are Qt-free so they can be tested (and scripted) directly.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

PREVIEW_ROWS = 12


@dataclass
class Columns:
    names: list[str]
    values: list[np.ndarray]  # one 1-D array per column (float64, or str for text columns)

    def __len__(self) -> int:
        return len(self.values[0]) if self.values else 0


@dataclass
class ImportedData:
    X: np.ndarray  # (n, d) float32
    y: np.ndarray  # (n, 1) float32 for regression, (n,) int64 class indices otherwise
    task: str
    inputs: list[str]
    target: str
    classes: list[str] = field(default_factory=list)
    source: str = ""


def _as_number_column(cells: list[str]) -> np.ndarray:
    try:
        return np.array([float(c) if c.strip() else np.nan for c in cells], dtype=np.float64)
    except ValueError:
        return np.array([c.strip() for c in cells], dtype=str)


def read_columns(path: str | Path) -> Columns:
    """A .csv (header optional), .npy (1-D or 2-D) or .npz (1-D/2-D arrays of one length)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in (".csv", ".txt", ".tsv"):
        with open(path, newline="", encoding="utf-8-sig") as fh:
            sample = fh.read(4096)
            fh.seek(0)
            dialect = csv.Sniffer().sniff(sample, delimiters=",;\t ") if sample else csv.excel
            rows = [r for r in csv.reader(fh, dialect) if any(c.strip() for c in r)]
        if not rows:
            raise ValueError(f"{path.name} is empty")
        header = any(_as_number_column([c]).dtype.kind == "U" for c in rows[0])
        names = [c.strip() or f"column {i}" for i, c in enumerate(rows[0])] if header else []
        body = rows[1:] if header else rows
        width = len(rows[0])
        if any(len(r) != width for r in body):
            raise ValueError(f"{path.name}: rows have different numbers of columns")
        names = names or [f"column {i}" for i in range(width)]
        return Columns(names, [_as_number_column([r[i] for r in body]) for i in range(width)])
    if suffix == ".npy":
        arrays = {path.stem: np.load(path, allow_pickle=False)}
    elif suffix == ".npz":
        with np.load(path, allow_pickle=False) as f:
            arrays = {k: f[k] for k in f.files}
    else:
        raise ValueError(f"cannot read {path.name}: use a .csv, .npy or .npz file")
    names, values, n = [], [], None
    for key, a in arrays.items():
        if a.ndim == 0 or a.ndim > 2 or (n is not None and len(a) != n):
            continue
        n = len(a)
        if a.ndim == 1:
            names.append(key)
            values.append(a.astype(np.float64) if a.dtype.kind in "biuf" else a.astype(str))
        else:
            for j in range(a.shape[1]):
                names.append(f"{key}[{j}]")
                values.append(a[:, j].astype(np.float64))
    if not values:
        raise ValueError(f"{path.name} holds no 1-D or 2-D arrays to use as columns")
    return Columns(names, values)


def build_dataset(cols: Columns, inputs: list[str], target: str, task: str) -> ImportedData:
    """Inputs become X (float32); the target becomes y (regression: float; else class indices).
    Rows with a missing (NaN) value in any chosen column are dropped."""
    if not inputs:
        raise ValueError("choose at least one input column")
    if target in inputs:
        raise ValueError(f"{target!r} cannot be both an input and the target")
    index = {n: i for i, n in enumerate(cols.names)}
    for name in inputs:
        if cols.values[index[name]].dtype.kind == "U":
            raise ValueError(f"input column {name!r} holds text; inputs must be numbers")
    X = np.stack([cols.values[index[n]] for n in inputs], axis=1)
    t = cols.values[index[target]]
    keep = ~np.isnan(X).any(axis=1)
    if t.dtype.kind != "U":
        keep &= ~np.isnan(t)
    X, t = X[keep], t[keep]
    if len(X) < 4:
        raise ValueError(f"only {len(X)} complete rows: at least 4 are needed")
    classes: list[str] = []
    if task == "regression":
        if t.dtype.kind == "U":
            raise ValueError(f"target {target!r} holds text: choose classification")
        y = t.astype(np.float32).reshape(-1, 1)
    else:
        uniq, y = np.unique(t, return_inverse=True)
        if len(uniq) > 50:
            raise ValueError(f"target {target!r} has {len(uniq)} distinct values: too many classes")
        classes = [str(u) for u in uniq]
        y = y.astype(np.int64)
    return ImportedData(X.astype(np.float32), y, task, list(inputs), target, classes)


class DataImportDialog(QDialog):
    """Pick input columns and the target of a file read by `read_columns`."""

    def __init__(self, path: str | Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("dataImportDialog")
        self.setWindowTitle(f"Import data: {Path(path).name}")
        self.path = str(path)
        self.cols = read_columns(path)
        self.result_data: ImportedData | None = None
        preview = QTableWidget(min(PREVIEW_ROWS, len(self.cols)), len(self.cols.names))
        preview.setObjectName("importPreview")
        preview.setHorizontalHeaderLabels(self.cols.names)
        for j, col in enumerate(self.cols.values):
            for i in range(preview.rowCount()):
                v = col[i]
                preview.setItem(i, j, QTableWidgetItem(f"{v:.4g}" if col.dtype.kind == "f" else v))
        self.inputs = QListWidget(objectName="importInputs")
        self.target = QComboBox(objectName="importTarget")
        self.target.addItems(self.cols.names)
        self.target.setCurrentIndex(len(self.cols.names) - 1)
        for name in self.cols.names:
            item = QListWidgetItem(name)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(
                Qt.CheckState.Checked
                if name != self.target.currentText()
                else Qt.CheckState.Unchecked
            )
            self.inputs.addItem(item)
        self.task = QComboBox(objectName="importTask")
        self.task.addItems(["regression", "classification"])
        self.target.currentTextChanged.connect(self._target_changed)
        self._target_changed(self.target.currentText())
        self.error = QLabel(objectName="importError")
        self.error.setStyleSheet("color: #d6332f")
        self.error.setWordWrap(True)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setObjectName("importOk")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setObjectName("importCancel")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form = QFormLayout()
        form.addRow("Inputs", self.inputs)
        form.addRow("Target", self.target)
        form.addRow("Task", self.task)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(f"{len(self.cols)} rows, {len(self.cols.names)} columns"))
        layout.addWidget(preview)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.resize(620, 560)

    def _target_changed(self, name: str) -> None:
        """The target is no input; whole numbers with few values (or text) look like classes."""
        for i in range(self.inputs.count()):
            item = self.inputs.item(i)
            if item.text() == name:
                item.setCheckState(Qt.CheckState.Unchecked)
        column = self.cols.values[self.cols.names.index(name)]
        if column.dtype.kind == "U":
            classes = True
        else:
            known = column[~np.isnan(column)]
            classes = bool(np.all(known == np.round(known))) and len(np.unique(known)) <= 10
        self.task.setCurrentText("classification" if classes else "regression")

    def chosen_inputs(self) -> list[str]:
        return [
            self.inputs.item(i).text()
            for i in range(self.inputs.count())
            if self.inputs.item(i).checkState() == Qt.CheckState.Checked
        ]

    def build(self) -> ImportedData:
        data = build_dataset(
            self.cols, self.chosen_inputs(), self.target.currentText(), self.task.currentText()
        )
        data.source = self.path
        return data

    def accept(self) -> None:
        try:
            self.result_data = self.build()
        except (ValueError, KeyError) as exc:
            self.error.setText(str(exc))
            return
        super().accept()
