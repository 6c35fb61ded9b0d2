"""Creation functions: ``tensor``, ``zeros``, ``rand``... and the legacy ``Tensor(5, 3)`` spellings."""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from core import backend
from core import dtypes as _dt
from core.device import normalize
from core.fp_quiet import quiet
from core.random import default_generator
from core.size import Size
from core.tensor import Tensor


def _place(array: Any, device: Any) -> Any:
    if device is None:
        return array
    d = normalize(device)
    return backend.to_device(array, d.type, d.index or 0) if d.type == "cuda" else array


def _finish(array: Any, dtype: Any, device: Any, requires_grad: bool) -> Tensor:
    if dtype is not None:
        npd = _dt.from_any(dtype).np
        if array.dtype != npd:
            with quiet():  # out of the dtype's range: inf (or a wrapped integer), silently
                array = array.astype(npd)
    t = Tensor._wrap(_place(array, device))
    if requires_grad:
        if not t.dtype.is_floating_point:  # the factories' wording (requires_grad_ has its own)
            raise RuntimeError(
                "Only Tensors of floating point and complex dtype can require gradients"
            )
        t.requires_grad_(True)
    return t


def _shape(size: tuple) -> tuple[int, ...]:
    if len(size) == 1 and isinstance(size[0], (tuple, list, Size)):
        size = tuple(size[0])
    for s in size:
        if not isinstance(s, (numbers.Integral,)) and not (
            isinstance(s, Tensor) and s.numel() == 1
        ):
            raise TypeError(
                f"zeros(): argument 'size' (position 1) must be tuple of ints, but found element of "
                f"type {type(s).__name__}"
            )
    shape = tuple(int(s) for s in size)
    for s in shape:
        if s < 0:
            raise RuntimeError(
                f"Trying to create tensor with negative dimension {s}: {list(shape)}"
            )
    return shape


def _infer_dtype(data: Any) -> _dt.dtype:
    """PyTorch's dtype for Python data: bool < int64 < default float."""
    cat = -1
    stack = [data]
    while stack:
        x = stack.pop()
        if isinstance(x, (list, tuple)):
            stack.extend(x)
        elif isinstance(x, Tensor):
            d = x.dtype
            cat = max(
                cat,
                d._category
                + (10 if d.is_floating_point and d is not _dt.get_default_dtype() else 0),
            )
            if cat >= 10:
                return d
        elif isinstance(x, (bool, np.bool_)):
            cat = max(cat, 0)
        elif isinstance(x, (numbers.Integral,)):
            cat = max(cat, 1)
        elif isinstance(x, numbers.Real):
            cat = max(cat, 2)
        else:
            raise TypeError(f"Could not infer dtype of {type(x).__name__}")
    return _dt.category_default(max(cat, 2) if cat == -1 else cat)


def _to_array(data: Any) -> Any:
    if isinstance(data, Tensor):
        return backend.to_numpy(data._data)
    if isinstance(data, (list, tuple)):
        if any(isinstance(x, Tensor) for x in data):
            return np.array([_to_array(x) for x in data])
        return np.array(data)
    return data


def tensor(
    data: Any,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
    pin_memory: bool = False,
) -> Tensor:
    """A new tensor copying ``data`` (a number, nested lists, an array or a tensor)."""
    if isinstance(data, Tensor):
        arr = data._data.copy()
        return _finish(arr, dtype, device if device is not None else None, requires_grad)
    if hasattr(data, "__cuda_array_interface__"):
        return _finish(data.copy(), dtype, device, requires_grad)
    if isinstance(data, np.ndarray) or isinstance(data, np.generic):
        arr = np.array(data)
        _dt.from_numpy(arr.dtype)  # refuse unsupported dtypes with PyTorch's message
        return _finish(arr, dtype, device, requires_grad)
    target = _dt.from_any(dtype) if dtype is not None else _infer_dtype(data)
    try:
        with quiet():  # core.tensor([1e300], dtype=float32) is inf, silently, as PyTorch
            arr = np.array(_to_array(data), dtype=target.np)
    except ValueError as exc:
        raise ValueError(f"expected sequence of equal-length lists: {exc}") from None
    return _finish(arr, None, device, requires_grad)


def as_tensor(data: Any, dtype: Any = None, device: Any = None) -> Tensor:
    """Shares memory with a NumPy array (or a tensor) when dtype and device allow."""
    if isinstance(data, Tensor):
        return data.to(dtype=dtype, device=device) if (dtype or device) else data
    if isinstance(data, np.ndarray) and (device is None or normalize(device).type == "cpu"):
        t = from_numpy(data)
        return t if dtype is None else t.to(_dt.from_any(dtype))
    return tensor(data, dtype=dtype, device=device)


def from_numpy(array: np.ndarray) -> Tensor:
    """A tensor sharing memory with ``array`` (both ways)."""
    if not isinstance(array, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(array).__name__})")
    _dt.from_numpy(array.dtype)
    if any(s < 0 for s in array.strides):
        raise ValueError(
            "At least one stride in the given numpy array is negative, and tensors with negative "
            "strides are not currently supported. (You can probably work around this by making a "
            "copy of your array  with array.copy().) "
        )
    return Tensor._wrap(array)


