"""The training worker: commands at random points, consistency, resume == uninterrupted, errors."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import random

import numpy as np
import pytest

from core.training import TrainConfig, TrainingRun
from playground.training_worker import DONE, TrainingController

SMALL = TrainConfig(dataset="moons", n=200, epochs=12, batch_size=16, model="mlp:8:tanh", seed=3)


@pytest.fixture
def ctl(qapp):
    c = TrainingController()
    c.errors = []
    c.worker.error.connect(c.errors.append)
    yield c
    c.shutdown()


def ask(ctl, qtbot, fn, timeout=10_000):
    """Run fn(run) in the worker between steps and return its result."""
    box = {}
    ctl.done.connect(lambda name, result: box.setdefault(name, result))
    key = f"ask{random.random()}"
    ctl.call(key, fn)
    qtbot.waitUntil(lambda: key in box, timeout=timeout)
    if isinstance(box[key], Exception):
        raise box[key]
    return box[key]


def wait_state(ctl, qtbot, states, timeout=10_000):
    qtbot.waitUntil(lambda: ctl.state in states, timeout=timeout)


def params(run):
    return {k: np.array(v.detach().numpy(), copy=True) for k, v in run.model.state_dict().items()}


def consistency(run):
    """Optimizer steps taken per parameter, steps done, reports made: all must agree."""
    steps = set()
    for group in run.optimizer.param_groups:
        for p in group["params"]:
            state = run.optimizer.state.get(p, {})
            if "step" in state:
                steps.add(int(float(state["step"])))
    return run.step, len(run.history), steps


def test_load_reports_the_run(ctl, qtbot):
    with qtbot.waitSignal(ctl.runLoaded, timeout=10_000) as got:
        ctl.load(SMALL)
    info = got.args[0]
    assert info.task == "classification" and info.input_shape == (2,)
    assert len(info.x_train) == 160 and len(info.x_val) == 40
    wait_state(ctl, qtbot, ("ready",))


def test_commands_at_random_points_keep_model_and_optimizer_consistent(ctl, qtbot):
    rng = random.Random(7)
    reports = []
    ctl.reports.connect(reports.extend)
    ctl.load(SMALL)
    wait_state(ctl, qtbot, ("ready",))
    for _ in range(12):
        action = rng.choice(["run", "step", "step", "run"])
        if action == "step":
            with qtbot.waitSignal(ctl.reports, timeout=5000):
                ctl.step()
        else:
            ctl.start()
            qtbot.wait(rng.randint(0, 30))
            ctl.pause()
            wait_state(ctl, qtbot, ("paused", *DONE))
        step, history, opt_steps = ask(ctl, qtbot, consistency)
        assert history == step and opt_steps <= {step}
        qtbot.waitUntil(lambda n=step: len(reports) == n, timeout=5000)  # every report arrives
        assert [r.step for r in reports] == list(range(1, step + 1))
        if ctl.state in DONE:
            break
    ctl.stop()
    wait_state(ctl, qtbot, ("stopped", "finished"))
    assert not ctl.errors


def test_paused_and_resumed_equals_uninterrupted(ctl, qtbot):
    expected = TrainingRun(SMALL)
    expected.run_to_end()
    ctl.load(SMALL)
    wait_state(ctl, qtbot, ("ready",))
    rng = random.Random(1)
    while ctl.state != "finished":
        ctl.start()
        qtbot.wait(rng.randint(1, 25))
        ctl.pause()
        if rng.random() < 0.3:
            ctl.step()
        wait_state(ctl, qtbot, ("paused", "finished"))
    got = ask(ctl, qtbot, params)
    for key, value in params(expected).items():
        np.testing.assert_array_equal(got[key], value, err_msg=key)


def test_stop_ends_the_run_at_a_boundary(ctl, qtbot):
    ctl.load(SMALL.replace(epochs=200))
    ctl.start()
    wait_state(ctl, qtbot, ("running",))
    qtbot.wait(30)
    ctl.stop()
    wait_state(ctl, qtbot, ("stopped",))
    step, history, opt_steps = ask(ctl, qtbot, consistency)
    assert 0 < step == history and opt_steps == {step}
    ctl.start()  # a stopped run stays stopped
    qtbot.wait(50)
    assert ctl.state == "stopped" and ask(ctl, qtbot, lambda run: run.step) == step


def test_a_failing_step_reaches_the_ui_and_the_run_stays_usable(ctl, qtbot):
    ctl.load(SMALL)
    wait_state(ctl, qtbot, ("ready",))

    def break_loss(run):
        good = run.loss_fn

        def bad(*args):
            if run.step >= 5:
                raise ValueError("the loss exploded on purpose")
            return good(*args)

        run.loss_fn, run._good_loss = bad, good

    ask(ctl, qtbot, break_loss)
    with qtbot.waitSignal(ctl.error, timeout=10_000) as got:
        ctl.start()
    assert "ValueError: the loss exploded on purpose" in got.args[0]
    wait_state(ctl, qtbot, ("paused",))
    assert ask(ctl, qtbot, consistency)[0] == 5  # left at its last boundary

    def repair(run):
        run.loss_fn = run._good_loss

    ask(ctl, qtbot, repair)
    ctl.start()
    wait_state(ctl, qtbot, ("finished",))


def test_a_nan_loss_pauses_with_a_readable_message(ctl, qtbot):
    cfg = TrainConfig(dataset="linear", optimizer="sgd", lr=10.0, epochs=50, seed=0)
    with qtbot.waitSignal(ctl.nonFinite, timeout=10_000) as got:
        ctl.load(cfg)
        ctl.start()
    failure = got.args[0]
    assert failure.step >= 1 and "step" in failure.message
    wait_state(ctl, qtbot, ("failed",))
    loss = ask(ctl, qtbot, lambda run: run.batch_loss(run.last_batch))
    assert loss.grad_fn is not None  # the graph panel can step its backward


def test_hyperparameters_change_at_the_next_step(ctl, qtbot):
    reports = []
    ctl.reports.connect(reports.extend)
    ctl.load(SMALL)
    wait_state(ctl, qtbot, ("ready",))
    ctl.step()
    ctl.set_hyperparameters(lr=0.123)
    ctl.step()
    qtbot.waitUntil(lambda: len(reports) == 2, timeout=5000)
    assert reports[1].changed == {"lr": 0.123} and reports[1].lr == pytest.approx(0.123)


def test_an_unavailable_device_is_refused_readably(ctl, qtbot):
    from core import cuda

    if cuda.is_available():
        pytest.skip("CUDA is available here")
    ctl.load(SMALL)
    wait_state(ctl, qtbot, ("ready",))
    with qtbot.waitSignal(ctl.error, timeout=5000) as got:
        ctl.set_device("cuda")
    assert "cuda" in got.args[0].lower()
    ctl.step()
    qtbot.waitUntil(lambda: ctl.state == "paused", timeout=5000)


def test_reports_are_throttled(ctl, qtbot):
    batches = []
    ctl.reports.connect(batches.append)
    ctl.load(TrainConfig(dataset="linear", epochs=400))
    ctl.start()
    wait_state(ctl, qtbot, ("finished",), timeout=20_000)
    qtbot.waitUntil(lambda: sum(map(len, batches)) == 400, timeout=5000)
    assert len(batches) < 200  # 400 fast steps arrive in far fewer signals


def test_steps_cost_the_worker_no_signal_and_every_report_arrives_once(ctl, qtbot):
    """The worker only appends reports to its outbox; the controller takes them, in order."""
    events = []
    ctl.worker.event.connect(lambda gen, step, kind, payload: events.append(kind))
    reports = []
    ctl.reports.connect(reports.extend)
    ctl.load(TrainConfig(dataset="linear", epochs=2000))
    wait_state(ctl, qtbot, ("ready",))
    events.clear()
    ctl.start()
    wait_state(ctl, qtbot, ("finished",), timeout=60_000)
    qtbot.waitUntil(lambda: len(reports) == 2000, timeout=5000)
    assert [r.step for r in reports] == list(range(1, 2001))
    assert len(events) < 2000 / 20, events  # states, fit updates: nothing per step


def test_fit_updates_are_paced_by_what_drawing_them_costs(ctl, qtbot):
    fits = []
    ctl.fitData.connect(fits.append)
    ctl.load(SMALL.replace(epochs=100))
    wait_state(ctl, qtbot, ("ready",))
    qtbot.waitUntil(lambda: len(fits) == 1, timeout=5000)  # the untrained model's
    ctl.set_fit_ui_cost(10.0)  # the UI says a fit update costs it 10 s: none while running
    ctl.step()  # forced (a single step shows its fit), sets the pace
    qtbot.waitUntil(lambda: len(fits) == 2, timeout=5000)
    ctl.start()
    wait_state(ctl, qtbot, ("finished",), timeout=60_000)
    qtbot.waitUntil(lambda: len(fits) == 3, timeout=5000)  # the end of the run's
    qtbot.wait(100)
    assert len(fits) == 3


def test_reports_are_taken_as_often_as_the_views_ask(ctl):
    from playground.training_worker import EMIT_INTERVAL, SLOWEST_TAKE

    ctl.set_take_interval(0.12)
    assert ctl._take_timer.interval() == 120
    ctl.set_take_interval(0.0)  # never more often than ~30 times a second
    assert ctl._take_timer.interval() == round(EMIT_INTERVAL * 1000)
    ctl.set_take_interval(5.0)  # never so rarely that the status line stalls
    assert ctl._take_timer.interval() == round(SLOWEST_TAKE * 1000)
