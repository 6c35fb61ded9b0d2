"""Installs the function layers on ``Tensor``: methods, Python operators and in-place variants."""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from core import _creation, _indexing, _linalg_fns, _logic, _math, _reductions, _shape_fns, backend
from core import dtypes as _dt
from core._dispatch import inplace
from core._tensor_convert import (
    _caster,
    _cpu,
    _cuda,
    _new_factory,
    _new_full,
    _new_tensor,
    _to,
    _type,
)
from core._tensor_fill import (
    _apply_,
    _map_,
    _pin_memory,
    _resize_,
    _share_memory_,
    bernoulli_,
    copy_,
    exponential_,
    fill_,
    normal_,
    random_,
    uniform_,
    zero_,
)
from core.autograd.grad_mode import _state as _grad_state
from core.ops import elementwise as E
from core.tensor import Tensor


def _rev(fn: Any) -> Any:
    return lambda self, other: fn(other, self)


def _r_sub(self: Tensor, other: Any) -> Tensor:
    return _math.rsub(self, other)


def _r_div(self: Tensor, other: Any) -> Tensor:
    return _math.div(other, self)


def _r_pow(self: Tensor, other: Any) -> Tensor:
    return _math.pow(other, self)


def _r_matmul(self: Tensor, other: Any) -> Tensor:
    return _linalg_fns.matmul(other, self)


def _r_floordiv(self: Tensor, other: Any) -> Tensor:
    from core._creation import tensor

    with _math.no_grad():
        result = _math.floor_divide(tensor(other, dtype=_math.promote(self, other)), self)
    return _math.not_differentiable(result, (self,), "floor_divide")


def _r_mod(self: Tensor, other: Any) -> Tensor:
    from core._creation import tensor

    with _math.no_grad():
        result = _math.remainder(tensor(other, dtype=_math.promote(self, other)), self)
    return _math.not_differentiable(result, (self,), "remainder")


OPERATORS = {
    "__add__": _math.add,
    "__radd__": lambda s, o: _math.add(s, o),
    "__sub__": _math.sub,
    "__rsub__": _r_sub,
    "__mul__": _math.mul,
    "__rmul__": lambda s, o: _math.mul(s, o),
    "__truediv__": _math.div,
    "__rtruediv__": _r_div,
    "__floordiv__": _math.floor_divide,
    "__rfloordiv__": _r_floordiv,
    "__mod__": _math.remainder,
    "__rmod__": _r_mod,
    "__pow__": _math.pow,
    "__rpow__": _r_pow,
    "__matmul__": _linalg_fns.matmul,
    "__rmatmul__": _r_matmul,
    "__neg__": _math.neg,
    "__pos__": lambda s: s,
    "__abs__": _math.UNARY["abs"],
    "__invert__": _math.bitwise_not,
    "__and__": _math.bitwise_and,
    "__rand__": lambda s, o: _math.bitwise_and(s, o),
    "__or__": _math.bitwise_or,
    "__ror__": lambda s, o: _math.bitwise_or(s, o),
    "__xor__": _math.bitwise_xor,
    "__rxor__": lambda s, o: _math.bitwise_xor(s, o),
    "__eq__": _math.eq,
    "__ne__": _math.ne,
    "__lt__": _math.lt,
    "__le__": _math.le,
    "__gt__": _math.gt,
    "__ge__": _math.ge,
    "__getitem__": _indexing.getitem,
    "__setitem__": _indexing.setitem,
}

_IOPS = {
    "__iadd__": ("add", E.AddBackward0),
    "__isub__": ("sub", E.SubBackward0),
    "__imul__": ("mul", E.MulBackward0),
    "__itruediv__": ("div", E.DivBackward0),
    "__ipow__": ("pow", E.PowBackward0),
    "__imod__": ("remainder", None),
    "__ifloordiv__": ("floor_divide", None),
    "__iand__": ("bitwise_and", None),
    "__ior__": ("bitwise_or", None),
    "__ixor__": ("bitwise_xor", None),
}

# Methods with the same name and signature as the function (self first).
FUNCTIONS: dict[str, Any] = {}
for _mod in (_math, _logic, _reductions, _shape_fns, _indexing, _linalg_fns):
    for _name in getattr(_mod, "__all_methods__", None) or [
        n
        for n, v in vars(_mod).items()
        if callable(v) and not n.startswith("_") and getattr(v, "__module__", "") == _mod.__name__
    ]:
        FUNCTIONS[_name] = getattr(_mod, _name)
FUNCTIONS.update(_math.UNARY)
FUNCTIONS["round"] = _math.round
for _skip in (
    "make_inplace",
    "as_operand",
    "binary",
    "unary",
    "promote",
    "infer_shape",
    "slice_dim",
    "getitem",
    "setitem",
    "index_put",
    "values_indices",
    "einsum",
    "cat",
    "stack",
    "concat",
    "concatenate",
    "hstack",
    "vstack",
    "where",
    "equal",
    "allclose",
):
    FUNCTIONS.pop(_skip, None)

