"""Frozen, Qt-free snapshots of tensors for the app: summaries, 2-D slices and sampled statistics.

The app never touches a Tensor's array; it asks here. Every function copies only what it returns,
so a huge (or cuda) tensor costs no more than the region on screen or the sample drawn from it.
Plain NumPy arrays are accepted wherever a Tensor is, which keeps the app usable on loaded files.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

#: above this many elements, statistics and histograms work on a random sample
SAMPLE_LIMIT = 1_000_000
SAMPLE_SIZE = 200_000


@dataclass(frozen=True)
class TensorSummary:
    """What the inspector's header and the variables table show about one tensor."""

    shape: tuple[int, ...]
    dtype: str
    device: str
    requires_grad: bool
    is_leaf: bool
    grad_fn: str | None
    version: int
    stride: tuple[int, ...]
    contiguous: bool
    numel: int
    nbytes: int
    has_grad: bool
    is_floating_point: bool

    @property
    def ndim(self) -> int:
        return len(self.shape)


@dataclass(frozen=True)
class TensorStats:
    """Statistics of all finite values (or of a sample of them, when `sampled`)."""

    count: int  # elements the figures were computed on
    numel: int  # elements in the tensor
    sampled: bool
    min: float
    max: float
    mean: float
    std: float
    nan: int
    inf: int
    hist_counts: np.ndarray
    hist_edges: np.ndarray


def is_tensor(obj: Any) -> bool:
    """True for a core Tensor (found by duck typing so that this module imports no tensor code)."""
    return hasattr(obj, "_data") and hasattr(obj, "grad_fn") and hasattr(obj, "requires_grad")


def grad_of(t: Any) -> Any:
    """`t.grad`, read only where PyTorch fills it (leaves, retain_grad), so it never warns."""
    if isinstance(t, np.ndarray) or not (t.is_leaf or getattr(t, "retains_grad", False)):
        return None
    return t.grad


def _raw(t: Any, grad: bool = False) -> Any:
    """The array behind `t` (or behind its `.grad`); None where there is no gradient."""
    if isinstance(t, np.ndarray):
        return None if grad else t
    if grad:
        t = grad_of(t)
        if t is None:
            return None
    return t._data


def _to_numpy(arr: Any) -> np.ndarray:
    if isinstance(arr, np.ndarray):
        return arr
    try:
        from core.backend import to_numpy
    except ImportError:  # pragma: no cover - backend not there yet
        return np.asarray(arr.get() if hasattr(arr, "get") else arr)
    return to_numpy(arr)


def _dtype_name(t: Any) -> str:
    if isinstance(t, np.ndarray):
        return f"numpy.{t.dtype.name}"
    return repr(t.dtype)


