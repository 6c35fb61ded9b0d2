"""Optimizers: trajectories against PyTorch (oracle), hand-computed steps, state dicts, errors."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

import core
from core import optim

STEPS = 60
RTOL, ATOL = 2e-5, 1e-6


# --- a fixed problem both libraries see identically ------------------------------------------------
def _problem(seed: int = 0, shapes: tuple = ((3, 4), (4,), (2, 2, 3))) -> tuple:
    """Initial params and a gradient rule ``g = A p + b + noise_t`` (float32, per parameter)."""
    rng = np.random.default_rng(seed)
    inits, mats, offs = [], [], []
    for shape in shapes:
        n = int(np.prod(shape))
        inits.append(rng.standard_normal(shape).astype(np.float32))
        q = rng.standard_normal((n, n)) / math.sqrt(n)
        mats.append((q @ q.T + 0.5 * np.eye(n)).astype(np.float32))  # SPD: a bowl
        offs.append(rng.standard_normal(n).astype(np.float32))
    noise = rng.standard_normal((STEPS, sum(int(np.prod(s)) for s in shapes))).astype(np.float32)
    return inits, mats, offs, noise


def _grad(problem: tuple, t: int, i: int, p: np.ndarray, sign: float) -> np.ndarray:
    _, mats, offs, noise = problem
    start = sum(m.shape[0] for m in mats[:i])
    n = mats[i].shape[0]
    g = mats[i] @ p.reshape(-1).astype(np.float32) + offs[i] + 0.1 * noise[t, start : start + n]
    return (sign * g).reshape(p.shape).astype(p.dtype)


def _run(
    lib,
    name: str,
    kwargs: dict,
    problem: tuple,
    steps: int = STEPS,
    groups: list | None = None,
    dtype=np.float32,
) -> tuple[list, object]:
    """Run ``steps`` steps; return per-step parameter copies and the optimizer."""
    inits = problem[0]
    params = [lib.tensor(a.astype(dtype), requires_grad=True) for a in inits]
    sign = -1.0 if kwargs.get("maximize") else 1.0
    cls = getattr(lib.optim, name)
    opt = (
        cls([{"params": [params[i] for i in g[0]], **g[1]} for g in groups], **kwargs)
        if groups
        else cls(params, **kwargs)
    )
    traj = []
    for t in range(steps):
        for i, p in enumerate(params):
            p.grad = lib.tensor(_grad(problem, t, i, p.detach().numpy(), sign))
        opt.step()
        traj.append([p.detach().numpy().copy() for p in params])
    return traj, opt


CASES = [
    ("SGD", {"lr": 0.1}),
    ("SGD", {"lr": 0.05, "momentum": 0.9}),
    ("SGD", {"lr": 0.05, "momentum": 0.9, "dampening": 0.3}),
    ("SGD", {"lr": 0.05, "momentum": 0.9, "nesterov": True}),
    ("SGD", {"lr": 0.05, "momentum": 0.5, "weight_decay": 0.05}),
    ("SGD", {"lr": 0.05, "momentum": 0.9, "maximize": True}),
    ("Adam", {"lr": 0.05}),
    ("Adam", {"lr": 0.05, "amsgrad": True}),
    ("Adam", {"lr": 0.05, "weight_decay": 0.1}),
    ("Adam", {"lr": 0.02, "betas": (0.8, 0.99), "eps": 1e-6, "maximize": True}),
    ("Adam", {"lr": 0.05, "weight_decay": 0.1, "decoupled_weight_decay": True}),
    ("AdamW", {"lr": 0.05}),
    ("AdamW", {"lr": 0.05, "weight_decay": 0.2, "amsgrad": True}),
    ("RMSprop", {"lr": 0.01}),
    ("RMSprop", {"lr": 0.01, "alpha": 0.9, "eps": 1e-6}),
    ("RMSprop", {"lr": 0.01, "centered": True}),
    ("RMSprop", {"lr": 0.005, "momentum": 0.9}),
    ("RMSprop", {"lr": 0.005, "momentum": 0.5, "centered": True, "weight_decay": 0.1}),
    ("RMSprop", {"lr": 0.01, "maximize": True}),
    ("Adagrad", {"lr": 0.1}),
    ("Adagrad", {"lr": 0.1, "lr_decay": 0.01}),
    ("Adagrad", {"lr": 0.1, "initial_accumulator_value": 0.5, "eps": 1e-6}),
    ("Adagrad", {"lr": 0.1, "weight_decay": 0.1, "maximize": True}),
]


def _ids(case: tuple) -> str:
    name, kw = case
    return name + "-" + ",".join(f"{k}={v}" for k, v in kw.items())


def _assert_same_state(core_opt, torch_opt) -> None:
    cs, ts = core_opt.state_dict(), torch_opt.state_dict()
    assert list(cs["state"]) == list(ts["state"])
    for pid, tstate in ts["state"].items():
        cstate = cs["state"][pid]
        assert list(cstate) == list(tstate)
        for key, tv in tstate.items():
            cv = cstate[key]
            assert cv.dtype.name == str(tv.dtype).removeprefix("torch.")
            assert tuple(cv.shape) == tuple(tv.shape)
            np.testing.assert_allclose(cv.numpy(), tv.numpy(), rtol=1e-4, atol=1e-6, err_msg=key)
    cg = [{k: v for k, v in g.items()} for g in cs["param_groups"]]
    assert cg == ts["param_groups"]


@pytest.mark.parametrize("case", CASES, ids=[_ids(c) for c in CASES])
def test_trajectory_matches_torch(case: tuple) -> None:
    torch = pytest.importorskip("torch")
    name, kwargs = case
    problem = _problem()
    ours, core_opt = _run(core, name, kwargs, problem)
    theirs, torch_opt = _run(torch, name, kwargs, problem)
    for step, (a, b) in enumerate(zip(ours, theirs)):
        for pa, pb in zip(a, b):
            np.testing.assert_allclose(pa, pb, rtol=RTOL, atol=ATOL, err_msg=f"step {step}")
    _assert_same_state(core_opt, torch_opt)


@pytest.mark.parametrize("name", ["SGD", "Adam", "RMSprop", "Adagrad"])
def test_param_groups_and_float64_match_torch(name: str) -> None:
    torch = pytest.importorskip("torch")
    problem = _problem(seed=3)
    extra = {"momentum": 0.9} if name in ("SGD", "RMSprop") else {}
    groups = [([0, 2], {"lr": 0.02}), ([1], {"lr": 0.005, "weight_decay": 0.1})]
    for dtype, tol in ((np.float32, RTOL), (np.float64, 1e-12)):
        ours, co = _run(core, name, {"lr": 0.01, **extra}, problem, 30, groups, dtype)
        theirs, to = _run(torch, name, {"lr": 0.01, **extra}, problem, 30, groups, dtype)
        for a, b in zip(ours, theirs):
            for pa, pb in zip(a, b):
                assert pa.dtype == pb.dtype
                np.testing.assert_allclose(pa, pb, rtol=tol, atol=tol / 10)
        _assert_same_state(co, to)


def test_autograd_training_matches_torch() -> None:
    """A least-squares fit through real autograd on both sides, Adam then SGD with momentum."""
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(7)
    x = rng.standard_normal((32, 3)).astype(np.float32)
    y = (x @ np.array([[1.5], [-2.0], [0.5]], np.float32) + 0.3).astype(np.float32)
    w0 = rng.standard_normal((3, 1)).astype(np.float32)

    def fit(lib):
        w = lib.tensor(w0.copy(), requires_grad=True)
        b = lib.zeros(1, requires_grad=True)
        xs, ys = lib.tensor(x), lib.tensor(y)
        losses = []
        for opt in (lib.optim.Adam([w, b], lr=0.05), lib.optim.SGD([w, b], lr=0.01, momentum=0.9)):
            for _ in range(40):

                def closure(opt=opt):
                    opt.zero_grad()
                    loss = ((xs @ w + b - ys) ** 2).mean()
                    loss.backward()
                    return loss

                losses.append(opt.step(closure).item())
        return np.array(losses), w.detach().numpy()

    l1, w1 = fit(core)
    l2, w2 = fit(torch)
    np.testing.assert_allclose(l1, l2, rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(w1, w2, rtol=1e-5, atol=1e-6)


# --- torch-free checks ----------------------------------------------------------------------------
def test_sgd_momentum_by_hand() -> None:
    p = core.tensor([1.0, -2.0], requires_grad=True)
    opt = optim.SGD([p], lr=0.1, momentum=0.9, dampening=0.5, weight_decay=0.1)
    grads = [np.array([1.0, 1.0]), np.array([0.5, -1.0]), np.array([-1.0, 2.0])]
    want, buf = np.array([1.0, -2.0]), None
    for g in grads:
        p.grad = core.tensor(g.astype(np.float32))
        opt.step()
        d = g + 0.1 * want
        buf = d if buf is None else 0.9 * buf + 0.5 * d
        want = want - 0.1 * buf
        np.testing.assert_allclose(p.detach().numpy(), want, rtol=1e-6)
    np.testing.assert_allclose(opt.state[p]["momentum_buffer"].numpy(), buf, rtol=1e-6)


def test_sgd_nesterov_and_plain_by_hand() -> None:
    p = core.tensor([1.0], requires_grad=True)
    opt = optim.SGD([p], lr=0.5, momentum=0.5, nesterov=True)
    p.grad = core.tensor([2.0])
    opt.step()  # buf = 2, g = 2 + 0.5 * 2 = 3 -> 1 - 1.5
    assert p.item() == pytest.approx(-0.5)
    p.grad = core.tensor([2.0])
    opt.step()  # buf = 0.5 * 2 + 2 = 3, g = 2 + 1.5 = 3.5 -> -0.5 - 1.75
    assert p.item() == pytest.approx(-2.25)
    q = core.tensor([1.0], requires_grad=True)
    plain = optim.SGD([q], lr=0.25)
    q.grad = core.tensor([4.0])
    plain.step()
    assert q.item() == 0.0 and plain.state_dict()["state"] == {}


def test_adam_first_step_is_lr_times_sign() -> None:
    p = core.tensor([1.0, -1.0, 3.0], requires_grad=True)
    opt = optim.Adam([p], lr=0.01)
    p.grad = core.tensor([0.3, -2.0, 5.0])
    opt.step()  # bias-corrected: m/sqrt(v) = sign(g)
    np.testing.assert_allclose(p.detach().numpy(), [0.99, -0.99, 2.99], rtol=1e-6)
    st = opt.state[p]
    assert st["step"].dtype == core.float32 and st["step"].dim() == 0 and st["step"].item() == 1.0
    assert set(st) == {"step", "exp_avg", "exp_avg_sq"}


def test_adagrad_state_is_eager_and_rmsprop_first_step() -> None:
    p = core.tensor([1.0, 2.0], requires_grad=True)
    opt = optim.Adagrad([p], lr=0.1, initial_accumulator_value=1.0)
    assert opt.state[p]["sum"].tolist() == [1.0, 1.0] and opt.state[p]["step"].item() == 0.0
    p.grad = core.tensor([1.0, 0.0])
    opt.step()
    np.testing.assert_allclose(p.detach().numpy(), [1.0 - 0.1 / math.sqrt(2.0), 2.0], rtol=1e-6)
    q = core.tensor([1.0], requires_grad=True)
    rms = optim.RMSprop([q], lr=0.01, alpha=0.99, eps=0.0)
    q.grad = core.tensor([3.0])
    rms.step()  # square_avg = 0.01 * 9 -> step = 0.01 * 3 / 0.3
    assert q.item() == pytest.approx(0.9, rel=1e-6)


def test_update_is_in_place_and_bumps_version() -> None:
    base = core.zeros(4, requires_grad=True)
    arr = base._data
    opt = optim.Adam([base], lr=0.1)
    base.grad = core.ones(4)
    v0 = base._version
    opt.step()
    assert base._data is arr and base._version == v0 + 1
    assert np.all(arr < 0)


def test_params_without_grad_are_skipped() -> None:
    a = core.ones(2, requires_grad=True)
    b = core.ones(2, requires_grad=True)
    for cls in (optim.SGD, optim.Adam, optim.AdamW, optim.RMSprop):
        opt = cls([a, b], lr=0.1)
        a.grad, b.grad = core.ones(2), None
        opt.step()
        assert b.tolist() == [1.0, 1.0] and b not in opt.state
    assert a.tolist() != [1.0, 1.0]


def test_zero_grad() -> None:
    p = core.ones(3, requires_grad=True)
    opt = optim.SGD([p], lr=0.1)
    (p * 2).sum().backward()
    g = p.grad
    opt.zero_grad(set_to_none=False)
    assert p.grad is g and p.grad.tolist() == [0.0, 0.0, 0.0]
    opt.zero_grad()
    assert p.grad is None


def test_closure_runs_with_grad_and_returns_loss() -> None:
    p = core.tensor([2.0], requires_grad=True)
    opt = optim.SGD([p], lr=0.1)
    seen = []

    def closure():
        seen.append(core.is_grad_enabled())
        opt.zero_grad()
        loss = (p * p).sum()
        loss.backward()
        return loss

    with core.no_grad():
        loss = opt.step(closure)
    assert seen == [True] and loss.item() == 4.0 and p.item() == pytest.approx(1.6)
    assert opt.step() is None


def test_param_groups_options_and_add_param_group() -> None:
    a, b, c = (core.ones(1, requires_grad=True) for _ in range(3))
    opt = optim.SGD([{"params": [a]}, {"params": b, "lr": 0.5}], lr=0.1, momentum=0.9)
    assert [g["lr"] for g in opt.param_groups] == [0.1, 0.5]
    assert opt.param_groups[1]["params"] == [b] and opt.param_groups[1]["momentum"] == 0.9
    opt.add_param_group({"params": [c], "nesterov": True})
    assert opt.param_groups[2]["nesterov"] is True and opt.param_groups[2]["lr"] == 0.1
    with pytest.raises(ValueError, match="some parameters appear in more than one parameter group"):
        opt.add_param_group({"params": [a]})
    named = optim.Adam([("w", a), ("b", b)])
    assert named.param_groups[0]["param_names"] == ["w", "b"]
    assert named.state_dict()["param_groups"][0]["param_names"] == ["w", "b"]


def test_duplicate_params_in_one_group_warn() -> None:
    a = core.ones(1, requires_grad=True)
    with pytest.warns(UserWarning, match="duplicate parameters"):
        optim.SGD([a, a], lr=0.1)


ERRORS = [
    (lambda p: optim.SGD(p, lr=-1), ValueError, "Invalid learning rate: -1"),
    (lambda p: optim.SGD(p, lr=0.1, momentum=-0.5), ValueError, "Invalid momentum value: -0.5"),
    (lambda p: optim.SGD(p, lr=0.1, weight_decay=-1), ValueError, "Invalid weight_decay value: -1"),
    (
        lambda p: optim.SGD(p, lr=0.1, nesterov=True),
        ValueError,
        "Nesterov momentum requires a momentum and zero dampening",
    ),
    (
        lambda p: optim.Adam(p, betas=(1.0, 0.9)),
        ValueError,
        "Invalid beta parameter at index 0: 1.0",
    ),
    (
        lambda p: optim.Adam(p, betas=(0.9, -0.1)),
        ValueError,
        "Invalid beta parameter at index 1: -0.1",
    ),
    (lambda p: optim.Adam(p, eps=-1e-8), ValueError, "Invalid epsilon value: -1e-08"),
    (lambda p: optim.AdamW(p, lr=-0.5), ValueError, "Invalid learning rate: -0.5"),
    (lambda p: optim.RMSprop(p, alpha=-0.1), ValueError, "Invalid alpha value: -0.1"),
    (lambda p: optim.RMSprop(p, momentum=-0.1), ValueError, "Invalid momentum value: -0.1"),
    (lambda p: optim.Adagrad(p, lr_decay=-1), ValueError, "Invalid lr_decay value: -1"),
    (
        lambda p: optim.Adagrad(p, initial_accumulator_value=-1),
        ValueError,
        "Invalid initial_accumulator_value value: -1",
    ),
    (lambda p: optim.SGD([], lr=0.1), ValueError, "optimizer got an empty parameter list"),
    (
        lambda p: optim.SGD(p[0], lr=0.1),
        TypeError,
        "params argument given to the optimizer should be an iterable of Tensors or dicts, but got "
        "torch.FloatTensor",
    ),
    (
        lambda p: optim.SGD([1.0], lr=0.1),
        TypeError,
        "optimizer can only optimize Tensors, but one of the params is float",
    ),
    (lambda p: optim.SGD([p[0] * 2], lr=0.1), ValueError, "can't optimize a non-leaf Tensor"),
    (
        lambda p: optim.SGD([{"params": {p[0]}}], lr=0.1),
        TypeError,
        "optimizer parameters need to be organized",
    ),
]


@pytest.mark.parametrize("index", range(len(ERRORS)))
def test_validation_errors(index: int) -> None:
    make, exc, message = ERRORS[index]
    params = [core.ones(2, requires_grad=True)]
    with pytest.raises(exc) as info:
        make(params)
    assert str(info.value).startswith(message)


def test_validation_errors_match_torch() -> None:
    torch = pytest.importorskip("torch")
    for make, exc, _ in ERRORS:
        for lib, params in (
            (core, [core.ones(2, requires_grad=True)]),
            (torch, [torch.ones(2, requires_grad=True)]),
        ):
            src = make.__code__
            fn = type(make)(src, {**make.__globals__, "optim": lib.optim}, None, None, None)
            with pytest.raises(exc) as info, warnings.catch_warnings():
                warnings.simplefilter("ignore")
                fn(params)
            if lib is core:
                ours = str(info.value)
            else:
                assert ours == str(info.value)


def test_repr_matches_torch() -> None:
    torch = pytest.importorskip("torch")
    ours = repr(optim.Adam([core.ones(1, requires_grad=True)], lr=0.01))
    theirs = repr(torch.optim.Adam([torch.ones(1, requires_grad=True)], lr=0.01))
    assert ours == theirs


def test_step_hooks() -> None:
    p = core.ones(1, requires_grad=True)
    opt = optim.SGD([p], lr=0.1)
    calls = []
    h1 = opt.register_step_pre_hook(lambda o, a, k: calls.append("pre"))
    opt.register_step_post_hook(lambda o, a, k: calls.append("post"))
    p.grad = core.ones(1)
    opt.step()
    h1.remove()
    opt.step()
    assert calls == ["pre", "post", "post"]