# In-place `_` methods: name -> the node its op records (None: records none that saves `self`,
# so no copy of `self` is needed before writing it).
INPLACE: dict[str, Any] = {
    **_math._FLOAT_UNARY,
    **_math._SAME_UNARY,
    "add": E.AddBackward0,
    "sub": E.SubBackward0,
    "mul": E.MulBackward0,
    "div": E.DivBackward0,
    "pow": E.PowBackward0,
    "neg": E.NegBackward0,
    "clamp": E.ClampBackward1,
    "square": E.PowBackward0,
    "negative": E.NegBackward0,
    **dict.fromkeys(
        (
            "remainder",
            "fmod",
            "floor_divide",
            "true_divide",
            "masked_fill",
            "clamp_min",
            "clamp_max",
            "clip",
            "lerp",
            "addcmul",
            "addcdiv",
            "maximum",
            "minimum",
            "logical_not",
            "logical_and",
            "logical_or",
            "logical_xor",
            "bitwise_and",
            "bitwise_or",
            "bitwise_xor",
            "bitwise_not",
            "scatter",
            "scatter_add",
            "index_select",
            "nan_to_num",
            "t",
            "transpose",
            "squeeze",
            "unsqueeze",
            "eq",
            "ne",
            "lt",
            "le",
            "gt",
            "ge",
            "tril",
            "triu",
            "cumsum",
        )
    ),
}

_SHAPE_INPLACE = {"t", "transpose", "squeeze", "unsqueeze"}


def _shape_inplace(name: str) -> Any:
    fn = FUNCTIONS[name]
    from core.ops import shape as S

    def method(self: Tensor, *args: Any, **kwargs: Any) -> Tensor:
        from core._dispatch import check_inplace

        check_inplace(self)
        r = fn(self, *args, **kwargs)
        self._data = r._data
        self._bump()
        node = r.grad_fn
        if node is not None and node is not self.grad_fn:
            if name == "squeeze":
                node.__class__ = S.SqueezeBackward4 if args or kwargs else S.SqueezeBackward3
            else:
                node.__class__ = {
                    "t": S.TBackward1,
                    "transpose": S.TransposeBackward1,
                    "unsqueeze": S.UnsqueezeBackward1,
                }[name]
            self.grad_fn, self._output_nr, self._requires_grad = node, 0, True
        return self

    method.__name__ = name + "_"
    return method


def _compare_inplace(name: str) -> Any:
    """``x.lt_(y)``: on a tensor with history PyTorch records ``LtBackward0/1`` (zero gradient)."""
    fn = FUNCTIONS[name]
    from core.ops.elementwise import Node

    def backward(node: Any, g: Any) -> tuple:
        return (g * 0,) * len(node.next_functions)

    nodes = {
        k: type(f"{name.capitalize()}Backward{k}", (Node,), {"backward": backward}) for k in (0, 1)
    }

    def method(self: Tensor, other: Any) -> Tensor:
        if not (_grad_state.enabled and self._requires_grad):
            return inplace(self, fn(self, other))
        from core._dispatch import check_inplace, shallow_copy_for_inplace
        from core.autograd.function import _record

        check_inplace(self)
        src = shallow_copy_for_inplace(self)
        values = fn(src, other)._data.astype(self._data.dtype)
        tensors = (src, other) if isinstance(other, Tensor) else (src,)
        node = nodes[1 if isinstance(other, Tensor) else 0]()
        return inplace(self, _record(node, tensors, values))

    method.__name__ = name + "_"
    return method


_OPERAND_TYPES = (Tensor, int, float, bool, np.ndarray, np.generic)


def _binary_operator(fn: Any) -> Any:
    """Python's protocol: a type the operator does not take gives NotImplemented, so that Python
    raises its own "unsupported operand type(s)" TypeError, as with PyTorch's Tensor."""

    def op(self: Tensor, other: Any) -> Any:
        t = type(other)
        if t is Tensor or t is float or t is int or isinstance(other, _OPERAND_TYPES):
            return fn(self, other)
        if hasattr(other, "__cuda_array_interface__") or isinstance(other, numbers.Number):
            return fn(self, other)
        return NotImplemented

    op.__name__ = getattr(fn, "__name__", "op")
    return op


def _install() -> None:
    Tensor.__array_priority__ = 1000  # NumPy scalars and arrays defer to the Tensor's operators
    for name, fn in OPERATORS.items():
        if name not in (
            "__getitem__",
            "__setitem__",
            "__neg__",
            "__pos__",
            "__abs__",
            "__invert__",
        ):
            fn = _binary_operator(fn)
        setattr(Tensor, name, fn)
    Tensor.__hash__ = lambda self: id(self)
    for name, fn in FUNCTIONS.items():
        if not hasattr(Tensor, name) or name in ("round",):
            setattr(Tensor, name, fn)
    for name, cls in INPLACE.items():
        if name in _SHAPE_INPLACE:
            setattr(Tensor, name + "_", _shape_inplace(name))
        elif name in FUNCTIONS:
            setattr(Tensor, name + "_", _math.make_inplace(FUNCTIONS[name], cls))
    Tensor.where = lambda self, condition, other: _math.where(condition, self, other)
    Tensor.equal = _math.equal
    Tensor.allclose = _math.allclose
    for name in ("eq", "ne", "lt", "le", "gt", "ge"):
        setattr(Tensor, name + "_", _compare_inplace(name))
    for op, (name, cls) in _IOPS.items():
        setattr(Tensor, op, _binary_operator(_math.make_inplace(FUNCTIONS[name], cls)))
    for name, fn in EXTRA.items():
        setattr(Tensor, name, fn)


