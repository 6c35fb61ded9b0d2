"""Every op of the table in op_cases.py, in each of its forms, on every available device.

- forward against NumPy (with and without autograd recording),
- backward against central finite differences in float64,
- ``out=`` forms write into and return the given tensor,
- oracle against torch 2.13 where installed: values, result dtype, ``grad_fn`` names along
  ``next_functions``, gradients.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import core

sys.path.insert(0, str(Path(__file__).parent))
from op_cases import C, Case, T, cases, seed_of, values  # noqa: E402

DEVICES = [
    "cpu",
    pytest.param(
        "cuda",
        marks=pytest.mark.skipif(not core.cuda.is_available(), reason="CUDA is not available here"),
    ),
]


def _param(c: Case) -> Any:
    marks = [pytest.mark.xfail(reason=c.xfail, strict=True)] if c.xfail else []
    return pytest.param(c, id=c.id, marks=marks)


ALL = [_param(c) for c in cases()]
GRAD = [
    _param(c)
    for c in cases(lambda c: c.grad and any(isinstance(a, T) and a.differentiable for a in c.args))
]
OUT = [_param(c) for c in cases(lambda c: c.out is not None)]


# --- helpers ------------------------------------------------------------------------------------
def arrays_of(case: Case, float64: bool = False) -> list[Any]:
    out = []
    for i, a in enumerate(case.args):
        if isinstance(a, T):
            v = values(a, seed_of(case.id, i))
            if float64 and a.dtype.startswith("float"):
                v = v.astype(np.float64)
            out.append(v)
        elif isinstance(a, C):
            out.append(a.array())
        else:
            out.append(a)
    return out


def build(
    m: Any, case: Case, arrays: list[Any], device: str = "cpu", requires_grad: bool = False
) -> tuple[list[Any], list[Any]]:
    """The call's inputs made by module ``m``, and the leaves that require grad."""
    inputs, leaves = [], []
    for spec, a in zip(case.args, arrays):
        if isinstance(spec, (T, C)):
            t = m.tensor(a, device=device) if m is core else m.from_numpy(np.array(a))
            if requires_grad and isinstance(spec, T) and spec.differentiable:
                t.requires_grad_(True)
                leaves.append(t)
            inputs.append(t)
        else:
            inputs.append(a)
    return inputs, leaves


def outputs(result: Any) -> list[Any]:
    return list(result) if isinstance(result, (tuple, list)) else [result]


def as_np(t: Any) -> np.ndarray:
    if hasattr(t, "detach"):
        t = t.detach()
    if isinstance(t, core.Tensor):
        return np.asarray(t.cpu().numpy())
    return t.cpu().numpy()


def assert_close(actual: np.ndarray, expected: Any, case: Case, what: str = "") -> None:
    expected = np.asarray(expected)
    assert actual.shape == expected.shape, f"{what}shape {actual.shape} != {expected.shape}"
    if actual.dtype == np.bool_ or expected.dtype == np.bool_:
        np.testing.assert_array_equal(actual, expected.astype(actual.dtype), err_msg=what)
        return
    np.testing.assert_allclose(
        actual.astype(np.float64),
        expected.astype(np.float64),
        rtol=case.rtol,
        atol=case.atol,
        err_msg=what,
    )


def structure(fn: Any, depth: int = 8) -> Any:
    """A grad_fn and what it leads to: (name, ((next structure, input_nr), ...))."""
    if fn is None:
        return None
    if depth == 0:
        return fn.name()
    return (fn.name(), tuple((structure(n, depth - 1), nr) for n, nr in fn.next_functions))


def cotangents(outs: list[Any], case: Case, dtype: Any) -> list[np.ndarray]:
    rng = np.random.default_rng(seed_of(case.id, 99))
    return [rng.standard_normal(tuple(o.shape)).astype(dtype) for o in outs]


# --- forward against NumPy ----------------------------------------------------------------------
@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("case", ALL)
def test_forward_matches_numpy(case: Case, device: str) -> None:
    arrays = arrays_of(case)
    expected = (
        outputs(case.ref(*[np.array(a) if isinstance(a, np.ndarray) else a for a in arrays]))
        if case.ref
        else None
    )
    for requires_grad in (False, True):
        inputs, leaves = build(core, case, arrays, device, requires_grad)
        result = case.call(core, *inputs)
        outs = outputs(result)
        assert all(isinstance(o, core.Tensor) for o in outs)
        assert all(o.device.type == device for o in outs)
        if expected is not None:
            assert len(outs) == len(expected)
            for k, (o, e) in enumerate(zip(outs, expected)):
                assert_close(as_np(o), e, case, f"output {k} (requires_grad={requires_grad}): ")
        if requires_grad and leaves and case.grad:
            assert any(o.requires_grad for o in outs), "a differentiable op lost its history"
        if not requires_grad:
            assert not any(o.requires_grad for o in outs)
    # the inputs are untouched by every form (in-place forms work on a clone)
    inputs, _ = build(core, case, arrays, device)
    case.call(core, *inputs)
    for spec, t, a in zip(case.args, inputs, arrays):
        if isinstance(spec, (T, C)):
            np.testing.assert_array_equal(as_np(t), a)


