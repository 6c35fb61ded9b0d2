"""Elementwise math: functions, methods, in-place ``_`` variants and ``out=``, with PyTorch's dtypes."""

from __future__ import annotations

from typing import Any

import numpy as np

from core import dtypes as _dt
from core._dispatch import (
    as_operand,
    binary,
    inplace,
    needs_copy_for_inplace,
    promote,
    shallow_copy_for_inplace,
    unary,
)
from core._dispatch import finish as _finish
from core.autograd.grad_mode import _state as _grad_state
from core.autograd.grad_mode import no_grad
from core.ops import elementwise as E
from core.tensor import Tensor


def _no_bool_sub(a: Any, b: Any) -> None:
    a_bool = isinstance(a, Tensor) and a.dtype is _dt.bool_
    b_bool = isinstance(b, Tensor) and b.dtype is _dt.bool_
    if (a_bool and (b_bool or isinstance(b, bool))) or (b_bool and isinstance(a, bool)):
        raise RuntimeError(
            "Subtraction, the `-` operator, with two bool tensors is not supported. Use the `^` or "
            "`logical_xor()` operator instead."
        )
    if a_bool or b_bool or isinstance(a, bool) or isinstance(b, bool):  # a Python bool too
        raise RuntimeError(
            "Subtraction, the `-` operator, with a bool tensor is not supported. If you are trying "
            "to invert a mask, use the `~` or `logical_not()` operator instead."
        )


def _no_bool(a: Any, b: Any, kernel: str) -> None:
    """Floor/trunc division, remainder and pow have no bool kernel in PyTorch."""
    if (
        isinstance(a, Tensor)
        and a.dtype is _dt.bool_
        and (isinstance(b, bool) or (isinstance(b, Tensor) and b.dtype is _dt.bool_))
    ):
        raise NotImplementedError(f"\"{kernel}\" not implemented for 'Bool'")


def _tensor_first(input: Any, other: Any, name: str) -> tuple[Tensor, Any, bool]:
    if isinstance(input, Tensor):
        return input, other, False
    if isinstance(other, Tensor):
        return other, input, True
    raise TypeError(
        f"{name}(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}"
    )


# --- binary arithmetic --------------------------------------------------------------------------
def add(input: Any, other: Any, *, alpha: Any = 1, out: Tensor | None = None) -> Tensor:
    a, b, swapped = _tensor_first(input, other, "add")
    if swapped and not isinstance(b, Tensor):
        return _finish(binary(E.AddBackward0, a, b) if alpha == 1 else add(a * alpha, b), out)
    return _finish(binary(E.AddBackward0, a, b, alpha), out)


def sub(input: Any, other: Any, *, alpha: Any = 1, out: Tensor | None = None) -> Tensor:
    _no_bool_sub(input, other)
    if not isinstance(input, Tensor):
        return _finish(rsub(other, input, alpha=alpha), out)
    return _finish(binary(E.SubBackward0, input, other, alpha), out)


def rsub(input: Tensor, other: Any, *, alpha: Any = 1) -> Tensor:
    """``other - alpha * input``."""
    if isinstance(other, Tensor):
        return sub(other, input, alpha=alpha)
    _no_bool_sub(other, input)
    return binary(E.RsubBackward1, input, other, alpha)


def mul(input: Any, other: Any, *, out: Tensor | None = None) -> Tensor:
    a, b, _ = _tensor_first(input, other, "mul")
    return _finish(binary(E.MulBackward0, a, b), out)


def _float_result(a: Tensor, b: Any) -> _dt.dtype:
    d = promote(a, as_operand(b, a))
    return d if d.is_floating_point else _dt.get_default_dtype()


def div(
    input: Any, other: Any, *, rounding_mode: str | None = None, out: Tensor | None = None
) -> Tensor:
    if not isinstance(input, Tensor):
        if isinstance(other, Tensor):
            from core._dispatch import Scalar

            if type(input) in Scalar and rounding_mode is None:
                return _finish(mul(UNARY["reciprocal"](other), input), out)
            from core._creation import tensor

            input = tensor(input)
        else:
            raise TypeError("div(): argument 'input' must be Tensor")
    if rounding_mode is None:
        return _finish(
            binary(E.DivBackward0, input, other, out_dtype=_float_result(input, other)), out
        )
    if rounding_mode not in ("floor", "trunc"):
        raise RuntimeError(
            "div expected rounding_mode to be one of None, 'trunc', or 'floor' but found "
            f"'{rounding_mode}'"
        )
    other = as_operand(other, input)
    _no_bool(input, other, f"div_{rounding_mode}_cpu")
    d = promote(input, other)
    if not d.is_floating_point:
        return _finish(_int_div(input, other, rounding_mode, d), out)
    return _finish(binary(E.DivBackward2, input, other, rounding_mode), out)


