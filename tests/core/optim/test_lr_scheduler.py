"""LR schedulers: lr (and momentum) sequences against PyTorch, state dicts, errors, by-hand values."""

from __future__ import annotations

import math
import warnings

import pytest

import core
from core import optim
from core.optim import lr_scheduler

EPOCHS = 40


def _opt(lib, name: str = "SGD"):
    a = lib.ones(2, requires_grad=True)
    b = lib.ones(3, requires_grad=True)
    groups = [{"params": [a]}, {"params": [b], "lr": 0.05}]
    if name == "SGD":
        return lib.optim.SGD(groups, lr=0.1, momentum=0.9)
    return lib.optim.Adam(groups, lr=0.1)


SCHEDULES = [
    ("StepLR", {"step_size": 7, "gamma": 0.5}, "SGD"),
    ("MultiStepLR", {"milestones": [5, 12, 12, 30], "gamma": 0.3}, "SGD"),
    ("ExponentialLR", {"gamma": 0.93}, "SGD"),
    ("CosineAnnealingLR", {"T_max": 10}, "SGD"),
    ("CosineAnnealingLR", {"T_max": 15, "eta_min": 0.001}, "Adam"),
    ("LambdaLR", {"lr_lambda": lambda e: 1.0 / (1 + e)}, "SGD"),
    ("MultiplicativeLR", {"lr_lambda": lambda e: 0.97}, "SGD"),
    ("ConstantLR", {"factor": 0.25, "total_iters": 6}, "SGD"),
    ("LinearLR", {"start_factor": 0.2, "end_factor": 0.9, "total_iters": 9}, "SGD"),
    ("OneCycleLR", {"max_lr": 1.0, "total_steps": EPOCHS + 1}, "SGD"),
    (
        "OneCycleLR",
        {"max_lr": [1.0, 0.5], "total_steps": EPOCHS + 1, "anneal_strategy": "linear"},
        "Adam",
    ),
    ("OneCycleLR", {"max_lr": 0.3, "epochs": 5, "steps_per_epoch": 9, "three_phase": True}, "SGD"),
    (
        "OneCycleLR",
        {
            "max_lr": 0.3,
            "total_steps": 50,
            "pct_start": 0.4,
            "div_factor": 10.0,
            "final_div_factor": 100.0,
            "base_momentum": 0.8,
            "max_momentum": 0.9,
        },
        "Adam",
    ),
    ("OneCycleLR", {"max_lr": 0.3, "total_steps": 45, "cycle_momentum": False}, "SGD"),
]


def _sequence(lib, name: str, kwargs: dict, opt_name: str) -> list:
    opt = _opt(lib, opt_name)
    sched = getattr(lib.optim.lr_scheduler, name)(opt, **kwargs)
    out = []
    for _ in range(EPOCHS):
        opt.step()
        sched.step()
        groups = [(g["lr"], g.get("momentum"), g.get("betas")) for g in opt.param_groups]
        out.append((tuple(sched.get_last_lr()), tuple(groups), sched.last_epoch))
    return out


@pytest.mark.parametrize(
    "index", range(len(SCHEDULES)), ids=[f"{s[0]}-{i}" for i, s in enumerate(SCHEDULES)]
)
def test_schedule_matches_torch_exactly(index: int) -> None:
    torch = pytest.importorskip("torch")
    name, kwargs, opt_name = SCHEDULES[index]
    ours = _sequence(core, name, kwargs, opt_name)
    theirs = _sequence(torch, name, kwargs, opt_name)
    assert ours == theirs  # the same Python float arithmetic: bit for bit


@pytest.mark.parametrize(
    "index", range(len(SCHEDULES)), ids=[f"{s[0]}-{i}" for i, s in enumerate(SCHEDULES)]
)
def test_state_dict_matches_torch(index: int) -> None:
    torch = pytest.importorskip("torch")
    name, kwargs, opt_name = SCHEDULES[index]
    sds = []
    for lib in (core, torch):
        opt = _opt(lib, opt_name)
        sched = getattr(lib.optim.lr_scheduler, name)(opt, **kwargs)
        for _ in range(5):
            opt.step()
            sched.step()
        sds.append((sched.state_dict(), opt.state_dict()["param_groups"]))
    assert sds[0] == sds[1]