# --- backward against finite differences ----------------------------------------------------
@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("case", GRAD)
def test_backward_matches_finite_differences(case: Case, device: str) -> None:
    arrays = arrays_of(case, float64=True)
    inputs, leaves = build(core, case, arrays, device, requires_grad=True)
    outs = [o for o in outputs(case.call(core, *inputs)) if o.requires_grad]
    assert outs, "no output requires grad"
    vs = cotangents(outs, case, np.float64)
    grads = core.autograd.grad(
        outs, leaves, [core.tensor(v, device=device) for v in vs], allow_unused=True
    )

    def f(arrs: list[Any]) -> float:
        with core.no_grad():
            ins, _ = build(core, case, arrs, device)
            os_ = [o for o in outputs(case.call(core, *ins)) if o.dtype.is_floating_point]
        return float(sum((as_np(o) * v).sum() for o, v in zip(os_, vs)))

    eps = 1e-6
    k = 0
    for i, spec in enumerate(case.args):
        if not (isinstance(spec, T) and spec.differentiable):
            continue
        g = grads[k]
        analytic = np.zeros(spec.shape) if g is None else as_np(g)
        assert analytic.shape == tuple(spec.shape), f"grad of input {i} has the wrong shape"
        assert g is None or g.dtype == core.float64
        numeric = np.zeros(spec.shape)
        for idx in np.ndindex(*spec.shape):
            plus = [a.copy() if isinstance(a, np.ndarray) else a for a in arrays]
            minus = [a.copy() if isinstance(a, np.ndarray) else a for a in arrays]
            plus[i][idx] += eps
            minus[i][idx] -= eps
            numeric[idx] = (f(plus) - f(minus)) / (2 * eps)
        np.testing.assert_allclose(
            analytic, numeric, rtol=1e-4, atol=1e-5, err_msg=f"gradient of input {i}"
        )
        k += 1


# --- out= forms -------------------------------------------------------------------------------
@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("case", OUT)
def test_out_form(case: Case, device: str) -> None:
    arrays = arrays_of(case)
    inputs, _ = build(core, case, arrays, device)
    expected = case.call(core, *inputs)
    out = core.empty(0, dtype=expected.dtype, device=device)
    got = case.out(core, *inputs, out=out)
    assert got is out
    assert out.dtype == expected.dtype and out.shape == expected.shape
    np.testing.assert_array_equal(as_np(out), as_np(expected))
    # an out= of the right shape is written in place (its memory is kept)
    out2 = core.zeros(tuple(expected.shape), dtype=expected.dtype, device=device)
    ptr = out2.data_ptr()
    case.out(core, *inputs, out=out2)
    assert out2.data_ptr() == ptr
    np.testing.assert_array_equal(as_np(out2), as_np(expected))


def test_out_refuses_autograd() -> None:
    x = core.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="out=... arguments don't support automatic"):
        core.add(x, 1, out=core.empty(3))


# --- oracle: torch ----------------------------------------------------------------------------
@pytest.fixture(scope="module")
def torch() -> Any:
    return pytest.importorskip("torch")


def _suffix(text: str) -> str:
    """What repr prints after the values: dtype=, requires_grad=, grad_fn=<...>."""
    import re

    return " ".join(re.findall(r"(dtype=torch\.\w+|requires_grad=True|grad_fn=<\w+>)", text))


def _dtype_name(d: Any) -> str:
    return str(d).replace("torch.", "")


