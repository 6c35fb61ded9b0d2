"""TrainingRun: determinism, pause/resume bit for bit, live changes, devices, failures, plots."""

from __future__ import annotations

import random

import numpy as np
import pytest

import core
from core.training import TrainConfig, TrainingRun

SMALL = TrainConfig(dataset="moons", n=200, epochs=3, batch_size=16, model="mlp:16:relu")
NOISY = SMALL.replace(model="mlp:16,8:tanh:dropout=0.2:bn", optimizer="sgd", momentum=0.9, lr=0.05)


def params(run: TrainingRun) -> dict[str, np.ndarray]:
    return {k: v.detach().cpu().numpy().copy() for k, v in run.model.state_dict().items()}


def optimizer_arrays(run: TrainingRun) -> list[np.ndarray]:
    out = []
    for state in run.optimizer.state.values():
        for value in state.values():
            if isinstance(value, core.Tensor):
                out.append(value.detach().cpu().numpy().copy())
    return out


def assert_same_run(a: TrainingRun, b: TrainingRun) -> None:
    pa, pb = params(a), params(b)
    assert pa.keys() == pb.keys()
    for k in pa:
        np.testing.assert_array_equal(pa[k], pb[k], err_msg=k)
    for x, y in zip(optimizer_arrays(a), optimizer_arrays(b), strict=True):
        np.testing.assert_array_equal(x, y)
    assert [r.loss for r in a.history] == [r.loss for r in b.history]
    assert [r.val_loss for r in a.history] == [r.val_loss for r in b.history]


def test_same_config_same_run() -> None:
    a, b = TrainingRun(SMALL), TrainingRun(SMALL)
    a.run_to_end()
    b.run_to_end()
    assert_same_run(a, b)
    assert a.state == "finished" and a.step == a.total_steps == 3 * 10


def test_another_seed_another_run() -> None:
    a, b = TrainingRun(SMALL), TrainingRun(SMALL.replace(seed=1))
    assert not all(np.array_equal(x, y) for x, y in zip(params(a).values(), params(b).values()))


def test_reports() -> None:
    run = TrainingRun(SMALL)
    reports = run.run_to_end()
    assert [r.step for r in reports] == list(range(1, 31))
    ends = [r for r in reports if r.epoch_end]
    assert [r.epoch for r in ends] == [0, 1, 2] and all(r.batch == 9 for r in ends)
    assert all(r.val_loss is not None and 0 <= r.val_accuracy <= 1 for r in ends)
    assert all(r.val_loss is None and r.val_accuracy is None for r in reports if not r.epoch_end)
    r = reports[-1]
    assert r.progress == 1.0 and r.lr == 0.01 and r.device == "cpu" and r.examples == 16
    assert r.examples_per_s > 0 and r.elapsed > 0 and r.total_steps == 30
    assert r.to_dict()["step"] == 30
    assert run.steps().__next__ is not None and list(run.steps()) == []


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_pause_and_resume_equal_an_uninterrupted_run(seed: int) -> None:
    whole = TrainingRun(NOISY)
    whole.run_to_end()

    rng = random.Random(seed)
    run = TrainingRun(NOISY)
    while not run.finished:
        how = rng.choice(["break", "step", "pause"])
        if how == "step":
            run.step_once()
        else:
            stop_after = rng.randint(1, 7)
            for i, _ in enumerate(run.steps()):
                if i + 1 == stop_after:
                    if how == "break":
                        break
                    run.pause()
            assert run.state in ("paused", "finished")
        core.rand(3)  # someone else using the global generator between steps changes nothing
        run.predict(np.zeros((2, 2), np.float32))  # nor do plots between steps
    assert_same_run(whole, run)


def test_state_dict_round_trip_continues_identically(tmp_path) -> None:
    whole = TrainingRun(NOISY)
    whole.run_to_end()
    run = TrainingRun(NOISY)
    for _ in range(13):
        run.step_once()
    core.save(run.state_dict(), tmp_path / "session.safetensors")
    again = TrainingRun.from_state_dict(core.load(tmp_path / "session.safetensors"))
    assert again.step == 13 and len(again.history) == 13
    again.run_to_end()
    assert_same_run(whole, again)


def test_stop_ends_at_a_boundary() -> None:
    run = TrainingRun(SMALL)
    for r in run.steps():
        if r.step == 5:
            run.stop()
    assert run.state == "stopped" and run.step == 5
    assert run.step_once() is None and list(run.steps()) == []


