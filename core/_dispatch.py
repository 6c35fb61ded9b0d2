"""Shared plumbing of the function layers: operand promotion, ``out=``, in-place, device checks."""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from core import dtypes as _dt
from core.autograd.function import _record, apply_op, edge_of, forward_quiet
from core.autograd.grad_mode import _state as _grad_state
from core.tensor import Tensor

Scalar = (int, float, bool)


def as_operand(x: Any, like: Tensor) -> Any:
    """Python numbers stay numbers (they never widen a tensor); arrays become tensors."""
    if isinstance(x, Tensor) or type(x) in Scalar:
        return x
    if isinstance(x, numbers.Number):
        return x.item() if hasattr(x, "item") else (float(x) if isinstance(x, numbers.Real) else x)
    if isinstance(x, np.ndarray):
        return Tensor._wrap(x)
    if isinstance(x, (list, tuple)):
        from core._creation import tensor

        return tensor(x)
    raise TypeError(
        f"unsupported operand type: expected a Tensor or a number, got {type(x).__name__}"
    )


def check_same_device(a: Tensor, b: Tensor) -> None:
    if type(a._data) is not type(b._data) and a._data.ndim and b._data.ndim:
        raise RuntimeError(
            "Expected all tensors to be on the same device, but found at least two devices, "
            f"{b.device} and {a.device}!"
        )


def promote(a: Tensor, b: Any) -> _dt.dtype:
    """PyTorch's result dtype of a tensor and a tensor-or-scalar."""
    if isinstance(b, Tensor):
        da, db = a._data.dtype, b._data.dtype
        if da == db:
            return _dt.from_numpy(da)
        check_same_device(a, b)
        ta, tb = _dt.from_numpy(da), _dt.from_numpy(db)
        za, zb = a._data.ndim == 0, b._data.ndim == 0
        if za == zb:
            return _dt.promote_types(ta, tb)
        dims, zero = (tb, ta) if za else (ta, tb)
        return _dt.result_type([dims], [zero], [])
    ta = _dt.from_numpy(a._data.dtype)
    cat = _dt.scalar_category(b)
    return ta if cat <= ta._category else _dt.category_default(cat)


def cast_array(t: Any, d: _dt.dtype) -> Any:
    if isinstance(t, Tensor):
        a = t._data
        return a if a.dtype == d.np else a.astype(d.np)
    return t


def apply_cast(cls: type, tensors: tuple, arrays: list, *params: Any) -> Tensor:
    """``apply_op`` with arrays already promoted (the graph keeps the original tensors)."""
    node = cls()
    out = forward_quiet(node, arrays, params)
    if _grad_state.enabled:
        for t in tensors:
            if t._requires_grad:
                return _record(node, tensors, out)
    return Tensor._wrap(out)


def check_broadcast(sa: tuple, sb: tuple) -> None:
    """PyTorch's error for shapes that do not broadcast: both sizes and the dimension."""
    n = max(len(sa), len(sb))
    for i in range(n - 1, -1, -1):
        x = sa[i - n + len(sa)] if i - n + len(sa) >= 0 else 1
        y = sb[i - n + len(sb)] if i - n + len(sb) >= 0 else 1
        if x != y and x != 1 and y != 1:
            raise RuntimeError(
                f"The size of tensor a ({x}) must match the size of tensor b ({y}) at "
                f"non-singleton dimension {i}"
            )


def wrap_int(b: Any, np_dtype: Any) -> Any:
    """A Python int out of an integer dtype's range wraps around, as in PyTorch (NumPy raises)."""
    if type(b) is int and np_dtype.kind in "iu":
        info = np.iinfo(np_dtype)
        if not info.min <= b <= info.max:
            return int(np.array(b, dtype=np.int64).astype(np_dtype))
    return b