@pytest.mark.parametrize("case", ALL)
def test_oracle_torch(case: Case, torch: Any) -> None:
    arrays = arrays_of(case)
    for requires_grad in (False, True):
        c_in, c_leaves = build(core, case, arrays, requires_grad=requires_grad)
        t_in, t_leaves = build(torch, case, arrays, requires_grad=requires_grad)
        c_outs = outputs(case.call(core, *c_in))
        t_outs = outputs(case.call(torch, *t_in))
        assert len(c_outs) == len(t_outs)
        for k, (co, to) in enumerate(zip(c_outs, t_outs)):
            what = f"output {k} (requires_grad={requires_grad}): "
            assert co.dtype.name == _dtype_name(to.dtype), what + "dtype"
            assert tuple(co.shape) == tuple(to.shape), what + "shape"
            assert_close(as_np(co), as_np(to), case, what)
            assert co.requires_grad == to.requires_grad, what + "requires_grad"
            assert co.is_leaf == to.is_leaf, what + "is_leaf"
            assert structure(co.grad_fn) == structure(to.grad_fn), what + "grad_fn graph"
            assert _suffix(repr(co)) == _suffix(repr(to)), what + "printed dtype/grad_fn"
        if not requires_grad or not c_leaves or not case.grad:
            continue
        pairs = [(co, to) for co, to in zip(c_outs, t_outs) if to.requires_grad]
        if not pairs:
            continue
        vs = cotangents([to for _, to in pairs], case, np.float32)
        c_g = core.autograd.grad(
            [co for co, _ in pairs],
            c_leaves,
            [core.tensor(v).to(co.dtype) for v, (co, _) in zip(vs, pairs)],
            allow_unused=True,
        )
        t_g = torch.autograd.grad(
            [to for _, to in pairs],
            t_leaves,
            [torch.from_numpy(v).to(to.dtype) for v, (_, to) in zip(vs, pairs)],
            allow_unused=True,
        )
        for k, (cg, tg) in enumerate(zip(c_g, t_g)):
            if tg is None:
                assert cg is None or not as_np(cg).any(), f"grad {k}: torch has none"
                continue
            assert cg is not None, f"grad {k} missing"
            assert cg.dtype.name == _dtype_name(tg.dtype)
            np.testing.assert_allclose(
                as_np(cg), as_np(tg), rtol=1e-4, atol=1e-5, err_msg=f"grad {k}"
            )


@pytest.mark.parametrize("case", OUT)
def test_oracle_out_form(case: Case, torch: Any) -> None:
    arrays = arrays_of(case)
    c_in, _ = build(core, case, arrays)
    t_in, _ = build(torch, case, arrays)
    t_exp = case.call(torch, *t_in)
    c_out = core.empty(0, dtype=getattr(core, _dtype_name(t_exp.dtype)))
    t_out = torch.empty(0, dtype=t_exp.dtype)
    case.out(core, *c_in, out=c_out)
    case.out(torch, *t_in, out=t_out)
    assert tuple(c_out.shape) == tuple(t_out.shape)
    assert_close(as_np(c_out), as_np(t_out), case)


# --- broadcasting, drawn at random ------------------------------------------------------------------
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

BROADCAST_OPS = {
    "add": lambda m, a, b: a + b,
    "sub": lambda m, a, b: m.sub(a, b, alpha=2),
    "mul": lambda m, a, b: a * b,
    "div": lambda m, a, b: a / (b * b + 1),
    "maximum": lambda m, a, b: m.maximum(a, b),
    "where": lambda m, a, b: m.where(a > 0, a, b),
    "pow": lambda m, a, b: (a * a + 1) ** b,
    "atan2-like": lambda m, a, b: (a * b).tanh() + a.exp() * b,
}


@st.composite
def broadcastable_shapes(draw):
    ndim = draw(st.integers(0, 3))
    full = [draw(st.integers(1, 3)) for _ in range(ndim)]
    a = [n if draw(st.booleans()) else 1 for n in full][draw(st.integers(0, ndim)) :]
    b = [n if draw(st.booleans()) else 1 for n in full][draw(st.integers(0, ndim)) :]
    return tuple(a), tuple(b)


@settings(max_examples=60, deadline=None)
@given(
    shapes=broadcastable_shapes(),
    op=st.sampled_from(sorted(BROADCAST_OPS)),
    seed=st.integers(0, 2**16),
)
def test_broadcasting_forward_and_gradients_against_torch(shapes, op, seed) -> None:
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(seed)
    a_np = rng.standard_normal(shapes[0]).astype(np.float32)
    b_np = rng.standard_normal(shapes[1]).astype(np.float32)
    f = BROADCAST_OPS[op]
    ca, cb = core.tensor(a_np, requires_grad=True), core.tensor(b_np, requires_grad=True)
    ta = torch.tensor(a_np, requires_grad=True)
    tb = torch.tensor(b_np, requires_grad=True)
    co, to = f(core, ca, cb), f(torch, ta, tb)
    assert tuple(co.shape) == tuple(to.shape) and co.dtype.name == "float32"
    np.testing.assert_allclose(co.detach().numpy(), to.detach().numpy(), rtol=1e-5, atol=1e-6)
    v = rng.standard_normal(tuple(to.shape)).astype(np.float32)
    co.backward(core.tensor(v))
    to.backward(torch.from_numpy(v))
    for c, t in ((ca, ta), (cb, tb)):
        assert c.grad.shape == c.shape
        np.testing.assert_allclose(c.grad.numpy(), t.grad.numpy(), rtol=1e-4, atol=1e-5)
