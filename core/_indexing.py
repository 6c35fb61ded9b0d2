"""Indexing: ``t[...]`` decomposed as PyTorch records it (Select/Slice/Unsqueeze, then Index),
assignment through indexing, and index_select / gather / scatter / masked_fill."""

from __future__ import annotations

from typing import Any

import numpy as np

from core import backend
from core._dispatch import check_inplace, rebase_history, with_out
from core.autograd.function import apply_op
from core.autograd.grad_mode import _state as _grad_state
from core.fp_quiet import quiet
from core.ops import index as I
from core.tensor import Tensor, _wrap_dim


def _index_array(x: Any) -> Any:
    """An advanced index as a NumPy/CuPy array (bool masks stay bool, ints become int64)."""
    if isinstance(x, Tensor):
        a = x._data
    else:
        a = np.asarray(x)
        if a.dtype.kind == "f":
            raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
    if a.dtype.kind == "f":
        raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
    if a.dtype == np.uint8:
        a = a.astype(bool)
    return a


def _normalize_key(key: Any) -> tuple:
    if not isinstance(key, tuple):
        key = (key,)
    return key


def _is_advanced(k: Any) -> bool:
    return isinstance(k, (Tensor, list, np.ndarray)) and not (
        isinstance(k, Tensor) and k.ndim == 0 and k.dtype.name != "bool"
    )


def getitem(t: Tensor, key: Any) -> Tensor:
    key = _normalize_key(key)
    n_consuming = sum(
        (k.ndim if isinstance(k, Tensor) and k.dtype.name == "bool" else 1)
        for k in key
        if k is not None and k is not Ellipsis
    )
    if n_consuming > t.ndim:
        if t.ndim == 0 and isinstance(key[0], (int, np.integer)) and not isinstance(key[0], bool):
            raise IndexError(
                "invalid index of a 0-dim tensor. Use `tensor.item()` in Python or "
                "`tensor.item<T>()` in C++ to convert a 0-dim tensor to a number"
            )
        if t.ndim == 0 and isinstance(key[0], slice):
            raise IndexError("slice() cannot be applied to a 0-dim tensor.")
        raise IndexError(f"too many indices for tensor of dimension {t.ndim}")
    if Ellipsis in [k for k in key if not isinstance(k, (Tensor, np.ndarray, list))]:
        pos = next(i for i, k in enumerate(key) if k is Ellipsis)
        key = key[:pos] + (slice(None),) * (t.ndim - n_consuming) + key[pos + 1 :]
    out = t
    dim = 0
    advanced: list[Any] = []
    adv_positions: list[int] = []
    for k in key:
        if k is None:
            out = out.unsqueeze(dim)
            advanced.append(slice(None))
            dim += 1
        elif isinstance(k, bool):
            out = out.unsqueeze(dim)
            if not k:
                out = out[(slice(None),) * dim + (slice(0, 0),)]
            advanced.append(slice(None))
            dim += 1
        elif isinstance(k, (int, np.integer)) or (
            isinstance(k, Tensor) and k.ndim == 0 and k.dtype.name != "bool"
        ):
            k = int(k)
            n = out.shape[dim]
            if not -n <= k < n:
                raise IndexError(f"index {k} is out of bounds for dimension {dim} with size {n}")
            out = out.select(dim, k)
        elif isinstance(k, slice):
            if k.step is not None and int(k.step) <= 0:
                raise ValueError("step must be greater than zero")
            n = out.shape[dim]
            start, stop, step = k.indices(n)
            if (start, stop, step) != (0, n, 1):
                from core._shape_fns import slice_dim

                out = slice_dim(out, dim, slice(start, max(stop, start), step))
            advanced.append(slice(None))
            dim += 1
        else:
            arr = _index_array(k)
            if arr.dtype == bool:
                for j in range(arr.ndim):
                    if arr.shape[j] != out.shape[dim + j]:
                        raise IndexError(
                            f"The shape of the mask [{', '.join(map(str, arr.shape))}] at index {j} "
                            f"does not match the shape of the indexed tensor "
                            f"[{', '.join(map(str, out.shape))}] at index {dim + j}"
                        )
                adv_positions.append(len(advanced))
                advanced.append(arr)
                for _ in range(arr.ndim - 1):
                    pass
                dim += arr.ndim
                continue
            n = out.shape[dim]
            if arr.size and (arr.max() >= n or arr.min() < -n):
                bad = int(arr.max()) if arr.max() >= n else int(arr.min())
                raise IndexError(f"index {bad} is out of bounds for dimension {dim} with size {n}")
            adv_positions.append(len(advanced))
            advanced.append(arr)
            dim += 1
    if adv_positions:
        return apply_op(I.IndexBackward0, (out,), tuple(advanced))
    if out is t:  # x[...], x[:]: a new tensor viewing all of x, as PyTorch's alias
        from core._shape_fns import _view
        from core.ops.shape import AliasBackward0

        return _view(AliasBackward0, t, lambda a: a)
    return out