def binary(
    cls: type, a: Tensor, b: Any, *params: Any, out_dtype: _dt.dtype | None = None
) -> Tensor:
    """Run a binary op with PyTorch's promotion; ``b`` may be a Python scalar."""
    if out_dtype is None:  # fast paths: nothing to promote
        if isinstance(b, Tensor):  # Tensor or Parameter
            da, db = a._data, b._data
            if da.dtype == db.dtype and type(da) is type(db):
                if da.shape != db.shape:
                    check_broadcast(da.shape, db.shape)
                return apply_op(cls, (a, b), *params)
        elif type(b) is float and a._data.dtype.kind == "f":
            out = apply_op(cls, (a,), b, *params)
            if out.grad_fn is not None and cls.wrapped_scalar:
                _add_scalar_edge(out.grad_fn, b)
            return out
    b = as_operand(b, a)
    d = promote(a, b)
    if out_dtype is not None:
        d = out_dtype
    if type(b) is int:
        b = wrap_int(b, d.np)
    elif isinstance(b, Tensor) and a._data.shape != b._data.shape:
        check_broadcast(a._data.shape, b._data.shape)
    if isinstance(b, Tensor):
        if a._data.dtype == d.np and b._data.dtype == d.np:
            if type(a._data) is not type(b._data):
                check_same_device(a, b)
            return apply_op(cls, (a, b), *params)
        return apply_cast(cls, (a, b), [cast_array(a, d), cast_array(b, d)], *params)
    if a._data.dtype == d.np:
        out = apply_op(cls, (a,), b, *params)
    else:
        out = apply_cast(cls, (a,), [cast_array(a, d), b], *params)
    if out.grad_fn is not None and cls.wrapped_scalar:
        _add_scalar_edge(out.grad_fn, b)
    return out


def _add_scalar_edge(node: Any, scalar: Any) -> None:
    """PyTorch wraps a Python number into a tensor for add/sub/mul/div: one more, empty, edge.

    Where the op saves that operand (mul's ``other`` for self's gradient, div's always), the
    wrapped number is a saved tensor like any other: freed after backward, so a second backward
    fails at this node, as in PyTorch."""
    node.next_functions = (*node.next_functions, (None, 0))
    node.needs_input_grad = (*node.needs_input_grad, False)
    node._input_meta = (*node._input_meta, ((), node._input_meta[0][1]))
    cls = type(node)
    if len(cls.saves) > 1 and cls.saves[1] == "other":
        needed_for = cls.saved_for[1] if cls.saved_for is not None else None
        if needed_for is None or node.needs_input_grad[needed_for]:
            wrapped = np.asarray(scalar)
            node._saved_versions = (*node._saved_versions, ([0], 0, wrapped, None))
            node._saved_arrays = (*node._saved_arrays[:1], wrapped)


def unary(cls: type, a: Tensor, *params: Any, to_float: bool = False) -> Tensor:
    if to_float and a._data.dtype.kind not in "fc":
        return apply_cast(cls, (a,), [a._data.astype(_dt.get_default_dtype().np)], *params)
    return apply_op(cls, (a,), *params)


def finish(result: Tensor, out: Tensor | None) -> Tensor:
    """The result, or stored into ``out=`` when one was given."""
    return result if out is None else write_out(out, result)


def write_out(out: Tensor, result: Tensor, name: str = "add") -> Tensor:
    """Store a result into ``out=`` as PyTorch does (resizing an empty or mismatched one)."""
    if _grad_state.enabled and (result.requires_grad or out.requires_grad):
        raise RuntimeError(
            f"{name}(): functions with out=... arguments don't support automatic differentiation, "
            "but one of the arguments requires grad."
        )
    if out._data.shape == result._data.shape:
        out._data[...] = result._data.astype(out._data.dtype, copy=False)
    else:
        out._data = result._data.astype(out._data.dtype)
    out._bump()
    return out


def with_out(fn: Any) -> Any:
    """Give ``fn`` PyTorch's ``out=`` keyword (the result is written into ``out``)."""
    import functools

    @functools.wraps(fn)
    def wrapper(*args: Any, out: Tensor | None = None, **kwargs: Any) -> Any:
        result = fn(*args, **kwargs)
        return result if out is None else write_out(out, result, fn.__name__)

    return wrapper


def check_inplace(self: Tensor) -> None:
    if not _grad_state.enabled:
        return
    if self._requires_grad and self.grad_fn is None:
        raise RuntimeError(
            "a leaf Variable that requires grad is being used in an in-place operation."
        )
    base = self._base
    if (
        base is not None
        and base._requires_grad
        and base.grad_fn is None
        and self._view_fn is not None
    ):
        raise RuntimeError(
            "a view of a leaf Variable that requires grad is being used in an in-place operation."
        )


