"""dtypes: PyTorch's promotion rules (which are not NumPy's), aliases and conversions."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

import core

NAMES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64"]


def t(values, dtype: str, zero_dim: bool = False) -> core.Tensor:
    a = np.array(values if not zero_dim else values[0]).astype(dtype)
    return core.tensor(a)


# --- the rules, spelled out -------------------------------------------------------------------
RULES = [
    # (description, thunk, expected core dtype name, what NumPy would say)
    ("int64 tensor + 1.5", lambda: t([1, 2], "int64") + 1.5, "float32", np.float64),
    ("int32 tensor / 2", lambda: t([1, 2], "int32") / 2, "float32", np.float64),
    (
        "int64 tensor / int64 tensor",
        lambda: t([1, 2], "int64") / t([3, 4], "int64"),
        "float32",
        np.float64,
    ),
    ("uint8 + int8", lambda: t([1], "uint8") + t([1], "int8"), "int16", None),  # agree
    ("int8 tensor + 1000 (a scalar never widens)", lambda: t([1], "int8") + 1000, "int8", None),
    ("float16 tensor + 1", lambda: t([1], "float16") + 1, "float16", None),
    (
        "float16 tensor + int64 tensor",
        lambda: t([1], "float16") + t([1], "int64"),
        "float16",
        np.float64,
    ),
    (
        "float32 tensor + float64 0-d tensor",
        lambda: t([1], "float32") + t([1], "float64", True),
        "float32",
        np.float64,
    ),
    (
        "int32 tensor + int64 0-d tensor",
        lambda: t([1], "int32") + t([1], "int64", True),
        "int32",
        np.int64,
    ),
    (
        "int32 tensor + float64 0-d tensor",
        lambda: t([1], "int32") + t([1], "float64", True),
        "float64",
        None,
    ),
    (
        "uint8 tensor + int64 0-d tensor",
        lambda: t([1], "uint8") + t([1], "int64", True),
        "uint8",
        None,
    ),
    (
        "0-d int64 + 0-d int32 (same priority)",
        lambda: t([1], "int64", True) + t([1], "int32", True),
        "int64",
        None,
    ),
    ("bool tensor + 1", lambda: t([True], "bool") + 1, "int64", None),
    ("bool tensor + int32 tensor", lambda: t([True], "bool") + t([1], "int32"), "int32", None),
    ("bool tensor + 1.5", lambda: t([True], "bool") + 1.5, "float32", None),
    ("bool tensor + True", lambda: t([True], "bool") + True, "bool", None),
    ("int64 tensor * True", lambda: t([3], "int64") * True, "int64", None),
    ("float64 tensor + 1.5", lambda: t([1], "float64") + 1.5, "float64", None),
    ("int tensor // 2", lambda: t([7], "int64") // 2, "int64", None),
    ("int tensor ** 2", lambda: t([7], "int32") ** 2, "int32", None),
    ("int tensor ** 0.5", lambda: t([4], "int64") ** 0.5, "float32", None),
    ("2 ** int tensor", lambda: 2 ** t([3], "int64"), "int64", None),
    ("2.0 ** int tensor", lambda: 2.0 ** t([3], "int64"), "float32", None),
    ("int tensor % 2.5", lambda: t([7], "int64") % 2.5, "float32", None),
    ("sqrt of int", lambda: core.sqrt(t([4], "int64")), "float32", None),
    ("mean of float16", lambda: t([1, 2], "float16").mean(), "float16", None),
    ("sum of int8", lambda: t([1, 2], "int8").sum(), "int64", None),
    ("sum of bool", lambda: t([True, True], "bool").sum(), "int64", None),
    ("comparison", lambda: t([1], "float32") < 2, "bool", None),
    (
        "where(float32, float64 scalar)",
        lambda: core.where(t([True], "bool"), t([1.0], "float32"), 2.0),
        "float32",
        None,
    ),
    (
        "cat int32 and float16",
        lambda: core.cat([t([1], "int32"), t([1], "float16")]),
        "float16",
        None,
    ),
]


@pytest.mark.parametrize("what,thunk,expected,numpy", RULES, ids=[r[0] for r in RULES])
def test_promotion_rule(what, thunk, expected, numpy) -> None:
    assert thunk().dtype.name == expected


def test_numpy_disagrees_where_pytorch_is_followed() -> None:
    """The rules above are not NumPy's: the same operands give other dtypes there."""
    for what, _thunk, expected, numpy in RULES:
        if numpy is not None:
            assert np.dtype(numpy).name != expected, what
    a = np.array([1, 2], np.int64)
    assert (a + 1.5).dtype == np.float64
    assert (t([1, 2], "int64") + 1.5).dtype is core.float32
    assert (np.array([1], np.float32) + np.float64(1)).dtype in (np.float32, np.float64)