def _assign_value(t: Tensor, value: Any) -> Any:
    if isinstance(value, Tensor):
        from core._dispatch import check_same_device

        check_same_device(t, value)
        return value
    from core._creation import tensor

    return (
        tensor(value, dtype=t.dtype, device=t.device)
        if not isinstance(value, (int, float, bool))
        else value
    )


def _numpy_key(t: Tensor, key: Any) -> Any:
    key = _normalize_key(key)
    out = []
    for k in key:
        if isinstance(k, Tensor):
            out.append(
                _index_array(k)
                if k.ndim
                else int(k.item())
                if k.dtype.name != "bool"
                else bool(k.item())
            )
        elif isinstance(k, list):
            out.append(_index_array(k))
        elif isinstance(k, slice) and k.step is not None and int(k.step) <= 0:
            raise ValueError("step must be greater than zero")
        else:
            out.append(k)
    return tuple(out)


def setitem(t: Tensor, key: Any, value: Any) -> None:
    check_inplace(t)
    value = _assign_value(t, value)
    nkey = _numpy_key(t, key)
    try:
        region_shape = t._data[nkey].shape
    except IndexError as exc:
        if str(exc).startswith("too many indices"):
            raise IndexError(f"too many indices for tensor of dimension {t.ndim}") from None
        raise IndexError(str(exc).replace("axis", "dimension")) from None
    if isinstance(value, Tensor):
        try:
            np.broadcast_shapes(value._data.shape, region_shape)
            src = value._data
            if src.ndim > len(region_shape):
                src = (
                    src.reshape(src.shape[src.ndim - len(region_shape) :])
                    if all(s == 1 for s in src.shape[: src.ndim - len(region_shape)])
                    else src
                )
            with quiet():  # a value out of the dtype's range: inf, silently
                t._data[nkey] = src
        except ValueError:
            raise RuntimeError(
                f"shape mismatch: value tensor of shape {list(value.shape)} cannot be broadcast to "
                f"indexing result of shape {list(region_shape)}"
            ) from None
    else:
        with quiet():
            t._data[nkey] = value
    t._bump()
    if _grad_state.enabled and (
        t._requires_grad or (isinstance(value, Tensor) and value._requires_grad)
    ):
        _record_setitem(t, nkey, value)


def _record_setitem(t: Tensor, nkey: tuple, value: Any) -> None:
    """``t[key] = value`` with history: t becomes CopySlices(old t, value)."""
    from core._creation import tensor

    if not isinstance(value, Tensor):
        value = tensor(value, dtype=t.dtype, device=t.device)
    if t._view_fn is None and any(isinstance(k, np.ndarray) for k in nkey):
        _record_index_put(t, nkey, value)
        return
    region = t._data[nkey].shape
    if value.ndim and tuple(value.shape) != region:
        # PyTorch's copy_to: drop leading ones (a view), then expand to the region
        shape = tuple(value.shape)
        while shape and shape[0] == 1:
            shape = shape[1:]
        value = value.view(shape)
        if tuple(value.shape) != region:
            value = value.expand(region)
    fake_view = Tensor._wrap(t._data[nkey])
    outer = t._view_fn if t._base is not None else None
    if outer is None:
        fake_view._base = t
        fake_view._view_fn = lambda a, k=nkey: _RegionView(a, k)
        rebase_history(fake_view, value)
        return
    # t is itself a view (z[0][1] = v): the root base records the write, and t views it again
    base = t._base
    fake_view._base = base
    fake_view._view_fn = lambda a, k=nkey, o=outer: _RegionView(o(a), k)
    rebase_history(fake_view, value)
    from core.autograd.function import _sequence
    from core.ops.shape import AsStridedBackward0

    view = AsStridedBackward0()
    view.shape, view.view_fn = base._data.shape, outer
    view.next_functions = ((base.grad_fn, 0),)
    view.needs_input_grad = (True,)
    view._input_meta = ((base._data.shape, base._data.dtype),)
    view._seq = next(_sequence)
    t.grad_fn, t._requires_grad, t._output_nr = view, True, 0


def _record_index_put(t: Tensor, nkey: tuple, value: Tensor) -> None:
    """``t[advanced key] = value`` with history: t becomes IndexPutBackward0(old t, value)."""
    from core.autograd.function import _sequence, edge_of

    old = Tensor._wrap(t._data)
    old._requires_grad, old.grad_fn = t._requires_grad, t.grad_fn
    old._output_nr, old._accumulator = t._output_nr, t._accumulator
    node = I.IndexPutBackward0()
    node.key = nkey
    node.next_functions = (edge_of(old), edge_of(value))
    node.needs_input_grad = tuple(e[0] is not None for e in node.next_functions)
    node._input_meta = ((t._data.shape, t._data.dtype), (value._data.shape, value._data.dtype))
    node._seq = next(_sequence)
    t.grad_fn, t._requires_grad, t._output_nr = node, True, 0