def inplace(self: Tensor, result: Tensor) -> Tensor:
    """Write ``result`` into ``self``'s memory; when recorded, ``self`` takes its history."""
    check_inplace(self)
    src, dst = result._data.dtype, self._data.dtype
    if (
        src != dst
        and not np.can_cast(src, dst, casting="same_kind")
        and not (src.kind == "b" or (src.kind in "iu" and dst.kind in "iuf"))
    ):
        raise RuntimeError(
            f"result type {_dt.from_numpy(src).scalar_name} can't be cast to the desired "
            f"output type {_dt.from_numpy(dst).scalar_name}"
        )
    if result._data.shape != self._data.shape:
        try:
            np.broadcast_to(result._data, self._data.shape)
        except ValueError:
            raise RuntimeError(
                f"output with shape {list(self.shape)} doesn't match the broadcast shape "
                f"{list(result.shape)}"
            ) from None
        if result._data.ndim > self._data.ndim or any(
            r != 1 and r != s for r, s in zip(result._data.shape[::-1], self._data.shape[::-1])
        ):
            raise RuntimeError(
                f"output with shape {list(self.shape)} doesn't match the broadcast shape "
                f"{list(result.shape)}"
            )
    if not self._data.flags.writeable:
        raise RuntimeError(
            "unsupported operation: more than one element of the written-to tensor refers to a "
            "single memory location. Please clone() the tensor before performing the operation."
        )
    self._data[...] = result._data
    self._bump()
    if result.grad_fn is not None:
        rebase_history(self, result)
    return self


def rebase_history(self: Tensor, result: Tensor) -> None:
    """After ``self`` was overwritten in place by ``result``: move the history over.

    Through a view of a base with history, the base becomes a ``CopySlices`` of its old self and
    the new value, and the view is re-derived from the base, as PyTorch records it.
    """
    base = self._base
    if (
        base is not None
        and self._view_fn is not None
        and (base._requires_grad or result._requires_grad)
    ):
        from core.ops.index import CopySlices
        from core.ops.shape import AsStridedBackward0

        old = Tensor._wrap(base._data)
        old._requires_grad = base._requires_grad
        old.grad_fn, old._output_nr, old._accumulator = (
            base.grad_fn,
            base._output_nr,
            base._accumulator,
        )
        node = CopySlices()
        node.view_fn = self._view_fn
        fn = result.grad_fn
        if fn is not None and fn.next_functions[:1] == ((self.grad_fn, self._output_nr),):
            # an op on the view itself (z[0].mul_(y)): wrapped, as PyTorch's CopySlices does
            node.fn = fn
            node.next_functions = (edge_of(old), *fn.next_functions[1:])
            node._input_meta = ((base._data.shape, base._data.dtype), *fn._input_meta[1:])
        else:
            node.next_functions = (edge_of(old), edge_of(result))
            node._input_meta = (
                (base._data.shape, base._data.dtype),
                (result._data.shape, result._data.dtype),
            )
        node.needs_input_grad = tuple(e[0] is not None for e in node.next_functions)
        from core.autograd.function import _sequence

        node._seq = next(_sequence)
        base.grad_fn, base._requires_grad, base._output_nr = node, True, 0
        view = AsStridedBackward0()
        view.shape, view.view_fn = base._data.shape, self._view_fn
        view.next_functions = ((node, 0),)
        view.needs_input_grad = (True,)
        view._input_meta = ((base._data.shape, base._data.dtype),)
        view._seq = next(_sequence)
        self.grad_fn, self._requires_grad, self._output_nr = view, True, 0
        return
    self.grad_fn = result.grad_fn
    self._output_nr = result._output_nr
    self._requires_grad = True


def needs_copy_for_inplace(cls: type, self: Tensor) -> bool:
    """An op that saves ``self`` must not see it overwritten by its own in-place result."""
    return bool(cls.saves) and cls.saves[0] == "self" and _grad_state.enabled


def shallow_copy_for_inplace(self: Tensor) -> Tensor:
    """A stand-in for ``self`` with a private copy of its values and the same graph edge."""
    c = Tensor._wrap(self._data.copy())
    c._requires_grad, c.grad_fn, c._output_nr = self._requires_grad, self.grad_fn, self._output_nr
    c._accumulator = self._accumulator
    return c