def test_python_scalars_do_not_widen() -> None:
    x = t([1, 2], "float32")
    assert (x * 1e300).dtype is core.float32  # overflows to inf rather than widening
    assert (x + 2**40).dtype is core.float32
    assert (t([1], "int16") + 2**20).dtype is core.int16


def test_true_division_of_integers_gives_the_default_float() -> None:
    core.set_default_dtype(core.float64)
    try:
        assert (t([1], "int64") / 2).dtype is core.float64
        assert core.tensor([1.5]).dtype is core.float64
        assert core.tensor(1.5).dtype is core.float64
        assert core.arange(0, 1, 0.5).dtype is core.float64
    finally:
        core.set_default_dtype(core.float32)
    assert (t([1], "int64") / 2).dtype is core.float32
    with pytest.raises(TypeError):
        core.set_default_dtype(core.int64)


def test_promote_types_is_symmetric_and_idempotent() -> None:
    dts = [getattr(core, n) for n in NAMES]
    for a, b in itertools.product(dts, dts):
        assert core.promote_types(a, b) is core.promote_types(b, a)
        assert core.promote_types(a, a) is a


# --- against torch ------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def torch():
    return pytest.importorskip("torch")


PAIRS = list(itertools.product(NAMES, NAMES))


@pytest.mark.parametrize("a,b", PAIRS, ids=[f"{a}-{b}" for a, b in PAIRS])
def test_every_pair_against_torch(a: str, b: str, torch) -> None:
    ca, cb = getattr(core, a), getattr(core, b)
    ta, tb = getattr(torch, a), getattr(torch, b)
    assert core.promote_types(ca, cb).name == str(torch.promote_types(ta, tb))[6:]
    for za, zb in ((False, False), (True, False), (False, True), (True, True)):
        x = core.ones(() if za else (2,), dtype=ca)
        y = core.ones(() if zb else (2,), dtype=cb)
        tx = torch.ones(() if za else (2,), dtype=ta)
        ty = torch.ones(() if zb else (2,), dtype=tb)
        expected = str(torch.result_type(tx, ty))[6:]
        assert core.result_type(x, y).name == expected, (za, zb)
        assert (x * y).dtype.name == str((tx * ty).dtype)[6:], (za, zb)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("scalar", [True, 3, 2.5], ids=["bool", "int", "float"])
def test_tensor_with_python_scalar_against_torch(name: str, scalar, torch) -> None:
    x = core.ones(3, dtype=getattr(core, name))
    tx = torch.ones(3, dtype=getattr(torch, name))
    assert core.result_type(x, scalar).name == str(torch.result_type(tx, scalar))[6:]
    if name == "bool" and scalar is True:
        return
    assert (x * scalar).dtype.name == str((tx * scalar).dtype)[6:]
    assert (x / scalar).dtype.name == str((tx / scalar).dtype)[6:]


# --- aliases and dtype objects -------------------------------------------------------------------
ALIASES = {
    "float": "float32",
    "double": "float64",
    "half": "float16",
    "long": "int64",
    "int": "int32",
    "short": "int16",
}