def _int_div(a: Tensor, b: Any, mode: str, d: _dt.dtype) -> Tensor:
    x = a._data.astype(d.np)
    y = b._data.astype(d.np) if isinstance(b, Tensor) else b
    if np.any(np.asarray(y) == 0):
        raise RuntimeError("ZeroDivisionError")
    q = np.floor_divide(x, y) if mode == "floor" else (np.trunc(np.true_divide(x, y))).astype(d.np)
    return Tensor._wrap(np.asarray(q).astype(d.np))


def floor_divide(input: Any, other: Any, *, out: Tensor | None = None) -> Tensor:
    """As ``div(rounding_mode="floor")``, but PyTorch does not differentiate it."""
    with no_grad():
        result = div(input, other, rounding_mode="floor")
    return _finish(not_differentiable(result, (input, other), "floor_divide"), out)


def not_differentiable(result: Tensor, inputs: tuple, op: str) -> Tensor:
    """Give ``result`` PyTorch's ``NotImplemented`` node when an input requires grad."""
    tensors = tuple(t for t in inputs if isinstance(t, Tensor))
    if not (_grad_state.enabled and any(t._requires_grad for t in tensors)):
        return result
    if not result.dtype.is_floating_point:
        return result
    from core.autograd.function import _record

    node = E.NotImplementedBackward()
    node.op = op
    return _record(node, tensors, result._data)


def true_divide(input: Any, other: Any, *, out: Tensor | None = None) -> Tensor:
    return div(input, other, out=out)


def remainder(input: Any, other: Any, *, out: Tensor | None = None) -> Tensor:
    if not isinstance(input, Tensor):
        from core._creation import tensor

        input = tensor(input)
    other = as_operand(other, input)
    _no_bool(input, other, "remainder_cpu")
    _no_integer_zero_divisor(input, other)
    if isinstance(other, Tensor):
        return _finish(binary(E.RemainderBackward1, input, other), out)
    return _finish(binary(E.RemainderBackward0, input, other), out)


def _no_integer_zero_divisor(a: Tensor, b: Any) -> None:
    """An integer remainder by zero raises, as PyTorch's (floats give NaN)."""
    if promote(a, b).is_floating_point:
        return
    if bool((b._data == 0).any()) if isinstance(b, Tensor) else b == 0:
        raise RuntimeError("ZeroDivisionError")


def fmod(input: Tensor, other: Any, *, out: Tensor | None = None) -> Tensor:
    other = as_operand(other, input)
    _no_integer_zero_divisor(input, other)
    if isinstance(other, Tensor):
        return _finish(binary(E.FmodBackward1, input, other), out)
    return _finish(binary(E.FmodBackward0, input, other), out)


def pow(input: Any, exponent: Any, *, out: Tensor | None = None) -> Tensor:
    if not isinstance(input, Tensor):
        base = input
        e = exponent
        d = promote(e, as_operand(base, e))
        return _finish(binary(E.PowBackward2, e, base, out_dtype=d), out)
    exponent = as_operand(exponent, input)
    _no_bool(input, exponent, "pow")
    if isinstance(exponent, Tensor):
        return _finish(binary(E.PowBackward1, input, exponent), out)
    if input._data.dtype.kind in "iub" and isinstance(exponent, int) and exponent < 0:
        raise RuntimeError("Integers to negative integer powers are not allowed.")
    d = promote(input, exponent)
    if input._data.dtype == d.np:
        from core.autograd.function import apply_op

        return _finish(apply_op(E.PowBackward0, (input,), exponent), out)
    from core._dispatch import apply_cast

    return _finish(apply_cast(E.PowBackward0, (input,), [input._data.astype(d.np)], exponent), out)


