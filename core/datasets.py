"""Built-in datasets: small, seeded, generated or bundled, never downloaded.

The NumPy layer (`make`) is the primary interface: it returns ``X`` as float32 and ``y`` as a
float32 column ``(n, 1)`` for regression or int64 class indices for classification and images.
`load` wraps the same arrays into core tensors.

    >>> X, y = make("moons", n=200, seed=0)
    >>> X.shape, X.dtype, y.shape, y.dtype
    ((200, 2), dtype('float32'), (200,), dtype('int64'))
"""

from __future__ import annotations

import functools
import math
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np

__all__ = [
    "DATASETS",
    "DatasetInfo",
    "data_dir",
    "list_datasets",
    "load",
    "make",
    "train_val_split",
]

Task = Literal["regression", "classification", "images"]

# Environment override for the bundled data folder (an installed app, a test, a packager).
DATA_DIR_ENV = "TENSOR_PLAYGROUND_DATA"


@dataclass(frozen=True)
class DatasetInfo:
    """What the app and the trainer need to know about a dataset before generating it."""

    name: str
    task: Task
    input_dim: int  # features per example (flattened for images)
    num_classes: int | None  # None for regression
    description: str
    default_noise: float
    default_n: int
    input_shape: tuple[int, ...]  # shape of one example, e.g. (2,) or (1, 8, 8)


DATASETS: dict[str, DatasetInfo] = {
    info.name: info
    for info in (
        DatasetInfo(
            "linear",
            "regression",
            1,
            None,
            "The tutorial's line y = pi*x + 42 + noise*U[0,1), x in [0, 5).",
            1.0,
            100,
            (1,),
        ),
        DatasetInfo(
            "linear_3x",
            "regression",
            1,
            None,
            "The tutorial's line y = 3x (+ Gaussian noise), x in [0, 6).",
            0.0,
            100,
            (1,),
        ),
        DatasetInfo(
            "sine",
            "regression",
            1,
            None,
            "One period of y = sin(x) + Gaussian noise, x in [-pi, pi].",
            0.1,
            200,
            (1,),
        ),
        DatasetInfo(
            "moons",
            "classification",
            2,
            2,
            "Two interleaving half circles (Gaussian noise on the points).",
            0.1,
            1000,
            (2,),
        ),
        DatasetInfo(
            "circles",
            "classification",
            2,
            2,
            "A small circle inside a large one (Gaussian noise on the points).",
            0.05,
            1000,
            (2,),
        ),
        DatasetInfo(
            "xor",
            "classification",
            2,
            2,
            "Points in [-1, 1]^2, class 1 where the signs of x1 and x2 differ.",
            0.05,
            1000,
            (2,),
        ),
        DatasetInfo(
            "spiral",
            "classification",
            2,
            3,
            "Three interleaved spiral arms (Gaussian noise on the angle).",
            0.2,
            900,
            (2,),
        ),
        DatasetInfo(
            "blobs",
            "classification",
            2,
            3,
            "Three Gaussian blobs around fixed centres (noise is their std).",
            0.6,
            600,
            (2,),
        ),
        DatasetInfo(
            "digits",
            "images",
            64,
            10,
            "UCI 8x8 handwritten digits, 1,797 images scaled to [0, 1] (CC BY 4.0).",
            0.0,
            1797,
            (1, 8, 8),
        ),
    )
}


def list_datasets() -> list[str]:
    """Names of the built-in datasets, in registry order."""
    return list(DATASETS)


