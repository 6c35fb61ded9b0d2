"""core's ops never warn on overflow, 0/0 or log(0), as PyTorch; the user's own NumPy state stays."""

from __future__ import annotations

import threading
import warnings

import numpy as np
import pytest

import core
from core.fp_quiet import quiet


def test_quiet_silences_every_condition_and_restores_the_users_state() -> None:
    with np.errstate(all="raise"):
        with quiet(), warnings.catch_warnings():
            warnings.simplefilter("error")
            assert np.isinf(np.float32(3e38) * np.float32(10))
            assert np.isnan(np.zeros(1) / np.zeros(1))[0]
            assert np.log(np.zeros(1))[0] == -np.inf
        assert np.geterr()["over"] == "raise"  # the outer state is back, not the default
        with pytest.raises(FloatingPointError):
            np.log(np.zeros(1))
    assert np.geterr()["divide"] == "warn"


def test_quiet_nests_and_restores_after_an_exception() -> None:
    before = np.geterr()
    with pytest.raises(ValueError), quiet():
        with quiet():
            pass
        raise ValueError("inside")
    assert np.geterr() == before


def test_quiet_is_per_thread() -> None:
    seen: list[dict] = []
    entered, leave = threading.Event(), threading.Event()

    def hold() -> None:
        with quiet():
            entered.set()
            leave.wait(5)

    worker = threading.Thread(target=hold)
    worker.start()
    assert entered.wait(5)
    seen.append(np.geterr())  # this thread, while the worker sits inside quiet()
    leave.set()
    worker.join()
    assert seen[0]["divide"] == "warn"


@pytest.mark.parametrize(
    "expr",
    [
        "core.tensor([3e38]) * 10",
        "core.tensor([3e38], requires_grad=True).mul(10).sum() * 10",
        "core.tensor([3e38]).mul_(10)",
        "core.tensor([0.0]) / core.tensor([0.0])",
        "core.tensor([0.0]).log()",
        "core.nn.functional.mse_loss(core.tensor([3e38]), core.tensor([-3e38]))",
        "core.tensor([-1.0]).sqrt()",
    ],
)
def test_core_ops_give_inf_or_nan_without_a_warning(expr: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = eval(expr)  # noqa: S307  (fixed test expressions)
    assert not np.isfinite(out.detach().numpy()).all()


def test_a_backward_that_overflows_gives_inf_without_a_warning() -> None:
    x = core.tensor([3e38], requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        (x * x).sum().backward()  # d(x^2) = 2x: 6e38 overflows float32
    assert x.grad.item() == float("inf")


def test_a_diverging_optimizer_step_gives_inf_without_a_warning() -> None:
    p = core.tensor([3e38], requires_grad=True)
    p.grad = core.tensor([3e38])
    opt = core.optim.SGD([p], lr=1e10, momentum=0.9)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        opt.step()
    assert p.item() == float("-inf")


def test_code_between_backward_steps_keeps_its_own_numpy_state() -> None:
    from core.autograd.engine import backward_steps

    x = core.tensor([3e38], requires_grad=True)
    states = []
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for _ in backward_steps((x * x * 2).sum()):
            states.append(np.geterr()["over"])
    assert states == ["warn"] * len(states) and len(states) == 4
    assert x.grad.item() == float("inf")


def _set_item(x: core.Tensor) -> core.Tensor:
    x[0] = 1e300
    return x


@pytest.mark.parametrize(
    "make",
    [
        lambda: core.tensor([1e300], dtype=core.float32),
        lambda: core.tensor([1e300], dtype=core.float64).float(),
        lambda: core.tensor([float("nan"), float("inf")]).long(),
        lambda: core.tensor([1e300], dtype=core.float64).to(core.float32),
        lambda: core.full((2,), 1e300, dtype=core.float32),
        lambda: core.zeros(2).fill_(1e300),
        lambda: core.zeros(2).copy_(core.tensor([1e300, 1.0], dtype=core.float64)),
        lambda: _set_item(core.zeros(2)),
        lambda: core.as_tensor(np.array([1e300]), dtype=core.float32),
    ],
)
def test_casts_fills_and_assignments_out_of_range_are_silent(make) -> None:  # noqa: ANN001
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        make()


def test_the_state_is_restored_when_an_op_or_a_hook_raises() -> None:
    before = np.geterr()
    x = core.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError):
        x.view(3)  # a forward that raises inside apply_op
    assert np.geterr() == before

    def bad_hook(g: core.Tensor) -> None:
        raise ValueError("hook")

    y = x * 2
    y.register_hook(bad_hook)
    with pytest.raises(ValueError, match="hook"):
        y.sum().backward()
    assert np.geterr() == before


def test_a_stepped_backward_abandoned_halfway_leaves_the_state_alone() -> None:
    from core.autograd.engine import backward_steps

    before = np.geterr()
    x = core.tensor([1.0], requires_grad=True)
    steps = backward_steps((x * 2 * 3).sum())
    next(steps)
    assert np.geterr() == before
    steps.close()
    assert np.geterr() == before


def test_one_quiet_cannot_be_entered_twice() -> None:
    q = quiet()
    with q, pytest.raises(TypeError, match="twice"):
        q.__enter__()
    assert np.geterr()["over"] == "warn"
