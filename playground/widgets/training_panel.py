"""The Training panel: data, model and optimisation settings, and the run's controls.

Training itself runs in `TrainingController`'s worker thread; this panel only turns its settings
into a `TrainConfig`, posts commands, and draws what comes back (into the Plots panel, when one is
attached). Picking a dataset loads its defaults and shows the data and the untrained model at
once; Start begins a run from the panel's settings, Resume continues a paused one.
"""

from __future__ import annotations

import random
import time
from typing import Any

import numpy as np
from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import (
    QVBoxLayout,
    QWidget,
)

from core.training import TrainConfig
from playground.frame_budget import ui_load
from playground.training_views import RunInfo
from playground.training_worker import DONE, TrainingController
from playground.widgets.data_import_dialog import ImportedData
from playground.widgets.dataset_section import DatasetSection
from playground.widgets.model_builder import ModelBuilder
from playground.widgets.optimizer_section import OptimizerSection
from playground.widgets.run_controls import RunControls
from playground.widgets.settings_sections import SettingsSections
from playground.widgets.training_status import StatusLine


def imported_from(info: RunInfo) -> ImportedData:
    """A run's own data (train and validation) as if imported, for the data section."""
    X = np.concatenate([info.x_train, info.x_val]).reshape(len(info.x_train) + len(info.x_val), -1)
    y = np.concatenate([info.y_train, info.y_val])
    names = [f"x{i + 1}" for i in range(X.shape[1])]
    return ImportedData(X, y, info.task, names, "y", source="the restored session")


STATUS_INTERVAL = 0.5  # seconds between status-line updates while training runs