class _RegionView:
    """A writable stand-in for ``a[key]`` that also works with advanced keys (which copy)."""

    def __init__(self, a: Any, key: tuple) -> None:
        self.a, self.key = a, key

    def copy(self) -> Any:
        return self.a[self.key].copy()

    def __setitem__(self, _: Any, value: Any) -> None:
        self.a[self.key] = value

    def __getitem__(self, item: Any) -> Any:
        return self.a[self.key][item]

    def __iadd__(self, other: Any) -> Any:
        backend.scatter_add(self.a, self.key, other)
        return self


def index_put(t: Tensor, indices: tuple, values: Tensor, accumulate: bool = False) -> Tensor:
    out = t.clone()
    key = tuple(_index_array(i) for i in indices)
    if accumulate:
        backend.scatter_add(out._data, key, values._data if isinstance(values, Tensor) else values)
    else:
        setitem(out, tuple(Tensor._wrap(k) for k in key), values)
    return out


def index_select(input: Tensor, dim: int, index: Tensor) -> Tensor:
    d = _wrap_dim(dim, input.ndim)
    idx = _index_array(index)
    if idx.ndim > 1:
        raise IndexError("index_select(): Index is supposed to be a vector")
    n = input.shape[d]
    if idx.size and (idx.max() >= n or idx.min() < -n):
        raise IndexError("index out of range in self")
    return apply_op(I.IndexSelectBackward0, (input,), d, idx)


def _check_gather_index(input: Tensor, d: int, idx: Any, name: str) -> None:
    if idx.dtype.kind not in "iu":
        raise RuntimeError(f"{name}(): Expected dtype int32/int64 for index")
    if idx.ndim != input.ndim:
        raise RuntimeError("Index tensor must have the same number of dimensions as input tensor")
    n = input.shape[d]
    if idx.size and (idx.max() >= n or idx.min() < -n):
        raise RuntimeError(
            f"index {int(idx.max())} is out of bounds for dimension {d} with size {n}"
        )


def gather(input: Tensor, dim: int, index: Tensor, *, sparse_grad: bool = False) -> Tensor:
    d = _wrap_dim(dim, input.ndim)
    idx = index._data
    _check_gather_index(input, d, idx, "gather")
    return apply_op(I.GatherBackward0, (input,), d, idx)


def scatter(
    input: Tensor,
    dim: int,
    index: Tensor,
    src: Any = None,
    *,
    value: Any = None,
    reduce: str | None = None,
) -> Tensor:
    d = _wrap_dim(dim, input.ndim)
    idx = index._data
    _check_gather_index(input, d, idx, "scatter")
    if src is None:
        src = value
    if isinstance(src, Tensor):
        if reduce is not None:
            return Tensor._wrap(I.scatter_array(input._data, d, idx, src._data, reduce))
        return apply_op(I.ScatterBackward0, (input, src), d, idx)
    return apply_op(I.ScatterBackward1, (input,), d, idx, src)


def scatter_add(input: Tensor, dim: int, index: Tensor, src: Tensor) -> Tensor:
    d = _wrap_dim(dim, input.ndim)
    return apply_op(I.ScatterAddBackward0, (input, src), d, index._data)


def masked_fill(input: Tensor, mask: Tensor, value: Any) -> Tensor:
    m = mask._data
    if m.dtype != np.bool_:
        raise RuntimeError(
            f"masked_fill_ only supports boolean masks, but got mask with dtype {mask.dtype.name}"
        )
    try:
        np.broadcast_shapes(m.shape, input._data.shape)
    except ValueError:
        raise RuntimeError(
            f"The size of tensor a ({input.shape[-1]}) must match the size of tensor b "
            f"({mask.shape[-1]}) at non-singleton dimension {input.ndim - 1}"
        ) from None
    if isinstance(value, Tensor):
        if value.ndim != 0:
            raise RuntimeError(
                "masked_fill_ only supports a 0-dimensional value tensor, but got tensor with "
                f"{value.ndim} dimension(s)."
            )
        if value.requires_grad:
            return apply_op(I.MaskedFillBackward1, (input, value), m)
        value = value.item()
    return apply_op(I.MaskedFillBackward0, (input,), m, value)


def masked_select(input: Tensor, mask: Tensor) -> Tensor:
    shape = np.broadcast_shapes(input._data.shape, mask._data.shape)
    return getitem(input.expand(shape), (mask.expand(shape),))


def take(input: Tensor, index: Tensor) -> Tensor:
    return getitem(input.reshape(-1), (index,))


# PyTorch's ``out=`` keyword for the functions that have it
for _name in ("index_select", "gather"):
    globals()[_name] = with_out(globals()[_name])
