"""The one table of op cases behind tests/core/test_ops.py.

A case names a call written once for a torch-like module ``m`` (``core`` or ``torch``), the inputs
it takes, and a NumPy reference of its forward. Inputs are ``T`` (a tensor of a shape, dtype and
value domain; floating ones are differentiated) or ``C`` (a constant tensor: an index, a mask);
anything else is passed to the call as it is.

``op(name, ...)`` expands one op into the forms PyTorch has: function ``m.name(...)``, method
``x.name(...)``, in-place ``x.clone().name_(...)`` and ``out=``; ``case(...)`` is a single call
(operators, indexing, shape ops).
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np


@dataclass(frozen=True)
class T:
    """A tensor input: shape, dtype, value domain; floating inputs are differentiated."""

    shape: tuple
    dtype: str = "float32"
    domain: str = "any"
    grad: bool = True

    @property
    def differentiable(self) -> bool:
        return self.grad and self.dtype.startswith("float")


@dataclass(frozen=True)
class C:
    """A constant tensor input (index, mask, condition): never differentiated."""

    value: Any

    def array(self) -> np.ndarray:
        return np.asarray(self.value)


@dataclass
class Case:
    id: str
    call: Callable  # call(m, *inputs) -> Tensor or tuple of Tensors
    args: tuple
    ref: Callable | None = None  # ref(*numpy inputs) -> array or tuple of arrays
    grad: bool = True  # differentiable (backward checked against finite differences)
    out: Callable | None = None  # out(m, *inputs, out=o) -> o, for the out= form
    rtol: float = 1e-5
    atol: float = 1e-6
    xfail: str | None = None  # a deliberate, documented difference from torch
    tags: frozenset = field(default_factory=frozenset)

    def __repr__(self) -> str:
        return self.id


def values(spec: T, seed: int) -> np.ndarray:
    """Deterministic values in the spec's domain, away from kinks and rounding boundaries."""
    rng = np.random.default_rng(seed)
    shape, dt = spec.shape, spec.dtype
    if dt == "bool":
        return rng.random(shape) < 0.5
    if dt.startswith(("int", "uint")):
        lo, hi = {"pos": (1, 6), "any": (-6, 7)}.get(spec.domain, (-6, 7))
        if dt == "uint8":
            lo = max(lo, 0)
        a = rng.integers(lo, hi, shape)
        if spec.domain == "nonzero":
            a[a == 0] = 3
        return a.astype(dt)
    if spec.domain == "pos":
        a = rng.uniform(0.5, 2.0, shape)
    elif spec.domain == "unit":
        a = rng.uniform(-0.9, 0.9, shape)
    elif spec.domain == "nonzero":
        a = rng.uniform(0.5, 2.0, shape) * rng.choice([-1.0, 1.0], shape)
    else:  # any: magnitudes in [0.1, 2.2], never within 0.03 of a multiple of 0.5
        a = rng.uniform(0.1, 2.2, shape) * rng.choice([-1.0, 1.0], shape)
        frac = np.abs(a) % 0.5
        a = np.where(frac < 0.03, a + 0.05 * np.sign(a), a)
        a = np.where(frac > 0.47, a - 0.05 * np.sign(a), a)
    return np.asarray(a, dtype=dt)


def seed_of(case_id: str, i: int) -> int:
    return zlib.crc32(f"{case_id}/{i}".encode())


def shape_str(args: tuple) -> str:
    parts = []
    for a in args:
        if isinstance(a, T):
            s = "x".join(map(str, a.shape)) or "0d"
            parts.append(s if a.dtype == "float32" else f"{s}:{a.dtype}")
        elif isinstance(a, C):
            parts.append("c" + "x".join(map(str, a.array().shape)))
        else:
            parts.append(repr(a).replace(" ", ""))
    return ",".join(parts)


def _broadcast_first(args: tuple) -> bool:
    """In-place is possible only when the first tensor already has the broadcast shape."""
    shapes = [a.shape for a in args if isinstance(a, T)] + [
        a.array().shape for a in args if isinstance(a, C)
    ]
    if not args or not isinstance(args[0], T):
        return False
    try:
        return tuple(np.broadcast_shapes(*shapes)) == tuple(args[0].shape)
    except ValueError:
        return False


CASES: list[Case] = []


def case(
    id: str, call: Callable, *args: Any, ref: Callable | None = None, grad: bool = True, **kw: Any
) -> None:
    CASES.append(Case(f"{id}[{shape_str(args)}]", call, args, ref, grad, **kw))


def op(
    name: str,
    *args: Any,
    ref: Callable | None,
    forms: str = "fmio",
    grad: bool = True,
    kwargs: dict | None = None,
    tag: str = "",
    **kw: Any,
) -> None:
    """One op in its PyTorch forms: f(unction), m(ethod), i(n-place) and o(ut=)."""
    kwargs = dict(kwargs or {})
    suffix = "".join(f"-{k}={v}" for k, v in kwargs.items()) + (f"-{tag}" if tag else "")
    ref_kw = (lambda *a: ref(*a, **kwargs)) if ref is not None else None
    fn = lambda m, *a: getattr(m, name)(*a, **kwargs)  # noqa: E731
    out = lambda m, *a, out: getattr(m, name)(*a, **kwargs, out=out)  # noqa: E731
    sid = f"[{shape_str(args)}]"
    if "f" in forms:
        CASES.append(
            Case(
                f"{name}{suffix}{sid}",
                fn,
                args,
                ref_kw,
                grad,
                out=out if "o" in forms else None,
                **kw,
            )
        )
    if "m" in forms:
        meth = lambda m, x, *a: getattr(x, name)(*a, **kwargs)  # noqa: E731
        CASES.append(Case(f"{name}-method{suffix}{sid}", meth, args, ref_kw, grad, **kw))
    if "i" in forms and _broadcast_first(args):
        inpl = lambda m, x, *a: getattr(x.clone(), name + "_")(*a, **kwargs)  # noqa: E731
        CASES.append(
            Case(
                f"{name}_{suffix}{sid}", inpl, args, ref_kw, grad, tags=frozenset({"inplace"}), **kw
            )
        )


# --- references -------------------------------------------------------------------------------
def _sig(a: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-a))


def _tdiv(a: Any, b: Any) -> Any:
    return np.true_divide(a, b)