def make(
    name: str, n: int | None = None, noise: float | None = None, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Generate (or load) dataset `name`: ``X`` float32, ``y`` float32 (n, 1) or int64 (n,).

    The same (name, n, noise, seed) always gives the same arrays.
    """
    info = _info(name)
    n = info.default_n if n is None else _check_n(n, name)
    noise = info.default_noise if noise is None else _check_noise(noise)
    rng = np.random.default_rng(seed)
    X, y = _GENERATORS[name](n, noise, rng)
    X = np.ascontiguousarray(X, dtype=np.float32)
    if info.task == "regression":
        y = np.ascontiguousarray(y, dtype=np.float32).reshape(n, 1)
    else:
        y = np.ascontiguousarray(y, dtype=np.int64)
    return X, y


def train_val_split(
    X: np.ndarray, y: np.ndarray, val_fraction: float = 0.2, seed: int = 0
) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Shuffle and split into ``(X_train, y_train), (X_val, y_val)``.

    A fraction in (0, 1) keeps at least one example on each side when there are two or more.
    """
    if len(X) != len(y):
        raise ValueError(f"X and y differ in length: {len(X)} vs {len(y)}")
    if not 0.0 <= val_fraction < 1.0:
        raise ValueError(f"val_fraction must be in [0, 1), got {val_fraction}")
    n = len(X)
    n_val = int(round(n * val_fraction))
    if val_fraction > 0 and n >= 2:
        n_val = min(max(n_val, 1), n - 1)
    order = np.random.default_rng(seed).permutation(n)
    train, val = order[n_val:], order[:n_val]
    return (X[train], y[train]), (X[val], y[val])


def load(
    name: str,
    n: int | None = None,
    noise: float | None = None,
    seed: int = 0,
    as_tensors: bool = True,
) -> tuple[Any, Any]:
    """`make` as core tensors sharing memory with the arrays (NumPy if `as_tensors` is False)."""
    X, y = make(name, n=n, noise=noise, seed=seed)
    if not as_tensors:
        return X, y
    try:
        from core import from_numpy
    except ImportError as exc:  # core's tensor layer not importable (e.g. mid-development)
        raise ImportError(
            f"core.from_numpy is unavailable ({exc}); call load(..., as_tensors=False) "
            "or core.datasets.make() for NumPy arrays"
        ) from exc
    return from_numpy(X), from_numpy(y)


# ----------------------------------------------------------------------------- validation


def _info(name: str) -> DatasetInfo:
    try:
        return DATASETS[name]
    except (KeyError, TypeError):
        raise ValueError(
            f"unknown dataset {name!r}; choose one of: {', '.join(DATASETS)}"
        ) from None


def _check_n(n: int, name: str) -> int:
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"n must be a positive integer, got {n!r}")
    return int(n)


def _check_noise(noise: float) -> float:
    noise = float(noise)
    if not math.isfinite(noise) or noise < 0:
        raise ValueError(f"noise must be a finite number >= 0, got {noise!r}")
    return noise


# ----------------------------------------------------------------------------- generators

Generator = Callable[[int, float, np.random.Generator], tuple[np.ndarray, np.ndarray]]