def test_hyperparameters_change_at_the_next_step() -> None:
    run = TrainingRun(SMALL.replace(optimizer="sgd", lr=0.1, momentum=0.5))
    run.step_once()
    run.set_hyperparameters(lr=0.01, momentum=0.9, weight_decay=1e-3)
    g = run.optimizer.param_groups[0]
    assert (g["lr"], g["momentum"], g["weight_decay"]) == (0.01, 0.9, 1e-3)
    r = run.step_once()
    assert r.lr == 0.01 and r.changed == {"lr": 0.01, "momentum": 0.9, "weight_decay": 1e-3}
    assert run.step_once().changed is None
    assert run.config.lr == 0.01
    with pytest.raises(ValueError, match="learning rate"):
        run.set_hyperparameters(lr=-1.0)


def test_adam_momentum_is_beta1() -> None:
    run = TrainingRun(SMALL)
    run.set_hyperparameters(momentum=0.8)
    assert run.optimizer.param_groups[0]["betas"] == (0.8, 0.999)


def test_device_changes() -> None:
    run = TrainingRun(SMALL)
    run.step_once()
    run.to("cpu")
    assert run.step_once().changed is None
    if not core.cuda.is_available():
        with pytest.raises(RuntimeError, match="cuda"):
            run.to("cuda")
        assert run.device == "cpu"
        run.step_once()


@pytest.mark.skipif(not core.cuda.is_available(), reason="no CUDA device")
def test_device_change_mid_run_continues_the_curve() -> None:
    whole = TrainingRun(SMALL)
    whole.run_to_end()
    run = TrainingRun(SMALL)
    for _ in range(7):
        run.step_once()
    run.to("cuda")
    r = run.step_once()
    assert r.device == "cuda:0" or r.device.startswith("cuda")
    assert r.changed and "device" in r.changed
    for _ in range(5):
        run.step_once()
    run.to("cpu")
    run.run_to_end()
    for k, v in params(whole).items():
        np.testing.assert_allclose(params(run)[k], v, rtol=1e-4, atol=1e-5)


def test_nan_loss_names_the_step_and_the_op() -> None:
    run = TrainingRun(TrainConfig(dataset="linear", lr=20.0, epochs=50))
    reports = run.run_to_end()
    failure = run.failure
    assert run.state == "failed" and failure is not None
    assert reports[-1].failure is failure and failure.step == reports[-1].step == len(reports)
    assert failure.op is not None and failure.op.endswith("Backward0")
    assert f"step {failure.step}" in failure.message and failure.op in failure.message
    assert run.last_batch is not None and run.last_batch.step == failure.step
    assert run.step == failure.step - 1  # the failed step did not update the parameters
    assert list(run.steps()) == []


def test_last_batch_graph_can_be_stepped() -> None:
    run = TrainingRun(SMALL)
    run.step_once()
    before = params(run)
    loss = run.batch_loss()
    names = [rec.node.name() for rec in core.autograd.backward_steps(loss)]
    assert names[0] == "NllLossBackward0" or "Backward" in names[0]
    assert "AddmmBackward0" in names
    for k, v in params(run).items():
        np.testing.assert_array_equal(v, before[k])


def test_plot_data() -> None:
    run = TrainingRun(SMALL)
    run.run_to_end()
    grid = run.decision_grid(resolution=20)
    assert grid.probs.shape == (20, 20, 2) and grid.classes.shape == (20, 20)
    np.testing.assert_allclose(grid.probs.sum(-1), 1.0, rtol=1e-5)
    cm = run.confusion_matrix()
    assert cm.shape == (2, 2) and cm.sum() == 40
    acc = run.evaluate("val")[1]
    assert np.trace(cm) / cm.sum() == pytest.approx(acc)
    s = run.sample_predictions(k=5)
    assert s.inputs.shape == (5, 2) and s.predicted.shape == (5,)
    with pytest.raises(ValueError):
        run.curve()

    reg = TrainingRun(TrainConfig(dataset="sine", epochs=1))
    xs, ys = reg.curve(num=50)
    assert xs.shape == ys.shape == (50,)
    with pytest.raises(ValueError):
        reg.decision_grid()