def _floor(a: Any, b: Any) -> Any:
    return np.floor(np.true_divide(a, b))


def _trunc(a: Any, b: Any) -> Any:
    return np.trunc(np.true_divide(a, b))


def _lse(a: np.ndarray, dim: Any, keepdim: bool = False) -> np.ndarray:
    m = a.max(axis=dim, keepdims=True)
    out = np.log(np.exp(a - m).sum(axis=dim, keepdims=True)) + m
    return out if keepdim else np.squeeze(out, axis=dim)


def _var(a: np.ndarray, dim: Any = None, correction: float = 1, keepdim: bool = False) -> Any:
    n = a.size if dim is None else np.prod([a.shape[d] for d in np.atleast_1d(dim)])
    c = a - a.mean(axis=dim, keepdims=True)
    return (c * c).sum(axis=dim, keepdims=keepdim) / (n - correction)


def _norm(a: np.ndarray, p: Any = 2, dim: Any = None, keepdim: bool = False) -> Any:
    if p == math.inf:
        return np.abs(a).max(axis=dim, keepdims=keepdim)
    return (np.abs(a) ** p).sum(axis=dim, keepdims=keepdim) ** (1 / p)


def _max_dim(a: np.ndarray, dim: int, keepdim: bool = False, fn: Any = np.argmax) -> tuple:
    i = np.expand_dims(fn(a, axis=dim), dim)
    v = np.take_along_axis(a, i, dim)
    if not keepdim:
        v, i = v.squeeze(dim), i.squeeze(dim)
    return v, i


def _scatter(a: np.ndarray, dim: int, index: np.ndarray, src: Any) -> np.ndarray:
    out = a.copy()
    for pos in np.ndindex(*index.shape):
        tgt = list(pos)
        tgt[dim] = index[pos]
        out[tuple(tgt)] = src[pos] if isinstance(src, np.ndarray) else src
    return out


def _gather(a: np.ndarray, dim: int, index: np.ndarray) -> np.ndarray:
    return np.take_along_axis(a, index, dim)


def _where(c: Any, a: Any, b: Any) -> Any:
    return np.where(c, a, b)


def _set(a: np.ndarray, key: Any, v: Any) -> np.ndarray:
    out = a.copy()
    out[key] = v
    return out


# --- the table ------------------------------------------------------------------------------------
F23, F3, F13, F21 = T((2, 3)), T((3,)), T((1, 3)), T((2, 1))
B = [((2, 3), (2, 3)), ((2, 3), (3,)), ((4, 1, 3), (2, 3)), ((2, 3), ()), ((), (2, 3))]

for sa, sb in B:
    op("add", T(sa), T(sb), ref=np.add)
    op("sub", T(sa), T(sb), ref=np.subtract)
    op("mul", T(sa), T(sb), ref=np.multiply)
    op("div", T(sa), T(sb, domain="nonzero"), ref=_tdiv)
op("add", F23, F3, ref=lambda a, b, alpha: a + alpha * b, kwargs={"alpha": 2.5})
op("sub", F23, F13, ref=lambda a, b, alpha: a - alpha * b, kwargs={"alpha": 3})
op("add", F23, 2.5, ref=np.add, tag="scalar")
op("sub", F23, 2, ref=np.subtract, tag="scalar")
op("mul", F23, 3, ref=np.multiply, tag="scalar")
op("div", F23, 4, ref=_tdiv, tag="scalar")
op("add", T((2, 3), "int64"), T((3,), "int64"), ref=np.add)
op("add", T((2, 3), "int64"), 2, ref=lambda a, b, alpha: a + alpha * b, kwargs={"alpha": 3})
op("add", T((2, 3), "int32"), F3, ref=np.add, forms="fmo")
op("add", T((2, 3), "int64"), 1.5, ref=np.add, forms="fmo", tag="scalar")
op("mul", T((2, 3), "uint8"), T((2, 3), "int8"), ref=np.multiply, forms="fmo")
op("mul", T((2, 3), "float16"), T((2, 3), "int64"), ref=np.multiply, rtol=2e-3, atol=1e-3)
op("add", T((2, 3), "bool"), T((2, 3), "bool"), ref=np.logical_or, forms="fmo")
op("div", T((2, 3), "int64"), T((2, 3), "int64", "nonzero"), ref=_tdiv, forms="fmo")
op("div", T((2, 3), "int64"), 4, ref=_tdiv, forms="fmo", tag="scalar")
for mode, r in (("floor", _floor), ("trunc", _trunc)):
    r2 = lambda a, b, rounding_mode, r=r: r(a, b)  # noqa: E731
    op("div", F23, T((2, 3), domain="nonzero"), ref=r2, kwargs={"rounding_mode": mode})
    op("div", F23, T((3,), domain="nonzero"), ref=r2, kwargs={"rounding_mode": mode})
    op(
        "div",
        T((2, 3), "int64"),
        T((2, 3), "int64", "nonzero"),
        ref=r2,
        kwargs={"rounding_mode": mode},
    )
    op("div", T((2, 3), "int64"), 4, ref=r2, kwargs={"rounding_mode": mode}, tag="scalar")
op("floor_divide", T((2, 3), "int64"), T((2, 3), "int64", "nonzero"), ref=_floor)
op("remainder", F23, T((2, 3), domain="nonzero"), ref=np.remainder, forms="fmo")
op("remainder", F23, 0.75, ref=np.remainder, tag="scalar")
op("remainder", T((2, 3), "int64"), T((2, 3), "int64", "nonzero"), ref=np.remainder)
op("fmod", F23, 0.75, ref=np.fmod, grad=False, tag="scalar")
op("pow", F23, 2, ref=np.power, tag="scalar")
op("pow", F23, 3, ref=np.power, tag="scalar")
op("pow", T((2, 3), domain="pos"), 2.5, ref=np.power, tag="scalar")
op("pow", T((2, 3), domain="pos"), -1.5, ref=np.power, tag="scalar")
op("pow", T((2, 3), domain="pos"), T((2, 3)), ref=np.power)
op("pow", T((2, 3), domain="pos"), T((3,)), ref=np.power)
op("pow", T((2, 3), "int64"), 2, ref=np.power, tag="scalar")
op("pow", T((2, 3), "int64", "pos"), 0.5, ref=np.power, forms="fmo", tag="scalar")
case("pow-scalar-base", lambda m, x: m.pow(2, x), F23, ref=lambda a: np.power(2.0, a))
case(
    "pow-scalar-base-out",
    lambda m, x: m.pow(2.5, x, out=m.empty(0, dtype=x.dtype)),
    T((2, 3), grad=False),
    ref=lambda a: np.power(2.5, a),
    grad=False,
)
op("maximum", F23, T((2, 3)), ref=np.maximum, forms="fmo")
op("maximum", F23, F3, ref=np.maximum, forms="fmo")
op("minimum", F23, F21, ref=np.minimum, forms="fmo")
op("minimum", T((2, 3), "int64"), T((2, 3), "int64"), ref=np.minimum, forms="fmo")