def _class_sizes(n: int, k: int) -> list[int]:
    """Split n into k sizes differing by at most one, so classes stay balanced."""
    return [n // k + (i < n % k) for i in range(k)]


def _shuffled(X: np.ndarray, y: np.ndarray, rng: np.random.Generator) -> tuple[Any, Any]:
    # Generators build classes one after another; mixing them keeps mini-batches representative.
    order = rng.permutation(len(X))
    return X[order], y[order]


def _linear(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    # As in the tutorial: x = rand * 5, y = pi * x + 42 + rand (uniform noise, scaled).
    x = rng.random((n, 1)) * 5
    return x, math.pi * x + 42 + noise * rng.random((n, 1))


def _linear_3x(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    x = rng.random((n, 1)) * 6
    return x, 3 * x + noise * rng.standard_normal((n, 1))


def _sine(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    x = rng.uniform(-math.pi, math.pi, (n, 1))
    return x, np.sin(x) + noise * rng.standard_normal((n, 1))


def _moons(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    # scikit-learn's layout: upper arc centred at (0, 0), lower arc at (1, 0.5), interleaved.
    n_upper, n_lower = _class_sizes(n, 2)
    t_up = np.linspace(0, math.pi, n_upper)
    t_lo = np.linspace(0, math.pi, n_lower)
    upper = np.stack([np.cos(t_up), np.sin(t_up)], axis=1)
    lower = np.stack([1 - np.cos(t_lo), 0.5 - np.sin(t_lo)], axis=1)
    X = np.concatenate([upper, lower]) + noise * rng.standard_normal((n, 2))
    y = np.repeat([0, 1], [n_upper, n_lower])
    return _shuffled(X, y, rng)


def _circles(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    n_outer, n_inner = _class_sizes(n, 2)
    t_out = np.linspace(0, 2 * math.pi, n_outer, endpoint=False)
    t_in = np.linspace(0, 2 * math.pi, n_inner, endpoint=False)
    outer = np.stack([np.cos(t_out), np.sin(t_out)], axis=1)
    inner = 0.5 * np.stack([np.cos(t_in), np.sin(t_in)], axis=1)
    X = np.concatenate([outer, inner]) + noise * rng.standard_normal((n, 2))
    y = np.repeat([0, 1], [n_outer, n_inner])
    return _shuffled(X, y, rng)


def _xor(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    # Draw labels first (balanced), then a point in one of that label's two quadrants.
    y = np.repeat([0, 1], _class_sizes(n, 2))
    sign_x = rng.choice([-1.0, 1.0], size=n)
    sign_y = np.where(y == 1, -sign_x, sign_x)  # class 1: signs differ
    X = np.stack([sign_x, sign_y], axis=1) * rng.uniform(0.05, 1.0, (n, 2))
    X = X + noise * rng.standard_normal((n, 2))
    return _shuffled(X, y, rng)


def _spiral(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    # CS231n's spiral: radius grows linearly while the angle sweeps 4 radians per arm.
    arms = []
    for k, size in enumerate(_class_sizes(n, 3)):
        r = np.linspace(0.0, 1.0, size)
        t = np.linspace(4.0 * k, 4.0 * (k + 1), size) + noise * rng.standard_normal(size)
        arms.append(np.stack([r * np.sin(t), r * np.cos(t)], axis=1))
    y = np.repeat([0, 1, 2], _class_sizes(n, 3))
    return _shuffled(np.concatenate(arms), y, rng)


_BLOB_CENTRES = np.array([[0.0, 2.0], [-1.732, -1.0], [1.732, -1.0]])  # radius 2, 120 deg apart


def _blobs(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    y = np.repeat([0, 1, 2], _class_sizes(n, 3))
    X = _BLOB_CENTRES[y] + noise * rng.standard_normal((n, 2))
    return _shuffled(X, y, rng)


def _digits(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    images, labels = _digits_arrays()
    if n > len(images):
        raise ValueError(f"digits has {len(images)} images; n={n} is too many")
    if n < len(images):  # a seeded subset, kept in the file's order
        keep = np.sort(rng.choice(len(images), size=n, replace=False))
        images, labels = images[keep], labels[keep]
    X = images[:, None, :, :].astype(np.float32) / 16.0  # (n, 1, 8, 8), pixels 0..16 -> [0, 1]
    if noise > 0:
        X = X + noise * rng.standard_normal(X.shape).astype(np.float32)
    return X, labels.copy()


_GENERATORS: dict[str, Generator] = {
    "linear": _linear,
    "linear_3x": _linear_3x,
    "sine": _sine,
    "moons": _moons,
    "circles": _circles,
    "xor": _xor,
    "spiral": _spiral,
    "blobs": _blobs,
    "digits": _digits,
}
assert _GENERATORS.keys() == DATASETS.keys()


# ----------------------------------------------------------------------------- bundled files


def data_dir() -> Path:
    """The folder holding the bundled data files (``resources/data`` of the source checkout)."""
    candidates = []
    if os.environ.get(DATA_DIR_ENV):
        candidates.append(Path(os.environ[DATA_DIR_ENV]))
    # core/ sits next to resources/ in a checkout and in an editable install (pip install -e .).
    candidates.append(Path(__file__).resolve().parent.parent / "resources" / "data")
    # Where a wheel's data-files would put it (share/tensor-playground/data under the prefix).
    candidates.append(Path(sys.prefix) / "share" / "tensor-playground" / "data")
    for path in candidates:
        if path.is_dir():
            return path
    raise FileNotFoundError(
        "bundled data folder not found; looked in: "
        + ", ".join(str(p) for p in candidates)
        + f". Run from a source checkout or set {DATA_DIR_ENV} to the resources/data folder."
    )


@functools.lru_cache(maxsize=1)
def _digits_arrays() -> tuple[np.ndarray, np.ndarray]:
    """The bundled digits as read-only (images uint8 (1797, 8, 8), labels int64 (1797,))."""
    path = data_dir() / "digits.npz"
    if not path.is_file():
        raise FileNotFoundError(
            f"the bundled digits file is missing: {path}. Restore resources/data/digits.npz "
            f"from the repository, or set {DATA_DIR_ENV} to a folder that has it."
        )
    with np.load(path, allow_pickle=False) as f:
        images, labels = f["images"], f["labels"]
    images.flags.writeable = False  # shared by every call through the cache
    labels.flags.writeable = False
    return images, labels