def test_images_and_lenet() -> None:
    run = TrainingRun(TrainConfig(dataset="digits", n=200, model="lenet", epochs=1))
    assert run.input_shape == (1, 8, 8)
    run.run_to_end()
    s = run.sample_predictions(k=4)
    assert s.inputs.shape == (4, 1, 8, 8)
    assert run.confusion_matrix().shape == (10, 10)


def test_custom_data() -> None:
    X = np.linspace(-1, 1, 50, dtype=np.float32).reshape(-1, 1)
    run = TrainingRun(TrainConfig(epochs=2, model="linear"), data=(X, 2 * X[:, 0] + 1))
    assert run.task == "regression" and run.config.dataset == "custom"
    run.run_to_end()
    assert run.curve(num=10)[1].shape == (10,)


def test_acceptance_moons_default_reaches_95_percent() -> None:
    run = TrainingRun(TrainConfig(dataset="moons"))
    run.run_to_end()
    loss, acc = run.evaluate("val")
    assert acc >= 0.95, (loss, acc)
    assert run.history[-1].val_accuracy == acc


def test_acceptance_linear_default_within_1_percent_of_least_squares() -> None:
    run = TrainingRun(TrainConfig(dataset="linear"))
    run.run_to_end()
    X, y = run.data("train")
    A = np.hstack([X.astype(np.float64), np.ones((len(X), 1))])
    coef, *_ = np.linalg.lstsq(A, y.astype(np.float64), rcond=None)
    optimum = float(np.mean((A @ coef - y) ** 2))
    loss = run.evaluate("train")[0]
    assert loss <= optimum * 1.01, (loss, optimum)


def test_blas_threads_can_be_limited() -> None:
    from core.training import blas_threads, set_blas_threads

    before = blas_threads()
    if before is None:
        pytest.skip("no OpenBLAS/MKL found")
    assert set_blas_threads(1) and blas_threads() == 1
    set_blas_threads(before)
    with pytest.raises(ValueError):
        set_blas_threads(0)


def test_an_exception_in_a_step_leaves_the_run_resumable() -> None:
    whole = TrainingRun(SMALL)
    whole.run_to_end()
    run = TrainingRun(SMALL)
    for _ in range(10):  # the next step starts an epoch
        run.step_once()
    loss_fn, calls = run.loss_fn, []

    def flaky(out, target):
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("boom")
        return loss_fn(out, target)

    run.loss_fn = flaky
    with pytest.raises(RuntimeError, match="boom"):
        run.step_once()
    assert run.state == "paused" and run.step == 10
    run.run_to_end()
    assert_same_run(whole, run)


def test_no_validation_data_and_batch_norm_with_a_lone_example() -> None:
    cfg = SMALL.replace(n=161, val_fraction=0.0, batch_size=16, model="mlp:8:relu:bn", epochs=2)
    run = TrainingRun(cfg)
    assert run.batches_per_epoch == 10  # 161 = 10 * 16 + 1: the lone example waits
    reports = run.run_to_end()
    ends = [r for r in reports if r.epoch_end]
    assert len(ends) == 2 and all(r.val_loss is None and r.val_accuracy is None for r in ends)


@pytest.mark.parametrize("scheduler", ["step", "exponential", "cosine"])
def test_schedulers_step_at_epoch_ends_and_survive_a_session(scheduler: str, tmp_path) -> None:
    cfg = SMALL.replace(scheduler=scheduler, step_size=1, gamma=0.5, epochs=3)
    whole = TrainingRun(cfg)
    lrs = sorted({r.lr for r in whole.run_to_end()}, reverse=True)
    assert lrs[0] == 0.01 and len(lrs) == 3
    if scheduler != "cosine":
        assert lrs[1] == pytest.approx(0.005)
    run = TrainingRun(cfg)
    for _ in range(15):
        run.step_once()
    core.save(run.state_dict(), tmp_path / "s.safetensors")
    again = TrainingRun.from_state_dict(core.load(tmp_path / "s.safetensors"))
    again.run_to_end()
    assert_same_run(whole, again)
    assert [r.lr for r in again.history] == [r.lr for r in whole.history]


def test_custom_without_data_says_what_to_pass() -> None:
    from core.training import ConfigError

    with pytest.raises(ConfigError, match="data=\\(X, y\\)"):
        TrainingRun(TrainConfig(dataset="custom", task="regression"))