@pytest.mark.parametrize("alias,name", ALIASES.items())
def test_aliases(alias: str, name: str) -> None:
    assert getattr(core, alias) is getattr(core, name)
    assert repr(getattr(core, alias)) == f"torch.{name}"


def test_dtype_objects() -> None:
    assert core.bool.__repr__() == "torch.bool"
    assert isinstance(core.float32, core.dtype)
    assert core.float32.is_floating_point and not core.int64.is_floating_point
    assert core.int8.is_signed and not core.uint8.is_signed and not core.bool.is_signed
    assert core.float16.itemsize == 2 and core.int64.itemsize == 8
    assert core.get_default_dtype() is core.float32
    assert core.zeros(2).dtype is core.float32
    assert core.tensor([1, 2]).dtype is core.int64
    assert core.tensor([True]).dtype is core.bool
    assert core.tensor([1, 2.5]).dtype is core.float32
    assert core.tensor(np.zeros(2, np.int16)).dtype is core.int16


def test_dtype_objects_match_torch(torch) -> None:
    for n in NAMES:
        c, tt = getattr(core, n), getattr(torch, n)
        assert repr(c) == repr(tt) == str(c)
        assert c.is_floating_point == tt.is_floating_point
        assert c.is_signed == tt.is_signed
        assert c.itemsize == tt.itemsize


# --- conversions ----------------------------------------------------------------------------------
CASTS = ["float", "double", "half", "long", "int", "short", "char", "byte", "bool"]
CAST_TO = {
    "float": "float32",
    "double": "float64",
    "half": "float16",
    "long": "int64",
    "int": "int32",
    "short": "int16",
    "char": "int8",
    "byte": "uint8",
    "bool": "bool",
}


@pytest.mark.parametrize("method", CASTS)
def test_cast_methods(method: str) -> None:
    x = core.tensor([-1.7, 0.0, 2.5, 3.9])
    y = getattr(x, method)()
    assert y.dtype.name == CAST_TO[method]
    expected = np.array([-1.7, 0.0, 2.5, 3.9], np.float32).astype(CAST_TO[method])
    np.testing.assert_array_equal(y.numpy(), expected)


def test_cast_truncates_toward_zero_and_bool_is_nonzero() -> None:
    assert core.tensor([-1.7, 1.7]).long().tolist() == [-1, 1]
    assert core.tensor([0.0, -0.5, 2.0]).bool().tolist() == [False, True, True]


def test_to_variants() -> None:
    x = core.tensor([1.5, 2.5])
    assert x.to(core.float32) is x  # nothing to do: the same tensor
    assert x.to("cpu") is x
    assert x.to(core.float64).dtype is core.float64
    assert x.to(dtype=core.int64).tolist() == [1, 2]
    assert x.to("cpu", core.float16).dtype is core.float16
    assert x.to(core.zeros(1, dtype=core.int32)).dtype is core.int32
    c = x.to(core.float32, copy=True)
    assert c is not x and c.data_ptr() != x.data_ptr()
    assert x.type_as(core.zeros(1, dtype=core.float64)).dtype is core.float64


def test_type_method() -> None:
    x = core.tensor([1.0, 2.0])
    assert x.type() == "torch.FloatTensor"
    assert x.long().type() == "torch.LongTensor"
    assert core.tensor([True]).type() == "torch.BoolTensor"
    assert x.type("torch.LongTensor").dtype is core.int64
    assert x.type(core.float64).dtype is core.float64
    assert x.type(core.DoubleTensor).dtype is core.float64
    with pytest.raises(ValueError):
        x.type("torch.NoSuchTensor")


def test_legacy_classes_check_dtype() -> None:
    assert isinstance(core.ones(2), core.FloatTensor)
    assert not isinstance(core.ones(2), core.LongTensor)
    assert isinstance(core.ones(2).long(), core.LongTensor)