class TrainingPanel(QWidget):
    progress = Signal(float, str)  # fraction done, "step … · time left" for the status bar
    message = Signal(str, str)  # level, text for the window's notify
    graphRequested = Signal(object)  # the loss tensor of a failed batch, for the graph panel

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("trainingPanel")
        self.plots: Any = None
        self.history: list[Any] = []
        self.info: RunInfo | None = None
        self.device = "cpu"
        self.busy = False
        self.dirty = True
        self.failure: Any = None
        self.controller = TrainingController(self)
        self.data = DatasetSection()
        self.builder = ModelBuilder()
        self.optim = OptimizerSection()
        self.controls = RunControls(
            {
                "start": self.start,
                "pause": self.pause,
                "resume": self.resume,
                "step": self.step,
                "stop": self.stop,
                "reset": self.reset,
                "newSeed": self.new_seed,
            }
        )
        self.buttons = self.controls.buttons
        self.status = StatusLine()
        self.status.graphButton.clicked.connect(self.show_failed_batch)
        self.sections = SettingsSections(
            [("Data", self.data), ("Model", self.builder), ("Training", self.optim)]
        )
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.sections, 1)
        layout.addWidget(self.controls)
        layout.addWidget(self.status)
        self._reload_timer = QTimer(self, singleShot=True, interval=250)
        self._reload_timer.timeout.connect(self._reload_if_idle)
        c = self.controller
        c.runLoaded.connect(self._run_loaded)
        c.reports.connect(self._reports)
        c.fitData.connect(self._fit)
        c.histograms.connect(self._histograms)
        c.stateChanged.connect(self._state)
        c.error.connect(self._error)
        c.nonFinite.connect(self._non_finite)
        c.notice.connect(lambda text: self.message.emit("INFO", f"Training: {text}"))
        c.done.connect(self._call_done)
        self.data.changed.connect(self._data_changed)
        self.data.drawingChanged.connect(lambda on: self.plots and self.plots.set_drawing(on))
        self.builder.changed.connect(self._settings_changed)
        self.optim.changed.connect(self._settings_changed)
        self.optim.liveChanged.connect(self._live_changed)
        self._calls: dict[str, Any] = {}
        self._call_count = 0
        self._status_at = 0.0
        self._restoring = False
        self._apply_defaults()
        self._state("idle")
        self._reload_timer.start()  # show the default dataset and the untrained model at once

    # ---- wiring -----------------------------------------------------------------------------
    def attach_plots(self, plots: Any) -> None:
        """Draw into `plots` (a PlotsPanel); its fit plot takes drawn points."""
        self.plots = plots
        plots.pointDrawn.connect(self.data.add_point)
        plots.pointErased.connect(self.data.erase_point)
        plots.show_hist.toggled.connect(self.controller.set_histograms)
        plots.set_drawing(self.data.drawing)
        if self.info is not None:
            self._run_loaded(self.info)

    def shutdown(self) -> None:
        self.controller.shutdown()

    # ---- settings <-> config ----------------------------------------------------------------
    def config(self) -> TrainConfig:
        """The panel's settings as a TrainConfig (validated)."""
        fields = {**self.data.config_fields(), **self.optim.config_fields()}
        fields.update(model=self.builder.spec_dict(), device=self.device)
        return TrainConfig.from_dict(fields)

    def set_config(self, cfg: TrainConfig | dict) -> TrainConfig:
        """Show `cfg` (resolved first) in the widgets; returns the resolved config."""
        cfg = (TrainConfig.from_dict(cfg) if isinstance(cfg, dict) else cfg).resolved()
        self.data.set_config(cfg)
        self.optim.set_config(cfg)
        self.builder.blockSignals(True)
        self.builder.set_spec(cfg.model)
        self.builder.blockSignals(False)
        self._update_io()
        return cfg

    def _apply_defaults(self) -> None:
        """The dataset's (or the custom task's) defaults for model and optimisation."""
        base = TrainConfig(
            dataset=self.data.config_fields().get("dataset", "custom"), task=self.data.task()
        )
        cfg = base.resolved(self.data.task())
        self.optim.set_config(cfg)
        self.builder.blockSignals(True)
        self.builder.set_spec(cfg.model)
        self.builder.blockSignals(False)
        self._update_io()

    def _update_io(self) -> None:
        self.builder.set_io(*self.data.io_shape())
        self.optim.set_task(self.data.task())

    def _data_changed(self) -> None:
        self._apply_defaults()
        self._settings_changed()
        if self.data.drawing and self.plots is not None:
            self._show_drawn()

    def _settings_changed(self) -> None:
        self.dirty = True
        if self.controller.state in ("idle", "ready", *DONE):
            self._reload_timer.start()
        else:
            self.status.show_message(
                "Changed settings apply to the next run (Start); learning rate, momentum and "
                "weight decay apply to this one at its next step."
            )

    def _reload_if_idle(self) -> None:
        if self.controller.state in ("idle", "ready", *DONE) and self._data_ready():
            self._load()

    def _data_ready(self) -> bool:
        return self.data.ready()

    def _show_drawn(self) -> None:
        data = self.data.custom_data()
        self.plots.set_task(self.data.task())
        if data is not None:
            empty_x, empty_y = data[0][:0], data[1][:0]
            self.plots.set_data(data[0], data[1], empty_x, empty_y)

    def _live_changed(self, changes: dict) -> None:
        if self.controller.state in ("running", "paused"):
            self.controller.set_hyperparameters(**changes)
        else:
            self._settings_changed()

    # ---- commands ---------------------------------------------------------------------------
    def _load(self, cfg: TrainConfig | None = None) -> bool:
        """Build a run of `cfg` (default: the panel's settings) in the worker; False if the
        settings are not a valid config (the status line says why)."""
        self._reload_timer.stop()
        if cfg is None:
            try:
                cfg = self.config()
            except ValueError as exc:  # ConfigError: which setting, what is allowed
                self._error(str(exc))
                return False
        data = self.data.custom_data() if cfg.dataset == "custom" else None
        self.history = []
        self.failure = None
        self.status.clear_message()
        if self.plots is not None:
            self.plots.clear_history()
        self.controller.load(cfg, data)
        self.dirty = False
        return True

    def train(self, config: TrainConfig | dict | None = None) -> None:
        """Start a new run of `config`, shown in the panel: a TrainConfig as it is; a dict as
        changes to the panel's settings (to the named dataset's defaults when it names another
        dataset); None: the panel's settings."""
        cfg = None
        if config is not None:
            if not isinstance(config, TrainConfig):
                config = TrainConfig.from_dict({**self._base_for(config), **config})
            cfg = self.set_config(config)
        if self._load(cfg):
            self.busy = True
            self.controller.start()

    def _base_for(self, changes: dict) -> dict:
        current = self.data.config_fields().get("dataset", "custom")
        if changes.get("dataset", current) != current:
            return {"device": self.device}
        try:
            return self.config().to_dict()
        except ValueError:  # the panel's own settings do not make a config: start from defaults
            return {"device": self.device, "dataset": current}

    def start(self) -> None:
        if not self._data_ready():
            self._error("Not enough data: draw or import at least 4 points (2 classes).")
            return
        if self.controller.state == "ready" and not self.dirty:
            self.busy = True
            self.controller.start()
        else:
            self.train()

    def pause(self) -> None:
        self.controller.pause()

    def resume(self) -> None:
        self.busy = True
        self.controller.start()

    def step(self) -> None:
        if self.controller.state not in ("ready", "paused") or (
            self.dirty and self.controller.state == "ready"
        ):
            if not self._load():
                return
        self.controller.step()

    def stop(self) -> None:
        self.controller.stop()

    def reset(self) -> None:
        """The current run's config again: the same initialisation, a fresh start."""
        self.controller.stop()
        self._load(self.info.config if self.info is not None and not self.dirty else None)

    def new_seed(self) -> None:
        self.optim.seed.setValue(random.randrange(1, 2**31 - 1))
        self._load()

    def set_device(self, device: str) -> None:
        """Train on `device`: a run in progress moves at its next step boundary."""
        self.device = device
        if self.controller.state not in ("idle", "loading"):
            self.controller.set_device(device)

    def view_state(self) -> dict[str, Any]:
        """JSON-safe view settings saved with a session."""
        view: dict[str, Any] = {"device": self.device, "dataset_kind": self.data.kind}
        if self.plots is not None:
            view.update(
                smoothing=self.plots.smoothing.value(), log_scale=self.plots.log_scale.isChecked()
            )
        return view

    def restore_session(self, payload: dict[str, Any]) -> None:
        """Continue the run of a session file (see studio_session.read_session)."""
        self._reload_timer.stop()
        self.history = []
        self.failure = None
        self.status.clear_message()
        view = payload.get("view", {})
        if self.plots is not None:
            self.plots.clear_history()
            self.plots.smoothing.setValue(int(view.get("smoothing", 60)))
            self.plots.log_scale.setChecked(bool(view.get("log_scale", False)))
        self._restoring = True
        self.controller.restore(payload["run"])
        self.dirty = False

    def call(self, name: str, fn: Any, then: Any) -> None:
        """`fn(run)` in the worker; `then(result)` here (the result may be an exception)."""
        self._call_count += 1
        key = f"{name}#{self._call_count}"
        self._calls[key] = then
        self.controller.call(key, fn)

    # ---- what the worker says ---------------------------------------------------------------
    def _run_loaded(self, info: RunInfo) -> None:
        self.info = info
        if self._restoring:  # show the restored run's settings (and its own data)
            self._restoring = False
            if info.config.dataset == "custom":
                self.data.set_imported(imported_from(info))
            self.set_config(info.config)
            self.dirty = False
            self._reload_timer.stop()
        if self.plots is not None:
            self.plots.set_task(info.plot_task, accuracy=info.task != "regression")
            self.plots.set_data(info.x_train, info.y_train, info.x_val, info.y_val)
        self.status.show_run(info)

    def _reports(self, reports: list) -> None:
        ui_load.sample()
        self.history.extend(reports)
        if self.plots is not None:
            self.plots.add_reports(reports)
        # reports are wanted as often as the curves redraw or the status line changes
        wanted = STATUS_INTERVAL if self.plots is None else self.plots.redraw_interval()
        self.controller.set_take_interval(min(wanted, STATUS_INTERVAL))
        for r in reports:
            if r.changed and "device" in r.changed:
                self.message.emit("INFO", f"Training moved to {r.device.upper()} at step {r.step}")
        now = time.monotonic()
        if reports and (now - self._status_at > STATUS_INTERVAL or reports[-1].progress >= 1):
            self._status_at = now  # words change slower than curves: twice a second will do
            self.progress.emit(reports[-1].progress, self.status.show_report(reports[-1]))

    def _histograms(self, step: float, stats: dict) -> None:
        if self.plots is not None:
            self.plots.add_histograms(step, stats)

    def _fit(self, data: dict) -> None:
        if self.plots is not None:
            self.plots.set_prediction(data)
            # stretched as the curves are when the UI thread as a whole is over its share
            self.controller.set_fit_ui_cost(self.plots.fit_cost() * ui_load.stretch)

    def _state(self, state: str) -> None:
        if state == "running":
            ui_load.restart()  # the UI thread's share is measured while training runs
        if state in ("paused", *DONE):
            self.busy = False
            if self.plots is not None:  # a paused or ended run shows all of its steps, once
                # the news of the state is out (buttons, status): a redraw takes a while
                plots = self.plots
                QTimer.singleShot(0, plots, plots.run_ended if state in DONE else plots.redraw)
        self.controls.show_state(state)
        for section in (self.data, self.builder):
            section.setEnabled(state != "running")
        self.status.show_state(state)
        if state in DONE:
            self.progress.emit(1.0 if state == "finished" else -1.0, self.status.summary())

    def _error(self, text: str) -> None:
        if self.controller.state != "running":
            self.busy = False
        self.status.show_message(text, error=True)
        self.message.emit("ERROR", f"Training: {text}")

    def _non_finite(self, failure: Any) -> None:
        self.failure = failure
        self.status.show_message(failure.message, error=True, offer_graph=True)
        self.message.emit("ERROR", f"Training paused: {failure.message}")

    def show_failed_batch(self) -> None:
        """Rebuild the failed batch's forward graph in the worker; the graph panel steps it."""

        def loss(run: Any) -> Any:
            return run.batch_loss(run.last_batch)

        def then(result: Any) -> None:
            if isinstance(result, Exception):
                self._error(f"cannot rebuild the failed batch: {result}")
            else:
                self.graphRequested.emit(result)

        self.call("failed_batch", loss, then)

    def _call_done(self, name: str, result: Any) -> None:
        then = self._calls.pop(name, None)
        if then is not None:
            then(result)

    def set_theme(self, theme: str) -> None:
        self.data.set_theme(theme)