def test_the_move_path_keeps_the_run_identical() -> None:
    # what a device switch does (model, optimizer state, data, last batch), exercised on the CPU
    whole = TrainingRun(NOISY)
    whole.run_to_end()
    run = TrainingRun(NOISY)
    for _ in range(7):
        run.step_once()
    run._move("cpu")
    run.run_to_end()
    assert_same_run(whole, run)


def test_predict_checks_the_input_shape() -> None:
    run = TrainingRun(SMALL)
    assert run.predict(np.zeros((3, 2), np.float32)).shape == (3, 2)
    with pytest.raises(ValueError, match=r"shape \(n, 2\)"):
        run.predict(np.zeros((3, 3), np.float32))
    digits = TrainingRun(TrainConfig(dataset="digits", n=50, epochs=1))
    assert digits.predict(np.zeros((2, 64), np.float32)).shape == (2, 10)  # flat rows are fine


def test_non_finite_weights_are_named_as_the_cause() -> None:
    run = TrainingRun(SMALL)
    run.step_once()
    with core.no_grad():
        run.model.fc2.weight[0, 0] = float("nan")
    report = run.step_once()
    f = report.failure
    assert f is not None and f.module == "fc2" and f.op == "AddmmBackward0"
    assert "already not finite" in f.message and "step 1 overflowed" in f.message
    assert "nan at step 2" in f.message


def test_stepping_the_last_batch_changes_nothing_in_the_run() -> None:
    whole = TrainingRun(NOISY)  # batch norm and dropout: buffers and random streams
    whole.run_to_end()
    run = TrainingRun(NOISY)
    for _ in range(5):
        run.step_once()
        for _rec in core.autograd.backward_steps(run.batch_loss()):
            pass
    run.run_to_end()
    assert_same_run(whole, run)


def test_a_failed_run_survives_a_session(tmp_path) -> None:
    run = TrainingRun(TrainConfig(dataset="linear", lr=20.0, epochs=50))
    run.run_to_end()
    core.save(run.state_dict(), tmp_path / "failed.safetensors")
    again = TrainingRun.from_state_dict(core.load(tmp_path / "failed.safetensors"))
    assert again.state == "failed" and again.failure == run.failure
    assert again.history[-1].failure == run.failure and list(again.steps()) == []


def test_custom_data_survives_a_session(tmp_path) -> None:
    rng = np.random.default_rng(3)
    X = rng.standard_normal((90, 2)).astype(np.float32)
    y = (X[:, 0] * X[:, 1] > 0).astype(np.int64)
    cfg = TrainConfig(epochs=3, batch_size=8, model="mlp:8:tanh")
    whole = TrainingRun(cfg, data=(X, y))
    whole.run_to_end()
    run = TrainingRun(cfg, data=(X, y))
    for _ in range(11):
        run.step_once()
    core.save(run.state_dict(), tmp_path / "custom.safetensors")
    again = TrainingRun.from_state_dict(core.load(tmp_path / "custom.safetensors"))
    for split in ("train", "val"):
        for a, b in zip(again.data(split), whole.data(split)):
            np.testing.assert_array_equal(a, b)
    again.run_to_end()
    assert_same_run(whole, again)


def test_a_worker_thread_and_a_busy_ui_thread_change_nothing() -> None:
    import threading

    cfg = NOISY.replace(epochs=8)
    whole = TrainingRun(cfg)
    whole.run_to_end()
    run = TrainingRun(cfg)
    errors: list[BaseException] = []
    actions = 0
    # The worker takes a step only after the other thread's next action has begun, so the two
    # interleave whatever the machine's speed (no reliance on timing).
    turn = threading.Semaphore(0)

    def worker() -> None:
        try:
            while not run.finished:
                turn.acquire()
                for _ in run.steps():
                    break
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    thread = threading.Thread(target=worker)
    thread.start()
    rng = random.Random(0)
    while thread.is_alive():
        actions += 1
        turn.release()
        what = rng.choice(["predict", "grid", "hyper", "pause", "device", "evaluate"])
        if what == "predict":
            assert run.predict(np.zeros((4, 2), np.float32)).shape == (4, 2)
        elif what == "grid":
            run.decision_grid(resolution=8)
        elif what == "hyper":
            run.set_hyperparameters(lr=0.05, momentum=0.9)  # the values it has: no change
        elif what == "pause":
            run.pause()
        elif what == "device":
            run.to("cpu")
        else:
            run.evaluate("val")
    thread.join()
    assert not errors and actions > 10
    assert_same_run(whole, run)
