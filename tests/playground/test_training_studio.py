"""The training studio in the real main window: defaults that train well, live changes, NaN
handling, export (loaded by torch), sessions and autosave, and the run's buttons."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np
import pytest
from PySide6.QtWidgets import QWidget

from core.training import ModelSpec
from playground import studio_session


@pytest.fixture(scope="module")
def studio(pg):
    if "training" not in pg.window.panels:
        pytest.skip("training panel not built")
    return pg


def ask(pg, fn, timeout=20):
    """fn(run) in the worker thread; its result here."""
    panel = pg.window.panels["training"]
    box = {}
    panel.call("test", fn, lambda result: box.setdefault("r", result))
    assert pg.wait_until(lambda: "r" in box, timeout), "the worker did not answer"
    if isinstance(box["r"], Exception):
        raise box["r"]
    return box["r"]


def test_the_default_example_fits_the_line_within_1_percent_of_least_squares(studio):
    panel = studio.window.panels["training"]
    assert panel.data.kind == "linear"  # what a first click on Start trains
    history = studio.train(wait=True, timeout=30)
    assert panel.controller.state == "finished" and history[-1].elapsed < 10
    X, y = panel.info.x_train.astype(np.float64), panel.info.y_train.astype(np.float64)
    A = np.hstack([X, np.ones_like(X)])
    w, *_ = np.linalg.lstsq(A, y, rcond=None)
    best = float(np.mean((A @ w - y) ** 2))
    pred = ask(studio, lambda run: run.predict(panel.info.x_train)).astype(np.float64)
    assert float(np.mean((pred - y) ** 2)) <= 1.01 * best
    assert "model: y = 3." in studio.window.panels["plots"].fit.plot.titleLabel.text


def test_moons_reach_95_percent_with_the_default_model(studio):
    history = studio.train({"dataset": "moons"}, wait=True, timeout=40)
    panel = studio.window.panels["training"]
    assert panel.data.kind == "moons" and panel.builder.template.currentData() == "mlp"
    assert history[-1].val_accuracy >= 0.95
    plots = studio.window.panels["plots"]
    assert plots.task == "classification" and plots.fit.data.get("probs") is not None


def test_reports_are_taken_at_the_pace_the_curves_redraw(studio):
    from playground.widgets.training_panel import STATUS_INTERVAL

    panel, plots = studio.window.panels["training"], studio.window.panels["plots"]
    history = studio.train({"dataset": "moons", "epochs": 40}, wait=True, timeout=40)
    assert len(panel.history) == len(history) == history[-1].step  # every report, once
    wanted = min(plots.redraw_interval(), STATUS_INTERVAL)
    assert panel.controller._take_timer.interval() == pytest.approx(wanted * 1000, abs=1.5)
    # the ended run is drawn to its last step, however far behind the throttled redraws were
    studio.process_events(0.1)
    last = history[-1].step
    x, y = plots.curves.curves["train_loss"].getData()
    steps, smoothed = plots.curves.smoothed["train_loss"].data()
    assert len(steps) == last and x[-1] == last  # about two points a pixel, the last one last
    assert len(x) <= 2 * max(plots.curves.loss.getViewBox().width(), 200) + 1
    assert (y.min(), y.max()) == (smoothed.min(), smoothed.max())  # covering every value
    start, end = plots.curves.loss.getViewBox().viewRange()[0]
    assert end == pytest.approx(last * 1.02, rel=0.01) and start < 0
    plots.log_scale.setChecked(True)  # a redraw for another reason keeps the fitted axis
    plots.smoothing.setValue(30)
    assert plots.curves.loss.getViewBox().viewRange()[0] == pytest.approx([start, end])


def test_exported_model_loads_in_torch_with_the_same_outputs(studio, tmp_path):
    torch = pytest.importorskip("torch")
    from safetensors.torch import load_file

    panel = studio.window.panels["training"]
    folder = studio.export(tmp_path / "moons")
    names = {p.name for p in folder.iterdir()}
    assert {"model.safetensors", "model.npz", "model.py", "experiment.json"} <= names
    info = panel.info
    code = ModelSpec.coerce(info.config.model).to_pytorch_code(info.input_shape, 2)
    scope = {}
    exec(code, scope)
    net = scope["Net"]()
    net.load_state_dict(load_file(folder / "model.safetensors"))
    net.eval()
    with torch.no_grad():
        theirs = torch.softmax(net(torch.from_numpy(info.x_val)), dim=1).numpy()
    ours = ask(studio, lambda run: run.predict(info.x_val))
    np.testing.assert_allclose(theirs, ours, rtol=1e-4, atol=1e-5)


def test_a_failed_export_leaves_nothing_behind(studio, tmp_path):
    target = tmp_path / "taken"
    target.mkdir()
    (target / "mine.txt").write_text("keep me")
    with pytest.raises(FileExistsError):
        studio.export(target)
    assert [p.name for p in tmp_path.iterdir()] == ["taken"]
    assert [p.name for p in target.iterdir()] == ["mine.txt"]


def test_a_session_saves_and_opens_where_it_was(studio, tmp_path):
    w = studio.window
    panel = w.panels["training"]
    before = list(panel.history)
    weights = ask(
        studio, lambda run: {k: v.numpy().copy() for k, v in run.model.state_dict().items()}
    )
    box = {}
    w.studio.save(tmp_path / "s.tpsession", lambda r: box.setdefault("r", r))
    assert studio.wait_until(lambda: "r" in box, 20) and not isinstance(box["r"], Exception)
    studio.train({"dataset": "linear", "epochs": 3}, wait=True, timeout=20)
    w.studio.open(tmp_path / "s.tpsession")
    assert studio.wait_until(lambda: panel.controller.state == "finished", 20)
    assert studio.wait_until(lambda: len(panel.history) == len(before), 10)
    assert panel.data.kind == "moons" and panel.history[-1] == before[-1]
    again = ask(studio, lambda run: {k: v.numpy() for k, v in run.model.state_dict().items()})
    for key, value in weights.items():
        np.testing.assert_array_equal(again[key], value)
    with pytest.raises(ValueError, match="not a"):
        (tmp_path / "bad.tpsession").write_bytes(b"not a session")
        w.studio.open(tmp_path / "bad.tpsession")


def test_autosave_is_offered_on_the_next_start(studio):
    w = studio.window
    panel = w.panels["training"]
    saver = w.studio.autosaver
    saver._saved_at = None
    assert saver.autosave()
    assert studio.wait_until(lambda: saver.path.is_file(), 20)
    w.studio._offer_restore()
    assert panel.status.restore_box.isVisible()
    panel.status.restore_button.click()
    assert not panel.status.restore_box.isVisible()
    assert studio.wait_until(lambda: panel.controller.state in ("finished", "paused"), 20)
    assert studio_session.read_session(saver.path)["format"] == studio_session.FORMAT


def test_changing_the_learning_rate_mid_run_marks_the_curve(studio):
    w = studio.window
    panel, plots = w.panels["training"], w.panels["plots"]
    studio.train({"dataset": "moons", "epochs": 400})
    assert studio.wait_until(lambda: len(panel.history) > 20, 20)
    panel.optim.lr.setValue(0.0042)
    panel.optim._send_live()
    assert studio.wait_until(lambda: plots.curves.lr_marks, 10)
    studio.stop_training()
    assert studio.wait_until(lambda: panel.controller.state == "stopped", 10)
    changed = [r for r in panel.history if r.changed]
    assert changed and changed[0].lr == pytest.approx(0.0042)
    assert plots.curves.lr_marks[0][0] == changed[0].step


def paused_moons_run(pg):
    """The training panel with a long moons run started and paused by its button."""
    panel = pg.window.panels["training"]
    pg.train({"dataset": "moons", "epochs": 400})
    assert pg.wait_until(lambda: panel.controller.state == "running", 10)
    panel.buttons["pause"].click()
    assert pg.wait_until(lambda: panel.controller.state == "paused", 10)
    return panel


def test_the_buttons_drive_the_run(studio, qtbot):
    panel = paused_moons_run(studio)
    b = panel.buttons
    assert b["resume"].isEnabled() and not b["pause"].isEnabled()
    n = len(panel.history)
    b["step"].click()
    assert studio.wait_until(lambda: len(panel.history) == n + 1, 10)
    b["resume"].click()
    assert studio.wait_until(lambda: len(panel.history) > n + 5, 10)
    b["stop"].click()
    assert studio.wait_until(lambda: panel.controller.state == "stopped", 10)
    first = panel.history[0].loss
    b["reset"].click()
    assert studio.wait_until(lambda: panel.controller.state == "ready" and not panel.history, 10)
    b["step"].click()
    assert studio.wait_until(lambda: len(panel.history) == 1, 10)
    assert panel.history[0].loss == first  # same initialisation, same first batch


def test_a_new_seed_on_a_paused_run_disables_resume_at_once(studio):
    panel = paused_moons_run(studio)
    b = panel.buttons
    assert b["resume"].isEnabled()
    b["newSeed"].click()  # a new run loads in the worker; no event is processed before the check
    assert panel.controller.state == "loading"
    assert not b["resume"].isEnabled() and not b["reset"].isEnabled()
    assert panel.status.state_label.text().endswith("loading</b>")
    assert studio.wait_until(lambda: panel.controller.state == "ready", 10)
    assert b["start"].isEnabled() and not b["resume"].isEnabled()


def test_a_nan_loss_offers_the_failed_batch_to_the_graph_panel(studio):
    w = studio.window
    panel = w.panels["training"]
    studio.train({"dataset": "linear", "lr": 10.0, "epochs": 50}, wait=True, timeout=20)
    assert panel.controller.state == "failed"
    assert panel.status.graphButton.isVisibleTo(panel)
    assert "step" in panel.status.message.text()
    if w.graph is None:
        pytest.skip("no graph panel")
    panel.status.graphButton.click()
    assert studio.wait_until(lambda: w.graph.model is not None, 10)
    studio.train({"dataset": "linear", "epochs": 2}, wait=True, timeout=20)  # usable again
    assert panel.controller.state == "finished"


def test_drawn_points_train(studio):
    w = studio.window
    panel, plots = w.panels["training"], w.panels["plots"]
    panel.data.dataset.setCurrentIndex(panel.data.dataset.findData("draw_classification"))
    assert plots.task == "classification" and plots.fit.drawing
    for k, (x, y) in enumerate([(0, 0), (0.2, 0.1), (0.1, 0.3), (2, 2), (2.1, 1.8), (1.9, 2.2)]):
        panel.data.draw_class.setCurrentIndex(k // 3)
        plots.fit.pointDrawn.emit(float(x), float(y))
    plots.fit.pointErased.emit(2.0, 2.0)
    assert len(panel.data.drawn) == 5
    panel.optim.epochs.setValue(5)
    panel.start()
    assert studio.wait_until(lambda: panel.controller.state == "finished", 20)
    assert panel.info.config.dataset == "custom" and len(panel.info.x_train) == 4
    panel.data.dataset.setCurrentIndex(panel.data.dataset.findData("linear"))
    assert not plots.fit.drawing


def test_own_data_from_a_csv(studio, tmp_path):
    panel = studio.window.panels["training"]
    rng = np.random.default_rng(0)
    x = rng.uniform(0, 1, 60)
    lines = ["size,noise,price"] + [
        f"{a:.4f},{b:.4f},{3 * a + 1:.4f}" for a, b in zip(x, rng.normal(size=60))
    ]
    (tmp_path / "d.csv").write_text("\n".join(lines))
    data = panel.data.import_file(str(tmp_path / "d.csv"), accept=True)
    assert data.task == "regression" and data.inputs == ["size", "noise"]
    assert panel.config().dataset == "custom"
    studio.train(wait=True, timeout=30)
    assert panel.controller.state == "finished" and panel.info.input_shape == (2,)
    box = {}
    studio.window.studio.save(tmp_path / "own.tpsession", lambda r: box.setdefault("r", r))
    assert studio.wait_until(lambda: "r" in box, 20)
    panel.data.dataset.setCurrentIndex(panel.data.dataset.findData("linear"))
    studio.window.studio.open(tmp_path / "own.tpsession")  # the data comes back with the run
    assert studio.wait_until(lambda: panel.data.kind == "file", 20)
    assert len(panel.data.imported.X) == 60 and panel.config().dataset == "custom"
    panel.data.dataset.setCurrentIndex(panel.data.dataset.findData("linear"))


def test_every_control_has_a_stable_name(studio):
    from PySide6.QtWidgets import (
        QAbstractButton,
        QAbstractItemView,
        QAbstractSpinBox,
        QComboBox,
        QListWidget,
        QSlider,
        QTableWidget,
        QWidget,
    )

    kinds = (QAbstractButton, QAbstractSpinBox, QComboBox, QSlider, QListWidget, QTableWidget)
    parts_of = (QAbstractItemView, QAbstractSpinBox, QComboBox)  # their own inner widgets
    for key in ("training", "plots"):
        unnamed = [
            f"{type(w).__name__} {getattr(w, 'text', lambda: '')()!r}"
            for w in studio.window.panels[key].findChildren(QWidget)
            if isinstance(w, kinds)
            and not w.objectName()
            and not isinstance(w.parent(), parts_of)
            and not isinstance(w.parent().parent(), parts_of)
        ]
        assert not unnamed, (key, unnamed)


def test_lenet_trains_on_the_digits_and_shows_predictions(studio):
    w = studio.window
    panel, plots = w.panels["training"], w.panels["plots"]
    history = studio.train(
        {"dataset": "digits", "model": "lenet", "epochs": 2}, wait=True, timeout=60
    )
    assert panel.builder.template.currentData() == "lenet"
    assert history[-1].val_accuracy > 0.5 and plots.task == "images"
    assert studio.wait_until(lambda: plots.fit.data.get("confusion", np.zeros(1)).sum() > 0, 10)


def test_the_device_toggle_during_training_moves_at_a_step_boundary(studio):
    from core import cuda

    w = studio.window
    panel, plots = w.panels["training"], w.panels["plots"]
    target = "cuda" if cuda.is_available() else "cpu"
    notices = []
    panel.controller.notice.connect(notices.append)
    studio.train({"dataset": "moons", "epochs": 400})
    assert studio.wait_until(lambda: len(panel.history) > 10, 20)
    w.acts["deviceCuda" if target == "cuda" else "deviceCpu"].trigger()  # the tool bar toggle
    assert studio.wait_until(lambda: notices, 10) and panel.device == target
    n = len(panel.history)
    assert studio.wait_until(lambda: len(panel.history) > n + 10, 10)  # it trains on
    studio.stop_training()
    assert studio.wait_until(lambda: panel.controller.state == "stopped", 10)
    steps = [r.step for r in panel.history]
    assert steps == list(range(1, len(steps) + 1))  # the curves continue
    if target == "cpu":
        return  # a move to the device it is on changes nothing; a GPU shows the move itself
    moved = next(r for r in panel.history if r.changed)
    assert moved.changed == {"device": "cuda"} and moved.device.startswith("cuda")
    assert plots.curves.lr_marks[-1][0] == moved.step
    w.acts["deviceCpu"].trigger()


def test_distributions_follow_a_run(studio):
    w = studio.window
    plots = w.panels["plots"]
    plots.show_hist.setChecked(True)
    try:
        studio.train({"dataset": "moons", "epochs": 5}, wait=True, timeout=30)
        assert studio.wait_until(lambda: "fc1.weight" in plots.histograms.history, 10)
        step, weights, grads = plots.histograms.history["fc1.weight"][-1]
        assert np.all(np.diff(weights) >= 0) and np.isfinite(grads).all()
    finally:
        plots.show_hist.setChecked(False)


def test_file_menu_exports_the_trained_model_with_progress_and_a_message(
    studio, tmp_path, monkeypatch
):
    from PySide6.QtWidgets import QFileDialog, QMessageBox

    w = studio.window
    names = {a.objectName() for a in w.menus["file"].actions() + w.menus["export"].actions()}
    assert {"action_exportModel", "action_saveSession", "action_openSession"} <= names
    told = []
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a: str(tmp_path / "m"))
    monkeypatch.setattr(QMessageBox, "information", lambda *a: told.append(a[2]))
    monkeypatch.setattr(QMessageBox, "warning", lambda *a: told.append("FAILED " + a[2]))
    studio.train({"dataset": "linear", "epochs": 5}, wait=True, timeout=20)
    w.studio.actions["exportModel"].trigger()
    assert studio.wait_until(lambda: told, 20)
    assert "model.safetensors" in told[0] and (tmp_path / "m" / "model.py").is_file()
    assert (
        w.findChild(QWidget, "exportProgress") is None
        or not w.findChild(QWidget, "exportProgress").isVisible()
    )


def test_settings_that_cannot_work_are_told_not_raised(studio):
    panel = studio.window.panels["training"]
    panel.data.dataset.setCurrentIndex(panel.data.dataset.findData("moons"))
    studio.process_events(0.4)
    panel.optim.optimizer.setCurrentText("sgd")
    panel.optim.momentum.setValue(0.0)
    panel.optim.nesterov.setChecked(True)
    panel.start()  # the optimizer refuses it when the worker builds the run
    assert studio.wait_until(lambda: "nesterov" in panel.status.message.text().lower(), 10)
    assert studio.wait_until(lambda: not panel.busy, 5) and panel.controller.state != "running"
    panel.optim.nesterov.setChecked(False)
    assert studio.wait_until(lambda: panel.controller.state == "ready", 10)
    panel.optim.loss.setCurrentText("mse")  # not offered for classification: nothing changes
    assert panel.optim.loss.currentText() == "cross_entropy"
    panel.data.val_split.setValue(0.0)
    panel.optim.batch_size.setValue(0)  # the spin box's minimum is 1
    assert panel.optim.batch_size.value() == 1


def test_a_dict_config_changes_the_panels_settings(studio):
    panel = studio.window.panels["training"]
    studio.train({"dataset": "moons", "epochs": 2, "lr": 0.02}, wait=True, timeout=20)
    panel.builder.set_spec("mlp:5:tanh")
    history = studio.train({"epochs": 1}, wait=True, timeout=20)  # the rest as the panel has it
    cfg = panel.info.config
    assert cfg.dataset == "moons" and cfg.lr == 0.02 and cfg.epochs == 1
    assert str(cfg.model) == "mlp:5:tanh" and history[-1].epoch == 0


def test_random_clicks_keep_the_panel_consistent(studio):
    import random

    panel = studio.window.panels["training"]
    errors = []
    panel.controller.error.connect(errors.append)
    studio.train({"dataset": "moons", "epochs": 60, "n": 300})
    rng = random.Random(11)
    actions = ["start", "pause", "resume", "step", "stop", "reset", "newSeed"]
    for _ in range(40):
        button = panel.buttons[rng.choice(actions)]
        if button.isEnabled():
            button.click()
        if rng.random() < 0.3:
            panel.optim.lr.setValue(rng.choice([0.01, 0.005, 0.02]))
            panel.optim._send_live()
        studio.process_events(rng.uniform(0, 0.05))
        steps = [r.step for r in panel.history]
        assert steps == list(range(1, len(steps) + 1))  # one run's reports, in order, no gaps
        state = panel.controller.state
        assert panel.buttons["pause"].isEnabled() == (state == "running")
        assert panel.buttons["resume"].isEnabled() == (state == "paused")
    studio.stop_training()
    assert studio.wait_until(lambda: panel.controller.state not in ("running", "loading"), 10)
    assert not errors