def test_reduce_on_plateau_matches_torch() -> None:
    torch = pytest.importorskip("torch")
    metrics = [
        1.0,
        0.9,
        0.9,
        0.95,
        0.91,
        0.9,
        0.89,
        0.9,
        0.9,
        0.9,
        0.9,
        0.8,
        0.8,
        0.8,
        0.8,
        0.8,
        0.8,
        0.8,
        0.7,
        0.7,
        0.7,
        0.7,
        0.7,
        0.7,
        0.7,
        0.7,
        0.7,
        0.7,
        0.7,
        0.7,
        0.7,
    ]
    configs = [
        {},
        {"patience": 2, "factor": 0.5},
        {"mode": "max", "patience": 1, "threshold": 0.01, "threshold_mode": "abs"},
        {"patience": 1, "cooldown": 2, "min_lr": [0.02, 0.001], "factor": 0.3},
        {"patience": 0, "threshold": 0.05, "min_lr": 0.01, "eps": 1e-3},
    ]
    for cfg in configs:
        runs = []
        for lib in (core, torch):
            opt = _opt(lib)
            sched = lib.optim.lr_scheduler.ReduceLROnPlateau(opt, **cfg)
            seq = []
            for m in metrics:
                opt.step()
                sched.step(lib.tensor(m) if m == 0.8 else m)
                seq.append(
                    (
                        tuple(sched.get_last_lr()),
                        sched.num_bad_epochs,
                        sched.cooldown_counter,
                        sched.best,
                        sched.last_epoch,
                    )
                )
            runs.append((seq, sched.state_dict()))
        assert runs[0] == runs[1], cfg


def test_errors_match_torch() -> None:
    torch = pytest.importorskip("torch")
    cases = [
        ("ReduceLROnPlateau", {"factor": 1.0}),
        ("ReduceLROnPlateau", {"mode": "avg"}),
        ("ReduceLROnPlateau", {"threshold_mode": "x"}),
        ("ReduceLROnPlateau", {"min_lr": [0.1]}),
        ("OneCycleLR", {"max_lr": 0.1}),
        ("OneCycleLR", {"max_lr": 0.1, "total_steps": 0}),
        ("OneCycleLR", {"max_lr": 0.1, "epochs": 2, "steps_per_epoch": -1}),
        ("OneCycleLR", {"max_lr": 0.1, "total_steps": 10, "pct_start": 1}),
        ("OneCycleLR", {"max_lr": 0.1, "total_steps": 10, "anneal_strategy": "exp"}),
        ("OneCycleLR", {"max_lr": [0.1], "total_steps": 10}),
        ("LambdaLR", {"lr_lambda": [lambda e: 1.0]}),
        ("ConstantLR", {"factor": 2.0}),
        ("LinearLR", {"start_factor": 0.0}),
        ("StepLR", {"step_size": 2, "last_epoch": 3}),
    ]
    for name, kwargs in cases:
        msgs = []
        for lib in (core, torch):
            with pytest.raises((ValueError, KeyError)) as info:
                getattr(lib.optim.lr_scheduler, name)(_opt(lib), **kwargs)
            msgs.append((type(info.value), str(info.value)))
        assert msgs[0] == msgs[1], name
    with pytest.raises(TypeError, match="int is not an Optimizer"):
        lr_scheduler.StepLR(3, step_size=1)


def test_one_cycle_past_total_steps_raises() -> None:
    opt = _opt(core)
    sched = lr_scheduler.OneCycleLR(opt, max_lr=0.1, total_steps=3)
    for _ in range(3):
        opt.step()
        sched.step()
    with pytest.raises(ValueError, match="Tried to step 4 times. The specified number of total"):
        sched.step()


# --- torch-free checks ----------------------------------------------------------------------------
def test_step_lr_by_hand_and_initial_lr() -> None:
    opt = _opt(core)
    sched = lr_scheduler.StepLR(opt, step_size=2, gamma=0.1)
    assert [g["initial_lr"] for g in opt.param_groups] == [0.1, 0.05]
    seen = []
    for _ in range(5):
        seen.append(sched.get_last_lr()[0])
        opt.step()
        sched.step()
    assert seen == pytest.approx([0.1, 0.1, 0.01, 0.01, 0.001])


def test_cosine_follows_closed_form() -> None:
    opt = _opt(core)
    sched = lr_scheduler.CosineAnnealingLR(opt, T_max=8, eta_min=0.01)
    for epoch in range(1, 30):
        opt.step()
        sched.step()
        want = 0.01 + (0.1 - 0.01) * (1 + math.cos(math.pi * epoch / 8)) / 2
        assert sched.get_last_lr()[0] == pytest.approx(want, abs=1e-12)


def test_one_cycle_shape_and_momentum() -> None:
    opt = _opt(core)
    sched = lr_scheduler.OneCycleLR(opt, max_lr=1.0, total_steps=100)
    assert opt.param_groups[0]["lr"] == pytest.approx(0.04)
    assert opt.param_groups[0]["momentum"] == pytest.approx(0.95)
    lrs, moms = [], []
    for _ in range(99):
        opt.step()
        sched.step()
        lrs.append(sched.get_last_lr()[0])
        moms.append(opt.param_groups[0]["momentum"])
    peak = max(range(len(lrs)), key=lrs.__getitem__)
    assert lrs[peak] == pytest.approx(1.0) and peak == 28  # end of phase 1: 0.3 * 100 - 1 - 1
    assert moms[peak] == pytest.approx(0.85)
    assert lrs[-1] == pytest.approx(0.04 / 1e4)


