"""Built-in datasets: shapes, dtypes, determinism, balance, geometry, the bundled digits."""

from __future__ import annotations

import math

import numpy as np
import pytest

from core import datasets
from core.datasets import DATASETS, list_datasets, make, train_val_split

NAMES = list_datasets()
CLASSIFICATION = [n for n in NAMES if DATASETS[n].task != "regression"]
REGRESSION = [n for n in NAMES if DATASETS[n].task == "regression"]


def test_registry_lists_the_required_datasets() -> None:
    required = {"linear", "linear_3x", "sine", "moons", "circles", "xor", "spiral", "blobs"}
    assert required | {"digits"} <= set(NAMES)
    for name, info in DATASETS.items():
        assert info.name == name
        assert info.task in ("regression", "classification", "images")
        assert (info.num_classes is None) == (info.task == "regression")
        assert info.description and "\n" not in info.description
        assert info.default_noise >= 0 and info.default_n > 0
        assert math.prod(info.input_shape) == info.input_dim


@pytest.mark.parametrize("name", NAMES)
def test_shapes_and_dtypes(name: str) -> None:
    info = DATASETS[name]
    n = 60
    X, y = make(name, n=n)
    assert X.dtype == np.float32 and X.shape == (n, *info.input_shape)
    assert X.flags.c_contiguous and np.isfinite(X).all()
    if info.task == "regression":
        assert y.dtype == np.float32 and y.shape == (n, 1)
    else:
        assert y.dtype == np.int64 and y.shape == (n,)
        assert y.min() >= 0 and y.max() < info.num_classes


@pytest.mark.parametrize("name", NAMES)
def test_default_size(name: str) -> None:
    X, y = make(name)
    assert len(X) == len(y) == DATASETS[name].default_n


@pytest.mark.parametrize("name", NAMES)
def test_deterministic_for_a_seed(name: str) -> None:
    X1, y1 = make(name, n=50, noise=0.1, seed=3)
    X2, y2 = make(name, n=50, noise=0.1, seed=3)
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(y1, y2)
    X3, _ = make(name, n=50, noise=0.1, seed=4)
    assert not np.array_equal(X1, X3)


@pytest.mark.parametrize("name", [n for n in CLASSIFICATION if n != "digits"])
@pytest.mark.parametrize("n", [99, 100, 301])
def test_generated_classes_are_balanced(name: str, n: int) -> None:
    _, y = make(name, n=n)
    counts = np.bincount(y, minlength=DATASETS[name].num_classes)
    assert counts.sum() == n and counts.max() - counts.min() <= 1


@pytest.mark.parametrize("name", [n for n in CLASSIFICATION if n != "digits"])
def test_generated_classes_are_shuffled(name: str) -> None:
    # Mini-batches from the front of the arrays must not hold one class only.
    _, y = make(name, n=300)
    assert len(np.unique(y[:30])) > 1


def test_moons_are_two_interleaved_arcs() -> None:
    X, y = make("moons", n=400, noise=0.0)
    upper, lower = X[y == 0], X[y == 1]
    # Each class lies on a unit half circle: upper centred at (0, 0), lower at (1, 0.5).
    np.testing.assert_allclose(np.linalg.norm(upper, axis=1), 1.0, atol=1e-5)
    np.testing.assert_allclose(np.linalg.norm(lower - [1.0, 0.5], axis=1), 1.0, atol=1e-5)
    assert (upper[:, 1] >= -1e-6).all() and (lower[:, 1] <= 0.5 + 1e-6).all()
    # Interleaved: each arc reaches into the other's horizontal and vertical span.
    assert upper[:, 0].max() > lower[:, 0].min() and lower[:, 0].max() > upper[:, 0].max()
    assert upper[:, 1].min() < lower[:, 1].max()


def test_circles_radii_and_xor_quadrants() -> None:
    X, y = make("circles", n=200, noise=0.0)
    radius = np.linalg.norm(X, axis=1)
    np.testing.assert_allclose(radius[y == 0], 1.0, atol=1e-5)
    np.testing.assert_allclose(radius[y == 1], 0.5, atol=1e-5)
    X, y = make("xor", n=200, noise=0.0)
    np.testing.assert_array_equal(y, (X[:, 0] * X[:, 1] < 0).astype(np.int64))


def test_noise_scales_the_spread() -> None:
    X0, y0 = make("sine", n=100, noise=0.0)
    np.testing.assert_allclose(y0[:, 0], np.sin(X0[:, 0]), atol=1e-6)
    _, y1 = make("sine", n=100, noise=0.5)
    assert np.abs(y1[:, 0] - np.sin(X0[:, 0])).std() > 0.2


