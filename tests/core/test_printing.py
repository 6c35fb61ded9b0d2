"""core._printing against PyTorch's printed form.

Part 1 holds hard-coded strings (taken from torch 2.13) so that the suite means something without
torch; part 2 compares a large table of cases with torch itself when it is installed.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from core._printing import (
    format_parameter,
    format_tensor,
    get_printoptions,
    printoptions,
    set_printoptions,
)


@pytest.fixture(autouse=True)
def _reset_print_options():
    """Every test starts and ends with default options, in core and (if present) in torch."""
    set_printoptions(profile="default")
    yield
    set_printoptions(profile="default")
    try:
        import torch
    except ImportError:
        return
    torch.set_printoptions(profile="default")
    torch.set_default_dtype(torch.float32)


def fmt(a, **kw) -> str:
    a = np.asarray(a)
    kw.setdefault("dtype_name", str(a.dtype))
    return format_tensor(a, **kw)


# ---------------------------------------------------------------------------------------------
# 1. Known strings, no torch needed

KNOWN = [
    (np.ones((2, 2), np.float32), "tensor([[1., 1.],\n        [1., 1.]])"),
    (np.float32(3.5), "tensor(3.5000)"),
    (np.int64(7), "tensor(7)"),
    (np.bool_(True), "tensor(True)"),
    (np.array([1.5, -2.25, 3.0], np.float32), "tensor([ 1.5000, -2.2500,  3.0000])"),
    (np.array([1, -20, 300]), "tensor([  1, -20, 300])"),
    (np.array([True, False]), "tensor([ True, False])"),
    (np.array([1e-5, 1.0, 1e5], np.float32), "tensor([1.0000e-05, 1.0000e+00, 1.0000e+05])"),
    (np.array([1e10], np.float32), "tensor([1.0000e+10])"),
    (np.array([123456789.0, 1.0], np.float32), "tensor([1.2346e+08, 1.0000e+00])"),
    (np.array([np.nan, np.inf, -np.inf, 1.0], np.float32), "tensor([nan, inf, -inf, 1.])"),
    (np.array([np.nan, 0.5], np.float32), "tensor([   nan, 0.5000])"),
    (np.array([-0.0, 0.0], np.float32), "tensor([-0., 0.])"),
    (np.zeros((0, 3), np.float32), "tensor([], size=(0, 3))"),
    (np.zeros(0, np.float32), "tensor([])"),
    (np.zeros(0, np.int64), "tensor([], dtype=torch.int64)"),
    (np.zeros((2, 0), bool), "tensor([], size=(2, 0), dtype=torch.bool)"),
    (np.arange(2000), "tensor([   0,    1,    2,  ..., 1997, 1998, 1999])"),
    (
        np.arange(2000, dtype=np.float32),
        "tensor([0.0000e+00, 1.0000e+00, 2.0000e+00,  ..., 1.9970e+03, 1.9980e+03,\n"
        "        1.9990e+03])",
    ),
    (
        np.arange(12).reshape(2, 3, 2),
        "tensor([[[ 0,  1],\n         [ 2,  3],\n         [ 4,  5]],\n\n"
        "        [[ 6,  7],\n         [ 8,  9],\n         [10, 11]]])",
    ),
    (
        np.arange(24, dtype=np.float32).reshape(2, 3, 2, 2),
        "tensor([[[[ 0.,  1.],\n          [ 2.,  3.]],\n\n         [[ 4.,  5.],\n"
        "          [ 6.,  7.]],\n\n         [[ 8.,  9.],\n          [10., 11.]]],\n\n\n"
        "        [[[12., 13.],\n          [14., 15.]],\n\n         [[16., 17.],\n"
        "          [18., 19.]],\n\n         [[20., 21.],\n          [22., 23.]]]])",
    ),
    (
        np.arange(30, dtype=np.float32),
        "tensor([ 0.,  1.,  2.,  3.,  4.,  5.,  6.,  7.,  8.,  9., 10., 11., 12., 13.,\n"
        "        14., 15., 16., 17., 18., 19., 20., 21., 22., 23., 24., 25., 26., 27.,\n"
        "        28., 29.])",
    ),
    (np.array([1.0, 2.0]), "tensor([1., 2.], dtype=torch.float64)"),
    (np.array([1, 2], np.uint8), "tensor([1, 2], dtype=torch.uint8)"),
    (np.array([0.1, 0.2], np.float16), "tensor([0.1000, 0.2000], dtype=torch.float16)"),
    (
        np.arange(100, dtype=np.float32).reshape(4, 25)[:2],
        "tensor([[ 0.,  1.,  2.,  3.,  4.,  5.,  6.,  7.,  8.,  9., 10., 11., 12., 13.,\n"
        "         14., 15., 16., 17., 18., 19., 20., 21., 22., 23., 24.],\n"
        "        [25., 26., 27., 28., 29., 30., 31., 32., 33., 34., 35., 36., 37., 38.,\n"
        "         39., 40., 41., 42., 43., 44., 45., 46., 47., 48., 49.]])",
    ),
    # The dtype suffix fits on the last line ...
    (
        np.arange(10, dtype=np.float64) * 1000.5,
        "tensor([   0.0000, 1000.5000, 2001.0000, 3001.5000, 4002.0000, 5002.5000,\n"
        "        6003.0000, 7003.5000, 8004.0000, 9004.5000], dtype=torch.float64)",
    ),
    # ... or wraps onto its own line, indented under the opening bracket.
    (
        np.arange(11, dtype=np.float64) * 1000.5,
        "tensor([    0.0000,  1000.5000,  2001.0000,  3001.5000,  4002.0000,  5002.5000,\n"
        "         6003.0000,  7003.5000,  8004.0000,  9004.5000, 10005.0000],\n"
        "       dtype=torch.float64)",
    ),
]


@pytest.mark.parametrize("data, expected", KNOWN, ids=[e for _, e in KNOWN])
def test_known_strings(data, expected):
    assert fmt(data) == expected


def test_summarised_matrix_known():
    got = fmt(np.arange(10000, dtype=np.float32).reshape(100, 100))
    lines = got.split("\n")
    assert lines[0] == "tensor([[0.0000e+00, 1.0000e+00, 2.0000e+00,  ..., 9.7000e+01, 9.8000e+01,"
    assert lines[1] == "         9.9000e+01],"
    assert lines[6] == "        ...,"
    assert lines[-1] == "         9.9990e+03]])"
    assert len(lines) == 13


def test_suffixes_known():
    one = np.ones(2, np.float32)
    assert fmt(one, requires_grad=True) == "tensor([1., 1.], requires_grad=True)"
    assert fmt(one * 2, grad_fn_name="MulBackward0") == "tensor([2., 2.], grad_fn=<MulBackward0>)"
    # grad_fn wins over requires_grad, as for any non-leaf in PyTorch.
    assert fmt(one, requires_grad=True, grad_fn_name="AddBackward0") == (
        "tensor([1., 1.], grad_fn=<AddBackward0>)"
    )
    assert fmt(one, device="cuda:0") == "tensor([1., 1.], device='cuda:0')"
    assert fmt(one, device="cuda") == "tensor([1., 1.], device='cuda:0')"
    assert fmt(one, device="cpu") == "tensor([1., 1.])"
    assert fmt(np.ones(2), device="cuda:1", requires_grad=True) == (
        "tensor([1., 1.], device='cuda:1', dtype=torch.float64, requires_grad=True)"
    )
    assert fmt(np.zeros((0, 2), np.int32), device="cuda:0") == (
        "tensor([], device='cuda:0', size=(0, 2), dtype=torch.int32)"
    )
    assert fmt(np.float32(2.0), requires_grad=True) == "tensor(2., requires_grad=True)"


def test_default_dtype_changes_dtype_suffix():
    assert fmt(np.ones(2), default_dtype_name="float64") == "tensor([1., 1.])"
    assert fmt(np.ones(2, np.float32), default_dtype_name="float64") == (
        "tensor([1., 1.], dtype=torch.float32)"
    )
    assert fmt(np.zeros(0), default_dtype_name="float64") == "tensor([])"
    assert fmt(np.ones(2), dtype_name="torch.float64") == "tensor([1., 1.], dtype=torch.float64)"


def test_dtype_name_decides_dtype_of_data():
    # Values are shown as the named dtype holds them (here, float16 rounding of 0.1).
    assert fmt(np.array([0.1]), dtype_name="float16") == "tensor([0.1000], dtype=torch.float16)"
    assert fmt(np.array([1, 0]), dtype_name="bool") == "tensor([ True, False])"


def test_parameter_known():
    assert format_parameter(np.ones(2, np.float32), dtype_name="float32") == (
        "Parameter containing:\ntensor([1., 1.], requires_grad=True)"
    )
    assert format_parameter(np.ones(2, np.float32), dtype_name="float32", requires_grad=False) == (
        "Parameter containing:\ntensor([1., 1.])"
    )


def test_prefix_sets_indent():
    got = fmt(np.ones((2, 2), np.float32), prefix="Foo(")
    assert got == "Foo([[1., 1.],\n     [1., 1.]])"


def test_complex_not_supported():
    with pytest.raises(NotImplementedError):
        format_tensor(np.ones(2, np.complex64), dtype_name="complex64")


def test_huge_tensor_summary_is_cheap():
    # Only the edges are formatted; a 10-million element tensor prints at once.
    a = np.zeros(10_000_000, np.float32)
    assert fmt(a) == "tensor([0., 0., 0.,  ..., 0., 0., 0.])"


# ---------------------------------------------------------------------------------------------
# Print options


def test_printoptions_defaults_and_profiles():
    assert get_printoptions() == {
        "precision": 4,
        "threshold": 1000,
        "edgeitems": 3,
        "linewidth": 80,
        "sci_mode": None,
    }
    set_printoptions(profile="short")
    assert get_printoptions()["precision"] == 2 and get_printoptions()["edgeitems"] == 2
    set_printoptions(profile="full")
    assert get_printoptions()["threshold"] == math.inf
    set_printoptions(profile="full", precision=6)
    assert get_printoptions()["precision"] == 6 and get_printoptions()["threshold"] == math.inf
    set_printoptions(profile="no-such-profile")  # ignored, as in torch
    assert get_printoptions()["precision"] == 6


def test_printoptions_sci_mode_is_reset_when_omitted():
    set_printoptions(sci_mode=True)
    assert get_printoptions()["sci_mode"] is True
    set_printoptions(precision=3)
    assert get_printoptions()["sci_mode"] is None


def test_printoptions_effects_known():
    set_printoptions(threshold=5)
    assert fmt(np.arange(10)) == "tensor([0, 1, 2,  ..., 7, 8, 9])"
    set_printoptions(precision=2)
    assert fmt(np.array([1.12345], np.float32)) == "tensor([1.12])"
    set_printoptions(profile="short")
    assert fmt(np.array([1.12345, 2.0], np.float32)) == "tensor([1.12, 2.00])"
    assert fmt(np.arange(2000)) == "tensor([   0,    1,  ..., 1998, 1999])"
    set_printoptions(profile="default", sci_mode=False)
    assert fmt(np.array([1e-5, 1e5], np.float32)) == "tensor([     0.0000, 100000.0000])"
    set_printoptions(sci_mode=True)
    assert fmt(np.array([1.0, 2.0], np.float32)) == "tensor([1.0000e+00, 2.0000e+00])"
    set_printoptions(profile="default", edgeitems=0, threshold=3)
    assert fmt(np.arange(5)) == "tensor([...], size=(5,))"
    assert fmt(np.arange(6).reshape(2, 3)) == "tensor([...], size=(2, 3))"
    set_printoptions(profile="default", linewidth=20)
    assert fmt(np.arange(10, dtype=np.float32)) == (
        "tensor([0., 1., 2.,\n        3., 4., 5.,\n        6., 7., 8.,\n        9.])"
    )


def test_printoptions_context_manager_restores():
    with printoptions(precision=1, sci_mode=True):
        assert get_printoptions()["precision"] == 1
        assert fmt(np.array([2.0], np.float32)) == "tensor([2.0e+00])"
    assert get_printoptions()["precision"] == 4
    assert get_printoptions()["sci_mode"] is None


# ---------------------------------------------------------------------------------------------
# 2. Against torch


def _torch():
    return pytest.importorskip("torch")


def _cases() -> list[tuple[str, np.ndarray]]:
    rng = np.random.default_rng(1234)
    cases: list[tuple[str, np.ndarray]] = []

    def add(name: str, a) -> None:
        cases.append((name, np.asarray(a)))

    for exp in (-12, -6, -4, -3, -1, 0, 1, 3, 4, 7, 8, 9, 15):
        for shape in ((), (5,), (3, 4)):
            add(
                f"randn*1e{exp}{shape}", (rng.standard_normal(shape) * 10.0**exp).astype(np.float32)
            )
    for dt in ("float16", "float64"):
        for shape in ((), (7,), (2, 3, 4)):
            add(f"randn-{dt}{shape}", rng.standard_normal(shape).astype(dt))
        add(f"big-{dt}", np.array([6.0e4, 1.0, -3.0]).astype(dt))
        add(f"small-{dt}", np.array([1e-5, 0.5, 2.0]).astype(dt))
    for dt in ("int8", "int16", "int32", "int64", "uint8"):
        info = np.iinfo(dt)
        add(f"ints-{dt}", rng.integers(info.min, info.max, size=(3, 5), endpoint=True).astype(dt))
        add(f"ints-scalar-{dt}", np.array(info.max, dtype=dt))
    add("bools", rng.random((4, 3)) > 0.5)
    add("bool-3d", rng.random((2, 2, 3)) > 0.5)
    add("all-false", np.zeros(4, bool))
    add("int-valued-floats", np.array([1.0, -200.0, 3.0, 45.0], np.float32))
    add("int-valued-1e8", np.array([1.0e8, 1.0], np.float32))
    add("int-valued-1e9", np.array([1.0e9, -1.0], np.float32))
    add("int-ratio-1000", np.array([1.0, 1000.0], np.float32))
    add("int-ratio-1001", np.array([1.0, 1001.0], np.float32))
    add("ratio-edge", np.array([0.001, 1.0], np.float32))
    add("min-1e-4", np.array([1e-4, 0.05], np.float32))
    add("negatives", -np.abs(rng.standard_normal((3, 3))).astype(np.float32))
    add("neg-zero", np.array([-0.0, -0.0], np.float32))
    add("neg-zero-mixed", np.array([-0.0, 1.5, -2.0], np.float32))
    add("neg-zero-sci", np.array([-0.0, 1e10], np.float32))
    add("zeros", np.zeros((2, 3), np.float32))
    add("nan-only", np.full(3, np.nan, np.float32))
    add("inf-only", np.array([np.inf, -np.inf], np.float32))
    add("nan-inf-ints", np.array([np.nan, np.inf, 2.0, -3.0], np.float32))
    add("nan-inf-frac", np.array([[np.nan, 0.25], [-np.inf, 3.5]], np.float32))
    add("nan-inf-sci", np.array([np.nan, 1e-7, np.inf, 3.0], np.float32))
    add("half-mix", np.array([np.nan, 65504.0, 1e-3, -0.0], np.float16))
    add("half-sub", np.array([6e-8, 1.0], np.float16))
    add("double-tiny", np.array([1e-300, 1e300, -5.0]))
    add("double-precise", np.array([1.23456789012345, 2.0]))
    add("rounding", np.array([0.00005, 0.99995, 9.99995], np.float32))
    add("wide-fixed", np.array([999.99995, 0.12345, -12.5], np.float32))
    for shape in ((), (1,), (1, 1), (1, 1, 1, 1), (2, 1, 3), (5, 1), (2, 2, 2, 2)):
        add(f"shape{shape}", rng.standard_normal(shape).astype(np.float32))
    for shape in ((0,), (0, 3), (3, 0), (2, 0, 4), (0, 0)):
        add(f"empty{shape}-f", np.zeros(shape, np.float32))
        add(f"empty{shape}-i", np.zeros(shape, np.int64))
    add("empty-f64", np.zeros(0))
    add("empty-f16", np.zeros((0, 2), np.float16))
    add("summ-2000-randn", rng.standard_normal(2000).astype(np.float32))
    add("summ-2000-ints", rng.integers(-(10**6), 10**6, size=2000))
    add("summ-2000-bools", rng.random(2000) > 0.5)
    add("summ-100x100", rng.standard_normal((100, 100)).astype(np.float32))
    add("summ-100x100-ints", np.arange(10000).reshape(100, 100))
    add("summ-4d", rng.standard_normal((7, 8, 9, 10)).astype(np.float32))
    add("summ-thin", rng.standard_normal((1001, 1)).astype(np.float32))
    add("summ-wide", rng.standard_normal((2, 600)).astype(np.float32))
    add("summ-1001", np.arange(1001, dtype=np.float32))
    add("no-summ-1000", np.arange(1000, dtype=np.float32))
    add("long-line-ints", np.arange(100, 140))
    add("long-line-f64", rng.standard_normal(40) * 1000)
    add("wrap-3d", rng.standard_normal((2, 3, 20)).astype(np.float32))
    add("mixed-mags", rng.standard_normal(12).astype(np.float32) * np.logspace(-8, 12, 12))
    return cases


CASES = _cases()


def _torch_tensor(torch, a: np.ndarray):
    return torch.from_numpy(np.array(a, copy=True))  # keeps 0-d arrays 0-d


@pytest.mark.parametrize("name, data", CASES, ids=[n for n, _ in CASES])
def test_matches_torch(name, data):
    torch = _torch()
    assert fmt(data) == repr(_torch_tensor(torch, data))
    assert fmt(data) == str(_torch_tensor(torch, data))


@pytest.mark.parametrize("name, data", CASES[::5], ids=[n for n, _ in CASES[::5]])
def test_matches_torch_with_default_float64(name, data):
    torch = _torch()
    torch.set_default_dtype(torch.float64)
    assert fmt(data, default_dtype_name="float64") == repr(_torch_tensor(torch, data))


FLOAT_CASES = [(n, d) for n, d in CASES if d.dtype.kind == "f"]


@pytest.mark.parametrize("name, data", FLOAT_CASES, ids=[n for n, _ in FLOAT_CASES])
def test_matches_torch_autograd_suffixes(name, data):
    torch = _torch()
    leaf = _torch_tensor(torch, data).requires_grad_()
    assert fmt(data, requires_grad=True) == repr(leaf)
    out = leaf + 1
    got = fmt(out.detach().numpy(), grad_fn_name=type(out.grad_fn).__name__)
    assert got == repr(out)
    param = torch.nn.Parameter(_torch_tensor(torch, data))
    assert format_parameter(data, dtype_name=str(data.dtype)) == repr(param)


OPTIONS = [
    dict(precision=2),
    dict(precision=0),
    dict(precision=8),
    dict(threshold=5),
    dict(threshold=0),
    dict(edgeitems=1, threshold=10),
    dict(edgeitems=0, threshold=10),
    dict(edgeitems=0),
    dict(linewidth=30),
    dict(linewidth=1),
    dict(linewidth=200),
    dict(sci_mode=True),
    dict(sci_mode=False),
    dict(profile="short"),
    dict(profile="full"),
    dict(profile="short", precision=6, sci_mode=True),
]
OPTION_DATA = [
    "randn*1e0(3, 4)",
    "randn*1e-6(5,)",
    "ints-int64",
    "bools",
    "int-valued-floats",
    "nan-inf-frac",
    "zeros",
    "empty(0, 3)-f",
    "summ-100x100",
    "summ-2000-ints",
    "summ-4d",
    "long-line-f64",
    "wrap-3d",
    "shape()",
]


@pytest.mark.parametrize("options", OPTIONS, ids=[repr(o) for o in OPTIONS])
def test_matches_torch_with_printoptions(options):
    torch = _torch()
    torch.set_printoptions(**options)
    set_printoptions(**options)
    assert get_printoptions() == torch._tensor_str.get_printoptions()
    by_name = dict(CASES)
    for name in OPTION_DATA:
        data = by_name[name]
        assert fmt(data) == repr(_torch_tensor(torch, data)), name
        if data.dtype.kind == "f":
            t = _torch_tensor(torch, data).requires_grad_()
            assert fmt(data, requires_grad=True) == repr(t), name


def test_matches_torch_randomised():
    """Many random shapes, dtypes, magnitudes and options."""
    torch = _torch()
    rng = np.random.default_rng(7)
    for _ in range(1500):
        options = dict(
            precision=int(rng.integers(0, 7)),
            threshold=int(rng.choice([0, 3, 20, 1000])),
            edgeitems=int(rng.integers(0, 4)),
            linewidth=int(rng.choice([15, 40, 80, 120])),
            sci_mode=[None, True, False][int(rng.integers(0, 3))],
        )
        if rng.random() < 0.5:
            options = {}
        torch.set_printoptions(profile="default", **options)
        set_printoptions(profile="default", **options)
        ndim = int(rng.integers(0, 5))
        shape = tuple(int(s) for s in rng.integers(0, 8 if ndim < 3 else 4, size=ndim))
        kind = int(rng.integers(0, 5))
        if kind == 0:
            a = rng.standard_normal(shape) * 10.0 ** int(rng.integers(-10, 12))
        elif kind == 1:
            a = rng.integers(-(10 ** int(rng.integers(1, 10))), 10**9, size=shape).astype(float)
        elif kind == 2:
            a = rng.standard_normal(shape) * np.exp(rng.uniform(-20, 20, size=shape))
        elif kind == 3:
            a = rng.integers(-1000, 1000, size=shape)
        else:
            specials = [0.0, -0.0, np.nan, np.inf, -np.inf, 1.5, 2.0, -3.0, 1e-5, 1e9]
            a = rng.choice(specials, size=shape)
        dtype = str(rng.choice(["float32", "float64", "float16", "int64", "int32", "bool"]))
        with np.errstate(all="ignore"):
            a = np.asarray(a).astype(dtype)
        assert fmt(a) == repr(_torch_tensor(torch, a)), (options, a.dtype, a.shape, a.tolist())


try:
    from hypothesis import given, settings
    from hypothesis import strategies as st
    from hypothesis.extra import numpy as hnp
except ImportError:  # a dev dependency; the tests above still run without it
    hnp = None

if hnp is not None:

    @settings(max_examples=300, deadline=None)
    @given(
        hnp.arrays(
            dtype=st.sampled_from(
                [np.float16, np.float32, np.float64, np.int32, np.int64, np.uint8, np.bool_]
            ),
            shape=hnp.array_shapes(min_dims=0, max_dims=4, min_side=0, max_side=6),
        )
    )
    def test_matches_torch_hypothesis(data):
        """Arbitrary values, nan, inf, subnormals and extremes included."""
        torch = _torch()
        assert fmt(data) == repr(_torch_tensor(torch, data))