MASK23 = C(np.array([[True, False, True], [False, False, True]]))
case("where", lambda m, c, x, y: m.where(c, x, y), MASK23, F23, F23, ref=_where)
case("where-bcast", lambda m, c, x, y: m.where(c, x, y), MASK23, F3, F21, ref=_where)
case(
    "where-scalar",
    lambda m, c, x: m.where(c, x, 0.5),
    MASK23,
    F23,
    ref=lambda c, a: np.where(c, a, 0.5),
)
case("where-method", lambda m, c, x, y: x.where(c, y), MASK23, F23, F23, ref=_where)
case(
    "where-out",
    lambda m, c, x, y: m.where(c, x, y, out=m.empty(0)),
    MASK23,
    T((2, 3), grad=False),
    T((2, 3), grad=False),
    ref=_where,
    grad=False,
)

UNARY = {
    "neg": (np.negative, "any"),
    "abs": (np.abs, "any"),
    "exp": (np.exp, "any"),
    "log": (np.log, "pos"),
    "log1p": (np.log1p, "pos"),
    "sqrt": (np.sqrt, "pos"),
    "rsqrt": (lambda a: 1 / np.sqrt(a), "pos"),
    "sin": (np.sin, "any"),
    "cos": (np.cos, "any"),
    "tan": (np.tan, "unit"),
    "tanh": (np.tanh, "any"),
    "sigmoid": (_sig, "any"),
    "floor": (np.floor, "any"),
    "ceil": (np.ceil, "any"),
    "round": (np.round, "any"),
    "sign": (np.sign, "any"),
    "reciprocal": (np.reciprocal, "nonzero"),
    "trunc": (np.trunc, "any"),
}
for _name, (_ref, _dom) in UNARY.items():
    op(_name, T((2, 3), domain=_dom), ref=_ref)
    op(_name, T((4,), "float64", _dom), ref=_ref, forms="f")
op("relu", F23, ref=lambda a: np.maximum(a, 0), forms="fmi")
op("exp", T((2, 3), "int64"), ref=np.exp, forms="fmo")
op("sqrt", T((2, 3), "int64", "pos"), ref=np.sqrt, forms="fo")
op("sigmoid", T((3,), "int32"), ref=_sig, forms="f")
op("abs", T((2, 3), "int64"), ref=np.abs)
op("neg", T((2, 3), "int64"), ref=np.negative)
op("sign", T((2, 3), "int64"), ref=np.sign, forms="fm")
op("floor", T((2, 3), "int64"), ref=np.floor, forms="f")
op("round", F23, ref=lambda a, decimals: np.round(a, decimals), kwargs={"decimals": 1})
op("exp", T((2, 3), "float16"), ref=np.exp, rtol=2e-3, atol=1e-3, forms="f")
op("clamp", F23, ref=lambda a, min, max: np.clip(a, min, max), kwargs={"min": -0.5, "max": 0.5})
op("clamp", F23, ref=lambda a, min: np.maximum(a, min), kwargs={"min": 0.25})
op("clamp", F23, ref=lambda a, max: np.minimum(a, max), kwargs={"max": -0.25})
op(
    "clamp",
    T((2, 3), "int64"),
    ref=lambda a, min, max: np.clip(a, min, max),
    kwargs={"min": -2, "max": 3},
)
op(
    "clamp",
    T((2, 3), "int64"),
    ref=lambda a, min: np.maximum(a, min).astype(np.float32),
    kwargs={"min": 0.5},
    forms="fm",
)
case(
    "clamp-tensor-bounds",
    lambda m, x, lo, hi: m.clamp(x, lo, hi),
    F23,
    T((2, 3), domain="unit"),
    T((3,), domain="pos"),
    ref=lambda a, lo, hi: np.minimum(np.maximum(a, lo), hi),
)
op("clamp_min", F23, 0.25, ref=np.maximum, forms="fmi")
op("clamp_max", F23, -0.25, ref=np.minimum, forms="fmi")
case(
    "fill_",
    lambda m, x: x.clone().fill_(2.5),
    F23,
    ref=lambda a: np.full_like(a, 2.5),
    tags=frozenset({"inplace"}),
)
case(
    "fill_-tensor",
    lambda m, x, v: x.clone().fill_(v),
    F23,
    T(()),
    ref=lambda a, v: np.full_like(a, v),
    tags=frozenset({"inplace"}),
)
case("zero_", lambda m, x: x.clone().zero_(), F23, ref=np.zeros_like, tags=frozenset({"inplace"}))
case(
    "copy_",
    lambda m, x, y: x.clone().copy_(y),
    F23,
    F3,
    ref=lambda a, b: np.broadcast_to(b, a.shape),
    tags=frozenset({"inplace"}),
)
case(
    "copy_-into-plain",
    lambda m, y: m.zeros(2, 3, dtype=y.dtype).copy_(y * 2),
    F3,
    ref=lambda b: np.broadcast_to(b * 2, (2, 3)),
    tags=frozenset({"inplace"}),
)
case(
    "copy_-cast",
    lambda m, x, y: x.clone().copy_(y),
    F23,
    T((2, 3), "float64"),
    ref=lambda a, b: b,
    tags=frozenset({"inplace"}),
)
case("getitem-ellipsis-all", lambda m, x: x[...], T((4, 3)), ref=lambda a: a)
case("getitem-slice-all", lambda m, x: x[:, :], T((4, 3)), ref=lambda a: a)
case("clip", lambda m, x: x.clip(-0.5, 0.5), F23, ref=lambda a: np.clip(a, -0.5, 0.5))

