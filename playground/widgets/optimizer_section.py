"""The optimisation part of the training panel: loss, optimizer and its settings (lr, momentum,
betas, weight decay, Nesterov), schedule, batch size, epochs and the initialisation seed.

lr, momentum and weight decay are *live*: changed during a run they emit `liveChanged` with
the new values (the run applies them at its next step); the rest take effect on the next Start.
"""

from __future__ import annotations

import math
from typing import Any

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QSpinBox,
    QWidget,
)

from core.training.config import LOSSES, OPTIMIZERS, SCHEDULERS


class LogSpinBox(QDoubleSpinBox):
    """A spin box for rates: steps multiply by ~2 (1e-4 … 10), many decimals shown compactly."""

    def __init__(self, name: str, value: float, lo: float = 1e-6, hi: float = 10.0) -> None:
        super().__init__(objectName=name, decimals=6, minimum=lo, maximum=hi)
        self.setValue(value)

    def stepBy(self, steps: int) -> None:  # noqa: N802
        value = self.value() * (2.0 ** (steps / 1.0)) if self.value() > 0 else 1e-3
        self.setValue(float(f"{value:.3g}"))

    def textFromValue(self, value: float) -> str:  # noqa: N802
        return f"{value:.6g}"

    def valueFromText(self, text: str) -> float:  # noqa: N802
        try:
            return float(text)
        except ValueError:
            return self.value()

    def validate(self, text: str, pos: int) -> Any:
        from PySide6.QtGui import QValidator

        try:
            ok = math.isfinite(float(text))
        except ValueError:
            ok = False
        state = QValidator.State.Acceptable if ok else QValidator.State.Intermediate
        return state, text, pos


