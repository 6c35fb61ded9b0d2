"""What the plots ask a run between steps: predictions, fit curves, decision grids, confusion."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import numpy as np

import core
from core.fp_quiet import quiet
from core.training.reports import Batch, Grid, Samples

__all__ = ["PredictMixin", "buffers_kept"]

_CHUNK = 8192  # rows per forward pass when evaluating


@contextlib.contextmanager
def buffers_kept(model: Any) -> Iterator[None]:
    """Restore the model's buffers (batch norm's running statistics) after a replayed forward."""
    saved = [(b, b.detach().clone()) for _, b in model.named_buffers()]
    try:
        yield
    finally:
        with core.no_grad():
            for buf, value in saved:
                buf.copy_(value)


class PredictMixin:
    """Mixed into TrainingRun; every method takes the run's lock and runs in eval mode."""

    _lock: Any
    model: Any
    loss_fn: Any
    task: str
    input_shape: tuple[int, ...]
    device: str

    # ------------------------------------------------------------------ evaluation

    def _split(self, split: str) -> tuple[Any, Any]:
        if split == "val":
            return self._X_val, self._y_val  # type: ignore[attr-defined]
        if split == "train":
            return self._X_train, self._y_train  # type: ignore[attr-defined]
        raise ValueError(f"split must be 'train' or 'val', got {split!r}")

    def _forward_eval(self, X: Any) -> Any:
        """Model outputs for tensor X (eval mode, no grad), in chunks; the mode is restored."""
        was_training = self.model.training
        self.model.eval()
        try:
            with core.no_grad(), quiet():
                if len(X) <= _CHUNK:
                    return self.model(X)
                return core.cat([self.model(X[i : i + _CHUNK]) for i in range(0, len(X), _CHUNK)])
        finally:
            self.model.train(was_training)

    def evaluate(self, split: str = "val") -> tuple[float, float | None]:
        """(mean loss, accuracy or None) of the current model on `split`."""
        with self._lock:
            X, y = self._split(split)
            if len(X) == 0:
                return float("nan"), None
            out = self._forward_eval(X)
            with core.no_grad(), quiet():
                loss = float(self.loss_fn(out, y).item())
                acc = None
                if self.task != "regression":
                    acc = float((out.argmax(1) == y).float().mean().item())
            return loss, acc

    def predict(self, X: np.ndarray) -> np.ndarray:
        """Regression values (n, outputs), or class probabilities (n, C), for NumPy inputs."""
        X = np.asarray(X, dtype=np.float32)
        if X.shape[1:] != self.input_shape:
            if X.ndim == 0 or int(np.prod(X.shape[1:])) != int(np.prod(self.input_shape)):
                raise ValueError(
                    f"predict() expects inputs of shape (n, {', '.join(map(str, self.input_shape))})"
                    f", got {X.shape}"
                )
            X = X.reshape((len(X), *self.input_shape))
        with self._lock:
            out = self._forward_eval(core.from_numpy(np.ascontiguousarray(X)).to(self.device))
            if self.task != "regression":
                out = _softmax(out)
            return out.cpu().numpy().copy()

    def data(self, split: str = "train") -> tuple[np.ndarray, np.ndarray]:
        """NumPy copies of a split's inputs and targets, for scatter plots."""
        d = self._data  # type: ignore[attr-defined]
        if split == "train":
            return d.X_train.copy(), d.y_train.copy()
        if split == "val":
            return d.X_val.copy(), d.y_val.copy()
        raise ValueError(f"split must be 'train' or 'val', got {split!r}")

    # ------------------------------------------------------------------ plots

    def curve(self, num: int = 200, margin: float = 0.05) -> tuple[np.ndarray, np.ndarray]:
        """1-D regression: the prediction line over the data's x range widened by `margin`."""
        if self.task != "regression" or self.input_shape != (1,):
            raise ValueError("curve() needs 1-D regression data (one input, a real target)")
        x = self._data.X_train[:, 0]  # type: ignore[attr-defined]
        lo, hi = float(x.min()), float(x.max())
        pad = (hi - lo) * margin or 1.0
        xs = np.linspace(lo - pad, hi + pad, num, dtype=np.float32)
        return xs, self.predict(xs.reshape(-1, 1))[:, 0]

    def decision_grid(self, resolution: int = 100, margin: float = 0.1) -> Grid:
        """2-D classification: class probabilities on a resolution x resolution grid."""
        if self.task != "classification" or self.input_shape != (2,):
            raise ValueError("decision_grid() needs 2-D classification data")
        X = np.concatenate([self._data.X_train, self._data.X_val])  # type: ignore[attr-defined]
        lo, hi = X.min(0), X.max(0)
        pad = (hi - lo) * margin
        xs = np.linspace(lo[0] - pad[0], hi[0] + pad[0], resolution, dtype=np.float32)
        ys = np.linspace(lo[1] - pad[1], hi[1] + pad[1], resolution, dtype=np.float32)
        gx, gy = np.meshgrid(xs, ys)
        probs = self.predict(np.stack([gx.ravel(), gy.ravel()], 1))
        probs = probs.reshape(resolution, resolution, -1)
        extent = (float(xs[0]), float(xs[-1]), float(ys[0]), float(ys[-1]))
        return Grid(xs, ys, probs, probs.argmax(-1), extent)

    def confusion_matrix(self, split: str = "val") -> np.ndarray:
        """(C, C) counts: rows are true classes, columns predicted ones."""
        if self.task == "regression":
            raise ValueError("a confusion matrix needs classification data")
        X, y = self.data(split)
        pred = self.predict(X).argmax(1)
        c = int(self.num_classes)  # type: ignore[attr-defined]
        m = np.zeros((c, c), dtype=np.int64)
        np.add.at(m, (y, pred), 1)
        return m

    def sample_predictions(self, k: int = 16, split: str = "val") -> Samples:
        """The first k examples of `split` with predicted class and its probability."""
        if self.task == "regression":
            raise ValueError("sample predictions need classification data")
        X, y = self.data(split)
        X, y = X[:k], y[:k]
        probs = self.predict(X)
        pred = probs.argmax(1)
        return Samples(X, y, pred, probs[np.arange(len(pred)), pred])

    # ------------------------------------------------------------------ a batch's graph

    def batch_loss(self, batch: Batch | None = None) -> Any:
        """Rebuild `batch`'s (default: the last batch's) forward graph; returns the loss tensor.

        For the graph panel's stepper: ``core.autograd.backward_steps(loss)``. The run's random
        stream is not advanced, batch norm's running statistics are kept, and the optimizer is
        not touched.
        """
        with self._lock:
            batch = batch or self.last_batch  # type: ignore[attr-defined]
            if batch is None:
                raise RuntimeError("no batch yet: take a step first")
            outer = self._enter_rng()  # type: ignore[attr-defined]
            try:
                self.model.train()
                with buffers_kept(self.model):
                    return self.loss_fn(self.model(batch.inputs), batch.targets)
            finally:
                self._leave_rng(outer, keep=False)  # type: ignore[attr-defined]


def _softmax(out: Any) -> Any:
    from core.nn import functional as F

    with core.no_grad():
        return F.softmax(out, dim=1)