def from_dlpack(ext: Any) -> Tensor:
    """Zero-copy from any DLPack producer (NumPy, CuPy, PyTorch)."""
    dev_type, dev_id = ext.__dlpack_device__()
    if int(dev_type) == 1:  # kDLCPU
        return Tensor._wrap(np.from_dlpack(ext))
    cp = backend.require_cuda()
    return Tensor._wrap(cp.from_dlpack(ext))


def _factory(fill: Any) -> Any:
    def make(
        *size: Any,
        dtype: Any = None,
        device: Any = None,
        requires_grad: bool = False,
        out: Tensor | None = None,
        **_: Any,
    ) -> Tensor:
        shape = _shape(size)
        d = _dt.from_any(dtype) if dtype is not None else _dt.get_default_dtype()
        xp = np if device is None or normalize(device).type == "cpu" else backend.require_cuda()
        arr = fill(xp, shape, d.np)
        if device is not None and normalize(device).type == "cuda":
            return _finish(arr, None, None, requires_grad)
        t = _finish(arr, None, None, requires_grad)
        return _write_out(out, t) if out is not None else t

    return make


def _write_out(out: Tensor, t: Tensor) -> Tensor:
    out._data = t._data
    out._bump()
    return out


zeros = _factory(lambda xp, s, d: xp.zeros(s, dtype=d))
ones = _factory(lambda xp, s, d: xp.ones(s, dtype=d))
empty = _factory(
    lambda xp, s, d: xp.zeros(s, dtype=d)
)  # zero-filled: "uninitialised" made harmless
zeros.__name__, ones.__name__, empty.__name__ = "zeros", "ones", "empty"