def square(input: Tensor, *, out: Tensor | None = None) -> Tensor:
    return pow(input, 2, out=out)


def maximum(input: Tensor, other: Tensor, *, out: Tensor | None = None) -> Tensor:
    return _finish(binary(E.MaximumBackward0, input, other), out)


def minimum(input: Tensor, other: Tensor, *, out: Tensor | None = None) -> Tensor:
    return _finish(binary(E.MinimumBackward0, input, other), out)


def where(
    condition: Tensor, input: Any = None, other: Any = None, *, out: Tensor | None = None
) -> Tensor:
    if input is None and other is None:
        return nonzero(condition, as_tuple=True)
    cond = condition._data if isinstance(condition, Tensor) else np.asarray(condition)
    if cond.dtype != np.bool_:
        raise RuntimeError(
            f"where expected condition to be a boolean tensor, but got a tensor with dtype {_dt.from_numpy(cond.dtype).scalar_name}"
        )
    if not isinstance(input, Tensor):
        from core._creation import tensor

        if not isinstance(other, Tensor):
            input = tensor(input)
        else:
            d = promote(other, as_operand(input, other))
            input = tensor(input, dtype=d, device=other.device)
    other = as_operand(other, input)
    if not isinstance(other, Tensor):
        from core._creation import tensor

        other = tensor(other, dtype=promote(input, other), device=input.device)
    return _finish(binary(E.WhereBackward0, input, other, cond), out)


# --- unary ---------------------------------------------------------------------------------------
# PyTorch has no bool kernel for these: its words when given a bool tensor
_NO_BOOL = {
    "abs": (NotImplementedError, "\"abs_cpu\" not implemented for 'Bool'"),
    "floor": (NotImplementedError, "\"floor_vml_cpu\" not implemented for 'Bool'"),
    "ceil": (NotImplementedError, "\"ceil_vml_cpu\" not implemented for 'Bool'"),
    "round": (NotImplementedError, "\"round_vml_cpu\" not implemented for 'Bool'"),
    "trunc": (NotImplementedError, "\"trunc_vml_cpu\" not implemented for 'Bool'"),
    "relu": (RuntimeError, "Boolean inputs not supported for relu"),
}


def _unary(cls: type, to_float: bool, name: str) -> Any:
    refused = _NO_BOOL.get(name)

    def fn(input: Tensor, *, out: Tensor | None = None) -> Tensor:
        if refused is not None and input._data.dtype == np.bool_:
            raise refused[0](refused[1])
        return _finish(unary(cls, input, to_float=to_float), out)

    fn.__name__ = name
    fn.__doc__ = f"{name}(input) elementwise; {cls.__doc__}"
    return fn


_FLOAT_UNARY = {
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
    "reciprocal": E.ReciprocalBackward0,
}
_SAME_UNARY = {
    "abs": E.AbsBackward0,
    "relu": E.ReluBackward0,
    "floor": E.FloorBackward0,
    "ceil": E.CeilBackward0,
    "round": E.RoundBackward0,
    "sign": E.SignBackward0,
    "trunc": E.TruncBackward0,
}
UNARY: dict[str, Any] = {}
for _name, _cls in _FLOAT_UNARY.items():
    UNARY[_name] = _unary(_cls, True, _name)
for _name, _cls in _SAME_UNARY.items():
    UNARY[_name] = _unary(_cls, False, _name)
globals().update(UNARY)
_round0 = UNARY["round"]


def round(input: Tensor, *, decimals: int = 0, out: Tensor | None = None) -> Tensor:  # noqa: A001
    """Half to even, as PyTorch; with ``decimals``, to that many decimal places."""
    if decimals == 0:
        return _round0(input, out=out)
    return _finish(unary(E.RoundBackward1, input, decimals), out)


UNARY["round"] = round  # core.round is this one (with decimals), not the plain unary


def neg(input: Tensor, *, out: Tensor | None = None) -> Tensor:
    if input.dtype is _dt.bool_:
        raise RuntimeError(
            "Negation, the `-` operator, on a bool tensor is not supported. If you are trying to "
            "invert a mask, use the `~` or `logical_not()` operator instead."
        )
    return _finish(unary(E.NegBackward0, input), out)


negative = neg


