"""TrainingRun: one Qt-free training loop as a generator of step reports.

A step is: apply pending changes, take the next batch of the epoch's shuffled order, forward,
loss, check it is finite, backward, ``optimizer.step()``, bookkeeping (validation and the
scheduler at an epoch end), then the report. Nothing is yielded half-way, so pausing, stopping or
abandoning the generator at any report leaves model and optimizer consistent, and resuming gives
exactly the run that was never interrupted.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Iterator
from typing import Any

import numpy as np

import core
from core.fp_quiet import ignore_all, restore
from core.training.components import make_loss, make_optimizer, make_scheduler
from core.training.config import TrainConfig
from core.training.data import prepare_data
from core.training.diagnose import diagnose_failure
from core.training.errors import ConfigError
from core.training.predict import PredictMixin
from core.training.reports import Batch, FailureReport, StepReport
from core.training.runstate import RunStateMixin

__all__ = ["TrainingRun"]

_EMA = 0.2  # weight of the newest step in the throughput estimate


class TrainingRun(PredictMixin, RunStateMixin):
    """A training run of `config` (a TrainConfig or a dict of its fields) on its data."""

    def __init__(
        self,
        config: TrainConfig | dict[str, Any] | None = None,
        data: tuple[np.ndarray, np.ndarray] | None = None,
    ) -> None:
        if config is None:
            config = TrainConfig()
        elif isinstance(config, dict):
            config = TrainConfig.from_dict(config)
        if data is not None:
            config = config.replace(dataset="custom")
        elif config.dataset == "custom":
            raise ConfigError("dataset 'custom' needs its arrays: TrainingRun(config, data=(X, y))")
        task = config.task
        if data is not None and task is None:
            from core.training.data import infer_task

            task = infer_task(*data)
        self.config: TrainConfig = config.resolved(task)
        self.initial_config: TrainConfig = self.config  # before any live change ("Reset")
        cfg = self.config
        self._data = prepare_data(cfg, data)
        self._custom_data = data is not None
        d = self._data
        self.task: str = d.task
        self.input_shape: tuple[int, ...] = d.input_shape
        self.num_classes: int | None = d.num_classes
        self.outputs: int = d.outputs
        self.spec = cfg.model
        self.device: str = "cpu"

        core.manual_seed(cfg.seed)
        self.model = self.spec.build(self.input_shape, self.outputs)
        self.loss_fn = make_loss(cfg.loss)
        self.optimizer = make_optimizer(cfg, self.model.parameters())
        self.scheduler = make_scheduler(cfg, self.optimizer)
        self.generator = core.Generator().manual_seed(cfg.seed)
        self._stochastic = any(
            layer["type"] == "dropout" for layer in self.spec.concrete(self.input_shape).layers
        )
        self._rng_state = core.get_rng_state() if self._stochastic else None

        n = len(d.X_train)
        self.batch_size: int = min(cfg.batch_size, n)
        # Batch norm cannot train on a batch of one: leave out a lone last example per epoch.
        has_bn = any(
            layer["type"] == "batchnorm" for layer in self.spec.concrete(self.input_shape).layers
        )
        self._epoch_len = n - 1 if has_bn and n > 1 and n % self.batch_size == 1 else n
        self.batches_per_epoch: int = math.ceil(self._epoch_len / self.batch_size)
        self.total_steps: int = cfg.epochs * self.batches_per_epoch
        self.step = 0
        self.epoch = 0
        self._pos = 0  # next batch index within the epoch
        self._order: np.ndarray | None = None  # the current epoch's shuffled order
        self._unreported: dict[str, Any] = {}  # changes applied while idle, for the next report
        self.history: list[StepReport] = []
        self.state = "ready"
        self.failure: FailureReport | None = None
        self.last_batch: Batch | None = None
        self._elapsed = 0.0
        self._ema_t = 0.0
        self._ema_n = 0.0

        self._lock = threading.RLock()  # held for a whole step and for predictions
        self._pending_lock = threading.Lock()
        self._pending: dict[str, Any] = {}
        self._pause = threading.Event()
        self._stop = threading.Event()
        self._set_tensors("cpu")
        if cfg.device != "cpu":
            self.to(cfg.device)
            self._unreported = {}

    # ------------------------------------------------------------------ control

    @property
    def finished(self) -> bool:
        return self.state in ("finished", "stopped", "failed")

    @property
    def parameter_count(self) -> int:
        return self.spec.parameter_count(self.input_shape, self.outputs)

    def steps(self) -> Iterator[StepReport]:
        """Train, yielding a report per step, until the end, a pause, a stop or a failure."""
        self._pause.clear()
        while True:
            if self._stop.is_set() and not self.finished:
                self.state = "stopped"
            if self.finished:
                return
            if self._pause.is_set():
                self._pause.clear()
                self.state = "paused"
                return
            report = self.step_once()
            if report is None:
                return
            yield report

    def step_once(self) -> StepReport | None:
        """Exactly one step; None when the run is already over."""
        with self._lock:
            if self._stop.is_set() and not self.finished:
                self.state = "stopped"
            if self.finished:
                return None
            if self.step >= self.total_steps:
                self.state = "finished"
                return None
            self.state = "running"
            try:
                report = self._step()
            except BaseException:
                self.state = "paused"
                raise
            self.history.append(report)
            if report.failure is not None:
                self.failure = report.failure
                self.state = "failed"
            elif self.step >= self.total_steps:
                self.state = "finished"
            else:
                self.state = "paused"
            return report

    def run_to_end(self) -> list[StepReport]:
        return list(self.steps())

    def pause(self) -> None:
        """Make `steps()` return after the step in progress (thread-safe)."""
        self._pause.set()

    def stop(self) -> None:
        """End the run at the next step boundary (thread-safe)."""
        self._stop.set()
        if self._lock.acquire(blocking=False):
            try:
                if not self.finished:
                    self.state = "stopped"
            finally:
                self._lock.release()

    def set_hyperparameters(
        self,
        lr: float | None = None,
        momentum: float | None = None,
        weight_decay: float | None = None,
    ) -> None:
        """Change lr / momentum / weight decay from the next step on (thread-safe)."""
        if lr is not None and not (isinstance(lr, (int, float)) and lr > 0):
            raise ValueError(f"Invalid learning rate: {lr}")
        changes: dict[str, float] = {}
        for name, value in (("lr", lr), ("momentum", momentum), ("weight_decay", weight_decay)):
            if value is None:
                continue
            if (
                isinstance(value, bool)
                or not isinstance(value, (int, float))
                or not (math.isfinite(value) and value >= 0)
            ):
                raise ValueError(f"{name} must be a finite number >= 0, got {value!r}")
            changes[name] = float(value)
        if momentum is not None and self.config.optimizer == "adagrad":
            raise ValueError("adagrad has no momentum; change lr or weight_decay instead")
        if momentum is not None and self.config.optimizer in ("adam", "adamw") and momentum >= 1:
            raise ValueError(f"momentum is Adam's beta1 and must be in [0, 1), got {momentum}")
        self._queue(changes)

    def to(self, device: str | Any) -> None:
        """Move model, optimizer state and data to `device` at the next step boundary."""
        dev = str(core.device(device))
        if dev.startswith("cuda") and not core.cuda.is_available():
            raise RuntimeError(
                f"cannot move training to {dev}: {core.backend.cuda_unavailable_reason()}"
            )
        self._queue({"device": dev})

    def _queue(self, changes: dict[str, Any]) -> None:
        with self._pending_lock:
            self._pending.update(changes)
        if self._lock.acquire(blocking=False):  # idle: apply now so reads see it at once
            try:
                self._apply_pending(remember=True)
            finally:
                self._lock.release()

    # ------------------------------------------------------------------ one step

    def _apply_pending(self, remember: bool = False) -> dict[str, Any] | None:
        with self._pending_lock:
            pending, self._pending = self._pending, {}
        if not pending:
            return None
        dev = pending.get("device")
        if dev is not None and dev == self.device:
            del pending["device"]
        if dev is not None and dev != self.device:
            self._move(dev)
        for group in self.optimizer.param_groups:
            if "lr" in pending:
                group["lr"] = pending["lr"]
            if "weight_decay" in pending:
                group["weight_decay"] = pending["weight_decay"]
            if "momentum" in pending:
                if "betas" in group:
                    group["betas"] = (pending["momentum"], group["betas"][1])
                else:
                    group["momentum"] = pending["momentum"]
        if "lr" in pending and self.scheduler is not None:
            self.scheduler.base_lrs = [pending["lr"] for _ in self.optimizer.param_groups]
        self.config = self.config.replace(
            **{k: v for k, v in pending.items() if k in ("lr", "momentum", "weight_decay")},
            **({"device": dev} if dev else {}),
        )
        if remember:  # report these with the next step
            self._unreported = {**self._unreported, **pending}
            return None
        out = {**self._unreported, **pending}
        self._unreported = {}
        return out or None

    def _next_batch(self) -> Batch:
        if self._order is None:  # a new epoch (kept if its first step fails and is retried)
            n = len(self._data.X_train)
            self._order = core.randperm(n, generator=self.generator).numpy()
        lo = self._pos * self.batch_size
        idx = self._order[lo : min(lo + self.batch_size, self._epoch_len)]
        d = self._data
        if self.device == "cpu":  # NumPy's gather, wrapped: the same values, less overhead
            inputs, targets = core.from_numpy(d.X_train[idx]), core.from_numpy(d.y_train[idx])
        else:
            index = core.from_numpy(idx).to(self.device)
            inputs, targets = self._X_train[index], self._y_train[index]
        return Batch(inputs, targets, idx, self.step + 1, self.epoch, self._pos)

    def _step(self) -> StepReport:
        changed = self._apply_pending()
        if changed is None and self._unreported:
            changed, self._unreported = self._unreported, {}
        batch = self._next_batch()
        self.last_batch = batch
        lr = float(self.optimizer.param_groups[0]["lr"])
        t0 = time.perf_counter()
        if not self.model.training:
            self.model.train()
        outer_rng = self._enter_rng()
        quiet = ignore_all()  # a diverging loss is reported, not warned about
        try:
            self.optimizer.zero_grad()
            output = self.model(batch.inputs)
            loss = self.loss_fn(output, batch.targets)
            loss_value = float(loss.item())
            if not math.isfinite(loss_value):
                failure = diagnose_failure(self, batch, loss_value)
                return self._report(batch, loss_value, lr, t0, changed, None, failure)
            loss.backward()
            self.optimizer.step()
        finally:
            restore(quiet)
            self._leave_rng(outer_rng)
        train_acc, d = None, self._data
        if self.task != "regression":
            predicted = output.detach().cpu().numpy().argmax(1)
            train_acc = float((predicted == d.y_train[batch.indices]).mean())
        self.step += 1
        self._pos += 1
        val = None
        if self._pos == self.batches_per_epoch:
            if self.scheduler is not None:
                self.scheduler.step()
            val = self.evaluate("val") if len(self._data.X_val) else (None, None)
            self.epoch += 1
            self._pos = 0
            self._order = None
        return self._report(batch, loss_value, lr, t0, changed, train_acc, None, val)

    def _report(
        self,
        batch: Batch,
        loss: float,
        lr: float,
        t0: float,
        changed: dict[str, Any] | None,
        train_acc: float | None,
        failure: FailureReport | None,
        val: tuple[float | None, float | None] | None = None,
    ) -> StepReport:
        dt = time.perf_counter() - t0
        self._elapsed += dt
        n = len(batch.indices)
        first = self._ema_t == 0.0
        self._ema_t = dt if first else (1 - _EMA) * self._ema_t + _EMA * dt
        self._ema_n = n if first else (1 - _EMA) * self._ema_n + _EMA * n
        return StepReport(
            step=batch.step,
            epoch=batch.epoch,
            batch=batch.batch,
            batches_per_epoch=self.batches_per_epoch,
            total_steps=self.total_steps,
            epoch_end=val is not None,  # val is (None, None) at an epoch end without data
            loss=loss,
            val_loss=None if val is None else val[0],
            val_accuracy=None if val is None else val[1],
            train_accuracy=train_acc,
            lr=lr,
            examples=n,
            examples_per_s=self._ema_n / self._ema_t if self._ema_t > 0 else 0.0,
            elapsed=self._elapsed,
            progress=batch.step / self.total_steps
            if failure is None
            else self.step / self.total_steps,
            device=self.device,
            changed=changed,
            failure=failure,
        )

    # ------------------------------------------------------------------ randomness of layers

    def _enter_rng(self) -> Any:
        """Dropout draws from the global generator: give it the run's own stream for the step."""
        if not self._stochastic:
            return None
        outer = core.get_rng_state()
        core.set_rng_state(self._rng_state)
        return outer

    def _leave_rng(self, outer: Any, keep: bool = True) -> None:
        if outer is None:
            return
        if keep:
            self._rng_state = core.get_rng_state()
        core.set_rng_state(outer)

    # ------------------------------------------------------------------ devices

    def _set_tensors(self, device: str) -> None:
        d = self._data
        self._X_train = core.from_numpy(d.X_train).to(device)
        self._y_train = core.from_numpy(d.y_train).to(device)
        self._X_val = core.from_numpy(d.X_val).to(device)
        self._y_val = core.from_numpy(d.y_val).to(device)

    def _move(self, device: str) -> None:
        from core.optim.optimizer import optimizer_to

        self.model.to(device)
        optimizer_to(self.optimizer, device)
        self._set_tensors(device)
        if self.last_batch is not None:
            b = self.last_batch
            self.last_batch = Batch(
                b.inputs.to(device), b.targets.to(device), b.indices, b.step, b.epoch, b.batch
            )
        self.device = device
