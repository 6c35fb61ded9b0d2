"""The Data part of the training panel: a built-in dataset with a preview, noise, validation
split and data seed; the user's own file (CSV/NPY/NPZ through the import dialog); or points drawn
with the mouse on the fit plot (1-D regression or 2-D classification)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from core import datasets
from playground.widgets.data_import_dialog import DataImportDialog, ImportedData
from playground.widgets.plot_style import PALETTE, apply_plot_theme, class_colour, ink_colormap

FILE, DRAW_REG, DRAW_CLS = "file", "draw_regression", "draw_classification"
PREVIEW_POINTS = 400


class DatasetSection(QWidget):
    changed = Signal()  # anything that changes the data
    drawingChanged = Signal(bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("datasetSection")
        self.imported: ImportedData | None = None
        self.drawn: list[tuple[float, float, int]] = []
        self.dataset = QComboBox(objectName="datasetCombo")
        for name, info in datasets.DATASETS.items():
            self.dataset.addItem(f"{name} ({info.task})", name)
            self.dataset.setItemData(self.dataset.count() - 1, info.description, 3)  # tooltip
        self.dataset.addItem("Own data from a file…", FILE)
        self.dataset.addItem("Draw points: regression (1-D)", DRAW_REG)
        self.dataset.addItem("Draw points: classification (2-D)", DRAW_CLS)
        self.noise = QDoubleSpinBox(objectName="datasetNoise", decimals=3, maximum=10.0)
        self.noise.setSingleStep(0.05)
        self.val_split = QDoubleSpinBox(objectName="datasetValSplit", decimals=2, maximum=0.9)
        self.val_split.setSingleStep(0.05)
        self.val_split.setValue(0.2)
        self.data_seed = QSpinBox(objectName="datasetSeed", maximum=2**31 - 1)
        self.open_file = QPushButton("Open file…", objectName="datasetOpenFile")
        self.open_file.clicked.connect(self.choose_file)
        self.draw_class = QComboBox(objectName="datasetDrawClass")
        self.draw_class.addItems([f"class {k}" for k in range(4)])
        self.clear_points = QPushButton("Clear points", objectName="datasetClearPoints")
        self.clear_points.clicked.connect(self.clear_drawn)
        self.note = QLabel(objectName="datasetNote")
        self.note.setWordWrap(True)
        self.preview = pg.PlotWidget(objectName="datasetPreview")
        self.preview.setFixedHeight(110)
        self.preview.setMenuEnabled(False)
        self.preview.setMouseEnabled(x=False, y=False)
        self.preview.hideButtons()
        for axis in ("left", "bottom"):
            self.preview.getPlotItem().hideAxis(axis)
        self.preview_item = pg.ScatterPlotItem(size=3, pen=None)
        self.preview_image = pg.ImageItem(axisOrder="row-major")
        self.preview_image.setColorMap(ink_colormap())
        self.preview.addItem(self.preview_image)
        self.preview.addItem(self.preview_item)

        form = QFormLayout()
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow("Dataset", self.dataset)
        form.addRow("Noise", self.noise)
        form.addRow("Validation", self.val_split)
        form.addRow("Data seed", self.data_seed)
        extra = QHBoxLayout()
        extra.addWidget(self.open_file)
        extra.addWidget(self.draw_class)
        extra.addWidget(self.clear_points)
        extra.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(form)
        layout.addLayout(extra)
        layout.addWidget(self.note)
        layout.addWidget(self.preview)
        self.dataset.currentIndexChanged.connect(self._dataset_changed)
        for w in (self.noise, self.data_seed):
            w.valueChanged.connect(self._edited)
        self.val_split.valueChanged.connect(lambda _v: self.changed.emit())
        self.set_theme("light")
        self._dataset_changed()

    # ---- what is chosen ---------------------------------------------------------------------
    @property
    def kind(self) -> str:
        return self.dataset.currentData()

    @property
    def drawing(self) -> bool:
        return self.kind in (DRAW_REG, DRAW_CLS)

    def task(self) -> str:
        if self.kind == FILE:
            return self.imported.task if self.imported else "regression"
        if self.drawing:
            return "regression" if self.kind == DRAW_REG else "classification"
        return datasets.DATASETS[self.kind].task

    def custom_data(self) -> tuple[np.ndarray, np.ndarray] | None:
        """(X, y) of an imported file or of the drawn points; None for a built-in dataset."""
        if self.kind == FILE:
            return (self.imported.X, self.imported.y) if self.imported else None
        if self.kind == DRAW_REG:
            pts = np.array([(x, y) for x, y, _k in self.drawn], dtype=np.float32).reshape(-1, 2)
            return pts[:, :1], pts[:, 1:]
        if self.kind == DRAW_CLS:
            X = np.array([(x, y) for x, y, _k in self.drawn], dtype=np.float32).reshape(-1, 2)
            return X, np.array([k for *_xy, k in self.drawn], dtype=np.int64)
        return None

    def io_shape(self) -> tuple[tuple[int, ...], int]:
        """(input shape of one example, output width) of the chosen data, before any run."""
        task = self.task()
        if self.kind in datasets.DATASETS:
            info = datasets.DATASETS[self.kind]
            return info.input_shape, info.num_classes or 1
        data = self.custom_data()
        if data is None or data[0].ndim != 2:
            return ((1,) if task == "regression" else (2,)), (1 if task == "regression" else 2)
        if task == "regression":
            return (data[0].shape[1],), 1
        return (data[0].shape[1],), max(int(data[1].max(initial=1)) + 1, 2)

    def ready(self) -> bool:
        """Whether there is data to train on (4+ rows; 2+ classes for classification)."""
        if self.kind in datasets.DATASETS:
            return True
        data = self.custom_data()
        if data is None or len(data[0]) < 4:
            return False
        return self.task() == "regression" or len(np.unique(data[1])) >= 2

    def config_fields(self) -> dict[str, Any]:
        """TrainConfig fields of the data part."""
        fields: dict[str, Any] = {
            "val_fraction": self.val_split.value(),
            "data_seed": self.data_seed.value(),
        }
        if self.kind in datasets.DATASETS:
            fields.update(dataset=self.kind, noise=self.noise.value())
        else:
            fields.update(dataset="custom", task=self.task())
        return fields

    def set_config(self, cfg: Any) -> None:
        """Show a (resolved) TrainConfig's data fields."""
        self.blockSignals(True)
        try:
            if cfg.dataset in datasets.DATASETS:
                self.dataset.setCurrentIndex(self.dataset.findData(cfg.dataset))
                if cfg.noise is not None:
                    self.noise.setValue(cfg.noise)
            self.val_split.setValue(cfg.val_fraction)
            self.data_seed.setValue(cfg.data_seed)
        finally:
            self.blockSignals(False)
        self._update_preview()

    # ---- own data ---------------------------------------------------------------------------
    def choose_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Open data", "", "Data (*.csv *.npy *.npz *.txt *.tsv);;All files (*)"
        )
        if path:
            self.import_file(path)

    def import_file(self, path: str, accept: bool = False) -> ImportedData | None:
        """Read `path` in the import dialog (`accept`: take its default choice, for scripts)."""
        try:
            dialog = DataImportDialog(path, self)
        except (OSError, ValueError) as exc:
            QMessageBox.warning(self, "Cannot read the data", str(exc))
            return None
        try:
            if accept:
                dialog.accept()
            elif not dialog.exec():
                return None
            data = dialog.result_data
        finally:
            dialog.deleteLater()
        if data is None:
            return None
        self.set_imported(data)
        return data

    def set_imported(self, data: ImportedData) -> None:
        self.imported = data
        self.dataset.setCurrentIndex(self.dataset.findData(FILE))
        self._dataset_changed()

    # ---- drawn points -----------------------------------------------------------------------
    def add_point(self, x: float, y: float) -> None:
        if not self.drawing:
            return
        k = self.draw_class.currentIndex() if self.kind == DRAW_CLS else 0
        self.drawn.append((x, y, k))
        self._edited()

    def erase_point(self, x: float, y: float) -> None:
        if not self.drawn:
            return
        d = [(px - x) ** 2 + (py - y) ** 2 for px, py, _k in self.drawn]
        self.drawn.pop(int(np.argmin(d)))
        self._edited()

    def clear_drawn(self) -> None:
        self.drawn.clear()
        self._edited()

    # ---- reacting ---------------------------------------------------------------------------
    def _dataset_changed(self) -> None:
        kind = self.kind
        builtin = kind in datasets.DATASETS
        for w in (self.noise,):
            w.setEnabled(builtin)
        self.open_file.setVisible(kind == FILE)
        self.draw_class.setVisible(kind == DRAW_CLS)
        self.clear_points.setVisible(self.drawing)
        if builtin:
            self.noise.blockSignals(True)
            self.noise.setValue(datasets.DATASETS[kind].default_noise)
            self.noise.blockSignals(False)
        if kind == FILE and self.imported is None:
            self.note.setText("Open a CSV, NPY or NPZ file and choose its columns.")
        self.drawingChanged.emit(self.drawing)
        self._edited()

    def _edited(self, *_: Any) -> None:
        self._update_preview()
        self.changed.emit()

    def _update_preview(self) -> None:
        self.preview_item.clear()
        self.preview_image.clear()
        try:
            X, y, task = self._preview_arrays()
        except Exception as exc:  # a broken bundled file must not break the panel
            self.note.setText(f"Preview unavailable: {exc}")
            return
        self._describe(X, y, task)
        if X is None or len(X) == 0:
            return
        if task == "images" or X.ndim > 2:
            imgs = X.reshape(len(X), *X.shape[-2:])[:8]
            h, w = imgs.shape[1:]
            strip = np.concatenate(
                [np.pad(i, ((0, 0), (0, 1)), constant_values=np.nan) for i in imgs], axis=1
            )
            self.preview_image.setImage(strip, levels=(0, 1))
            self.preview.setAspectLocked(True)
            self.preview.getPlotItem().invertY(True)
            self.preview.setRange(xRange=(0, len(imgs) * (w + 1)), yRange=(0, h), padding=0)
            return
        self.preview.setAspectLocked(False)
        self.preview.getPlotItem().invertY(False)
        X, y = X[:PREVIEW_POINTS], y[:PREVIEW_POINTS]
        if task == "regression" or X.shape[1] == 1:
            self.preview_item.setData(X[:, 0], np.ravel(y), brush=pg.mkBrush(PALETTE["data"]))
        else:
            brushes = [pg.mkBrush(*class_colour(int(k))) for k in np.ravel(y)]
            self.preview_item.setData(X[:, 0], X[:, 1], brush=brushes)
        self.preview.autoRange(padding=0.05)

    def _preview_arrays(self) -> tuple[Any, Any, str]:
        kind = self.kind
        if kind in datasets.DATASETS:
            info = datasets.DATASETS[kind]
            n = min(info.default_n, PREVIEW_POINTS)
            X, y = datasets.make(kind, n=n, noise=self.noise.value(), seed=self.data_seed.value())
            return X, y, info.task
        data = self.custom_data()
        return (None, None, self.task()) if data is None else (*data, self.task())

    def _describe(self, X: Any, y: Any, task: str) -> None:
        kind = self.kind
        if kind in datasets.DATASETS:
            self.note.setText(datasets.DATASETS[kind].description)
        elif kind == FILE and self.imported is not None:
            d = self.imported
            self.note.setText(
                f"{len(d.X)} rows of {d.source.rsplit('/', 1)[-1]}: "
                f"{', '.join(d.inputs)} → {d.target} ({d.task})"
            )
        elif self.drawing:
            how = "Click the Fit plot to add a point, right-click to remove the nearest"
            self.note.setText(f"{how}. {len(self.drawn)} point(s) so far.")

    def set_theme(self, theme: str) -> None:
        apply_plot_theme(self.preview, [self.preview.getPlotItem()], theme)