def test_conversion_is_differentiable_for_floats() -> None:
    x = core.ones(3, requires_grad=True)
    y = x.double()
    assert y.grad_fn.name() == "ToCopyBackward0"
    (y * 2).sum().backward()
    assert x.grad.dtype is core.float32
    assert x.grad.tolist() == [2.0, 2.0, 2.0]
    assert not x.long().requires_grad


def test_conversion_against_torch(torch) -> None:
    a = np.array([-2.5, -0.5, 0.5, 1.5, 300.7], np.float32)
    for method in CASTS:
        if method in ("byte", "char"):
            continue  # out-of-range float to int casts are undefined behaviour in C++
        got = getattr(core.tensor(a), method)()
        exp = getattr(torch.tensor(a), method)()
        assert got.dtype.name == str(exp.dtype)[6:]
        np.testing.assert_array_equal(got.numpy(), exp.numpy())
        assert got.type() == exp.type()


def test_unsupported_numpy_dtypes_are_refused() -> None:
    with pytest.raises(TypeError):
        core.from_numpy(np.array(["a"]))


BINARY = {
    "add": lambda m, a, b: a + b,
    "sub": lambda m, a, b: a - b,
    "mul": lambda m, a, b: a * b,
    "div": lambda m, a, b: a / b,
    "floordiv": lambda m, a, b: a // b,
    "mod": lambda m, a, b: a % b,
    "pow": lambda m, a, b: a**b,
    "maximum": lambda m, a, b: m.maximum(a, b),
    "lt": lambda m, a, b: a < b,
    "eq": lambda m, a, b: a == b,
    "and": lambda m, a, b: a & b,
    "where": lambda m, a, b: m.where(a > 0, a, b),
    "div_floor": lambda m, a, b: m.div(a, b, rounding_mode="floor"),
    "div_trunc": lambda m, a, b: m.div(a, b, rounding_mode="trunc"),
    "cat": lambda m, a, b: m.cat([a.reshape(-1), b.reshape(-1)]),
    "clamp_min": lambda m, a, b: m.clamp(a, min=b),
    "clamp_max": lambda m, a, b: m.clamp(a, max=b),
}


def _outcome(m, f, a, b):
    import warnings

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            r = f(m, a, b)
    except Exception as e:  # noqa: BLE001 - the class is what is compared
        return ("raises", type(e).__name__)
    return (str(r.dtype).replace("torch.", ""), np.asarray(r.numpy(), float).round(3).tolist())


@pytest.mark.parametrize("op", BINARY)
def test_binary_ops_over_every_dtype_pair_against_torch(op: str, torch) -> None:
    """Result dtype, values, or the exception class, for every dtype pair, dimensioned and 0-d."""
    f = BINARY[op]
    bad = []
    for (a, b), (za, zb) in itertools.product(
        PAIRS, [(False, False), (True, False), (False, True)]
    ):
        va = np.array(2) if za else np.array([3, 1, 2])
        vb = np.array(1) if zb else np.array([2, 1, 3])
        got = _outcome(core, f, core.tensor(va.astype(a)), core.tensor(vb.astype(b)))
        exp = _outcome(torch, f, torch.from_numpy(va.astype(a)), torch.from_numpy(vb.astype(b)))
        if got != exp:
            bad.append((a, b, za, zb, got, exp))
    assert not bad, bad[:5]