def summarize(t: Any) -> TensorSummary:
    """A snapshot of `t`'s metadata; reads no values."""
    if isinstance(t, np.ndarray):
        itemsize = t.dtype.itemsize
        return TensorSummary(
            shape=tuple(t.shape),
            dtype=_dtype_name(t),
            device="cpu",
            requires_grad=False,
            is_leaf=True,
            grad_fn=None,
            version=0,
            stride=tuple(s // itemsize for s in t.strides),
            contiguous=bool(t.flags.c_contiguous),
            numel=int(t.size),
            nbytes=int(t.size * itemsize),
            has_grad=False,
            is_floating_point=bool(np.issubdtype(t.dtype, np.floating)),
        )
    grad_fn = t.grad_fn
    numel = int(t.numel())
    return TensorSummary(
        shape=tuple(int(s) for s in t.shape),
        dtype=_dtype_name(t),
        device=str(t.device),
        requires_grad=bool(t.requires_grad),
        is_leaf=bool(t.is_leaf),
        grad_fn=None if grad_fn is None else grad_fn.name(),
        version=int(getattr(t, "_version", 0)),
        stride=tuple(int(s) for s in t.stride()),
        contiguous=bool(t.is_contiguous()),
        numel=numel,
        nbytes=numel * int(t.element_size()),
        has_grad=grad_of(t) is not None,
        is_floating_point=bool(t.dtype.is_floating_point),
    )


def default_axes(ndim: int) -> tuple[int, ...]:
    """The axes shown as rows and columns: none for 0-d, one column for 1-d, the last two else."""
    if ndim == 0:
        return ()
    if ndim == 1:
        return (0,)
    return (ndim - 2, ndim - 1)


def view_shape(shape: Sequence[int], axes: Sequence[int]) -> tuple[int, int]:
    """(rows, columns) of the 2-D view of a tensor of `shape` along `axes`."""
    if len(axes) == 0:
        return (1, 1)
    if len(axes) == 1:
        return (int(shape[axes[0]]), 1)
    return (int(shape[axes[0]]), int(shape[axes[1]]))


def slice_2d(
    t: Any,
    axes: Sequence[int] | None = None,
    index: Sequence[int] = (),
    rows: slice | None = None,
    cols: slice | None = None,
    grad: bool = False,
) -> np.ndarray | None:
    """A 2-D NumPy copy of the region `rows` x `cols` of `t` seen along `axes`.

    `index` gives the position along every other axis (entries at `axes` are ignored; missing
    ones are 0). Only the region is indexed on the tensor's device, so a cuda tensor copies only
    what is shown. Returns None when `grad` is asked for and there is none.
    """
    arr = _raw(t, grad)
    if arr is None:
        return None
    ndim = arr.ndim
    axes = tuple(default_axes(ndim) if axes is None else axes)
    if len(set(axes)) != len(axes) or any(not 0 <= a < ndim for a in axes):
        raise ValueError(f"axes {axes} do not fit a {ndim}-d tensor")
    if ndim == 0:
        return _to_numpy(arr.reshape(1, 1)).copy()
    key: list[Any] = []
    for dim in range(ndim):
        if dim in axes:
            key.append(rows if dim == axes[0] else cols)
        else:
            if arr.shape[dim] == 0:  # nothing to show along a fixed, empty axis
                return np.empty((0, 0), dtype=_to_numpy(arr[:0]).dtype)
            i = int(index[dim]) if dim < len(index) else 0
            key.append(min(max(i, 0), arr.shape[dim] - 1))
    key = [slice(None) if k is None else k for k in key]
    region = arr[tuple(key)]
    if len(axes) == 1:
        region = region.reshape(-1, 1)[:, cols or slice(None)]
    elif axes[0] > axes[1]:  # the remaining dims keep their order; rows must come first
        region = region.T
    return np.array(_to_numpy(region), copy=True)


def sample_values(t: Any, grad: bool = False, limit: int = SAMPLE_LIMIT) -> np.ndarray | None:
    """All values as a flat float64 NumPy array, or a random sample of them above `limit`."""
    arr = _raw(t, grad)
    if arr is None:
        return None
    if arr.size <= limit:
        flat = _to_numpy(arr).reshape(-1)
    else:
        rng = np.random.default_rng(0)  # fixed seed: the same tensor always shows the same figures
        picks = np.sort(rng.choice(arr.size, size=SAMPLE_SIZE, replace=False))
        coords = np.unravel_index(picks, arr.shape)
        if not isinstance(arr, np.ndarray):  # index on the device, copy only the sample
            from core.backend import array_module

            coords = tuple(array_module(arr).asarray(c) for c in coords)
        flat = _to_numpy(arr[coords])
    return flat.astype(np.float64, copy=False)


def tensor_stats(
    t: Any, grad: bool = False, limit: int = SAMPLE_LIMIT, bins: int = 50
) -> TensorStats | None:
    """min, max, mean, std of finite values, NaN and Inf counts, and a histogram."""
    arr = _raw(t, grad)
    if arr is None:
        return None
    values = sample_values(t, grad, limit)
    assert values is not None
    nan_mask = np.isnan(values)
    inf_mask = np.isinf(values)
    finite = values[~(nan_mask | inf_mask)]
    if finite.size:
        lo, hi = float(finite.min()), float(finite.max())
        mean, std = float(finite.mean()), float(finite.std())
        counts, edges = np.histogram(finite, bins=bins if hi > lo else 1)
    else:
        lo = hi = mean = std = float("nan")
        counts, edges = np.zeros(0, dtype=np.int64), np.zeros(0)
    return TensorStats(
        count=int(values.size),
        numel=int(arr.size),
        sampled=values.size < arr.size,
        min=lo,
        max=hi,
        mean=mean,
        std=std,
        nan=int(nan_mask.sum()),
        inf=int(inf_mask.sum()),
        hist_counts=counts,
        hist_edges=edges,
    )


def format_bytes(n: int) -> str:
    """1536 -> '1.5 KiB'."""
    size = float(n)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if size < 1024 or unit == "GiB":
            return f"{int(size)} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size:.1f} GiB"  # pragma: no cover


def to_array(t: Any, grad: bool = False) -> np.ndarray | None:
    """A full NumPy copy of `t` (or of its `.grad`), for saving and copying out."""
    arr = _raw(t, grad)
    return None if arr is None else np.array(_to_numpy(arr), copy=True)
