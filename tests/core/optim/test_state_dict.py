"""Optimizer state dicts: PyTorch's layout, save/load/continue equals uninterrupted, torch interop,
device moves of the state."""

from __future__ import annotations

import numpy as np
import pytest

import core
from core import optim
from core.optim import optimizer_to

CONFIGS = [
    ("SGD", {"lr": 0.05, "momentum": 0.9, "nesterov": True}),
    ("Adam", {"lr": 0.05, "amsgrad": True}),
    ("AdamW", {"lr": 0.05, "weight_decay": 0.1}),
    ("RMSprop", {"lr": 0.01, "momentum": 0.5, "centered": True}),
    ("Adagrad", {"lr": 0.1, "lr_decay": 0.01}),
]


def _grads(n_steps: int, seed: int = 0) -> list:
    rng = np.random.default_rng(seed)
    return [
        [rng.standard_normal((3, 2)).astype(np.float32), rng.standard_normal(4).astype(np.float32)]
        for _ in range(n_steps)
    ]


def _params(lib, seed: int = 1) -> list:
    rng = np.random.default_rng(seed)
    return [
        lib.tensor(rng.standard_normal((3, 2)).astype(np.float32), requires_grad=True),
        lib.tensor(rng.standard_normal(4).astype(np.float32), requires_grad=True),
    ]


def _steps(lib, opt, params, grads) -> None:
    for gs in grads:
        for p, g in zip(params, gs):
            # grad depends on the parameter, so state and params both matter for the result
            p.grad = lib.tensor(g) + 0.5 * p.detach()
        opt.step()


def _make(lib, name: str, kwargs: dict, params: list):
    return getattr(lib.optim, name)(
        [{"params": params[:1]}, {"params": params[1:], "lr": 0.02}], **kwargs
    )


@pytest.mark.parametrize("name,kwargs", CONFIGS, ids=[c[0] for c in CONFIGS])
@pytest.mark.parametrize("via", ["memory", "safetensors", "npz"])
def test_save_load_continue_equals_uninterrupted(
    name: str, kwargs: dict, via: str, tmp_path
) -> None:
    grads = _grads(40)
    ref_params = _params(core)
    ref = _make(core, name, kwargs, ref_params)
    _steps(core, ref, ref_params, grads)

    params = _params(core)
    opt = _make(core, name, kwargs, params)
    _steps(core, opt, params, grads[:20])
    sd = opt.state_dict()
    if via != "memory":
        path = tmp_path / f"opt.{via}"
        core.save(sd, path)
        sd = core.load(path)
    # a fresh optimizer over fresh tensors holding the same values
    resumed = [core.tensor(p.detach().numpy().copy(), requires_grad=True) for p in params]
    opt2 = _make(core, name, kwargs, resumed)
    opt2.load_state_dict(sd)
    _steps(core, opt2, resumed, grads[20:])
    for a, b in zip(resumed, ref_params):
        assert np.array_equal(a.detach().numpy(), b.detach().numpy())
    assert opt2.param_groups[0]["params"][0] is resumed[0]


@pytest.mark.parametrize("name,kwargs", CONFIGS, ids=[c[0] for c in CONFIGS])
def test_state_dict_interchanges_with_torch(name: str, kwargs: dict) -> None:
    """A core state dict loads into torch and vice versa; both continue the same way."""
    torch = pytest.importorskip("torch")
    grads = _grads(30, seed=5)

    def to_lib(lib, value):
        if isinstance(value, dict):
            return {k: to_lib(lib, v) for k, v in value.items()}
        if isinstance(value, list):
            return [to_lib(lib, v) for v in value]
        if hasattr(value, "detach"):
            return lib.tensor(value.detach().cpu().numpy().copy())
        return value

    for src, dst in ((core, torch), (torch, core)):
        params = _params(src)
        opt = _make(src, name, kwargs, params)
        _steps(src, opt, params, grads[:15])
        sd = to_lib(dst, opt.state_dict())
        other = [dst.tensor(p.detach().numpy().copy(), requires_grad=True) for p in params]
        opt_dst = _make(dst, name, kwargs, other)
        opt_dst.load_state_dict(sd)
        _steps(src, opt, params, grads[15:])
        _steps(dst, opt_dst, other, grads[15:])
        for a, b in zip(params, other):
            np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=2e-5, atol=1e-6)


