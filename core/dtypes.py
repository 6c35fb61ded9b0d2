"""dtypes and PyTorch's type promotion (which is not NumPy's).

PyTorch promotes by category (bool < integer < floating) and priority (dimensioned tensors, then
zero-dim tensors, then Python scalars): a Python scalar or zero-dim tensor never widens a tensor of
the same category; a higher-category scalar gives the default dtype of that category.
"""

from __future__ import annotations

from typing import Any

import numpy as np


class dtype:  # noqa: N801 (torch's spelling)
    __slots__ = (
        "name",
        "np",
        "is_floating_point",
        "is_signed",
        "itemsize",
        "_category",
        "is_complex",
    )

    def __init__(self, name: str, np_dtype: Any, category: int) -> None:
        self.name = name
        self.np = np.dtype(np_dtype)
        self._category = category  # 0 bool, 1 integer, 2 floating
        self.is_floating_point = category == 2
        self.is_complex = False
        self.is_signed = name not in ("bool", "uint8")
        self.itemsize = self.np.itemsize

    def __repr__(self) -> str:
        return f"torch.{self.name}"

    def __reduce__(self) -> str:
        return self.name

    @property
    def scalar_name(self) -> str:
        """PyTorch's ScalarType name, as its error messages spell it ("Float", "Long" ...)."""
        return _SCALAR_NAMES[self.name]

    @property
    def legacy_type_name(self) -> str:
        """The pre-0.4 tensor type, as ``Tensor.type()`` and error messages print it."""
        return f"torch.{_SCALAR_NAMES[self.name]}Tensor"

    def to_real(self) -> dtype:
        return self


_SCALAR_NAMES = {
    "bool": "Bool",
    "uint8": "Byte",
    "int8": "Char",
    "int16": "Short",
    "int32": "Int",
    "int64": "Long",
    "float16": "Half",
    "float32": "Float",
    "float64": "Double",
}
bool_ = dtype("bool", np.bool_, 0)
uint8 = dtype("uint8", np.uint8, 1)
int8 = dtype("int8", np.int8, 1)
int16 = dtype("int16", np.int16, 1)
int32 = dtype("int32", np.int32, 1)
int64 = dtype("int64", np.int64, 1)
float16 = dtype("float16", np.float16, 2)
float32 = dtype("float32", np.float32, 2)
float64 = dtype("float64", np.float64, 2)

ALL = (bool_, uint8, int8, int16, int32, int64, float16, float32, float64)
_BY_NUMPY = {d.np: d for d in ALL}
_BY_NAME = {d.name: d for d in ALL}
ALIASES = {
    "float": float32,
    "double": float64,
    "half": float16,
    "long": int64,
    "int": int32,
    "short": int16,
    "bool": bool_,
}

_default_float = float32


def get_default_dtype() -> dtype:
    return _default_float


def set_default_dtype(d: dtype) -> None:
    global _default_float
    if not isinstance(d, dtype) or not d.is_floating_point:
        raise TypeError(f"only floating-point types are supported as the default type, got {d}")
    _default_float = d


def from_numpy(np_dtype: Any) -> dtype:
    """The core dtype of a NumPy dtype; TypeError for those core does not support."""
    try:
        return _BY_NUMPY[np_dtype]
    except KeyError:
        pass
    try:
        return _BY_NUMPY[np.dtype(np_dtype)]
    except (KeyError, TypeError):
        raise TypeError(
            f"can't convert np.ndarray of type {np.dtype(np_dtype)}. The only supported types are: "
            "float64, float32, float16, int64, int32, int16, int8, uint8, and bool."
        ) from None


def from_any(d: Any) -> dtype:
    """Accept a core dtype, a NumPy dtype, a Python type or a name."""
    if isinstance(d, dtype):
        return d
    if d is float:  # a Python float is a double, as in PyTorch
        return float64
    if d is int:
        return int64
    if d is bool:
        return bool_
    if isinstance(d, str):
        name = d.removeprefix("torch.")
        if name in ALIASES:
            return ALIASES[name]
        if name in _BY_NAME:
            return _BY_NAME[name]
        raise TypeError(f"invalid dtype: {d!r}")
    return from_numpy(d)


# Promotion table of two dtypes of the same priority class: PyTorch's, not NumPy's (uint8 + int8
# is int16 in both, but bool + anything and float16 + int are where they differ).
def _promote_pair(a: dtype, b: dtype) -> dtype:
    if a is b:
        return a
    if a._category != b._category:
        hi, lo = (a, b) if a._category > b._category else (b, a)
        return hi
    if a._category == 2:
        return a if a.itemsize >= b.itemsize else b
    # integers: NumPy's table agrees with PyTorch's for int/uint8 (uint8+int8 -> int16).
    return _BY_NUMPY[np.promote_types(a.np, b.np)]


_PROMOTE: dict[tuple[dtype, dtype], dtype] = {(a, b): _promote_pair(a, b) for a in ALL for b in ALL}


def promote_types(a: dtype, b: dtype) -> dtype:
    return _PROMOTE[(a, b)]


def scalar_category(value: Any) -> int:
    if isinstance(value, bool):
        return 0
    if isinstance(value, int):
        return 1
    return 2


def category_default(category: int) -> dtype:
    return (bool_, int64, _default_float)[category]


def result_type(dims: list[dtype], zero_dims: list[dtype], scalars: list[Any]) -> dtype:
    """PyTorch's result type of operands grouped by priority class."""
    out: dtype | None = None
    for d in dims:
        out = d if out is None else _PROMOTE[(out, d)]
    zd: dtype | None = None
    for d in zero_dims:
        zd = d if zd is None else _PROMOTE[(zd, d)]
    if zd is not None:
        if out is None:
            out = zd
        elif zd._category > out._category:
            out = zd
    if scalars:
        cat = max(scalar_category(s) for s in scalars)
        if out is None:
            out = category_default(cat)
        elif cat > out._category:
            out = category_default(cat)
    return out if out is not None else _default_float