UNARY = {
    n: (lambda m, a, n=n: getattr(m, n)(a))
    for n in [
        "neg",
        "abs",
        "exp",
        "log",
        "log1p",
        "sqrt",
        "rsqrt",
        "sin",
        "cos",
        "tan",
        "tanh",
        "sigmoid",
        "relu",
        "floor",
        "ceil",
        "round",
        "trunc",
        "sign",
        "reciprocal",
        "isnan",
        "isinf",
        "isfinite",
        "logical_not",
        "square",
    ]
}
UNARY.update(
    {
        "invert": lambda m, a: ~a,
        "sum": lambda m, a: a.sum(),
        "sum0": lambda m, a: a.sum(0),
        "mean": lambda m, a: a.mean(),
        "mean0": lambda m, a: a.mean(0),
        "prod": lambda m, a: a.prod(),
        "max": lambda m, a: a.max(),
        "max0": lambda m, a: a.max(0)[0],
        "min": lambda m, a: a.min(),
        "amax": lambda m, a: a.amax(0),
        "argmax": lambda m, a: a.argmax(),
        "argmin0": lambda m, a: a.argmin(0),
        "std": lambda m, a: a.std(),
        "var0": lambda m, a: a.var(0),
        "norm": lambda m, a: a.norm(),
        "logsumexp": lambda m, a: a.logsumexp(0),
        "cumsum": lambda m, a: a.cumsum(0),
        "all": lambda m, a: a.all(),
        "any0": lambda m, a: a.any(0),
        "clamp-int": lambda m, a: a.clamp(0, 2),
        "clamp-float": lambda m, a: a.clamp(0.5),
        "pow2": lambda m, a: a**2,
        "pow-half": lambda m, a: a**0.5,
        "rpow": lambda m, a: 2**a,
        "rdiv": lambda m, a: 1 / a,
        "rsub": lambda m, a: 1 - a,
        "mul-float": lambda m, a: a * 1.5,
        "add-bool": lambda m, a: a + True,
        "mm": lambda m, a: a[0].reshape(1, 3) @ a[0].reshape(3, 1),
        "dot": lambda m, a: m.dot(a[0], a[0]),
    }
)


@pytest.mark.parametrize("op", UNARY)
def test_unary_ops_and_reductions_over_every_dtype_against_torch(op: str, torch) -> None:
    f = lambda m, a, _: UNARY[op](m, a)  # noqa: E731
    bad = []
    for name in NAMES:
        v = np.array([[3, 1, 2], [0, 2, 1]]) if name != "bool" else np.array([[1, 0, 1], [0, 0, 1]])
        got = _outcome(core, f, core.tensor(v.astype(name)), None)
        exp = _outcome(torch, f, torch.from_numpy(v.astype(name)), None)
        if got != exp:
            bad.append((name, got, exp))
    assert not bad, bad


INPLACE = {
    "exp_": (),
    "log_": (),
    "sqrt_": (),
    "sigmoid_": (),
    "tanh_": (),
    "abs_": (),
    "neg_": (),
    "floor_": (),
    "round_": (),
    "sign_": (),
    "reciprocal_": (),
    "relu_": (),
    "clamp_": (0, 2),
    "sin_": (),
    "t_": (),
    "squeeze_": (),
    "unsqueeze_": (0,),
    "fill_": (2,),
    "zero_": (),
    "add_": (1.5,),
    "mul_": (2,),
    "div_": (2,),
    "pow_": (2,),
    "sub_": (True,),
    "uniform_": (),
    "normal_": (),
}


@pytest.mark.parametrize("method", INPLACE)
def test_inplace_methods_over_every_dtype_against_torch(method: str, torch) -> None:
    """In place, the result keeps self's dtype or PyTorch refuses the cast: same here."""
    args = INPLACE[method]
    bad = []
    for name in NAMES:
        v = np.array([[1, 2, 0]]).astype(name)

        def run(m, t):
            try:
                r = getattr(t, method)(*args)
            except Exception as e:  # noqa: BLE001 - the class is what is compared
                return ("raises", type(e).__name__)
            values = None if method in ("uniform_", "normal_") else r.double().numpy().round(5)
            return (str(r.dtype)[6:], tuple(r.shape), r is t, str(values))

        got, exp = run(core, core.tensor(v)), run(torch, torch.from_numpy(v.copy()))
        if str(got) != str(exp):
            bad.append((name, got, exp))
    assert not bad, bad