def test_lambda_lr_state_dict_round_trip() -> None:
    class Decay:
        def __init__(self) -> None:
            self.rate = 0.5

        def __call__(self, epoch: int) -> float:
            return self.rate**epoch

    opt = _opt(core)
    fn = Decay()
    sched = lr_scheduler.LambdaLR(opt, [fn, lambda e: 1.0])
    fn.rate = 0.25
    sd = sched.state_dict()
    assert sd["lr_lambdas"] == [{"rate": 0.25}, None]
    other = Decay()
    sched2 = lr_scheduler.LambdaLR(_opt(core), [other, lambda e: 1.0])
    sched2.load_state_dict(sd)
    assert other.rate == 0.25 and sched2.last_epoch == sched.last_epoch


def test_scheduler_resume_equals_uninterrupted() -> None:
    def run(stop: int | None):
        opt = _opt(core)
        sched = lr_scheduler.CosineAnnealingLR(opt, T_max=7)
        out = []
        for i in range(20):
            if i == stop:
                saved_opt, saved = opt.state_dict(), sched.state_dict()
                opt = _opt(core)
                opt.load_state_dict(saved_opt)
                sched = lr_scheduler.CosineAnnealingLR(opt, T_max=7)
                sched.load_state_dict(saved)
            opt.step()
            sched.step()
            out.append(sched.get_last_lr())
        return out

    assert run(None) == run(9)


def test_warnings() -> None:
    opt = _opt(core)
    sched = lr_scheduler.ExponentialLR(opt, gamma=0.9)
    with pytest.warns(UserWarning, match="before `optimizer.step\\(\\)`"):
        sched.step()
    with pytest.warns(UserWarning, match="please use `get_last_lr\\(\\)`"):
        sched.get_lr()
    opt2 = _opt(core)
    sched2 = lr_scheduler.StepLR(opt2, 3)
    opt2.step()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        sched2.step()


def test_optimizer_lr_as_seen_by_step() -> None:
    p = core.tensor([1.0], requires_grad=True)
    opt = optim.SGD([p], lr=1.0)
    sched = lr_scheduler.MultiStepLR(opt, milestones=[1], gamma=0.5)
    for _ in range(2):
        p.grad = core.tensor([1.0])
        opt.step()
        sched.step()
    assert p.item() == pytest.approx(1.0 - 1.0 - 0.5)


def _warmup_cosine(lib, opt):
    L = lib.optim.lr_scheduler
    warm = L.LinearLR(opt, start_factor=0.1, total_iters=5)
    cos = L.CosineAnnealingLR(opt, T_max=20, eta_min=1e-4)
    return L.SequentialLR(opt, [warm, cos], milestones=[5])


def _three_stage(lib, opt):
    L = lib.optim.lr_scheduler
    return L.SequentialLR(
        opt,
        [
            L.ConstantLR(opt, factor=0.5, total_iters=3),
            L.ExponentialLR(opt, gamma=0.9),
            L.StepLR(opt, step_size=4),
        ],
        milestones=[6, 15],
    )


def _chained(lib, opt):
    L = lib.optim.lr_scheduler
    return L.ChainedScheduler(
        [L.ConstantLR(opt, factor=0.2, total_iters=4), L.ExponentialLR(opt, gamma=0.95)]
    )


BUILDERS = {
    "sequential-warmup-cosine": _warmup_cosine,
    "sequential-three-stage": _three_stage,
    "chained": _chained,
    "polynomial": lambda lib, opt: lib.optim.lr_scheduler.PolynomialLR(
        opt, total_iters=25, power=2.0
    ),
    "warm-restarts": lambda lib, opt: lib.optim.lr_scheduler.CosineAnnealingWarmRestarts(
        opt, T_0=4, T_mult=2, eta_min=0.001
    ),
}


@pytest.mark.parametrize("name", list(BUILDERS))
def test_composite_and_extra_schedules_match_torch(name: str) -> None:
    torch = pytest.importorskip("torch")
    runs = []
    for lib in (core, torch):
        opt = _opt(lib)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # PyTorch warns about the children's order
            sched = BUILDERS[name](lib, opt)
        seq = []
        for _ in range(EPOCHS):
            opt.step()
            sched.step()
            seq.append((tuple(sched.get_last_lr()), tuple(g["lr"] for g in opt.param_groups)))
        sd = sched.state_dict()
        runs.append(
            (
                seq,
                {k: v for k, v in sd.items() if k != "_schedulers"},
                len(sd.get("_schedulers", [])),
            )
        )
    assert runs[0] == runs[1]


def test_warm_restarts_fractional_epochs_match_torch() -> None:
    torch = pytest.importorskip("torch")
    runs = []
    for lib in (core, torch):
        opt = _opt(lib)
        sched = lib.optim.lr_scheduler.CosineAnnealingWarmRestarts(opt, T_0=3, T_mult=2)
        seq = []
        for epoch in range(12):
            for i in range(4):
                opt.step()
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    sched.step(epoch + i / 4)
                seq.append(tuple(sched.get_last_lr()))
        runs.append(seq)
    assert runs[0] == runs[1]
