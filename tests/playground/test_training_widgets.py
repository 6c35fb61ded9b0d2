"""The studio's widgets on their own: plots and their export, model builder, data import."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import csv

import numpy as np
import pytest

from core import datasets
from core.training import ModelSpec
from playground.widgets.curve_series import Smoother, smooth
from playground.widgets.data_import_dialog import build_dataset, read_columns
from playground.widgets.model_builder import ModelBuilder, blocks_to_layers, layers_to_blocks
from playground.widgets.plots_panel import PlotsPanel


@pytest.fixture
def plots(qtbot):
    panel = PlotsPanel()
    qtbot.addWidget(panel)
    panel.resize(700, 700)
    panel.show()
    return panel


def fill_curves(plots, steps=200):
    for s in range(1, steps + 1):
        plots.add_point(s, train_loss=1.0 / s, lr=0.1 if s < 100 else 0.01, train_acc=0.5)
        if s % 20 == 0:
            plots.add_point(s, val_loss=1.2 / s, val_acc=0.6)
    plots.mark_lr_change(100, "lr 0.01")
    plots.redraw()


def test_smoothing_is_tensorboards_debiased_average():
    values = np.array([1.0, 2.0, 3.0, np.nan, 4.0])
    out = smooth(values, 0.5)
    assert out[0] == 1.0 and out[1] == pytest.approx((0.5 * 0.5 + 1.0) / 0.75)
    assert np.isnan(out[3]) and np.isfinite(out[4])
    incremental = Smoother(0.5)
    pushed = np.concatenate([incremental.push(values[:2]), incremental.push(values[2:])])
    np.testing.assert_allclose(pushed, out, rtol=1e-15)
    np.testing.assert_array_equal(smooth(values, 0.0), values)


def test_every_plot_exports_as_png_svg_and_csv(plots, tmp_path):
    plots.set_task("classification")
    X, y = datasets.make("moons", n=100, seed=0)
    plots.set_data(X[:80], y[:80], X[80:], y[80:])
    probs = np.full((10, 12, 2), 0.5)
    plots.set_prediction({"boundary": ((-1.0, 2.0, -1.0, 1.5), probs)})
    fill_curves(plots)
    written = plots.export_all(tmp_path)
    assert sorted(p.name for p in written) == sorted(
        f"{k}.{f}" for k in ("curves", "fit") for f in ("png", "svg", "csv")
    )
    assert all(p.stat().st_size > 100 for p in written), [p.stat().st_size for p in written]
    assert (tmp_path / "curves.png").read_bytes()[:4] == b"\x89PNG"
    assert b"<svg" in (tmp_path / "fit.svg").read_bytes()[:2000]
    rows = list(csv.reader(open(tmp_path / "curves.csv")))
    assert rows[0] == ["step", "train_loss", "val_loss", "train_acc", "val_acc", "lr"]
    assert len(rows) == 201 and float(rows[20][2]) == pytest.approx(1.2 / 20)
    fit_rows = list(csv.reader(open(tmp_path / "fit.csv")))
    assert fit_rows[0] == ["kind", "x1", "x2", "class"]
    assert sum(r[0] == "grid" for r in fit_rows) == 120
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
    with pytest.raises(ValueError, match="png"):
        plots.export("curves", tmp_path / "curves.jpg")


def test_learning_rate_changes_are_marked_on_every_curve(plots):
    fill_curves(plots)
    assert plots.curves.lr_marks == [(100, "lr 0.01")]
    assert len(plots.curves.lines) == 3
    plots.clear_history()
    assert not plots.curves.lr_marks and not plots.curves.lines
    assert plots.curves.series["train_loss"].n == 0


def test_log_scale_and_smoothing_controls(plots):
    fill_curves(plots)
    plots.log_scale.setChecked(True)
    assert plots.curves.loss.getAxis("left").logMode
    plots.smoothing.setValue(0)
    x, y = plots.curves.curves["train_loss"].getData()  # log10 of the values, in log mode
    np.testing.assert_allclose(10**y, 1.0 / x)


def test_fit_views_follow_the_task(plots):
    X, y = datasets.make("linear", n=50, seed=1)
    plots.set_task("regression")
    plots.set_data(X[:40], y[:40], X[40:], y[40:])
    xs = np.linspace(0, 5, 20)
    plots.set_prediction({"curve": (xs, np.pi * xs + 42), "title": "model: y = 3.14 x + 42"})
    assert "3.14" in plots.fit.plot.titleLabel.text
    assert not plots.curves.acc.isVisible()
    images, labels = datasets.make("digits", n=40, seed=0)
    plots.set_task("images")
    plots.set_data(images[:30], labels[:30], images[30:], labels[30:])
    cm = np.eye(10, dtype=int) * 3
    cm[3, 5] = 1
    plots.set_prediction({"images": (images[30:], labels[30:], labels[30:]), "confusion": cm})
    assert plots.curves.acc.isVisible() and plots.fit.cm_text[35].text() == "1"
    assert plots.fit.labels[0].text() == str(labels[30])
    plots.set_task("none")
    plots.set_data(X, y, X, y)  # nothing to draw, and no error
    assert plots.fit_stack.currentWidget() is plots.no_fit


def test_drawing_emits_points_in_data_coordinates(plots, qtbot):
    from PySide6.QtCore import QPoint, Qt

    plots.set_task("regression")
    plots.set_drawing(True)
    view = plots.fit
    view.plot.setRange(xRange=(0, 10), yRange=(0, 10), padding=0)
    qtbot.wait(50)
    centre = view.plot.getViewBox().sceneBoundingRect().center()
    pos = view.mapFromScene(centre)
    with qtbot.waitSignal(plots.pointDrawn, timeout=2000) as got:
        qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(pos))
    x, y = got.args
    assert 4 < x < 6 and 4 < y < 6


def test_model_builder_round_trips_and_counts_parameters(qtbot):
    builder = ModelBuilder()
    qtbot.addWidget(builder)
    builder.set_io((2,), 2)
    spec = ModelSpec.mlp([16, 8], activation=["relu", "tanh"], dropout=0.1, batch_norm=True)
    builder.set_spec(spec)
    assert builder.table.rowCount() == 2
    assert builder.spec().to_dict() == spec.to_dict()
    assert builder.parameter_count() == spec.parameter_count((2,), 2)
    assert f"{spec.parameter_count((2,), 2):,}" in builder.count.text()
    with qtbot.waitSignal(builder.changed):
        builder.add_row(4, "gelu")
    assert builder.spec_dict()["layers"][-2:] == [
        {"type": "linear", "out": 4},
        {"type": "activation", "name": "gelu"},
    ]
    builder.table.selectRow(0)
    builder.remove_row()
    assert [b["width"] for b in builder.blocks()] == [8, 4]
    first = builder.table.cellWidget(0, 0)
    assert first.objectName() == "layerWidth_0" and first.value() == 8


def test_model_builder_templates(qtbot):
    builder = ModelBuilder()
    qtbot.addWidget(builder)
    builder.set_io((1, 8, 8), 10)
    builder.set_spec("lenet")
    assert builder.template.currentData() == "lenet" and not builder.table.isEnabled()
    assert builder.parameter_count() == ModelSpec.lenet().parameter_count((1, 8, 8), 10)
    assert any("conv1" in builder.plan.item(i).text() for i in range(builder.plan.count()))
    builder.set_spec("linear")
    assert builder.template.currentData() == "mlp" and builder.table.rowCount() == 0
    builder.set_io((2,), 2)
    assert builder.parameter_count() == 6
    custom = {"layers": [{"type": "dropout", "p": 0.2}, {"type": "linear", "out": 3}]}
    builder.set_spec(custom)
    assert builder.template.currentData() == "custom"
    assert builder.spec_dict() == ModelSpec.from_dict(custom).to_dict()


def test_blocks_and_layers_convert_both_ways():
    blocks = [{"width": 5, "activation": "none", "dropout": 0.0, "batch_norm": False}]
    assert blocks_to_layers(blocks) == [{"type": "linear", "out": 5}]
    assert layers_to_blocks(blocks_to_layers(blocks)) == blocks
    assert layers_to_blocks([{"type": "conv", "out": 3}]) is None


def test_read_columns_of_csv_npy_npz(tmp_path):
    (tmp_path / "h.csv").write_text("a,b,label\n1,2,cat\n3,4,dog\n5,,cat\n")
    cols = read_columns(tmp_path / "h.csv")
    assert cols.names == ["a", "b", "label"] and len(cols) == 3
    assert cols.values[2].dtype.kind == "U" and np.isnan(cols.values[1][2])
    (tmp_path / "n.csv").write_text("1;2\n3;4\n")
    assert read_columns(tmp_path / "n.csv").names == ["column 0", "column 1"]
    np.save(tmp_path / "m.npy", np.arange(12.0).reshape(4, 3))
    assert read_columns(tmp_path / "m.npy").names == ["m[0]", "m[1]", "m[2]"]
    np.savez(tmp_path / "z.npz", X=np.ones((5, 2)), y=np.arange(5), other=np.ones(3))
    assert read_columns(tmp_path / "z.npz").names == ["X[0]", "X[1]", "y"]
    (tmp_path / "bad.pkl").write_bytes(b"x")
    with pytest.raises(ValueError, match="csv"):
        read_columns(tmp_path / "bad.pkl")
    np.save(tmp_path / "obj.npy", np.array([{"a": 1}], dtype=object), allow_pickle=True)
    with pytest.raises(ValueError):
        read_columns(tmp_path / "obj.npy")  # never unpickled


def test_build_dataset_chooses_columns_and_encodes_classes(tmp_path):
    rows = ["x1,x2,kind"] + [f"{i},{i % 3},{'ab'[i % 2]}" for i in range(10)] + ["1,,a"]
    (tmp_path / "d.csv").write_text("\n".join(rows))
    cols = read_columns(tmp_path / "d.csv")
    data = build_dataset(cols, ["x1", "x2"], "kind", "classification")
    assert data.X.shape == (10, 2) and data.X.dtype == np.float32  # the row with a gap is gone
    assert data.classes == ["a", "b"] and data.y.dtype == np.int64 and set(data.y) == {0, 1}
    reg = build_dataset(cols, ["x1"], "x2", "regression")
    assert reg.y.shape == (10, 1)
    with pytest.raises(ValueError, match="text"):
        build_dataset(cols, ["x1"], "kind", "regression")
    with pytest.raises(ValueError, match="both"):
        build_dataset(cols, ["x1", "kind"], "kind", "classification")


def test_the_import_dialog_guesses_the_task_from_the_target(qtbot, tmp_path):
    from PySide6.QtCore import Qt

    from playground.widgets.data_import_dialog import DataImportDialog

    rows = ["a,b,kind"] + [f"{i * 0.5},{i % 2},{'xy'[i % 2]}" for i in range(8)]
    (tmp_path / "d.csv").write_text("\n".join(rows))
    dialog = DataImportDialog(tmp_path / "d.csv")
    qtbot.addWidget(dialog)
    assert dialog.task.currentText() == "classification" and dialog.chosen_inputs() == ["a", "b"]
    dialog.target.setCurrentText("a")
    assert dialog.task.currentText() == "regression" and "a" not in dialog.chosen_inputs()
    dialog.inputs.item(2).setCheckState(Qt.CheckState.Checked)  # text as an input: refused
    dialog.accept()
    assert dialog.result_data is None and "text" in dialog.error.text()
    dialog.inputs.item(2).setCheckState(Qt.CheckState.Unchecked)
    dialog.accept()
    assert dialog.result_data.X.shape == (8, 1) and dialog.result_data.task == "regression"


def test_the_step_axis_moves_in_nice_jumps():
    from playground.widgets.curve_plots import step_axis_end

    assert [step_axis_end(s) for s in (0, 5, 9, 10, 45, 46, 300, 4600, 120_000)] == [
        10, 10, 10, 20, 50, 100, 500, 10_000, 200_000,
    ]  # fmt: skip


def test_the_step_axis_follows_the_run_until_zoomed_by_hand(plots):
    curves = plots.curves
    view = curves.loss.getViewBox()

    def x_end():
        return view.viewRange()[0][1]

    fill_curves(plots, 300)
    assert 500 <= x_end() <= 510  # 0..500 with pyqtgraph's 2 % padding
    assert curves.lr.getViewBox().viewRange()[0][1] == pytest.approx(x_end(), rel=0.05)  # linked
    for s in range(301, 470):
        plots.add_point(s, train_loss=1.0 / s)
    plots.redraw()
    assert 500 <= x_end() <= 510  # still inside: the axis stays put
    for s in range(470, 480):
        plots.add_point(s, train_loss=1.0 / s)
    plots.redraw()
    assert 1000 <= x_end() <= 1020  # about to leave it: one jump
    view.setXRange(100, 200, padding=0)
    view.sigRangeChangedManually.emit([True, False])  # as a mouse zoom does
    for s in range(480, 1200):
        plots.add_point(s, train_loss=1.0 / s)
    plots.redraw()
    assert view.viewRange()[0] == pytest.approx([100, 200])  # the user's zoom is kept
    view.enableAutoRange(x=True)  # the "A" button
    curves.redraw(force=True)
    assert 2000 <= x_end() <= 2040 and not view.autoRangeEnabled()[0]


def test_a_long_run_is_drawn_as_an_envelope_and_a_zoom_in_every_step(plots):
    curves = plots.curves
    steps = np.arange(1.0, 100_001.0)
    loss = 1.0 / np.sqrt(steps) + 0.01 * np.sin(steps)
    curves.extend("train_loss", steps, loss)
    curves.extend("lr", steps, np.full(steps.size, 0.1))
    plots.redraw()
    x, y = curves.curves["train_loss_raw"].getData()
    width = curves.loss.getViewBox().width()
    assert len(x) <= 2 * max(width, 200) + 1 and x[-1] == 100_000  # not 100,000 points
    assert (y.min(), y.max()) == (loss.min(), loss.max())
    view = curves.loss.getViewBox()
    view.setXRange(5000, 5100, padding=0)
    view.sigRangeChangedManually.emit([True, False])  # as a mouse zoom does
    x, y = curves.curves["train_loss_raw"].getData()
    assert x.tolist() == list(np.arange(4999.0, 5102.0))  # every step in view, one either side
    np.testing.assert_array_equal(y, loss[4998:5101])
    x, _ = curves.curves["lr"].getData()
    assert x[0] == 4999.0 and x[-1] == 5101.0  # the linked plots too
    plots.log_scale.setChecked(True)  # another scale keeps the zoom and its detail
    x, y = curves.curves["train_loss_raw"].getData()
    assert not curves._x_follow and view.viewRange()[0] == pytest.approx([5000, 5100])
    np.testing.assert_allclose(y, np.log10(loss[4998:5101]))
    plots.log_scale.setChecked(False)
    view.enableAutoRange(x=True)  # the "A" button: following again, the whole run again
    curves.redraw()
    x, y = curves.curves["train_loss_raw"].getData()
    assert len(x) <= 2 * max(width, 200) + 1 and (x[0], x[-1]) == (1, 100_000)
    assert (y.min(), y.max()) == (loss.min(), loss.max())
    assert view.viewRange()[0][1] >= 100_000


def test_the_a_button_shows_the_whole_of_an_ended_run_again(plots, qtbot):
    curves = plots.curves
    steps = np.arange(1.0, 20_001.0)
    curves.extend("train_loss", steps, 1.0 / steps)
    plots.run_ended()  # the axis fitted to the run
    view = curves.loss.getViewBox()
    view.setXRange(100, 200, padding=0)
    view.sigRangeChangedManually.emit([True, False])
    view.enableAutoRange(x=True)  # the "A" button
    qtbot.wait(20)  # its redraw comes once the events settle
    start, end = view.viewRange()[0]
    assert start <= 0 and end >= 20_000
    x, _ = curves.curves["train_loss_raw"].getData()
    assert (x[0], x[-1]) == (1, 20_000)


def test_a_wider_plot_gets_more_points(plots, qtbot):
    curves = plots.curves
    steps = np.arange(1.0, 100_001.0)
    curves.extend("train_loss", steps, np.sin(steps))
    plots.redraw()
    narrow = len(curves.curves["train_loss_raw"].getData()[0])
    plots.resize(1800, 700)
    qtbot.wait(50)  # resized, then redrawn once the events settle
    wide = len(curves.curves["train_loss_raw"].getData()[0])
    assert wide > 1.5 * narrow
    assert wide <= 2 * curves.loss.getViewBox().width() + 1


def test_the_loss_axis_gets_nice_ranges():
    from playground.widgets.curve_plots import nice_value_range

    assert nice_value_range(0.07, 2.31) == pytest.approx((0.0, 2.5))
    assert nice_value_range(0.79, 2.31) == pytest.approx((0.5, 2.5))
    assert nice_value_range(103.0, 1870.0) == pytest.approx((0.0, 2000.0))
    assert nice_value_range(-2.6, -0.4) == (-3.0, 0.0)
    assert nice_value_range(-1.1, 1.1) == pytest.approx((-1.5, 1.5))
    assert nice_value_range(0.5, 0.5) == pytest.approx((0.2, 0.8))  # one value: a band around it


def test_the_loss_axis_keeps_its_range_until_the_curves_leave_or_shrink_in_it(plots):
    curves = plots.curves
    view = curves.loss.getViewBox()

    def y_range():
        lo, hi = view.viewRange()[1]
        pad = (hi - lo) * 0.02 / 1.04  # pyqtgraph's 2 % padding on each side
        return pytest.approx(lo + pad, abs=1e-6), pytest.approx(hi - pad, abs=1e-6)

    for s in range(1, 21):
        plots.add_point(s, train_loss=2.3 - 0.05 * s)
    plots.redraw()
    assert (1.2, 2.4) == y_range()  # 1.3..2.25 in steps of 0.2
    for s in range(21, 40):
        plots.add_point(s, train_loss=1.25 - 0.01 * s)  # below the axis: a new range
    plots.redraw()
    assert (0.5, 2.5) == y_range()  # 0.86..2.25 in steps of 0.5
    first = view.viewRange()[1]
    plots.add_point(40, train_loss=0.9)
    plots.redraw()
    assert view.viewRange()[1] == first  # inside, and filling most of it: the axis stays put
    for s in range(41, 400):
        plots.add_point(s, train_loss=5.0)  # above the axis
    plots.redraw()
    assert (0.0, 5.0) == y_range()
    plots.curves.clear_history()
    for s in range(1, 50):
        plots.add_point(s, train_loss=0.01 + 0.001 * (s % 3))
    plots.redraw()
    assert (0.01, 0.012) == y_range()  # a new run starts its own range, however small
    view.setYRange(0.0, 1.0, padding=0)
    view.sigRangeChangedManually.emit([False, True])  # as a mouse zoom does
    plots.add_point(50, train_loss=3.0)
    plots.redraw()
    assert view.viewRange()[1] == pytest.approx([0.0, 1.0])  # the user's zoom is kept
    view.enableAutoRange()  # the "A" button
    curves.redraw(force=True)
    assert (0.0, 3.0) == y_range() and not any(view.autoRangeEnabled())


def test_the_loss_axis_follows_in_log10_units_on_a_log_scale(plots):
    view = plots.curves.loss.getViewBox()
    for s in range(1, 101):
        plots.add_point(s, train_loss=10.0 / s)
    plots.redraw()
    view.setYRange(0.0, 1.0, padding=0)
    view.sigRangeChangedManually.emit([False, True])  # zoomed by hand, in linear units...
    plots.log_scale.setChecked(True)  # ...then a new scale: the axis fits the curves anew
    lo, hi = view.viewRange()[1]
    assert lo <= -1.0 + 1e-9 and hi >= 1.0 - 1e-9 and hi - lo < 2.5  # log10: 0.1 .. 10
    assert not any(view.autoRangeEnabled())  # pyqtgraph's setLogMode turns auto-range on


def test_a_loss_without_a_finite_range_leaves_the_axis_as_it_was(plots):
    view = plots.curves.loss.getViewBox()
    for s in range(1, 11):
        plots.add_point(s, train_loss=1.0)
    plots.redraw()
    before = view.viewRange()[1]
    plots.add_point(11, train_loss=-1.7e308)
    plots.add_point(12, train_loss=1.7e308)  # a diverging float64 loss
    plots.redraw()  # no exception from pyqtgraph's setRange
    assert view.viewRange()[1] == before


def test_the_images_fit_renders_its_samples_once_and_colours_the_confusion_by_row_share(plots):
    plots.set_task("images")
    images, labels = datasets.make("digits", n=40, seed=0)
    plots.set_data(images[:30], labels[:30], images[30:], labels[30:])
    fit = plots.fit
    first = fit.sample_image.image
    fit.set_samples(images[30:], labels[30:], labels[30:])  # new predictions, same samples
    assert fit.sample_image.image is first  # not rendered again
    fit.set_samples(images[:10], labels[:10], None)
    assert fit.sample_image.image is not first
    matrix = np.array([[3, 1], [0, 4]])
    fit.set_confusion(matrix)
    rgba = fit.cm_image.image
    assert rgba.shape == (2, 2, 4) and rgba.dtype == np.uint8
    colours = fit.cm_colours
    np.testing.assert_array_equal(rgba[0, 0], colours[int(0.75 * len(colours))])  # 3 of 4
    np.testing.assert_array_equal(rgba[1, 1], colours[-1])  # all of its row
    np.testing.assert_array_equal(rgba[1, 0], colours[0])
