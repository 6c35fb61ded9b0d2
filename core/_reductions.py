"""Reductions with ``dim``/``keepdim`` and PyTorch's result types and return tuples."""

from __future__ import annotations

from collections import namedtuple
from typing import Any

import numpy as np

from core import dtypes as _dt
from core._dispatch import apply_cast, with_out
from core.autograd.function import apply_op
from core.ops import reduce as R
from core.tensor import Tensor, _wrap_dim

values_indices = namedtuple("values_indices", ["values", "indices"])


class _ReturnTypes:
    """torch.return_types.max(values=..., indices=...) printing."""


def _named(name: str) -> type:
    base = namedtuple(name, ["values", "indices"])

    def __repr__(self: Any) -> str:  # noqa: N807
        return f"torch.return_types.{name}(\nvalues={self.values!r},\nindices={self.indices!r})"

    return type(name, (base,), {"__repr__": __repr__, "__slots__": ()})


MaxResult, MinResult = _named("max"), _named("min")
SortResult, TopkResult, ModeResult = _named("sort"), _named("topk"), _named("mode")


def _dims(dim: Any, ndim: int) -> tuple[int, ...] | None:
    if dim is None:
        return None
    if isinstance(dim, (list, tuple)):
        if len(dim) == 0:
            return None
        dims = tuple(_wrap_dim(d, ndim) for d in dim)
        if len(set(dims)) != len(dims):
            raise RuntimeError(f"dim {dims[0]} appears multiple times in the list of dims")
        return dims
    return (_wrap_dim(dim, ndim),)


def _sum_dtype(input: Tensor, dtype: Any) -> Any:
    if dtype is not None:
        return _dt.from_any(dtype).np
    return np.int64 if input._data.dtype.kind in "iub" else None


