"""What the studio draws, read from a `TrainingRun` in the worker thread as plain NumPy copies.

Qt-free: `run_info` (dataset and shapes of a new run), `fit_data` (the fit plot's prediction),
`parameter_stats` (per-parameter weight/grad percentiles), `describe` (a change, in words).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

FIT_CURVE_POINTS = 200
GRID_RESOLUTION = 80
SAMPLE_COUNT = 24
PERCENTILES = (5, 25, 50, 75, 95)


@dataclass(frozen=True)
class RunInfo:
    """A new run as the UI needs it: its resolved config and the data to scatter."""

    config: Any  # resolved TrainConfig
    task: str
    input_shape: tuple[int, ...]
    num_classes: int | None
    total_steps: int
    batches_per_epoch: int
    parameter_count: int
    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    device: str

    @property
    def plot_task(self) -> str:
        """The fit view that fits: 1-D regression, 2-D classification, images, or none."""
        if self.task == "images" or len(self.input_shape) == 3:
            return "images"
        if self.task == "regression":
            return "regression" if self.input_shape == (1,) else "none"
        return "classification" if self.input_shape == (2,) else "none"


def run_info(run: Any) -> RunInfo:
    (xt, yt), (xv, yv) = run.data("train"), run.data("val")
    count = sum(int(np.prod(p.shape)) for p in run.model.parameters())
    return RunInfo(
        run.config,
        run.task,
        tuple(run.input_shape),
        run.num_classes,
        run.total_steps,
        run.batches_per_epoch,
        count,
        xt,
        yt,
        xv,
        yv,
        str(run.device),
    )


def _linear_title(run: Any) -> str | None:
    """For a linear model on 1-D data, the fitted line in the tutorial's form."""
    spec = run.spec
    if getattr(spec, "template", None) or spec.layers:
        return None
    f = run.predict(np.array([[0.0], [1.0]], dtype=np.float32)).ravel()
    w, b = float(f[1] - f[0]), float(f[0])
    return f"model: y = {w:.4g} x {'+' if b >= 0 else '−'} {abs(b):.4g}"


def fit_data(run: Any) -> dict[str, Any] | None:
    """The fit plot's prediction: a curve, a decision grid, or image samples and confusions."""
    shape = tuple(run.input_shape)
    if run.task == "regression" and shape == (1,):
        out: dict[str, Any] = {"curve": run.curve(num=FIT_CURVE_POINTS)}
        title = _linear_title(run)
        if title:
            out["title"] = title
        return out
    if run.task == "classification" and shape == (2,):
        grid = run.decision_grid(resolution=GRID_RESOLUTION)
        return {"boundary": (tuple(grid.extent), np.asarray(grid.probs))}
    if run.task == "images" or len(shape) == 3:
        s = run.sample_predictions(k=SAMPLE_COUNT)
        preds = s.predicted if run.step > 0 else None
        return {"images": (s.inputs, s.targets, preds), "confusion": run.confusion_matrix()}
    return None


def _numpy(t: Any) -> np.ndarray | None:
    if t is None:
        return None
    t = t.detach()
    if str(getattr(t, "device", "cpu")) != "cpu":
        t = t.cpu()
    return np.asarray(t.numpy())


def percentiles(values: np.ndarray) -> np.ndarray:
    """The five PERCENTILES of the finite entries of `values` (NaN when there are none)."""
    v = np.asarray(values, dtype=np.float64).ravel()
    v = v[np.isfinite(v)]
    if v.size == 0:
        return np.full(len(PERCENTILES), np.nan)
    return np.percentile(v, PERCENTILES)


def parameter_stats(run: Any) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """name -> (weight percentiles, grad percentiles) for each parameter of the model."""
    out = {}
    for name, p in run.model.named_parameters():
        w, g = _numpy(p), _numpy(p.grad)
        out[name] = (percentiles(w), percentiles(g) if g is not None else percentiles(np.empty(0)))
    return out


def describe(changes: Mapping[str, Any]) -> str:
    """{"lr": 0.01, "momentum": 0.9} -> 'lr 0.01, momentum 0.9'."""
    return ", ".join(
        f"{k.replace('_', ' ')} {v:.4g}" if isinstance(v, float) else f"{k} {v}"
        for k, v in changes.items()
    )