def full(
    size: Any,
    fill_value: Any,
    *,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    if dtype is None:
        dtype = _dt.category_default(_dt.scalar_category(fill_value))
    d = _dt.from_any(dtype)
    with quiet():  # a value out of the dtype's range: inf, silently
        array = np.full(_shape((size,)), fill_value, dtype=d.np)
    return _finish(array, None, device, requires_grad)


def eye(
    n: int,
    m: int | None = None,
    *,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    d = _dt.from_any(dtype) if dtype is not None else _dt.get_default_dtype()
    return _finish(np.eye(n, m, dtype=d.np), None, device, requires_grad)


def arange(
    start: Any,
    end: Any = None,
    step: Any = 1,
    *,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    if end is None:
        start, end = 0, start
    if step == 0:
        raise RuntimeError("step must be nonzero")
    vals = [v.item() if isinstance(v, Tensor) else v for v in (start, end, step)]
    if dtype is None:
        is_float = any(isinstance(v, float) for v in vals)
        dtype = _dt.get_default_dtype() if is_float else _dt.int64
    d = _dt.from_any(dtype)
    if (vals[1] - vals[0]) * vals[2] < 0:
        raise RuntimeError("upper bound and lower bound inconsistent with step sign")
    n = max(int(np.ceil((vals[1] - vals[0]) / vals[2])), 0)
    arr = (vals[0] + np.arange(n, dtype=np.float64) * vals[2]).astype(d.np)
    return _finish(arr, None, device, requires_grad)


def linspace(
    start: float,
    end: float,
    steps: int,
    *,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    d = _dt.from_any(dtype) if dtype is not None else _dt.get_default_dtype()
    return _finish(np.linspace(start, end, steps).astype(d.np), None, device, requires_grad)


def logspace(
    start: float,
    end: float,
    steps: int,
    base: float = 10.0,
    *,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    d = _dt.from_any(dtype) if dtype is not None else _dt.get_default_dtype()
    return _finish(
        np.logspace(start, end, steps, base=base).astype(d.np), None, device, requires_grad
    )


# --- random -------------------------------------------------------------------------------------
def _gen(generator: Any) -> np.random.Generator:
    return (generator or default_generator)._np


def _float_dtype(dtype: Any, kernel: str = "check_uniform_bounds") -> _dt.dtype:
    d = _dt.from_any(dtype) if dtype is not None else _dt.get_default_dtype()
    if not d.is_floating_point:
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{d.scalar_name}'")
    return d


def rand(
    *size: Any,
    generator: Any = None,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
    **_: Any,
) -> Tensor:
    d = _float_dtype(dtype)
    arr = _gen(generator).random(_shape(size), dtype=np.float64).astype(d.np)
    return _finish(arr, None, device, requires_grad)


def randn(
    *size: Any,
    generator: Any = None,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
    **_: Any,
) -> Tensor:
    d = _float_dtype(dtype, "normal_kernel_cpu")
    arr = _gen(generator).standard_normal(_shape(size)).astype(d.np)
    return _finish(arr, None, device, requires_grad)


def randint(
    low: int,
    high: Any = None,
    size: Any = None,
    *,
    generator: Any = None,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    if size is None:
        if high is None or not isinstance(high, (tuple, list, Size)):
            raise TypeError("randint() missing required argument 'size'")
        low, high, size = 0, low, high
    elif high is None:
        low, high = 0, low
    if high <= low:
        raise RuntimeError(
            f"random_ expects 'from' to be less than 'to', but got from={low} >= to={high}"
        )
    d = _dt.from_any(dtype) if dtype is not None else _dt.int64
    arr = _gen(generator).integers(low, high, size=_shape((size,))).astype(d.np)
    return _finish(arr, None, device, requires_grad)


def randperm(
    n: int,
    *,
    generator: Any = None,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    d = _dt.from_any(dtype) if dtype is not None else _dt.int64
    return _finish(_gen(generator).permutation(n).astype(d.np), None, device, requires_grad)


def normal(
    mean: Any = 0.0,
    std: Any = 1.0,
    size: Any = None,
    *,
    generator: Any = None,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    if isinstance(mean, Tensor) or isinstance(std, Tensor):
        m = mean._data if isinstance(mean, Tensor) else mean
        s = std._data if isinstance(std, Tensor) else std
        shape = np.broadcast_shapes(np.shape(m), np.shape(s))
        ref = mean if isinstance(mean, Tensor) else std
        arr = backend.to_numpy(m) + backend.to_numpy(s) * _gen(generator).standard_normal(shape)
        return _finish(
            arr.astype(ref._data.dtype), None, ref.device if ref.is_cuda else device, requires_grad
        )
    d = _float_dtype(dtype, "normal_kernel_cpu")
    arr = _gen(generator).normal(mean, std, _shape((size,))).astype(d.np)
    return _finish(arr, None, device, requires_grad)


# --- *_like and legacy --------------------------------------------------------------------------
def _like(maker: Any) -> Any:
    def like(
        input: Tensor,
        *,
        dtype: Any = None,
        device: Any = None,
        requires_grad: bool = False,
        **kw: Any,
    ) -> Tensor:
        return maker(
            *input.shape,
            dtype=dtype or input.dtype,
            device=device or input.device,
            requires_grad=requires_grad,
            **kw,
        )

    return like


zeros_like = _like(zeros)
ones_like = _like(ones)
empty_like = _like(empty)
rand_like = _like(rand)
randn_like = _like(randn)


def full_like(
    input: Tensor,
    fill_value: Any,
    *,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    return full(
        tuple(input.shape),
        fill_value,
        dtype=dtype or input.dtype,
        device=device or input.device,
        requires_grad=requires_grad,
    )


def randint_like(
    input: Tensor, low: int, high: Any = None, *, dtype: Any = None, device: Any = None
) -> Tensor:
    return randint(
        low, high, tuple(input.shape), dtype=dtype or input.dtype, device=device or input.device
    )


def legacy_new(cls: type, dtype: _dt.dtype, args: tuple, kwargs: dict) -> Tensor:
    """``Tensor(5, 3)`` zero-filled, ``Tensor([[1, 2]])`` / ``Tensor(ndarray)`` as the dtype."""
    device = kwargs.pop("device", None)
    if kwargs:
        raise TypeError(f"new() got unexpected keyword arguments {sorted(kwargs)}")
    if not args:
        arr = np.zeros((0,), dtype=dtype.np)
    elif all(isinstance(a, numbers.Integral) and not isinstance(a, bool) for a in args) or (
        len(args) == 1 and isinstance(args[0], Size)
    ):
        arr = np.zeros(_shape(args), dtype=dtype.np)
    elif len(args) == 1:
        data = args[0]
        if isinstance(data, Tensor):
            arr = data._data.astype(dtype.np, copy=False)
        else:
            arr = np.array(_to_array(data), dtype=dtype.np)
    else:
        raise TypeError(f"new(): invalid arguments {args!r}")
    t = Tensor._wrap(_place(arr, device))
    if cls is not Tensor:
        t.__class__ = cls
    return t


def _legacy_class(name: str, dtype: _dt.dtype) -> type:
    def new(cls: type, *args: Any, **kwargs: Any) -> Tensor:
        return legacy_new(Tensor, dtype, args, kwargs)

    meta = type(
        "_LegacyMeta",
        (type,),
        {"__instancecheck__": lambda c, o: isinstance(o, Tensor) and o.dtype is dtype},
    )
    return meta(name, (), {"__new__": new, "dtype": dtype})


FloatTensor = _legacy_class("FloatTensor", _dt.float32)
DoubleTensor = _legacy_class("DoubleTensor", _dt.float64)
HalfTensor = _legacy_class("HalfTensor", _dt.float16)
LongTensor = _legacy_class("LongTensor", _dt.int64)
IntTensor = _legacy_class("IntTensor", _dt.int32)
ShortTensor = _legacy_class("ShortTensor", _dt.int16)
CharTensor = _legacy_class("CharTensor", _dt.int8)
ByteTensor = _legacy_class("ByteTensor", _dt.uint8)
BoolTensor = _legacy_class("BoolTensor", _dt.bool_)