def sum(input: Tensor, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:  # noqa: A001
    d = _sum_dtype(input, dtype)
    dims = _dims(dim, input.ndim)
    if dims is None:
        if keepdim and dim is not None:
            return apply_op(R.SumBackward1, (input,), tuple(range(input.ndim)), True, d)
        return apply_op(R.SumBackward0, (input,), d)
    return apply_op(R.SumBackward1, (input,), dims, keepdim, d)


def nansum(input: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:
    return sum(input.masked_fill(input.isnan(), 0), dim, keepdim)


def mean(input: Tensor, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:
    if dtype is not None:
        input = input.to(_dt.from_any(dtype))
    if not input.dtype.is_floating_point:
        raise RuntimeError(
            "mean(): could not infer output dtype. Input dtype must be either a floating point or "
            f"complex dtype. Got: {input.dtype.scalar_name}"
        )
    dims = _dims(dim, input.ndim)
    if dims is None:
        if dim is not None and keepdim:
            return apply_op(R.MeanBackward1, (input,), tuple(range(input.ndim)), True)
        return apply_op(R.MeanBackward0, (input,))
    return apply_op(R.MeanBackward1, (input,), dims, keepdim)


def prod(input: Tensor, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:
    if input._data.dtype.kind in "iub" and dtype is None:
        input = input.long()
    if dim is None:
        return apply_op(R.ProdBackward0, (input,))
    return apply_op(R.ProdBackward1, (input,), _wrap_dim(dim, input.ndim), keepdim)


def _max_min(input: Tensor, dim: Any, keepdim: bool, other: Any, is_max: bool) -> Any:
    from core import _math

    if isinstance(dim, Tensor):
        return (_math.maximum if is_max else _math.minimum)(input, dim)
    if other is not None:
        return (_math.maximum if is_max else _math.minimum)(input, other)
    if dim is None:
        if input.numel() == 0:
            raise RuntimeError(
                f"{'max' if is_max else 'min'}(): Expected reduction dim to be specified for "
                "input.numel() == 0. Specify the reduction dim with the 'dim' argument."
            )
        return apply_op(R.MaxBackward1 if is_max else R.MinBackward1, (input,))
    d = _wrap_dim(dim, input.ndim)
    if input.ndim and input.shape[d] == 0:
        raise IndexError(
            f"{'max' if is_max else 'min'}(): Expected reduction dim {d} to have non-zero size."
        )
    values, indices = apply_op(R.MaxBackward0 if is_max else R.MinBackward0, (input,), d, keepdim)
    return (MaxResult if is_max else MinResult)(values, indices)


def max(input: Tensor, dim: Any = None, keepdim: bool = False, *, other: Any = None) -> Any:  # noqa: A001
    return _max_min(input, dim, keepdim, other, True)


def min(input: Tensor, dim: Any = None, keepdim: bool = False, *, other: Any = None) -> Any:  # noqa: A001
    return _max_min(input, dim, keepdim, other, False)


def amax(input: Tensor, dim: Any = (), keepdim: bool = False) -> Tensor:
    dims = _dims(dim, input.ndim) or tuple(range(input.ndim))
    return apply_op(R.AmaxBackward0, (input,), dims, keepdim)


def amin(input: Tensor, dim: Any = (), keepdim: bool = False) -> Tensor:
    dims = _dims(dim, input.ndim) or tuple(range(input.ndim))
    return apply_op(R.AminBackward0, (input,), dims, keepdim)


def _arg_extreme(input: Tensor, dim: Any, keepdim: bool, name: str, find: Any) -> Tensor:
    """Index of the largest/smallest element (``find`` is np.argmax or np.argmin)."""
    a = input._data
    if a.dtype == np.bool_:
        raise RuntimeError(f"{name}(): does not support bool input")
    if dim is None:
        if a.size == 0:
            raise IndexError(
                f"{name}(): Expected reduction dim to be specified for input.numel() == 0."
            )
        out = find(a.reshape(-1))
        return Tensor._wrap(
            np.asarray(out, dtype=np.int64).reshape((1,) * a.ndim if keepdim else ())
        )
    return Tensor._wrap(find(a, axis=_wrap_dim(dim, a.ndim), keepdims=keepdim).astype(np.int64))


def argmax(input: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:
    return _arg_extreme(input, dim, keepdim, "argmax", np.argmax)


def argmin(input: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:
    return _arg_extreme(input, dim, keepdim, "argmin", np.argmin)


def _correction(unbiased: Any, correction: Any) -> float:
    if correction is not None:
        return float(correction)
    return 1.0 if unbiased is None or unbiased else 0.0


def var(
    input: Tensor,
    dim: Any = None,
    unbiased: Any = None,
    keepdim: bool = False,
    *,
    correction: Any = None,
) -> Tensor:
    _float_only(input)
    if isinstance(dim, bool):
        dim, unbiased = None, dim
    dims, corr = _dims(dim, input.ndim), _correction(unbiased, correction)
    _warn_dof("var", input, dims, corr)
    return apply_op(R.VarBackward0, (input,), dims, corr, keepdim)


def std(
    input: Tensor,
    dim: Any = None,
    unbiased: Any = None,
    keepdim: bool = False,
    *,
    correction: Any = None,
) -> Tensor:
    _float_only(input)
    if isinstance(dim, bool):
        dim, unbiased = None, dim
    dims, corr = _dims(dim, input.ndim), _correction(unbiased, correction)
    _warn_dof("std", input, dims, corr)
    return apply_op(R.StdBackward0, (input,), dims, corr, keepdim)


def _warn_dof(name: str, input: Tensor, dims: Any, correction: float) -> None:
    shape = input._data.shape
    n = input._data.size if dims is None else int(np.prod([shape[d] for d in dims]))
    if n - correction <= 0:
        import warnings

        warnings.warn(
            f"{name}(): degrees of freedom is <= 0. Correction should be strictly less than the "
            "reduction factor (input numel divided by output numel).",
            UserWarning,
            stacklevel=4,  # the caller of std/var (through the out= wrapper)
        )


def _float_only(input: Tensor) -> None:
    if not input.dtype.is_floating_point:
        raise RuntimeError("std and var only support floating point and complex dtypes")


def std_mean(
    input: Tensor, dim: Any = None, *, correction: Any = 1, keepdim: bool = False
) -> tuple:
    return std(input, dim, correction=correction, keepdim=keepdim), mean(input, dim, keepdim)


def var_mean(
    input: Tensor, dim: Any = None, *, correction: Any = 1, keepdim: bool = False
) -> tuple:
    return var(input, dim, correction=correction, keepdim=keepdim), mean(input, dim, keepdim)


def norm(
    input: Tensor, p: Any = "fro", dim: Any = None, keepdim: bool = False, dtype: Any = None
) -> Tensor:
    if p == "fro" or p is None:
        p = 2
    if p == "nuc":
        raise RuntimeError(
            "nuclear norm is not supported by core; use p=2 (Frobenius) or a vector norm"
        )
    p = float(p)
    if not input.dtype.is_floating_point:
        raise RuntimeError(
            "linalg.vector_norm: Expected a floating point or complex tensor as input. Got "
            f"{input.dtype.scalar_name}"
        )
    return apply_op(R.LinalgVectorNormBackward0, (input,), p, _dims(dim, input.ndim), keepdim)


def logsumexp(input: Tensor, dim: Any, keepdim: bool = False) -> Tensor:
    if input._data.dtype.kind != "f":
        return apply_cast(
            R.LogsumexpBackward0,
            (input,),
            [input._data.astype(_dt.get_default_dtype().np)],
            _dims(dim, input.ndim),
            keepdim,
        )
    return apply_op(R.LogsumexpBackward0, (input,), _dims(dim, input.ndim), keepdim)


def cumsum(input: Tensor, dim: int, *, dtype: Any = None) -> Tensor:
    return apply_op(
        R.CumsumBackward0, (input,), _wrap_dim(dim, input.ndim), _sum_dtype(input, dtype)
    )


def cumprod(input: Tensor, dim: int, *, dtype: Any = None) -> Tensor:
    return apply_op(R.CumprodBackward0, (input,), _wrap_dim(dim, input.ndim))


def all(input: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:  # noqa: A001
    dims = _dims(dim, input.ndim)
    out = np.asarray(np.all(input._data, axis=dims, keepdims=keepdim))
    return Tensor._wrap(out.astype(np.uint8) if input._data.dtype == np.uint8 else out)


def any(input: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:  # noqa: A001
    dims = _dims(dim, input.ndim)
    out = np.asarray(np.any(input._data, axis=dims, keepdims=keepdim))
    return Tensor._wrap(out.astype(np.uint8) if input._data.dtype == np.uint8 else out)


def count_nonzero(input: Tensor, dim: Any = None) -> Tensor:
    return Tensor._wrap(
        np.asarray(np.count_nonzero(input._data, axis=_dims(dim, input.ndim)), dtype=np.int64)
    )


def sort(input: Tensor, dim: int = -1, descending: bool = False, stable: bool = False) -> Any:
    d = _wrap_dim(dim, input.ndim)
    a = input._data
    idx = np.argsort(-a if descending and a.dtype.kind != "b" else a, axis=d, kind="stable")
    idx = idx.astype(np.int64)
    from core.ops.index import SortBackward0

    return SortResult(apply_op(SortBackward0, (input,), d, idx), Tensor._wrap(idx))


def argsort(input: Tensor, dim: int = -1, descending: bool = False, stable: bool = False) -> Tensor:
    return sort(input, dim, descending)[1]


def topk(input: Tensor, k: int, dim: int = -1, largest: bool = True, sorted: bool = True) -> Any:  # noqa: A002
    d = _wrap_dim(dim, input.ndim)
    if k > input.shape[d]:
        raise RuntimeError("selected index k out of range")
    a = input._data
    idx = np.argsort(-a if largest and a.dtype.kind != "b" else a, axis=d, kind="stable")
    idx = np.ascontiguousarray(idx[(slice(None),) * d + (slice(0, k),)].astype(np.int64))
    from core.ops.index import TopkBackward0

    return TopkResult(apply_op(TopkBackward0, (input,), d, idx), Tensor._wrap(idx))


def median(input: Tensor, dim: Any = None, keepdim: bool = False) -> Any:
    if dim is None:
        flat = input.reshape(-1)
        s = sort(flat)[0]
        return s[(flat.numel() - 1) // 2]
    d = _wrap_dim(dim, input.ndim)
    s, i = sort(input, d)
    k = (input.shape[d] - 1) // 2
    from core._shape_fns import select

    v, ix = select(s, d, k), select(i, d, k)
    if keepdim:
        v, ix = v.unsqueeze(d), ix.unsqueeze(d)
    return _named("median")(v, ix)


# PyTorch's ``out=`` keyword for the functions that have it
for _name in (
    "sum",
    "mean",
    "prod",
    "argmax",
    "argmin",
    "var",
    "std",
    "logsumexp",
    "cumsum",
    "all",
    "any",
):
    globals()[_name] = with_out(globals()[_name])