def test_state_dict_layout() -> None:
    a, b, c = _params(core) + [core.zeros(2, requires_grad=True)]
    opt = optim.Adam([{"params": [a, b]}, {"params": [c], "lr": 0.5}], lr=0.01)
    for p in (a, c):
        p.grad = core.ones_like(p)
    opt.step()
    sd = opt.state_dict()
    assert list(sd) == ["state", "param_groups"]
    assert list(sd["state"]) == [0, 2]  # b had no grad, so no state
    assert [g["params"] for g in sd["param_groups"]] == [[0, 1], [2]]
    assert list(sd["param_groups"][0])[-1] == "params"
    assert sd["state"][0]["exp_avg"] is opt.state[a]["exp_avg"]  # PyTorch hands out its own


def test_load_state_dict_errors() -> None:
    a, b = _params(core)
    opt = optim.SGD([a, b], lr=0.1)
    with pytest.raises(ValueError, match="different number of parameter groups"):
        opt.load_state_dict(optim.SGD([{"params": [a]}, {"params": [b]}], lr=0.1).state_dict())
    with pytest.raises(ValueError, match="doesn't match the size of optimizer's group"):
        opt.load_state_dict(optim.SGD([a], lr=0.1).state_dict())


def test_load_casts_state_to_param_dtype_and_keeps_step() -> None:
    p = core.zeros(3, dtype=core.float64, requires_grad=True)
    opt = optim.Adam([p])
    sd = {
        "state": {
            0: {"step": core.tensor(4.0), "exp_avg": core.ones(3), "exp_avg_sq": core.ones(3)}
        },
        "param_groups": opt.state_dict()["param_groups"],
    }
    opt.load_state_dict(sd)
    st = opt.state[p]
    assert st["exp_avg"].dtype == core.float64 and st["step"].dtype == core.float32
    p.grad = core.ones(3, dtype=core.float64)
    opt.step()
    assert st["step"].item() == 5.0


def test_old_style_numeric_step_becomes_tensor() -> None:
    p = core.zeros(2, requires_grad=True)
    opt = optim.RMSprop([p])
    sd = {
        "state": {0: {"step": 3, "square_avg": core.ones(2)}},
        "param_groups": opt.state_dict()["param_groups"],
    }
    opt.load_state_dict(sd)
    assert isinstance(opt.state[p]["step"], core.Tensor) and opt.state[p]["step"].item() == 3.0


def test_optimizer_to_cpu_keeps_objects() -> None:
    p = core.zeros(2, requires_grad=True)
    opt = optim.Adam([p])
    p.grad = core.ones(2)
    opt.step()
    state = dict(opt.state[p])
    assert optimizer_to(opt, "cpu") is opt
    assert all(opt.state[p][k] is v for k, v in state.items())


cuda = pytest.mark.skipif(not core.cuda.is_available(), reason="CUDA is not available")


@cuda
@pytest.mark.parametrize("name,kwargs", CONFIGS, ids=[c[0] for c in CONFIGS])
def test_device_switch_between_steps(name: str, kwargs: dict) -> None:
    """Moving parameters (``p.data = p.data.to(...)``) between steps: the state follows, and the
    run equals one that never moved (to float32 precision)."""
    grads = _grads(12)
    ref_params = _params(core)
    ref = _make(core, name, kwargs, ref_params)
    _steps(core, ref, ref_params, grads)

    params = _params(core)
    opt = _make(core, name, kwargs, params)
    _steps(core, opt, params, grads[:4])
    for p in params:
        p.data = p.data.to("cuda")
    for gs in grads[4:8]:
        for p, g in zip(params, gs):
            p.grad = core.tensor(g, device="cuda") + 0.5 * p.detach()
        opt.step()
    optimizer_to(opt, "cpu")
    for p in params:
        p.data = p.data.to("cpu")
    _steps(core, opt, params, grads[8:])
    for a, b in zip(params, ref_params):
        np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=1e-5, atol=1e-6)
    for state in opt.state.values():
        for key, value in state.items():
            assert value.device.type == "cpu", key