for _name, _ref in (
    ("eq", np.equal),
    ("ne", np.not_equal),
    ("lt", np.less),
    ("le", np.less_equal),
    ("gt", np.greater),
    ("ge", np.greater_equal),
):
    op(_name, T((2, 3), "int64"), T((3,), "int64"), ref=_ref, forms="fmo", grad=False)
    op(_name, F23, 0.5, ref=_ref, forms="fmi", grad=False, tag="scalar")
    op(_name, F23, F3, ref=_ref, forms="i", grad=False)
    op(_name, F23, T((2, 3), "float64"), ref=_ref, forms="f", grad=False)
for _name, _ref in (
    ("logical_and", np.logical_and),
    ("logical_or", np.logical_or),
    ("logical_xor", np.logical_xor),
):
    op(_name, T((2, 3), "bool"), T((2, 3), "bool"), ref=_ref, forms="fmio", grad=False)
    op(_name, F23, T((2, 3), "int64"), ref=_ref, forms="f", grad=False)
op("logical_not", T((2, 3), "bool"), ref=np.logical_not, forms="fmo", grad=False)
op("logical_not", T((2, 3), "int64"), ref=np.logical_not, forms="f", grad=False)
SPECIAL = C(np.array([1.0, np.nan, np.inf, -np.inf, -0.0], dtype=np.float32))
for _name, _ref in (("isnan", np.isnan), ("isinf", np.isinf), ("isfinite", np.isfinite)):
    case(_name, lambda m, x, n=_name: getattr(m, n)(x), SPECIAL, ref=_ref, grad=False)
    case(_name + "-method", lambda m, x, n=_name: getattr(x, n)(), SPECIAL, ref=_ref, grad=False)
    case(
        _name + "-int",
        lambda m, x, n=_name: getattr(m, n)(x),
        T((3,), "int64"),
        ref=_ref,
        grad=False,
    )