def test_tutorial_lines() -> None:
    x, y = make("linear", n=500)
    residual = y - (math.pi * x + 42)
    assert residual.min() >= 0 and residual.max() < 1  # torch.rand noise, as in the tutorial
    x, y = make("linear_3x", n=50)
    np.testing.assert_allclose(y, 3 * x, rtol=1e-6)


def test_digits_bundle() -> None:
    X, y = make("digits")
    assert X.shape == (1797, 1, 8, 8) and y.shape == (1797,)
    assert y.min() == 0 and y.max() == 9
    np.testing.assert_array_equal(
        np.bincount(y), [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]
    )
    assert X.min() == 0.0 and X.max() == 1.0
    # Pixels are counts 0..16 scaled by 1/16.
    np.testing.assert_array_equal(X * 16, np.round(X * 16))
    assert y[0] == 0 and y[1] == 1  # the file's own order


def test_digits_file_and_licence_are_bundled() -> None:
    folder = datasets.data_dir()
    with np.load(folder / "digits.npz", allow_pickle=False) as f:
        assert f["images"].dtype == np.uint8 and f["images"].shape == (1797, 8, 8)
        assert f["labels"].dtype == np.int64
    licence = (folder / "DIGITS_LICENSE.txt").read_text()
    assert "CC BY 4.0" in licence and "UCI" in licence


def test_digits_subset_and_cache_not_mutated() -> None:
    X, y = make("digits", n=100, seed=1)
    assert X.shape == (100, 1, 8, 8) and y.shape == (100,)
    X[:] = 7
    y[:] = 3
    X2, y2 = make("digits", n=100, seed=1)
    assert X2.max() <= 1.0 and not (y2 == 3).all()
    with pytest.raises(ValueError, match="1797"):
        make("digits", n=1798)


def test_data_dir_env_override(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv(datasets.DATA_DIR_ENV, str(tmp_path))
    assert datasets.data_dir() == tmp_path
    datasets._digits_arrays.cache_clear()
    try:
        with pytest.raises(FileNotFoundError, match="digits.npz"):
            make("digits")
    finally:
        datasets._digits_arrays.cache_clear()


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"name": "mnist"}, "unknown dataset 'mnist'.*moons"),
        ({"name": "moons", "n": 0}, "positive integer"),
        ({"name": "moons", "n": 2.5}, "positive integer"),
        ({"name": "moons", "noise": -1}, "noise"),
        ({"name": "moons", "noise": float("nan")}, "noise"),
    ],
)
def test_bad_arguments(kwargs: dict, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        make(**kwargs)


def test_train_val_split() -> None:
    X, y = make("moons", n=101)
    (Xt, yt), (Xv, yv) = train_val_split(X, y, val_fraction=0.2, seed=5)
    assert len(Xv) == len(yv) == 20 and len(Xt) == len(yt) == 81
    # A partition: every example lands on exactly one side, with its own label.
    both = np.concatenate([Xt, Xv])
    rows = {tuple(r) for r in both}
    assert len(rows) == 101 and rows == {tuple(r) for r in X}
    lookup = {tuple(r): label for r, label in zip(X, y)}
    assert all(lookup[tuple(r)] == label for r, label in zip(Xv, yv))
    again = train_val_split(X, y, val_fraction=0.2, seed=5)
    np.testing.assert_array_equal(again[1][0], Xv)
    (Xt, _), (Xv, _) = train_val_split(X[:2], y[:2], val_fraction=0.01)
    assert len(Xt) == len(Xv) == 1
    (Xt, _), (Xv, _) = train_val_split(X, y, val_fraction=0.0)
    assert len(Xv) == 0 and len(Xt) == 101
    with pytest.raises(ValueError, match="val_fraction"):
        train_val_split(X, y, val_fraction=1.0)
    with pytest.raises(ValueError, match="length"):
        train_val_split(X, y[:-1])


def test_load_as_numpy_and_tensors() -> None:
    X, y = datasets.load("blobs", n=30, as_tensors=False)
    assert isinstance(X, np.ndarray) and X.shape == (30, 2)
    core = pytest.importorskip("core")
    if not hasattr(core, "from_numpy"):
        pytest.skip("core.from_numpy not available yet")
    Xt, yt = datasets.load("blobs", n=30)
    assert tuple(Xt.shape) == (30, 2) and str(Xt.dtype) == "torch.float32"
    assert str(yt.dtype) == "torch.int64"
    np.testing.assert_array_equal(Xt.numpy(), X)
