"""Installs the function layers on ``Tensor``: methods, Python operators and in-place variants."""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from core import _creation, _indexing, _linalg_fns, _math, _reductions, _shape_fns, backend
from core import dtypes as _dt
from core._dispatch import inplace
from core.autograd.grad_mode import _state as _grad_state
from core.device import normalize
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
for _mod in (_math, _reductions, _shape_fns, _indexing, _linalg_fns):
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

INPLACE = {
    "add": E.AddBackward0,
    "sub": E.SubBackward0,
    "mul": E.MulBackward0,
    "div": E.DivBackward0,
    "pow": E.PowBackward0,
    "neg": E.NegBackward0,
    "abs": E.AbsBackward0,
    "exp": E.ExpBackward0,
    "log": E.LogBackward0,
    "log1p": E.Log1PBackward0,
    "sqrt": E.SqrtBackward0,
    "rsqrt": E.RsqrtBackward0,
    "sin": E.SinBackward0,
    "cos": E.CosBackward0,
    "tan": E.TanBackward0,
    "tanh": E.TanhBackward0,
    "sigmoid": E.SigmoidBackward0,
    "relu": E.ReluBackward0,
    "clamp": E.ClampBackward1,
    "floor": None,
    "ceil": None,
    "round": None,
    "sign": None,
    "trunc": None,
    "reciprocal": E.ReciprocalBackward0,
    "remainder": None,
    "fmod": None,
    "floor_divide": None,
    "true_divide": None,
    "masked_fill": None,
    "clamp_min": None,
    "clamp_max": None,
    "clip": None,
    "square": E.PowBackward0,
    "lerp": None,
    "addcmul": None,
    "addcdiv": None,
    "maximum": None,
    "minimum": None,
    "logical_not": None,
    "logical_and": None,
    "logical_or": None,
    "logical_xor": None,
    "bitwise_and": None,
    "bitwise_or": None,
    "bitwise_xor": None,
    "bitwise_not": None,
    "scatter": None,
    "scatter_add": None,
    "index_select": None,
    "nan_to_num": None,
    "negative": E.NegBackward0,
    "t": None,
    "transpose": None,
    "squeeze": None,
    "unsqueeze": None,
    "eq": None,
    "ne": None,
    "lt": None,
    "le": None,
    "gt": None,
    "ge": None,
    "tril": None,
    "triu": None,
    "cumsum": None,
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


# --- methods that are not plain functions --------------------------------------------------------
def _to(self: Tensor, *args: Any, **kwargs: Any) -> Tensor:
    """``to(dtype)``, ``to(device)``, ``to(device, dtype)``, ``to(other)``; no copy when nothing changes."""
    dtype = kwargs.pop("dtype", None)
    device = kwargs.pop("device", None)
    copy = kwargs.pop("copy", False)
    kwargs.pop("non_blocking", None)
    kwargs.pop("memory_format", None)
    if kwargs:
        raise TypeError(f"to() received an invalid combination of arguments: {sorted(kwargs)}")
    for a in args:
        if isinstance(a, Tensor):
            dtype, device = a.dtype, a.device
        elif isinstance(a, _dt.dtype) or a in (float, int, bool):
            dtype = a
        elif a is not None and not isinstance(a, bool):
            device = a
    target_dtype = _dt.from_any(dtype) if dtype is not None else None
    target_device = normalize(device) if device is not None else None
    same_dtype = target_dtype is None or target_dtype.np == self._data.dtype
    same_device = target_device is None or (
        target_device.type == self.device.type
        and (target_device.type == "cpu" or target_device.index == self.device.index)
    )
    if same_dtype and same_device and not copy:
        return self
    if target_device is not None and target_device.type == "cuda":
        backend.require_cuda()

    def convert(a: Any) -> Any:
        if target_device is not None and not same_device:
            a = backend.to_device(a, target_device.type, target_device.index or 0)
        if target_dtype is not None and a.dtype != target_dtype.np:
            a = a.astype(target_dtype.np)
        elif copy and same_device:
            a = a.copy()
        return a

    if (
        self._requires_grad
        and _grad_state.enabled
        and (target_dtype is None or target_dtype.is_floating_point)
    ):
        from core.autograd.function import apply_op

        return apply_op(E.ToCopyBackward0, (self,), convert)
    return Tensor._wrap(convert(self._data))


def _caster(d: _dt.dtype) -> Any:
    def cast(self: Tensor, memory_format: Any = None) -> Tensor:
        return _to(self, d)

    return cast


_TYPE_NAMES = {
    "torch.FloatTensor": _dt.float32,
    "torch.DoubleTensor": _dt.float64,
    "torch.HalfTensor": _dt.float16,
    "torch.LongTensor": _dt.int64,
    "torch.IntTensor": _dt.int32,
    "torch.ShortTensor": _dt.int16,
    "torch.CharTensor": _dt.int8,
    "torch.ByteTensor": _dt.uint8,
    "torch.BoolTensor": _dt.bool_,
}
_LEGACY = {v.name: k for k, v in _TYPE_NAMES.items()}


def _type(self: Tensor, dtype: Any = None, non_blocking: bool = False) -> Any:
    if dtype is None:
        name = _LEGACY[self.dtype.name]
        return name.replace("torch.", "torch.cuda.") if self.is_cuda else name
    if isinstance(dtype, str):
        key = dtype.replace("torch.cuda.", "torch.")
        if key not in _TYPE_NAMES:
            raise ValueError(f"invalid type: '{dtype}'")
        out = _to(self, _TYPE_NAMES[key])
        return out.cuda() if "cuda" in dtype else out
    if isinstance(dtype, type) and hasattr(dtype, "dtype"):
        return _to(self, dtype.dtype)
    return _to(self, dtype)


def _cuda(self: Tensor, device: Any = None, non_blocking: bool = False) -> Tensor:
    backend.require_cuda()
    return _to(self, f"cuda:{device}" if isinstance(device, int) else (device or "cuda"))


def _cpu(self: Tensor) -> Tensor:
    return _to(self, "cpu")


def _new_factory(maker: Any) -> Any:
    def new(
        self: Tensor, *size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False
    ) -> Tensor:
        return maker(
            *size,
            dtype=dtype or self.dtype,
            device=device or self.device,
            requires_grad=requires_grad,
        )

    return new


def _new_tensor(
    self: Tensor, data: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False
) -> Tensor:
    return _creation.tensor(
        data, dtype=dtype or self.dtype, device=device or self.device, requires_grad=requires_grad
    )


def _new_full(
    self: Tensor,
    size: Any,
    fill_value: Any,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    return _creation.full(
        size,
        fill_value,
        dtype=dtype or self.dtype,
        device=device or self.device,
        requires_grad=requires_grad,
    )


def _fill_inplace(
    self: Tensor, values: Any, name: str = "FillBackward2", value: Any = None
) -> Tensor:
    """Write raw values into self (an in-place fill), honouring autograd's leaf rule.

    On a tensor with history the fill is recorded under PyTorch's name for it (``FillBackward2``,
    ``ZeroBackward0``, ``UniformBackward0`` ...): the old values get no gradient.
    """
    from core._dispatch import check_inplace

    if not (self._requires_grad and _grad_state.enabled):
        check_inplace(self)
        self._data[...] = values
        self._bump()
        return self
    from core.autograd.function import _record

    stand = Tensor._wrap(self._data)  # the old self's place in the graph
    stand._requires_grad, stand.grad_fn = self._requires_grad, self.grad_fn
    stand._output_nr, stand._accumulator = self._output_nr, self._accumulator
    filled = self._xp().empty_like(self._data)
    filled[...] = values
    node_cls = _FILL_NODES.get(name)
    if node_cls is None:
        node_cls = _FILL_NODES[name] = type(name, (_FillBackward,), {"__doc__": "d fill(a) = 0"})
    tensors = (stand,) if value is None else (stand, value)
    return inplace(self, _record(node_cls(), tensors, filled))


class _FillBackward(E.Node):
    """d fill(a) = 0 (and d fill(a, v) = sum of g for a tensor value v)"""

    def backward(self, g: Any) -> tuple:
        return (g * 0,) if len(self.next_functions) == 1 else (g * 0, g.sum())


_FILL_NODES: dict[str, type] = {}


def _rng(generator: Any) -> np.random.Generator:
    from core.random import default_generator

    return (generator or default_generator)._np


def _float_fill(self: Tensor, kernel: str) -> None:
    if not self.dtype.is_floating_point:
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{self.dtype.scalar_name}'")


def uniform_(self: Tensor, from_: float = 0.0, to: float = 1.0, *, generator: Any = None) -> Tensor:
    _float_fill(self, "check_uniform_bounds")
    values = _place_like(self, _rng(generator).uniform(from_, to, self.shape))
    return _fill_inplace(self, values, "UniformBackward0")


def normal_(self: Tensor, mean: float = 0.0, std: float = 1.0, *, generator: Any = None) -> Tensor:
    _float_fill(self, "normal_kernel_cpu")
    values = _place_like(self, _rng(generator).normal(mean, std, self.shape))
    return _fill_inplace(self, values, "NormalBackward0")


def random_(self: Tensor, from_: int = 0, to: Any = None, *, generator: Any = None) -> Tensor:
    name = (
        "RandomBackward0" if to is not None else "RandomBackward1" if from_ else "RandomBackward2"
    )
    if to is None:
        from_, to = (
            0,
            from_
            if from_
            else (
                2**24 + 1
                if self.dtype.is_floating_point
                else int(np.iinfo(self._data.dtype).max) + 1
                if self._data.dtype.kind in "iu"
                else 2
            ),
        )
        if from_ == 0 and to == 0:
            to = 2**24 + 1
    values = _place_like(self, _rng(generator).integers(from_, to, self.shape))
    return _fill_inplace(self, values, name)


def bernoulli_(self: Tensor, p: float = 0.5, *, generator: Any = None) -> Tensor:
    values = _place_like(self, _rng(generator).random(self.shape) < p)
    return _fill_inplace(self, values, "BernoulliBackward2")


def exponential_(self: Tensor, lambd: float = 1.0, *, generator: Any = None) -> Tensor:
    return _fill_inplace(
        self,
        _place_like(self, _rng(generator).exponential(1.0 / lambd, self.shape)),
        "ExponentialBackward0",
    )


def fill_(self: Tensor, value: Any) -> Tensor:
    if isinstance(value, Tensor):
        if value.ndim:
            raise RuntimeError(
                "fill_ only supports 0-dimension value tensor but got tensor with "
                f"{value.ndim} dimensions."
            )
        return _fill_inplace(self, value._data, "FillBackward3", value)
    return _fill_inplace(self, value)


def zero_(self: Tensor) -> Tensor:
    return _fill_inplace(self, 0, "ZeroBackward0")


def copy_(self: Tensor, src: Tensor, non_blocking: bool = False) -> Tensor:
    value = src._data if isinstance(src, Tensor) else np.asarray(src)
    if type(value) is not type(self._data):
        value = backend.to_device(value, self.device.type, self.device.index or 0)
    if (
        isinstance(src, Tensor)
        and _grad_state.enabled
        and (src._requires_grad or self._requires_grad)
    ):
        from core.autograd.function import _record

        stand = Tensor._wrap(self._data)  # the old self's place in the graph
        stand._requires_grad, stand.grad_fn = self._requires_grad, self.grad_fn
        stand._output_nr, stand._accumulator = self._output_nr, self._accumulator
        xp = self._xp()
        values = xp.broadcast_to(value, self._data.shape).astype(self._data.dtype)
        return inplace(self, _record(CopyBackwards(), (stand, src), values))
    from core._dispatch import check_inplace

    check_inplace(self)
    self._data[...] = value
    self._bump()
    return self


class CopyBackwards(E.Node):
    """d self.copy_(src): the old values get nothing, src gets g (summed back and cast by the engine)"""

    def backward(self, g: Any) -> tuple:
        return g * 0, g

    def name(self) -> str:
        return "torch::autograd::CopyBackwards"


def _place_like(self: Tensor, values: np.ndarray) -> Any:
    values = values.astype(self._data.dtype)
    if type(self._data) is not np.ndarray:
        return backend.to_device(values, "cuda", self.device.index or 0)
    return values


def _apply_(self: Tensor, fn: Any) -> Tensor:
    flat = self._data.reshape(-1)
    for i in range(flat.size):
        flat[i] = fn(flat[i].item())
    self._bump()
    return self


def _map_(self: Tensor, other: Tensor, fn: Any) -> Tensor:
    a = self._data.reshape(-1)
    b = np.broadcast_to(other._data, self._data.shape).reshape(-1)
    for i in range(a.size):
        a[i] = fn(a[i].item(), b[i].item())
    self._bump()
    return self


def _share_memory_(self: Tensor) -> Tensor:
    return self


def _pin_memory(self: Tensor) -> Tensor:
    return self


def _resize_(self: Tensor, *size: Any) -> Tensor:
    from core._shape_fns import _sizes

    shape = tuple(_sizes(size))
    flat = self._data.reshape(-1)
    n = int(np.prod(shape))
    new = np.zeros(n, dtype=self._data.dtype)
    new[: min(n, flat.size)] = flat[: min(n, flat.size)]
    self._data = new.reshape(shape)
    self._bump()
    return self


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
