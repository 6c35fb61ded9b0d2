"""What a training run hands out: step reports, failure reports, batches, plot data."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["Batch", "FailureReport", "Grid", "Samples", "StepReport"]


@dataclass(frozen=True)
class FailureReport:
    """Why a run ended: a NaN or infinite loss at `step`, and the op that produced it."""

    step: int
    epoch: int
    batch: int
    loss: float
    op: str | None  # grad_fn name of the first op whose output was not finite
    module: str | None  # dotted name of the first submodule whose output was not finite
    anomaly: str | None  # detect_anomaly's message from re-running that batch's backward
    message: str

    def to_dict(self) -> dict[str, Any]:
        d = dataclasses.asdict(self)
        d["loss"] = repr(self.loss) if not np.isfinite(self.loss) else self.loss
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> FailureReport:
        d = dict(d)
        d["loss"] = float(d["loss"])
        return cls(**d)


@dataclass(frozen=True)
class StepReport:
    """One optimizer step: where it was, its loss, and validation results at epoch ends."""

    step: int  # optimizer steps done, this one included (1-based)
    epoch: int  # 0-based epoch of this step
    batch: int  # 0-based batch index within the epoch
    batches_per_epoch: int
    total_steps: int
    epoch_end: bool
    loss: float
    val_loss: float | None
    val_accuracy: float | None
    train_accuracy: float | None
    lr: float
    examples: int
    examples_per_s: float
    elapsed: float
    progress: float
    device: str
    changed: dict[str, Any] | None = None
    failure: FailureReport | None = None

    def to_dict(self) -> dict[str, Any]:
        d = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        d["failure"] = self.failure.to_dict() if self.failure else None
        if not np.isfinite(self.loss):
            d["loss"] = repr(self.loss)
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> StepReport:
        d = dict(d)
        d["loss"] = float(d["loss"])
        if d.get("failure"):
            d["failure"] = FailureReport.from_dict(d["failure"])
        return cls(**d)


@dataclass(frozen=True)
class Batch:
    """The inputs and targets of one step (tensors on the run's device) and their row indices."""

    inputs: Any
    targets: Any
    indices: np.ndarray
    step: int  # the step this batch was (or was to be) used for, 1-based
    epoch: int
    batch: int


@dataclass(frozen=True)
class Grid:
    """Class probabilities over a 2-D grid: ``probs[i, j]`` is at (xs[j], ys[i])."""

    xs: np.ndarray
    ys: np.ndarray
    probs: np.ndarray  # (R, R, C)
    classes: np.ndarray  # (R, R) argmax
    extent: tuple[float, float, float, float]  # xmin, xmax, ymin, ymax


@dataclass(frozen=True)
class Samples:
    """The first k examples of a split with the model's predictions."""

    inputs: np.ndarray
    targets: np.ndarray
    predicted: np.ndarray
    confidence: np.ndarray