# --- every Python operator --------------------------------------------------------------------
OPS2 = {
    "+": (lambda x, y: x + y, np.add),
    "-": (lambda x, y: x - y, np.subtract),
    "*": (lambda x, y: x * y, np.multiply),
    "/": (lambda x, y: x / y, _tdiv),
    "//": (lambda x, y: x // y, _floor),
    "%": (lambda x, y: x % y, np.remainder),
    "**": (lambda x, y: x**y, np.power),
}
for _sym, (_f, _ref) in OPS2.items():
    pos = "pos" if _sym == "**" else "any"
    den = "nonzero" if _sym in "/%//" else "any"
    g = _sym != "//"  # floor division has no derivative in torch (NotImplemented node)
    case(
        f"op{_sym}",
        lambda m, x, y, f=_f: f(x, y),
        T((2, 3), domain=pos),
        T((3,), domain=den),
        ref=_ref,
        grad=g,
    )
    case(
        f"op{_sym}-scalar",
        lambda m, x, f=_f: f(x, 1.5),
        T((2, 3), domain=pos),
        ref=lambda a, r=_ref: r(a, 1.5),
        grad=g,
    )
    case(
        f"op{_sym}-rscalar",
        lambda m, x, f=_f: f(3, x),
        T((2, 3), domain="nonzero" if _sym != "**" else "any"),
        ref=lambda a, r=_ref: r(3.0, a),
        grad=g and _sym != "%",
    )
    case(
        f"op{_sym}-int",
        lambda m, x, y, f=_f: f(x, y),
        T((2, 3), "int64", "pos"),
        T((2, 3), "int64", "pos"),
        ref=_ref,
    )
    case(
        f"op{_sym}-int-scalar",
        lambda m, x, f=_f: f(x, 2),
        T((2, 3), "int64", "pos"),
        ref=lambda a, r=_ref: r(a, 2),
    )
    case(
        f"op{_sym}=",
        lambda m, x, y, s=_sym: _iop(s, x.clone(), y),
        T((2, 3), domain=pos),
        T((3,), domain=den),
        ref=_ref,
        grad=g,
        tags=frozenset({"inplace"}),
    )
for _sym, _f, _ref in (
    ("==", lambda x, y: x == y, np.equal),
    ("!=", lambda x, y: x != y, np.not_equal),
    ("<", lambda x, y: x < y, np.less),
    ("<=", lambda x, y: x <= y, np.less_equal),
    (">", lambda x, y: x > y, np.greater),
    (">=", lambda x, y: x >= y, np.greater_equal),
):
    case(f"op{_sym}", lambda m, x, y, f=_f: f(x, y), F23, F3, ref=_ref, grad=False)
    case(
        f"op{_sym}-scalar",
        lambda m, x, f=_f: f(x, 0.5),
        F23,
        ref=lambda a, r=_ref: r(a, 0.5),
        grad=False,
    )
for _sym, _f, _ref in (
    ("&", lambda x, y: x & y, np.bitwise_and),
    ("|", lambda x, y: x | y, np.bitwise_or),
    ("^", lambda x, y: x ^ y, np.bitwise_xor),
):
    case(
        f"op{_sym}-bool",
        lambda m, x, y, f=_f: f(x, y),
        T((2, 3), "bool"),
        T((2, 3), "bool"),
        ref=_ref,
        grad=False,
    )
    case(
        f"op{_sym}-int",
        lambda m, x, y, f=_f: f(x, y),
        T((2, 3), "int64"),
        T((3,), "int32"),
        ref=_ref,
        grad=False,
    )
    case(
        f"op{_sym}-int-scalar",
        lambda m, x, f=_f: f(x, 6),
        T((2, 3), "int64"),
        ref=lambda a, r=_ref: r(a, 6),
        grad=False,
    )
    case(
        f"op{_sym}=-bool",
        lambda m, x, y, s=_sym: _iop(s, x.clone(), y),
        T((2, 3), "bool"),
        T((2, 3), "bool"),
        ref=_ref,
        grad=False,
    )
case("op~-bool", lambda m, x: ~x, T((2, 3), "bool"), ref=np.invert, grad=False)
case("op~-int", lambda m, x: ~x, T((2, 3), "int64"), ref=np.invert, grad=False)
case("op-neg", lambda m, x: -x, F23, ref=np.negative)
case("op+pos", lambda m, x: +x, F23, ref=lambda a: a)
case("op-abs", lambda m, x: abs(x), F23, ref=np.abs)
case("op@-mm", lambda m, x, y: x @ y, T((2, 3)), T((3, 4)), ref=np.matmul)
case("op@-mv", lambda m, x, y: x @ y, T((2, 3)), T((3,)), ref=np.matmul)
case("op@-dot", lambda m, x, y: x @ y, T((3,)), T((3,)), ref=np.matmul)


_IOPS = {
    "+": "iadd",
    "-": "isub",
    "*": "imul",
    "/": "itruediv",
    "//": "ifloordiv",
    "%": "imod",
    "**": "ipow",
    "&": "iand",
    "|": "ior",
    "^": "ixor",
}


def _iop(sym: str, x: Any, y: Any) -> Any:
    """``x op= y`` through the augmented assignment of the operator ``sym``."""
    import operator

    return getattr(operator, _IOPS[sym])(x, y)


# --- reductions -------------------------------------------------------------------------------------
F234 = T((2, 3, 4))
op("sum", F234, ref=np.sum, forms="fm")
op("sum", F234, 1, ref=lambda a, d: a.sum(d), forms="fmo")
op(
    "sum",
    F234,
    ref=lambda a, dim, keepdim: a.sum(dim, keepdims=keepdim),
    kwargs={"dim": -1, "keepdim": True},
    forms="fmo",
)
op("sum", F234, (0, 2), ref=lambda a, d: a.sum(d), forms="fm")
op("sum", T((2, 3), "int32"), ref=lambda a: a.sum().astype(np.int64), forms="fm")
op("sum", T((2, 3), "bool"), 0, ref=lambda a, d: a.sum(d), forms="fm")
op("sum", T((2, 3), "float16"), ref=np.sum, forms="f", rtol=2e-3, atol=2e-3)
op("mean", F234, ref=np.mean, forms="fm")
op("mean", F234, 1, ref=lambda a, d: a.mean(d), forms="fmo")
op(
    "mean",
    F234,
    ref=lambda a, dim, keepdim: a.mean(dim, keepdims=keepdim),
    kwargs={"dim": (0, 1), "keepdim": True},
    forms="fm",
)
op("prod", T((2, 3), domain="nonzero"), ref=np.prod, forms="fm")
op("prod", T((2, 3), domain="nonzero"), 1, ref=lambda a, d: a.prod(d), forms="fmo")
op(
    "prod",
    T((2, 3), domain="nonzero"),
    ref=lambda a, dim, keepdim: a.prod(dim, keepdims=True),
    kwargs={"dim": 0, "keepdim": True},
    forms="fm",
)
op("prod", T((2, 3), "int64"), ref=np.prod, forms="f")
case(
    "prod-with-zero",
    lambda m, x: x.prod(),
    C(np.array([1.5, 0.0, 2.0], np.float32)),
    ref=np.prod,
    grad=False,
)
for _name, _np, _arg in (("max", np.max, np.argmax), ("min", np.min, np.argmin)):
    op(_name, F234, ref=_np, forms="fm")
    op(_name, F234, 1, ref=lambda a, d, f=_arg: _max_dim(a, d, fn=f), forms="fm")
    op(
        _name,
        F234,
        ref=lambda a, dim, keepdim, f=_arg: _max_dim(a, dim, keepdim, fn=f),
        kwargs={"dim": -1, "keepdim": True},
        forms="fm",
    )
    op(_name, T((2, 3), "int64"), 0, ref=lambda a, d, f=_arg: _max_dim(a, d, fn=f), forms="f")
    case(
        f"{_name}-values",
        lambda m, x, n=_name: getattr(x, n)(dim=0).values,
        F234,
        ref=lambda a, f=_np: f(a, 0),
    )
    case(
        f"{_name}-indices",
        lambda m, x, n=_name: getattr(m, n)(x, 0).indices,
        F234,
        ref=lambda a, f=_arg: f(a, 0),
        grad=False,
    )
    case(
        f"{_name}-binary",
        lambda m, x, y, n=_name: getattr(m, n)(x, y),
        F23,
        F3,
        ref=np.maximum if _name == "max" else np.minimum,
    )
for _name, _arg in (("argmax", np.argmax), ("argmin", np.argmin)):
    op(_name, F234, ref=lambda a, f=_arg: f(a), forms="fm", grad=False)
    op(_name, F234, 1, ref=lambda a, d, f=_arg: f(a, d), forms="fmo", grad=False)
    op(
        _name,
        F234,
        ref=lambda a, dim, keepdim, f=_arg: np.expand_dims(f(a, dim), dim),
        kwargs={"dim": 2, "keepdim": True},
        forms="fm",
        grad=False,
    )
op("amax", F234, (0, 2), ref=lambda a, d: a.max(d), forms="fm")
for _name, _f in (
    ("var", lambda *a, **k: _var(*a, **k)),
    ("std", lambda *a, **k: np.sqrt(_var(*a, **k))),
):
    op(_name, F234, ref=_f, forms="fm")
    op(_name, F234, 1, ref=lambda a, d, f=_f: f(a, d), forms="fmo")
    op(
        _name,
        F234,
        ref=lambda a, dim, correction, keepdim, f=_f: f(a, dim, correction, keepdim),
        kwargs={"dim": (0, 2), "correction": 0, "keepdim": True},
        forms="fm",
    )
    op(
        _name,
        F234,
        ref=lambda a, dim, correction, f=_f: f(a, dim, correction),
        kwargs={"dim": -1, "correction": 2},
        forms="fm",
    )
    op(_name, F234, 1, False, ref=lambda a, d, u, f=_f: f(a, d, 0), forms="fm", tag="unbiased")
op("norm", F234, ref=_norm, forms="fm")
op("norm", F234, ref=lambda a, p: _norm(a, p), kwargs={"p": 1}, forms="fm")
op("norm", F234, ref=lambda a, p: _norm(a, p), kwargs={"p": 3}, forms="fm")
op(
    "norm",
    F234,
    ref=lambda a, p, dim: _norm(a, p, dim),
    kwargs={"p": math.inf, "dim": 1},
    forms="fm",
)
op(
    "norm",
    F234,
    ref=lambda a, dim, keepdim: _norm(a, 2, dim, keepdim),
    kwargs={"dim": (1, 2), "keepdim": True},
    forms="fm",
)
op("logsumexp", F234, 1, ref=lambda a, d: _lse(a, d), forms="fmo")
op(
    "logsumexp",
    F234,
    ref=lambda a, dim, keepdim: _lse(a, dim, keepdim),
    kwargs={"dim": (0, 2), "keepdim": True},
    forms="fm",
)
op("logsumexp", T((2, 3), "int64"), 1, ref=lambda a, d: _lse(a.astype(np.float64), d), forms="f")
op("cumsum", F234, 1, ref=lambda a, d: np.cumsum(a, d), forms="fmio")
op("cumsum", T((2, 3), "int32"), 0, ref=lambda a, d: np.cumsum(a, d).astype(np.int64), forms="fm")
op("cumsum", T((2, 3), "bool"), -1, ref=lambda a, d: np.cumsum(a, d), forms="f")
for _name, _np in (("all", np.all), ("any", np.any)):
    op(_name, T((2, 3), "bool"), ref=_np, forms="fm", grad=False)
    op(_name, T((2, 3), "bool"), 1, ref=lambda a, d, f=_np: f(a, d), forms="fmo", grad=False)
    op(
        _name,
        T((2, 3), "int64"),
        ref=lambda a, dim, keepdim, f=_np: f(a, dim, keepdims=keepdim),
        kwargs={"dim": 0, "keepdim": True},
        forms="fm",
        grad=False,
    )
    op(_name, F23, ref=_np, forms="f", grad=False)

# --- linear algebra -----------------------------------------------------------------------------
MATMUL = [
    ((3,), (3,)),
    ((2, 3), (3,)),
    ((3,), (3, 4)),
    ((2, 3), (3, 4)),
    ((2, 2, 3), (3, 4)),
    ((2, 2, 3), (3,)),
    ((2, 2, 3), (2, 3, 4)),
    ((3,), (2, 3, 4)),
    ((2, 1, 2, 3), (5, 3, 2)),
    ((1, 2, 3), (2, 3, 4)),
]
for sa, sb in MATMUL:
    op("matmul", T(sa), T(sb), ref=np.matmul, forms="fmo")
op("mm", T((2, 3)), T((3, 4)), ref=np.matmul, forms="fmo")
op("bmm", T((2, 2, 3)), T((2, 3, 4)), ref=np.matmul, forms="fmo")
op("mv", T((2, 3)), T((3,)), ref=np.matmul, forms="fmo")
op("dot", T((3,)), T((3,)), ref=np.dot, forms="fmo")
op("outer", T((3,)), T((4,)), ref=np.outer, forms="fmo")
op("mm", T((2, 3), "int64"), T((3, 4), "int64"), ref=np.matmul, forms="f")
op("matmul", T((2, 3), "float64"), T((3, 2), "float64"), ref=np.matmul, forms="f")
case(
    "mm-transposed", lambda m, x, y: m.mm(x.t(), y), T((3, 2)), T((3, 4)), ref=lambda a, b: a.T @ b
)
case(
    "addmm",
    lambda m, c, x, y: m.addmm(c, x, y),
    T((4,)),
    T((2, 3)),
    T((3, 4)),
    ref=lambda c, a, b: c + a @ b,
)

# --- shape ------------------------------------------------------------------------------------------
case("t", lambda m, x: x.t(), F23, ref=lambda a: a.T)
case("t-fn", lambda m, x: m.t(x), F23, ref=lambda a: a.T)
case("t-1d", lambda m, x: x.t(), F3, ref=lambda a: a)
case("t_", lambda m, x: x.clone().t_(), F23, ref=lambda a: a.T, tags=frozenset({"inplace"}))
case("T", lambda m, x: x.T, F23, ref=lambda a: a.T)
case("mT", lambda m, x: x.mT, F234, ref=lambda a: np.swapaxes(a, -1, -2))
case("transpose", lambda m, x: x.transpose(0, 2), F234, ref=lambda a: np.swapaxes(a, 0, 2))
case("transpose-fn", lambda m, x: m.transpose(x, -1, 1), F234, ref=lambda a: np.swapaxes(a, -1, 1))
case(
    "transpose_",
    lambda m, x: x.clone().transpose_(0, 1),
    F234,
    ref=lambda a: np.swapaxes(a, 0, 1),
    tags=frozenset({"inplace"}),
)
case("permute", lambda m, x: x.permute(2, 0, 1), F234, ref=lambda a: a.transpose(2, 0, 1))
case(
    "permute-tuple", lambda m, x: m.permute(x, (1, 2, 0)), F234, ref=lambda a: a.transpose(1, 2, 0)
)
case("view", lambda m, x: x.view(-1), F234, ref=lambda a: a.reshape(-1))
case("view-2", lambda m, x: x.view(4, -1), F234, ref=lambda a: a.reshape(4, -1))
case("view-tuple", lambda m, x: x.view((6, 4)), F234, ref=lambda a: a.reshape(6, 4))
case("view-then-t", lambda m, x: x.view(6, 4).t(), F234, ref=lambda a: a.reshape(6, 4).T)
case(
    "view-of-t-compatible",
    lambda m, x: x.t().view(3, 2, 1),
    F23,
    ref=lambda a: a.T.reshape(3, 2, 1),
)
case("view_as", lambda m, x, y: x.view_as(y), F23, T((3, 2)), ref=lambda a, b: a.reshape(3, 2))
case("reshape", lambda m, x: x.reshape(3, 8), F234, ref=lambda a: a.reshape(3, 8))
case("reshape-fn", lambda m, x: m.reshape(x, (-1,)), F234, ref=lambda a: a.reshape(-1))
case("reshape-noncontig", lambda m, x: x.t().reshape(-1), F23, ref=lambda a: a.T.reshape(-1))
case("flatten", lambda m, x: x.flatten(), F234, ref=lambda a: a.reshape(-1))
case("flatten-range", lambda m, x: m.flatten(x, 1), F234, ref=lambda a: a.reshape(2, 12))
case("flatten-0d", lambda m, x: x.flatten(), T(()), ref=lambda a: a.reshape(1))
case("squeeze", lambda m, x: x.squeeze(), T((2, 1, 3, 1)), ref=lambda a: a.squeeze())
case("squeeze-dim", lambda m, x: x.squeeze(1), T((2, 1, 3)), ref=lambda a: a.squeeze(1))
case("squeeze-dim-noop", lambda m, x: m.squeeze(x, 0), T((2, 1, 3)), ref=lambda a: a)
case(
    "squeeze_",
    lambda m, x: x.clone().squeeze_(),
    T((2, 1, 3)),
    ref=lambda a: a.squeeze(),
    tags=frozenset({"inplace"}),
)
case("unsqueeze", lambda m, x: x.unsqueeze(1), F23, ref=lambda a: a[:, None])
case("unsqueeze-neg", lambda m, x: m.unsqueeze(x, -1), F23, ref=lambda a: a[..., None])
case(
    "unsqueeze_",
    lambda m, x: x.clone().unsqueeze_(0),
    F23,
    ref=lambda a: a[None],
    tags=frozenset({"inplace"}),
)
case("expand", lambda m, x: x.expand(4, 2, 3), F13, ref=lambda a: np.broadcast_to(a, (4, 2, 3)))
case("expand-minus1", lambda m, x: x.expand(2, -1), F13, ref=lambda a: np.broadcast_to(a, (2, 3)))
case(
    "expand_as",
    lambda m, x, y: x.expand_as(y),
    F21,
    T((2, 5)),
    ref=lambda a, b: np.broadcast_to(a, (2, 5)),
)
case("repeat", lambda m, x: x.repeat(2, 3), F23, ref=lambda a: np.tile(a, (2, 3)))
case("repeat-more-dims", lambda m, x: x.repeat(2, 1, 2), F23, ref=lambda a: np.tile(a, (2, 1, 2)))
case("cat", lambda m, x, y: m.cat([x, y]), F23, T((1, 3)), ref=lambda a, b: np.concatenate([a, b]))
case(
    "cat-dim1",
    lambda m, x, y: m.cat((x, y), dim=1),
    F23,
    F21,
    ref=lambda a, b: np.concatenate([a, b], 1),
)
case(
    "cat-promote",
    lambda m, x, y: m.cat([x, y]),
    F23,
    T((1, 3), "int64"),
    ref=lambda a, b: np.concatenate([a, b]),
)
case(
    "cat-out",
    lambda m, x, y: m.cat([x, y], out=m.empty(0)),
    T((2, 3), grad=False),
    T((2, 3), grad=False),
    ref=lambda a, b: np.concatenate([a, b]),
    grad=False,
)
case("stack", lambda m, x, y: m.stack([x, y]), F23, F23, ref=lambda a, b: np.stack([a, b]))
case(
    "stack-dim",
    lambda m, x, y: m.stack((x, y), dim=-1),
    F23,
    F23,
    ref=lambda a, b: np.stack([a, b], -1),
)
case(
    "stack-out",
    lambda m, x, y: m.stack([x, y], 1, out=m.empty(0)),
    T((2, 3), grad=False),
    T((2, 3), grad=False),
    ref=lambda a, b: np.stack([a, b], 1),
    grad=False,
)
case("split", lambda m, x: x.split(2), T((5, 3)), ref=lambda a: (a[:2], a[2:4], a[4:]))
case("split-sizes", lambda m, x: m.split(x, [1, 2], dim=1), F23, ref=lambda a: (a[:, :1], a[:, 1:]))
case("chunk", lambda m, x: x.chunk(3, 1), T((2, 7)), ref=lambda a: (a[:, :3], a[:, 3:6], a[:, 6:]))
case("chunk-fn", lambda m, x: m.chunk(x, 2), T((4, 3)), ref=lambda a: (a[:2], a[2:]))
case("unbind", lambda m, x: x.unbind(1), F23, ref=lambda a: tuple(a[:, i] for i in range(3)))
case("contiguous", lambda m, x: x.t().contiguous(), F23, ref=lambda a: a.T)
case("contiguous-noop", lambda m, x: x.contiguous(), F23, ref=lambda a: a)
case("clone", lambda m, x: x.clone(), F23, ref=lambda a: a)
case("flip", lambda m, x: x.flip(0), F23, ref=lambda a: a[::-1])
case("narrow", lambda m, x: x.narrow(1, 1, 2), F23, ref=lambda a: a[:, 1:3])

# --- indexing ---------------------------------------------------------------------------------------
IDX = {
    "int": (lambda x: x[1], lambda a: a[1]),
    "neg-int": (lambda x: x[-1], lambda a: a[-1]),
    "int-int": (lambda x: x[1, 2], lambda a: a[1, 2]),
    "chained": (lambda x: x[1][2], lambda a: a[1][2]),
    "col": (lambda x: x[:, 1], lambda a: a[:, 1]),
    "slice": (lambda x: x[1:3], lambda a: a[1:3]),
    "slice-step": (lambda x: x[::2], lambda a: a[::2]),
    "slice-2d": (lambda x: x[1:, :2], lambda a: a[1:, :2]),
    "slice-empty": (lambda x: x[3:1], lambda a: a[3:1]),
    "none": (lambda x: x[None], lambda a: a[None]),
    "none-mid": (lambda x: x[:, None, 1], lambda a: a[:, None, 1]),
    "ellipsis": (lambda x: x[..., 1], lambda a: a[..., 1]),
    "ellipsis-none": (lambda x: x[..., None], lambda a: a[..., None]),
    "list": (lambda x: x[[0, 2, 0]], lambda a: a[[0, 2, 0]]),
    "two-lists": (lambda x: x[[0, 2], [1, 0]], lambda a: a[[0, 2], [1, 0]]),
    "slice-list": (lambda x: x[1:, [0, 2]], lambda a: a[1:, [0, 2]]),
    "list-neg": (lambda x: x[[-1, 0]], lambda a: a[[-1, 0]]),
}
for _name, (_f, _ref) in IDX.items():
    case(f"getitem-{_name}", lambda m, x, f=_f: f(x), T((4, 3)), ref=_ref)
case(
    "getitem-tensor-index",
    lambda m, x, i: x[i],
    T((4, 3)),
    C(np.array([3, 1, 1])),
    ref=lambda a, i: a[i],
)
case(
    "getitem-tensor-2d-index",
    lambda m, x, i: x[:, i],
    T((4, 3)),
    C(np.array([[0, 2], [1, 1]])),
    ref=lambda a, i: a[:, i],
)
case("getitem-0d-tensor", lambda m, x, i: x[i], T((4, 3)), C(np.array(2)), ref=lambda a, i: a[i])
case("getitem-mask", lambda m, x, k: x[k], T((2, 3)), MASK23, ref=lambda a, k: a[k])
case(
    "getitem-mask-rows",
    lambda m, x, k: x[k],
    T((3, 2)),
    C(np.array([True, False, True])),
    ref=lambda a, k: a[k],
)
case("getitem-mask-expr", lambda m, x: x[x > 0], T((3, 4)), ref=lambda a: a[a > 0])
# torch selects the integer first (NumPy would move the advanced dimension to the front)
case(
    "getitem-3d-mixed",
    lambda m, x: x[1, ..., [0, 3]],
    T((2, 3, 4)),
    ref=lambda a: a[1][..., [0, 3]],
)
case("getitem-int-dtype", lambda m, x: x[1:, 0], T((3, 3), "int64"), ref=lambda a: a[1:, 0])


def _setitem(key: Any) -> Callable:
    def call(m: Any, x: Any, v: Any) -> Any:
        y = x.clone()
        y[key] = v
        return y

    return call


def _setitem_scalar(key: Any, v: Any) -> Callable:
    def call(m: Any, x: Any) -> Any:
        y = x.clone()
        y[key] = v
        return y

    return call


SET = {
    "int": (1, (3,)),
    "slice": ((slice(1, 3),), (2, 3)),
    "col-bcast": ((slice(None), 1), ()),
    "row-bcast": ((slice(0, 2),), (3,)),
    "list": (([0, 3],), (2, 3)),
    "ellipsis": ((Ellipsis, 0), (4,)),
}
for _name, (_key, _vs) in SET.items():
    case(
        f"setitem-{_name}",
        _setitem(_key),
        T((4, 3)),
        T(_vs),
        ref=lambda a, v, k=_key: _set(a, k, v),
    )
case(
    "setitem-scalar",
    _setitem_scalar((slice(None), 0), 7.0),
    T((4, 3)),
    ref=lambda a: _set(a, (slice(None), 0), 7.0),
)
case(
    "setitem-mask",
    lambda m, x, k: _mask_set(x, k),
    T((2, 3)),
    MASK23,
    ref=lambda a, k: _set(a, k, 0.0),
)
case(
    "setitem-int-tensor",
    _setitem_scalar((0,), 9),
    T((2, 3), "int64"),
    ref=lambda a: _set(a, (0,), 9),
)


def _mask_set(x: Any, k: Any) -> Any:
    y = x.clone()
    y[k] = 0.0
    return y


I_SEL = C(np.array([2, 0, 2]))
op("index_select", T((4, 3)), 0, I_SEL, ref=lambda a, d, i: np.take(a, i, d), forms="fmo")
op("index_select", T((2, 4)), 1, I_SEL, ref=lambda a, d, i: np.take(a, i, d), forms="fm")
G_IDX = C(np.array([[0, 2], [1, 1], [2, 0]]))
op("gather", T((3, 3)), 1, G_IDX, ref=_gather, forms="fmo")
op("gather", T((3, 3)), 0, C(np.array([[0, 2, 1], [1, 1, 0]])), ref=_gather, forms="fm")
S_IDX = C(np.array([[0, 1], [2, 0]]))
op("scatter", T((3, 3)), 1, S_IDX, T((2, 2)), ref=_scatter, forms="fmi")
op("scatter", T((3, 4)), 0, C(np.array([[0, 1, 2, 0]])), T((1, 4)), ref=_scatter, forms="fmi")
op(
    "scatter",
    T((3, 3)),
    1,
    S_IDX,
    ref=lambda a, d, i, value: _scatter(a, d, i, value),
    kwargs={"value": 2.5},
    forms="fmi",
)
op(
    "scatter_add",
    T((3, 3)),
    1,
    C(np.array([[0, 0], [2, 1]])),
    T((2, 2)),
    ref=lambda a, d, i, s: _scatter_add_ref(a, d, i, s),
    forms="fmi",
)


def _scatter_add_ref(a: np.ndarray, d: int, i: np.ndarray, s: np.ndarray) -> np.ndarray:
    out = a.copy()
    for pos in np.ndindex(*i.shape):
        tgt = list(pos)
        tgt[d] = i[pos]
        out[tuple(tgt)] += s[pos]
    return out


op("masked_fill", T((2, 3)), MASK23, -1.5, ref=lambda a, k, v: np.where(k, v, a), forms="fmi")
op(
    "masked_fill",
    T((2, 3)),
    C(np.array([True, False, True])),
    0.0,
    ref=lambda a, k, v: np.where(k, v, a),
    forms="fmi",
)
op(
    "masked_fill",
    T((2, 3)),
    MASK23,
    T(()),
    ref=lambda a, k, v: np.where(k, v, a),
    forms="fmi",
    tag="tensor-value",
)
op("masked_fill", T((2, 3), "int64"), MASK23, 4, ref=lambda a, k, v: np.where(k, v, a), forms="fmi")

# --- views written in place: the base sees the change, autograd routes through CopySlices -----------
case(
    "inplace-through-view",
    lambda m, x, y: _through_view(x, y),
    F23,
    F3,
    ref=lambda a, b: _set(a, (0,), a[0] * b),
    tags=frozenset({"inplace"}),
)
case(
    "inplace-through-t",
    lambda m, x, y: _through_t(x, y),
    F23,
    T((2,)),
    ref=lambda a, b: _set(a, (slice(None), 1), a[:, 1] + b),
    tags=frozenset({"inplace"}),
)
case(
    "inplace-chain",
    lambda m, x: x.clone().mul_(2).add_(1).exp_(),
    T((2, 3), domain="unit"),
    ref=lambda a: np.exp(a * 2 + 1),
    tags=frozenset({"inplace"}),
)


def _through_view(x: Any, y: Any) -> Any:
    z = x.clone()
    z[0].mul_(y)
    return z


def _through_t(x: Any, y: Any) -> Any:
    z = x.clone()
    z.t()[1].add_(y)
    return z


def cases(pred: Callable[[Case], bool] | None = None) -> list[Case]:
    return [c for c in CASES if pred is None or pred(c)]
