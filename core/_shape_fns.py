"""Shape functions. Views share memory and the version counter with their base."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from core._dispatch import check_same_device
from core.autograd.function import apply_op
from core.ops import shape as S
from core.size import Size
from core.tensor import Tensor, _wrap_dim


def _view(cls: type, t: Tensor, view_fn: Any, *params: Any) -> Tensor:
    out = apply_op(cls, (t,), *params)
    return out._as_view_of(t, view_fn)


def _sizes(args: tuple) -> tuple:
    if len(args) == 1 and isinstance(args[0], (tuple, list, Size)):
        return tuple(args[0])
    return tuple(args)


def infer_shape(shape: tuple, numel: int) -> tuple[int, ...]:
    shape = tuple(int(s) for s in shape)
    if shape.count(-1) > 1:
        raise RuntimeError("only one dimension can be inferred")
    known = 1
    for s in shape:
        if s != -1:
            if s < 0:
                raise RuntimeError(f"invalid shape dimension {s}")
            known *= s
    if -1 in shape:
        if known == 0 or numel % known:
            raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
        shape = tuple(numel // known if s == -1 else s for s in shape)
    elif known != numel:
        raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
    return shape


def view(input: Tensor, *shape: Any) -> Tensor:
    if len(shape) == 1 and not isinstance(shape[0], (int, tuple, list, Size)):
        return input.to(shape[0])  # view(dtype) of same item size
    new = infer_shape(_sizes(shape), input.numel())
    try:
        S.reshape_view(input._data, new)
    except (ValueError, AttributeError):
        raise RuntimeError(
            "view size is not compatible with input tensor's size and stride (at least one "
            "dimension spans across two contiguous subspaces). Use .reshape(...) instead."
        ) from None
    return _view(S.ViewBackward0, input, lambda a, s=new: a.reshape(s), new)


def reshape(input: Tensor, *shape: Any) -> Tensor:
    new = infer_shape(_sizes(shape), input.numel())
    try:
        S.reshape_view(input._data, new)
    except (ValueError, AttributeError):
        return apply_op(S.UnsafeViewBackward0, (contiguous(input, force=True),), new)
    return _view(S.ViewBackward0, input, lambda a, s=new: a.reshape(s), new)


def view_as(input: Tensor, other: Tensor) -> Tensor:
    return view(input, tuple(other.shape))


def reshape_as(input: Tensor, other: Tensor) -> Tensor:
    return reshape(input, tuple(other.shape))


def flatten(input: Tensor, start_dim: int = 0, end_dim: int = -1) -> Tensor:
    if input.ndim == 0:
        return reshape(input, 1)
    s, e = _wrap_dim(start_dim, input.ndim), _wrap_dim(end_dim, input.ndim)
    if s > e:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    if s == e:
        return input
    shape = input.shape
    new = shape[:s] + (math.prod(shape[s : e + 1]),) + shape[e + 1 :]
    return reshape(input, new)


def unflatten(input: Tensor, dim: int, sizes: Any) -> Tensor:
    d = _wrap_dim(dim, input.ndim)
    sizes = infer_shape(tuple(sizes), input.shape[d])
    return view(input, input.shape[:d] + tuple(sizes) + input.shape[d + 1 :])


def contiguous(input: Tensor, memory_format: Any = None, *, force: bool = False) -> Tensor:
    if input._data.flags.c_contiguous and not force:
        return input
    from core.ops.elementwise import CloneBackward0

    out = apply_op(CloneBackward0, (input,))
    out._data = np.ascontiguousarray(out._data)
    return out


def clone(input: Tensor, *, memory_format: Any = None) -> Tensor:
    from core.ops.elementwise import CloneBackward0

    out = apply_op(CloneBackward0, (input,))
    if not out._data.flags.c_contiguous:
        out._data = np.ascontiguousarray(out._data)
    return out


def t(input: Tensor) -> Tensor:
    ndim = input._data.ndim
    if ndim > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {ndim}D")
    return _view(S.TBackward0, input, _transposed if ndim == 2 else _same)


def _transposed(a: Any) -> Any:
    return a.T


def _same(a: Any) -> Any:
    return a


def transpose(input: Tensor, dim0: int, dim1: int) -> Tensor:
    n = input.ndim
    d0, d1 = _wrap_dim(dim0, n), _wrap_dim(dim1, n)
    return _view(S.TransposeBackward0, input, lambda a: np.swapaxes(a, d0, d1), d0, d1)


swapaxes = swapdims = transpose


def permute(input: Tensor, *dims: Any) -> Tensor:
    dims = tuple(_wrap_dim(d, input.ndim) for d in _sizes(dims))
    if len(dims) != input.ndim:
        raise RuntimeError(
            f"permute(sparse_coo): number of dimensions in the tensor input does not match the "
            f"length of the desired ordering of dimensions i.e. input.dim() = {input.ndim} is not "
            f"equal to len(dims) = {len(dims)}"
        )
    if len(set(dims)) != len(dims):
        raise RuntimeError("permute(): duplicate dims are not allowed.")
    return _view(S.PermuteBackward0, input, lambda a: np.transpose(a, dims), dims)


def movedim(input: Tensor, source: Any, destination: Any) -> Tensor:
    n = input.ndim
    src = [_wrap_dim(s, n) for s in ([source] if isinstance(source, int) else source)]
    dst = [
        _wrap_dim(d, n) for d in ([destination] if isinstance(destination, int) else destination)
    ]
    order = [-1] * n
    for s, d in zip(src, dst):
        order[d] = s
    rest = iter(i for i in range(n) if i not in src)
    return permute(input, *[o if o != -1 else next(rest) for o in order])


moveaxis = movedim


def expand(input: Tensor, *sizes: Any) -> Tensor:
    sizes = _sizes(sizes)
    n = len(sizes)
    if n < input.ndim:
        raise RuntimeError(
            f"expand(torch.FloatTensor{{{list(input.shape)}}}, size=[{', '.join(map(str, sizes))}]): "
            f"the number of sizes provided ({n}) must be greater or equal to the number of "
            f"dimensions in the tensor ({input.ndim})"
        )
    shape = input.shape
    lead = n - input.ndim
    target = []
    for i, s in enumerate(sizes):
        cur = shape[i - lead] if i >= lead else 1
        if s == -1:
            if i < lead:
                raise RuntimeError(
                    f"The expanded size of the tensor (-1) isn't allowed in a leading, non-existing dimension {i}"
                )
            s = cur
        elif cur != 1 and s != cur:
            raise RuntimeError(
                f"The expanded size of the tensor ({s}) must match the existing size ({cur}) at "
                f"non-singleton dimension {i}.  Target sizes: {list(sizes)}.  Tensor sizes: {list(shape)}"
            )
        target.append(int(s))
    target = tuple(target)
    return _view(S.ExpandBackward0, input, lambda a: np.broadcast_to(a, target), target)


def expand_as(input: Tensor, other: Tensor) -> Tensor:
    return expand(input, tuple(other.shape))


def broadcast_to(input: Tensor, size: Any) -> Tensor:
    return expand(input, tuple(size))


def squeeze(input: Tensor, dim: Any = None) -> Tensor:
    if dim is None:
        shape = tuple(s for s in input.shape if s != 1)
        return _view(S.SqueezeBackward0, input, lambda a: a.reshape(shape))
    dims = tuple(_wrap_dim(d, input.ndim) for d in ((dim,) if isinstance(dim, int) else dim))
    keep = tuple(s for i, s in enumerate(input.shape) if not (i in dims and s == 1))
    return _view(S.SqueezeBackward1, input, lambda a: a.reshape(keep), dims)


def unsqueeze(input: Tensor, dim: int) -> Tensor:
    d = _wrap_dim(dim, input.ndim + 1)
    return _view(S.UnsqueezeBackward0, input, lambda a: np.expand_dims(a, d), d)


def select(input: Tensor, dim: int, index: int) -> Tensor:
    d = _wrap_dim(dim, input.ndim)
    n = input.shape[d]
    if not -n <= index < n:
        raise IndexError(f"index {index} is out of bounds for dimension {d} with size {n}")
    index = index + n if index < 0 else index
    key = (slice(None),) * d + (index, Ellipsis)  # Ellipsis: a 0-d result is still a view
    return _view(S.SelectBackward0, input, lambda a: a[key], d, index)


def narrow(input: Tensor, dim: int, start: int, length: int) -> Tensor:
    d = _wrap_dim(dim, input.ndim)
    n = input.shape[d]
    start = start + n if start < 0 else start
    if start < 0 or start + length > n:
        raise RuntimeError(f"start ({start}) + length ({length}) exceeds dimension size ({n}).")
    return slice_dim(input, d, slice(start, start + length, 1))


def slice_dim(input: Tensor, d: int, sl: slice) -> Tensor:
    key = (slice(None),) * d + (sl,)
    return _view(S.SliceBackward0, input, lambda a: a[key], d, sl)


def repeat(input: Tensor, *repeats: Any) -> Tensor:
    repeats = _sizes(repeats)
    if len(repeats) < input.ndim:
        raise RuntimeError(
            "Number of dimensions of repeat dims can not be smaller than number of dimensions of tensor"
        )
    return apply_op(S.RepeatBackward0, (input,), tuple(int(r) for r in repeats))


def tile(input: Tensor, dims: Any) -> Tensor:
    dims = tuple(dims)
    if len(dims) < input.ndim:
        dims = (1,) * (input.ndim - len(dims)) + dims
    return repeat(input, dims)


def cat(tensors: Any, dim: int = 0, *, out: Tensor | None = None) -> Tensor:
    tensors = list(tensors)
    if not tensors:
        raise ValueError("torch.cat(): expected a non-empty list of Tensors")
    nonempty = [t for t in tensors if not (t.ndim == 1 and t.numel() == 0)] or tensors[:1]
    ref = nonempty[0]
    d = _wrap_dim(dim, ref.ndim)
    for i, t in enumerate(nonempty):
        check_same_device(ref, t)
        if t.ndim != ref.ndim:
            raise RuntimeError(
                f"Tensors must have same number of dimensions: got {ref.ndim} and {t.ndim}"
            )
        for k in range(ref.ndim):
            if k != d and t.shape[k] != ref.shape[k]:
                raise RuntimeError(
                    f"Sizes of tensors must match except in dimension {d}. Expected size "
                    f"{ref.shape[k]} but got size {t.shape[k]} for tensor number {i} in the list."
                )
    from core import dtypes as _dt
    from core._dispatch import apply_cast

    dt = nonempty[0].dtype
    for t in nonempty[1:]:
        dt = _dt.promote_types(dt, t.dtype)
    arrays = [t._data.astype(dt.np, copy=False) for t in nonempty]
    result = apply_cast(S.CatBackward0, tuple(nonempty), arrays, d)
    if out is not None:
        from core._dispatch import write_out

        return write_out(out, result)
    return result


concat = concatenate = cat


def stack(tensors: Any, dim: int = 0, *, out: Tensor | None = None) -> Tensor:
    tensors = list(tensors)
    if not tensors:
        raise RuntimeError("stack expects a non-empty TensorList")
    ref = tensors[0]
    for i, t in enumerate(tensors):
        if tuple(t.shape) != tuple(ref.shape):
            raise RuntimeError(
                f"stack expects each tensor to be equal size, but got {list(ref.shape)} at entry 0 "
                f"and {list(t.shape)} at entry {i}"
            )
    d = _wrap_dim(dim, ref.ndim + 1)
    from core import dtypes as _dt
    from core._dispatch import apply_cast

    dt = ref.dtype
    for t in tensors[1:]:
        dt = _dt.promote_types(dt, t.dtype)
    return apply_cast(
        S.StackBackward0, tuple(tensors), [t._data.astype(dt.np, copy=False) for t in tensors], d
    )


def hstack(tensors: Any) -> Tensor:
    tensors = list(tensors)
    return cat(tensors, 0 if tensors[0].ndim == 1 else 1)


def vstack(tensors: Any) -> Tensor:
    return cat([t.unsqueeze(0) if t.ndim == 1 else t for t in tensors], 0)


def split(input: Tensor, split_size_or_sections: Any, dim: int = 0) -> tuple[Tensor, ...]:
    d = _wrap_dim(dim, input.ndim)
    n = input.shape[d]
    if isinstance(split_size_or_sections, int):
        size = split_size_or_sections
        if size <= 0 and n:
            raise RuntimeError(
                f"split_size can only be 0 if dimension size is 0, but got dimension size of {n}"
            )
        bounds = list(range(size, n, size))
    else:
        sections = list(split_size_or_sections)
        if sum(sections) != n:
            raise RuntimeError(
                f"split_with_sizes expects split_sizes to sum exactly to {n} (input tensor's size at "
                f"dimension {d}), but got split_sizes={sections}"
            )
        bounds = list(np.cumsum(sections)[:-1])
    cls = S.SplitBackward0 if isinstance(split_size_or_sections, int) else S.SplitWithSizesBackward0
    outs = apply_op(cls, (input,), bounds, d)
    if isinstance(outs, Tensor):
        outs = (outs,)
    return tuple(o._as_view_of(input) for o in outs)


def chunk(input: Tensor, chunks: int, dim: int = 0) -> tuple[Tensor, ...]:
    if chunks <= 0:
        raise RuntimeError("chunk expects `chunks` to be greater than 0, got: " + str(chunks))
    n = input.shape[_wrap_dim(dim, input.ndim)]
    if n == 0:  # PyTorch gives `chunks` empty pieces
        return split(input, [0] * chunks, dim)
    return split(input, -(-n // chunks), dim)


def unbind(input: Tensor, dim: int = 0) -> tuple[Tensor, ...]:
    d = _wrap_dim(dim, input.ndim)
    outs = apply_op(S.UnbindBackward0, (input,), d)
    if isinstance(outs, Tensor):
        outs = (outs,)
    return tuple(o._as_view_of(input) for o in outs)


def flip(input: Tensor, dims: Any) -> Tensor:
    dims = tuple(_wrap_dim(d, input.ndim) for d in ((dims,) if isinstance(dims, int) else dims))
    return apply_op(S.FlipBackward0, (input,), dims)


def triu(input: Tensor, diagonal: int = 0) -> Tensor:
    return apply_op(S.TriuBackward0, (input,), diagonal)


def tril(input: Tensor, diagonal: int = 0) -> Tensor:
    return apply_op(S.TrilBackward0, (input,), diagonal)


def diag(input: Tensor, diagonal: int = 0) -> Tensor:
    a = input._data
    if a.ndim == 1:
        n = a.shape[0]
        idx = np.arange(n)
        rows, cols = (idx, idx + diagonal) if diagonal >= 0 else (idx - diagonal, idx)
        from core._creation import zeros

        out = zeros(n + abs(diagonal), n + abs(diagonal), dtype=input.dtype, device=input.device)
        from core._indexing import index_put

        return index_put(out, (Tensor._wrap(rows), Tensor._wrap(cols)), input)
    rows = np.arange(a.shape[0])
    from core._indexing import getitem

    cols = rows + diagonal
    keep = (cols >= 0) & (cols < a.shape[1])
    return getitem(input, (Tensor._wrap(rows[keep]), Tensor._wrap(cols[keep])))