class OptimizerSection(QWidget):
    changed = Signal()  # a setting that takes effect with the next run
    liveChanged = Signal(dict)  # {"lr": ..., "momentum": ..., "weight_decay": ...} changed

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("optimizerSection")
        self.loss = QComboBox(objectName="lossCombo")
        self.optimizer = QComboBox(objectName="optimizerCombo")
        self.optimizer.addItems(list(OPTIMIZERS))
        self.lr = LogSpinBox("lrSpin", 0.01)
        self.momentum = QDoubleSpinBox(objectName="momentumSpin", decimals=3, maximum=0.999)
        self.momentum.setSingleStep(0.05)
        self.beta1 = QDoubleSpinBox(objectName="beta1Spin", decimals=3, maximum=0.9999, value=0.9)
        self.beta2 = QDoubleSpinBox(objectName="beta2Spin", decimals=4, maximum=0.9999, value=0.999)
        self.weight_decay = QDoubleSpinBox(objectName="weightDecaySpin", decimals=5, maximum=1.0)
        self.weight_decay.setSingleStep(1e-4)
        self.nesterov = QCheckBox("Nesterov", objectName="nesterovCheck")
        self.scheduler = QComboBox(objectName="schedulerCombo")
        self.scheduler.addItems(list(SCHEDULERS))
        self.step_size = QSpinBox(objectName="stepSizeSpin", minimum=1, maximum=10000, value=10)
        self.gamma = QDoubleSpinBox(
            objectName="gammaSpin", decimals=3, minimum=0.001, maximum=1.0, value=0.1
        )
        self.batch_size = QSpinBox(objectName="batchSizeSpin", minimum=1, maximum=1 << 20, value=32)
        self.epochs = QSpinBox(objectName="epochsSpin", minimum=1, maximum=100000, value=20)
        self.seed = QSpinBox(objectName="seedSpin", maximum=2**31 - 1)

        betas = QHBoxLayout()
        betas.addWidget(self.beta1)
        betas.addWidget(self.beta2)
        momentum = QHBoxLayout()
        momentum.addWidget(self.momentum, 1)
        momentum.addWidget(self.nesterov)
        schedule = QHBoxLayout()
        schedule.addWidget(self.scheduler, 1)
        schedule.addWidget(self.step_size)
        schedule.addWidget(self.gamma)
        self.step_size.setToolTip("step scheduler: epochs between decays")
        self.gamma.setToolTip("decay factor (step, exponential)")
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow("Loss", self.loss)
        form.addRow("Optimizer", self.optimizer)
        form.addRow("Learning rate", self.lr)
        form.addRow("Momentum", momentum)
        form.addRow("Betas", betas)
        form.addRow("Weight decay", self.weight_decay)
        form.addRow("Schedule", schedule)
        form.addRow("Batch size", self.batch_size)
        form.addRow("Epochs", self.epochs)
        form.addRow("Seed", self.seed)
        self.form = form
        for w in (self.loss, self.optimizer, self.scheduler):
            w.currentTextChanged.connect(self._edited)
        for w in (
            self.beta1,
            self.beta2,
            self.step_size,
            self.gamma,
            self.batch_size,
            self.epochs,
            self.seed,
        ):
            w.valueChanged.connect(self._edited)
        self.nesterov.toggled.connect(self._edited)
        # live settings: sent once typing pauses (a debounce), not on every keystroke
        self._live_timer = QTimer(self, singleShot=True, interval=350)
        self._live_timer.timeout.connect(self._send_live)
        for w in (self.lr, self.momentum, self.weight_decay):
            w.valueChanged.connect(lambda _v: self._live_timer.start())
            w.editingFinished.connect(self._send_live)
        self._last_live: dict[str, float] = {}
        self.set_task("classification")

    def live_values(self) -> dict[str, float]:
        values = {"lr": self.lr.value(), "weight_decay": self.weight_decay.value()}
        if self.optimizer.currentText() in ("sgd", "rmsprop"):
            values["momentum"] = self.momentum.value()
        return values

    def _send_live(self) -> None:
        self._live_timer.stop()
        changed = {k: v for k, v in self.live_values().items() if self._last_live.get(k) != v}
        if changed:
            self._last_live.update(changed)
            self.liveChanged.emit(changed)

    def _edited(self, *_: Any) -> None:
        self._sync_enabled()
        self.changed.emit()

    def _sync_enabled(self) -> None:
        opt = self.optimizer.currentText()
        self.momentum.setEnabled(opt in ("sgd", "rmsprop"))
        self.nesterov.setEnabled(opt == "sgd")
        self.beta1.setEnabled(opt in ("adam", "adamw"))
        self.beta2.setEnabled(opt in ("adam", "adamw"))
        sched = self.scheduler.currentText()
        self.step_size.setEnabled(sched == "step")
        self.gamma.setEnabled(sched in ("step", "exponential"))

    def set_task(self, task: str) -> None:
        """Offer the losses that fit `task`."""
        current = self.loss.currentText()
        self.loss.blockSignals(True)
        self.loss.clear()
        self.loss.addItems([name for name, tasks in LOSSES.items() if task in tasks])
        if self.loss.findText(current) >= 0:
            self.loss.setCurrentText(current)
        self.loss.blockSignals(False)

    def config_fields(self) -> dict[str, Any]:
        opt = self.optimizer.currentText()
        fields: dict[str, Any] = {
            "loss": self.loss.currentText(),
            "optimizer": opt,
            "lr": self.lr.value(),
            "weight_decay": self.weight_decay.value(),
            "betas": (self.beta1.value(), self.beta2.value()),
            "scheduler": self.scheduler.currentText(),
            "step_size": self.step_size.value(),
            "gamma": self.gamma.value(),
            "batch_size": self.batch_size.value(),
            "epochs": self.epochs.value(),
            "seed": self.seed.value(),
        }
        if opt in ("sgd", "rmsprop"):
            fields["momentum"] = self.momentum.value()
            fields["nesterov"] = opt == "sgd" and self.nesterov.isChecked()
        return fields

    def set_config(self, cfg: Any) -> None:
        """Show a resolved TrainConfig's optimisation fields (no signals)."""
        widgets = [
            self.loss,
            self.optimizer,
            self.lr,
            self.momentum,
            self.beta1,
            self.beta2,
            self.weight_decay,
            self.nesterov,
            self.scheduler,
            self.step_size,
            self.gamma,
            self.batch_size,
            self.epochs,
            self.seed,
        ]
        for w in widgets:
            w.blockSignals(True)
        try:
            self.set_task(cfg.task)
            self.loss.setCurrentText(cfg.loss)
            self.optimizer.setCurrentText(cfg.optimizer)
            self.lr.setValue(cfg.lr)
            b1, b2 = cfg.betas
            if cfg.optimizer in ("adam", "adamw") and cfg.momentum is not None:
                b1 = cfg.momentum
            self.beta1.setValue(b1)
            self.beta2.setValue(b2)
            sgd_like = cfg.optimizer not in ("adam", "adamw")
            self.momentum.setValue((cfg.momentum or 0.0) if sgd_like else 0.0)
            self.weight_decay.setValue(cfg.weight_decay)
            self.nesterov.setChecked(cfg.nesterov)
            self.scheduler.setCurrentText(cfg.scheduler)
            self.step_size.setValue(cfg.step_size)
            self.gamma.setValue(cfg.gamma)
            self.batch_size.setValue(cfg.batch_size)
            self.epochs.setValue(cfg.epochs)
            self.seed.setValue(cfg.seed)
        finally:
            for w in widgets:
                w.blockSignals(False)
        self._last_live = self.live_values()
        self._sync_enabled()