def _addmm_method(
    self: Tensor, mat1: Tensor, mat2: Tensor, *, beta: Any = 1, alpha: Any = 1
) -> Tensor:
    return _linalg_fns.addmm(self, mat1, mat2, beta=beta, alpha=alpha)


def _expand_method(self: Tensor, *sizes: Any) -> Tensor:
    return _shape_fns.expand(self, *sizes)


def _view_method(self: Tensor, *shape: Any) -> Tensor:
    return _shape_fns.view(self, *shape)


def _numel_size(self: Tensor) -> Any:
    return self.shape


def _max_method(self: Tensor, dim: Any = None, keepdim: bool = False) -> Any:
    return _reductions.max(self, dim, keepdim)


def _min_method(self: Tensor, dim: Any = None, keepdim: bool = False) -> Any:
    return _reductions.min(self, dim, keepdim)


def _clone_method(self: Tensor, *, memory_format: Any = None) -> Tensor:
    return _shape_fns.clone(self)


def _index_fill_(self: Tensor, dim: int, index: Tensor, value: Any) -> Tensor:
    key = (slice(None),) * (dim % self.ndim) + (index,)
    _indexing.setitem(self, key, value)
    return self


def _index_add_(self: Tensor, dim: int, index: Tensor, source: Tensor, *, alpha: Any = 1) -> Tensor:
    key = (slice(None),) * (dim % self.ndim) + (index._data,)
    backend.scatter_add(self._data, key, source._data * alpha)
    self._bump()
    return self


def _masked_scatter_(self: Tensor, mask: Tensor, source: Tensor) -> Tensor:
    m = np.broadcast_to(mask._data, self._data.shape)
    self._data[m] = source._data.reshape(-1)[: int(m.sum())]
    self._bump()
    return self


EXTRA: dict[str, Any] = {
    "to": _to,
    "type": _type,
    "cuda": _cuda,
    "cpu": _cpu,
    "float": _caster(_dt.float32),
    "double": _caster(_dt.float64),
    "half": _caster(_dt.float16),
    "long": _caster(_dt.int64),
    "int": _caster(_dt.int32),
    "short": _caster(_dt.int16),
    "char": _caster(_dt.int8),
    "byte": _caster(_dt.uint8),
    "bool": _caster(_dt.bool_),
    "type_as": lambda self, other: _to(self, other.dtype),
    "new_zeros": _new_factory(_creation.zeros),
    "new_ones": _new_factory(_creation.ones),
    "new_empty": _new_factory(_creation.empty),
    "new_tensor": _new_tensor,
    "new_full": _new_full,
    "uniform_": uniform_,
    "normal_": normal_,
    "random_": random_,
    "bernoulli_": bernoulli_,
    "exponential_": exponential_,
    "fill_": fill_,
    "zero_": zero_,
    "copy_": copy_,
    "apply_": _apply_,
    "map_": _map_,
    "share_memory_": _share_memory_,
    "pin_memory": _pin_memory,
    "resize_": _resize_,
    "addmm": _addmm_method,
    "expand": _expand_method,
    "view": _view_method,
    "max": _max_method,
    "min": _min_method,
    "clone": _clone_method,
    "index_fill_": _index_fill_,
    "index_add_": _index_add_,
    "masked_scatter_": _masked_scatter_,
    "masked_fill_": _math.make_inplace(_indexing.masked_fill),
    "scatter_": lambda self, dim, index, src=None, *, value=None, reduce=None: inplace(
        self, _indexing.scatter(self, dim, index, src, value=value, reduce=reduce)
    ),
    "scatter_add_": lambda self, dim, index, src: inplace(
        self, _indexing.scatter_add(self, dim, index, src)
    ),
    "index_put_": lambda self, indices, values, accumulate=False: inplace(
        self, _indexing.index_put(self, indices, values, accumulate)
    ),
    "index_put": _indexing.index_put,
    "abs_": _math.make_inplace(_math.UNARY["abs"], E.AbsBackward0),
    "absolute": _math.UNARY["abs"],
    "sum_to_size": lambda self, *size: _sum_to_size(self, _shape_fns._sizes(size)),
    "div_": _math.make_inplace(_math.div, E.DivBackward0),
}


def _sum_to_size(self: Tensor, size: tuple) -> Tensor:
    lead = self.ndim - len(size)
    dims = tuple(range(lead)) + tuple(
        lead + i for i, s in enumerate(size) if s == 1 and self.shape[lead + i] != 1
    )
    out = _reductions.sum(self, dims, keepdim=True) if dims else self
    return out.reshape(size) if lead else out


_install()
