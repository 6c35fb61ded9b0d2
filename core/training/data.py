"""The data of a run: a built-in dataset or the user's arrays, split into train and validation."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core import datasets
from core.training.config import TrainConfig
from core.training.errors import ConfigError

__all__ = ["RunData", "infer_task", "prepare_data"]


@dataclass(frozen=True)
class RunData:
    X_train: np.ndarray
    y_train: np.ndarray
    X_val: np.ndarray
    y_val: np.ndarray
    task: str
    input_shape: tuple[int, ...]
    outputs: int  # model outputs: 1 (or y's width) for regression, classes otherwise
    num_classes: int | None


def infer_task(X: np.ndarray, y: np.ndarray) -> str:
    if np.issubdtype(np.asarray(y).dtype, np.integer):
        return "images" if np.asarray(X).ndim > 2 else "classification"
    return "regression"


def _custom_arrays(data: tuple[np.ndarray, np.ndarray], task: str) -> tuple[np.ndarray, np.ndarray]:
    try:
        X, y = data
    except (TypeError, ValueError):
        raise ConfigError("custom data must be a pair (X, y) of arrays") from None
    X = np.ascontiguousarray(np.asarray(X, dtype=np.float32))
    y = np.asarray(y)
    if X.ndim == 1:
        X = X.reshape(-1, 1)
    if X.ndim < 2 or len(X) != len(y) or len(X) < 2:
        raise ConfigError(
            f"custom data: X must be (n, features...) and y (n,) with n >= 2; got X {X.shape}, "
            f"y {y.shape}"
        )
    if not np.isfinite(X).all():
        raise ConfigError("custom data: X contains NaN or infinite values")
    if task == "regression":
        y = np.ascontiguousarray(y, dtype=np.float32)
        y = y.reshape(len(y), -1) if y.ndim != 1 else y.reshape(-1, 1)
        if not np.isfinite(y).all():
            raise ConfigError("custom data: y contains NaN or infinite values")
    else:
        if not (np.issubdtype(y.dtype, np.integer) or np.all(np.mod(y, 1) == 0)):
            raise ConfigError("custom data: class labels must be whole numbers 0, 1, ...")
        y = np.ascontiguousarray(y.reshape(-1), dtype=np.int64)
        if y.min() < 0:
            raise ConfigError("custom data: class labels must be >= 0")
    return X, y


def prepare_data(cfg: TrainConfig, data: tuple[np.ndarray, np.ndarray] | None) -> RunData:
    """Generate (or take) the arrays and split them with `cfg.data_seed`."""
    if data is not None:
        task = cfg.task or infer_task(*data)
        X, y = _custom_arrays(data, task)
        num_classes = None if task == "regression" else int(y.max()) + 1
    else:
        info = datasets.DATASETS[cfg.dataset]
        task = info.task
        X, y = datasets.make(cfg.dataset, n=cfg.n, noise=cfg.noise, seed=cfg.data_seed)
        X = X.reshape((len(X), *info.input_shape))
        num_classes = info.num_classes
    (Xt, yt), (Xv, yv) = datasets.train_val_split(X, y, cfg.val_fraction, seed=cfg.data_seed)
    outputs = (y.shape[1] if y.ndim == 2 else 1) if task == "regression" else int(num_classes)
    return RunData(
        np.ascontiguousarray(Xt),
        np.ascontiguousarray(yt),
        np.ascontiguousarray(Xv),
        np.ascontiguousarray(yv),
        task,
        tuple(int(s) for s in X.shape[1:]),
        outputs,
        num_classes,
    )
