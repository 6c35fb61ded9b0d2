"""The Plots panel: live curves (loss, accuracy, learning rate) over the fit view of the task
(regression curve, decision boundary, or image samples and confusion matrix), optional per-layer
weight and gradient distributions, and export of every plot as PNG, SVG or CSV.

The panel only draws what it is given (plain NumPy arrays and floats): the training panel feeds
it from the worker's reports. Appending is cheap; drawing happens in `redraw()`, which the owner
calls at most ~30 times a second.
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMenu,
    QMessageBox,
    QSlider,
    QSplitter,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from playground.frame_budget import FrameBudget, ui_clock
from playground.training_views import describe
from playground.widgets.curve_plots import CurvePlots
from playground.widgets.fit_plots import ClassificationFit, RegressionFit
from playground.widgets.histogram_plots import HistogramPlots
from playground.widgets.image_plots import ImagesFit
from playground.widgets.plot_export import FORMATS, export_view

VIEW_TITLES = {"curves": "Loss and accuracy", "fit": "Fit", "histograms": "Distributions"}


class PlotsPanel(QWidget):
    pointDrawn = Signal(float, float)  # a click on the fit plot while drawing is on
    pointErased = Signal(float, float)
    exported = Signal(str)  # path written

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("plotsPanel")
        self.task = "regression"
        self.curves = CurvePlots()
        self.fits = {
            "regression": RegressionFit(),
            "classification": ClassificationFit(),
            "images": ImagesFit(),
        }
        self.no_fit = QLabel(
            "No fit plot for this data: it draws 1-D regression, 2-D classification and images.",
            objectName="noFitPlot",
        )
        self.no_fit.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.no_fit.setWordWrap(True)
        self.fit_stack = QStackedWidget(objectName="fitStack")
        for view in self.fits.values():
            self.fit_stack.addWidget(view)
        self.fit_stack.addWidget(self.no_fit)
        for view in self.fits.values():  # what a fit update costs here (the worker paces them)
            view.budget = FrameBudget()
        for key in ("regression", "classification"):
            self.fits[key].pointDrawn.connect(self.pointDrawn)
            self.fits[key].pointErased.connect(self.pointErased)
        self.histograms = HistogramPlots()
        self.histograms.hide()

        self.log_scale = QCheckBox("Log scale", objectName="plotsLogScale")
        self.log_scale.toggled.connect(self.curves.set_log_scale)
        self.smoothing = QSlider(Qt.Orientation.Horizontal, objectName="plotsSmoothing")
        self.smoothing.setRange(0, 99)
        self.smoothing.setValue(int(self.curves.smoothing * 100))
        self.smoothing.setMaximumWidth(120)
        self.smoothing.setToolTip("Exponential moving average of the train curves (0 = raw)")
        self.smoothing.valueChanged.connect(lambda v: self.curves.set_smoothing(v / 100))
        self.show_hist = QCheckBox("Weight/grad distributions", objectName="plotsHistograms")
        self.show_hist.toggled.connect(self._toggle_histograms)
        self.export_button = QToolButton(objectName="plotsExport", text="Export…")
        self.export_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(self.export_button)
        for key, title in VIEW_TITLES.items():
            menu.addAction(f"{title}…", lambda k=key: self.export_dialog(k))
        menu.addAction("All plots to a folder…", self.export_all_dialog)
        self.export_button.setMenu(menu)

        bar = QHBoxLayout()
        bar.setContentsMargins(4, 2, 4, 2)
        bar.addWidget(self.log_scale)
        bar.addWidget(QLabel("Smoothing"))
        bar.addWidget(self.smoothing)
        bar.addWidget(self.show_hist)
        bar.addStretch(1)
        bar.addWidget(self.export_button)
        self.splitter = QSplitter(Qt.Orientation.Vertical, objectName="plotsSplitter")
        self.splitter.addWidget(self.curves)
        self.splitter.addWidget(self.fit_stack)
        self.splitter.addWidget(self.histograms)
        self.splitter.setSizes([420, 380, 0])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(self.splitter, 1)
        self._last_draw = 0.0
        self._redraw_timer = QTimer(self, singleShot=True)
        self._redraw_timer.timeout.connect(self.redraw)
        self.set_task("regression")
        self.set_theme("light")

    # ---- task and data ----------------------------------------------------------------------
    @property
    def fit(self) -> Any:
        return self.fits.get(self.task, self.no_fit)

    def set_task(self, task: str, accuracy: bool | None = None) -> None:
        """The fit view: "regression" (1-D), "classification" (2-D), "images" or "none"."""
        self.task = task if task in self.fits else "none"
        self.fit_stack.setCurrentWidget(self.fit)
        show = self.task != "regression" if accuracy is None else accuracy
        self.curves.set_accuracy_visible(show)

    def set_drawing(self, on: bool) -> None:
        for key in ("regression", "classification"):
            self.fits[key].set_drawing(on)

    def clear_history(self) -> None:
        self.curves.clear_history()
        self.histograms.clear_history()

    def set_data(
        self, x_train: np.ndarray, y_train: np.ndarray, x_val: np.ndarray, y_val: np.ndarray
    ) -> None:
        """The dataset (train and validation) to show in the fit view."""
        if self.task == "none":
            return
        if self.task == "images":
            self.fit.set_samples(x_val, y_val, None)
            self.fit.set_confusion(np.zeros((int(max(y_val.max(initial=0), 1)) + 1,) * 2))
            return
        self.fit.set_data(x_train, y_train, x_val, y_val)
        if self.task == "regression":
            self.fit.clear_curve()
        else:
            self.fit.clear_boundary()

    def set_prediction(self, pred: Mapping[str, Any]) -> None:
        """The model's view of the data: {"curve": (xs, ys)}, {"boundary": (extent, probs)} or
        {"images": (images, labels, preds), "confusion": matrix}; optional "title"."""
        start = ui_clock()  # what the update costs (see FrameBudget)
        budget = getattr(self.fit, "budget", None)
        if budget is not None:
            budget.next_frame()
        self._set_prediction(pred)
        if budget is not None:
            budget.add(ui_clock() - start)

    def fit_cost(self) -> float:
        """Seconds a fit-plot update costs the UI thread (its items and paints), on average."""
        budget = getattr(self.fit, "budget", None)
        return budget.cost if budget is not None else 0.0

    def _set_prediction(self, pred: Mapping[str, Any]) -> None:
        if "curve" in pred and self.task == "regression":
            self.fit.set_curve(*pred["curve"])
        if "boundary" in pred and self.task == "classification":
            self.fit.set_boundary(*pred["boundary"])
        if "images" in pred and self.task == "images":
            self.fit.set_samples(*pred["images"])
        if "confusion" in pred and self.task == "images":
            self.fit.set_confusion(pred["confusion"])
        if "curve" in pred and self.task == "regression":  # a linear model says its line
            self.fit.set_title(pred.get("title", "fit"))

    def add_point(self, step: float, **values: float | None) -> None:
        """Values at `step`: train_loss, val_loss, train_acc, val_acc, lr (None = no value)."""
        for key, value in values.items():
            self.curves.append(key, step, value)

    def add_reports(self, reports: list[Any]) -> None:
        """core StepReports: losses, accuracies, lr, and a marker where settings changed."""
        steps = [r.step for r in reports]  # column by column: a batch costs a few list passes
        self.curves.extend("train_loss", steps, [r.loss for r in reports])
        self.curves.extend("lr", steps, [r.lr for r in reports])
        self.curves.extend("train_acc", steps, [r.train_accuracy for r in reports])
        ends = [r for r in reports if r.epoch_end]
        if ends:
            self.curves.extend("val_loss", [r.step for r in ends], [r.val_loss for r in ends])
            self.curves.extend("val_acc", [r.step for r in ends], [r.val_accuracy for r in ends])
        for r in reports:
            if r.changed:
                self.mark_lr_change(r.step, describe(r.changed))
        self.request_redraw()

    def redraw_interval(self) -> float:
        """Seconds between redraws of the curves that the frame budget allows now."""
        return self.curves.budget.interval()

    def request_redraw(self) -> None:
        """Redraw now if the frame budget allows, else once it does (see frame_budget)."""
        wait = self._last_draw + self.redraw_interval() - time.perf_counter()
        if wait <= 0:
            self.redraw()
        elif not self._redraw_timer.isActive():
            self._redraw_timer.start(max(1, int(wait * 1000)))

    def mark_lr_change(self, step: float, text: str) -> None:
        self.curves.mark_lr_change(step, text)

    def add_histograms(self, step: float, stats: Mapping[str, tuple[np.ndarray, np.ndarray]]):
        self.histograms.add(step, stats)

    def run_ended(self) -> None:
        """Show every step of a run that finished or stopped, the step axis fitted to them."""
        self.redraw()
        self.curves.fit_steps()

    def redraw(self) -> None:
        start = ui_clock()  # what the update costs (see FrameBudget)
        self._redraw_timer.stop()
        self.curves.budget.next_frame()
        self.curves.redraw()
        if self.histograms.isVisible():
            self.histograms.redraw()
        self._last_draw = time.perf_counter()
        self.curves.budget.add(ui_clock() - start)

    def _toggle_histograms(self, on: bool) -> None:
        self.histograms.setVisible(on)
        if on:
            self.splitter.setSizes([300, 300, 260])
            self.histograms.redraw()

    def resizeEvent(self, event: Any) -> None:  # noqa: N802
        """Curves beside the fit plot in a wide, low dock; above it otherwise."""
        super().resizeEvent(event)
        wide = self.width() > 1.4 * self.height()
        orientation = Qt.Orientation.Horizontal if wide else Qt.Orientation.Vertical
        if self.splitter.orientation() != orientation:
            self.splitter.setOrientation(orientation)
            size = self.width() if wide else self.height()
            hist = size // 3 if self.histograms.isVisible() else 0
            self.splitter.setSizes([(size - hist) * 11 // 20, (size - hist) * 9 // 20, hist])

    def set_theme(self, theme: str) -> None:
        self.curves.set_theme(theme)
        for view in self.fits.values():
            view.set_theme(theme)
        self.histograms.set_theme(theme)

    # ---- export -----------------------------------------------------------------------------
    def view(self, key: str) -> Any:
        views = {"curves": self.curves, "fit": self.fit, "histograms": self.histograms}
        if key not in views:
            raise KeyError(f"no plot {key!r}; choose one of {', '.join(views)}")
        return views[key]

    def export(self, key: str, path: str | os.PathLike) -> Path:
        """Export plot `key` ("curves", "fit", "histograms") as .png, .svg or .csv."""
        written = export_view(self.view(key), path)
        self.exported.emit(str(written))
        return written

    def export_all(self, folder: str | os.PathLike) -> list[Path]:
        """Every plot in every format into `folder` (curves.png, curves.svg, curves.csv, ...)."""
        keys = ["curves", "fit"] + (["histograms"] if self.histograms.history else [])
        return [self.export(k, Path(folder) / f"{k}.{fmt}") for k in keys for fmt in FORMATS]

    def export_dialog(self, key: str) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self,
            f"Export {VIEW_TITLES[key]}",
            f"{key}.png",
            "PNG image (*.png);;SVG drawing (*.svg);;CSV table (*.csv)",
        )
        if path:
            self._guarded(lambda: self.export(key, path))

    def export_all_dialog(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Export all plots to")
        if folder:
            self._guarded(lambda: self.export_all(folder))

    def _guarded(self, fn: Any) -> None:
        try:
            fn()
        except (OSError, ValueError) as exc:
            QMessageBox.warning(self, "Export failed", str(exc))