def clamp(input: Tensor, min: Any = None, max: Any = None, *, out: Tensor | None = None) -> Tensor:
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    if isinstance(min, Tensor) or isinstance(max, Tensor):
        from core._creation import full_like
        from core._dispatch import apply_cast

        given = [b for b in (min, max) if isinstance(b, Tensor)]
        d = _clamp_dtype(input, *given)
        lo = min if isinstance(min, Tensor) else full_like(input, _extreme(d, -1, min), dtype=d)
        hi = max if isinstance(max, Tensor) else full_like(input, _extreme(d, 1, max), dtype=d)
        return _finish(
            apply_cast(
                E.ClampBackward0,
                (input, lo, hi),
                [input._data.astype(d.np), lo._data.astype(d.np), hi._data.astype(d.np)],
            ),
            out,
        )
    d = input.dtype
    for bound in (min, max):
        if isinstance(bound, float) and not d.is_floating_point:
            d = _dt.get_default_dtype()
    if d is not input.dtype:
        input = input.to(d)
    return _finish(unary(E.ClampBackward1, input, min, max), out)


clip = clamp


def _clamp_dtype(input: Tensor, *bounds: Tensor) -> _dt.dtype:
    """PyTorch's result type of clamp with tensor bounds: the operands promoted together."""
    dims = [t.dtype for t in (input, *bounds) if t.ndim]
    zero = [t.dtype for t in (input, *bounds) if not t.ndim]
    return _dt.result_type(dims, zero, [])


def _extreme(d: _dt.dtype, sign: int, value: Any) -> Any:
    """A bound that does not bind (for the side given as None), in dtype ``d``."""
    if value is not None:
        return value
    if d.is_floating_point:
        return sign * np.inf
    if d is _dt.bool_:
        return sign > 0
    info = np.iinfo(d.np)
    return info.max if sign > 0 else info.min


def clamp_min(input: Tensor, min: Any) -> Tensor:
    return _renamed(clamp(input, min=min), E.ClampMinBackward0)


def _renamed(out: Tensor, cls: type) -> Tensor:
    """clamp_min/clamp_max record PyTorch's own names for the same backward."""
    if type(out.grad_fn) is E.ClampBackward1:
        out.grad_fn.__class__ = cls
    return out


def clamp_max(input: Tensor, max: Any) -> Tensor:
    return _renamed(clamp(input, max=max), E.ClampMaxBackward0)


def lerp(input: Tensor, end: Tensor, weight: Any) -> Tensor:
    return input + weight * (end - input)


def addcmul(input: Tensor, tensor1: Tensor, tensor2: Tensor, *, value: Any = 1) -> Tensor:
    return input + value * tensor1 * tensor2


def addcdiv(input: Tensor, tensor1: Tensor, tensor2: Tensor, *, value: Any = 1) -> Tensor:
    return input + value * tensor1 / tensor2


# --- in-place variants ------------------------------------------------------------------------
def make_inplace(fn: Any, cls: type | None = None) -> Any:
    """``x.add_(y)``: the out-of-place op written into x, x taking its history."""

    def method(self: Tensor, *args: Any, **kwargs: Any) -> Tensor:
        if not _grad_state.enabled or not (self._requires_grad or _any_requires_grad(args)):
            result = fn(self, *args, **kwargs)
            return inplace(self, result)
        src = self
        if cls is None or needs_copy_for_inplace(cls, self):  # None: saves self, perhaps
            src = shallow_copy_for_inplace(self)
        return inplace(self, fn(src, *args, **kwargs))

    method.__name__ = fn.__name__ + "_"
    return method


def _any_requires_grad(args: tuple) -> bool:
    return any(isinstance(a, Tensor) and a._requires_grad for a in args)


# Comparisons and logic live in core/_logic.py; their names stay reachable here.
from core._logic import (  # noqa: E402, F401
    allclose,
    bitwise_and,
    bitwise_not,
    bitwise_or,
    bitwise_xor,
    eq,
    equal,
    ge,
    greater,
    greater_equal,
    gt,
    isclose,
    isfinite,
    isinf,
    isnan,
    le,
    less,
    less_equal,
    logical_and,
    logical_not,
    logical_or,
    logical_xor,
    lt,
    nan_to_num,
    ne,
    nonzero,
    not_equal,
)
