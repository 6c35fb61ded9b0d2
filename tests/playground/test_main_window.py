"""Smoke test of the real main window, as a new user meets it."""

import logging

import numpy as np
import pytest
from PySide6.QtWidgets import QDockWidget

from playground import Playground
from playground.device import cuda_status


@pytest.fixture(scope="module")
def started(qapp):
    pg = Playground(show=True, example=True)
    assert pg.wait_until(lambda: not pg.window.runner.running, 10)
    yield pg
    pg.window.close()


def test_opens_on_the_welcome_example(started):
    w = started.window
    assert w.last_result.ok, w.last_result.error
    names = [r.name for r in w.variables.model.rows]
    assert names[:4] == ["out", "x", "y", "z"]
    assert w.inspector.name == "out"  # the newest result with a graph is open at once
    assert "MeanBackward0" in w.inspector.header.text()
    assert "tensor(27., grad_fn=<MeanBackward0>)" in w.console.toPlainText()


def test_every_panel_and_action_has_a_stable_name(started):
    w = started.window
    docks = {d.objectName() for d in w.findChildren(QDockWidget)}
    assert {"dock_scratchpad", "dock_variables", "dock_inspector", "dock_log"} <= docks
    for key, action in w.acts.items():
        assert action.objectName() == f"action_{key}"
    assert w.findChild(type(w.menus["file"]), "menu_examples") is not None
    assert len(w.menus["examples"].actions()) >= 6


def test_selecting_a_variable_inspects_it(started):
    w = started.window
    w.variables.select("y")
    assert w.inspector.name == "y" and "AddBackward0" in w.inspector.header.text()


def test_an_error_marks_the_failing_line(started):
    w = started.window
    started.run_code("a = 1\nb = a +\n")
    assert w.editor._error_line == 2
    r = started.run_code("a = 1\nb = undefined_name\n")
    assert r.error_line == 2 and "line 2" in w.console.toPlainText()
    assert "NameError" in w.statusBar().currentMessage()


def test_a_variable_deleted_while_shown(started):
    w = started.window
    started.run_code("tmp = torch.ones(3)")
    started.inspect("tmp")
    started.run_code("del tmp")
    assert w.inspector.obj is None and "no longer exists" in w.inspector.header.text()


def test_a_rebound_variable_shows_its_new_value(started):
    started.run_code("v = torch.ones(2)")
    started.inspect("v")
    started.run_code("v = torch.zeros(5)")
    assert started.window.inspector.model.rowCount() == 5


def test_device_toggle(started):
    w = started.window
    available, reason = cuda_status()
    assert w.acts["deviceCuda"].isEnabled() == available
    if not available:
        assert reason in w.acts["deviceCuda"].toolTip()
        with pytest.raises(RuntimeError, match="CUDA is unavailable"):
            started.set_device("cuda")
        assert w.device == "cpu" and w.acts["deviceCpu"].isChecked()
        started.set_device("cpu")
        pytest.skip(f"CUDA unavailable: {reason}")
    started.set_device("cuda")
    assert str(started.namespace["x"].device).startswith("cuda")
    assert started.namespace["x"].is_leaf
    started.set_device("cpu")
    assert str(started.namespace["x"].device) == "cpu"


def test_themes_and_layout_reset(started):
    w = started.window
    w.acts["themeDark"].trigger()
    assert w.theme == "dark" and w.settings.theme == "dark"
    w.acts["themeLight"].trigger()
    w.docks["variables"].close()
    w.acts["resetLayout"].trigger()
    assert w.docks["variables"].isVisible()


def test_unexpected_errors_reach_the_log_panel(started):
    import sys

    from playground.app import report_unexpected

    try:
        raise RuntimeError("boom from a slot")
    except RuntimeError:
        report_unexpected(*sys.exc_info())
    started.process_events(0.05)
    assert "boom from a slot" in started.window.log_panel.toPlainText()
    assert "see the Log panel" in started.window.statusBar().currentMessage()


def test_open_tensor_file_into_the_namespace(started, tmp_path):
    np.save(tmp_path / "data.npy", np.arange(3, dtype=np.float32))
    from playground.window_files import open_path

    assert open_path(started.window, str(tmp_path / "data.npy"))
    assert started.window.inspector.name == "data"
    assert str(tmp_path / "data.npy") in started.window.settings.recent_files()
    (tmp_path / "junk.npy").write_bytes(b"junk")
    assert not open_path(started.window, str(tmp_path / "junk.npy"))
    assert "Could not open junk.npy" in started.window.statusBar().currentMessage()


def test_log_records_from_any_thread(started):
    import threading

    t = threading.Thread(target=lambda: logging.getLogger("playground").warning("from a thread"))
    t.start()
    t.join()
    started.process_events(0.05)
    assert "from a thread" in started.window.log_panel.toPlainText()


def test_dropping_a_file_on_the_inspector_opens_it(started, tmp_path):
    from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
    from PySide6.QtGui import QDropEvent

    np.save(tmp_path / "dropped.npy", np.ones((2, 2), dtype=np.float32))
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(tmp_path / "dropped.npy"))])
    event = QDropEvent(
        QPointF(5, 5),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    started.window.inspector.dropEvent(event)
    assert started.window.inspector.name == "dropped"


def test_settings_are_remembered_between_runs(qapp, tmp_path):
    ini = str(tmp_path / "settings.ini")
    first = Playground(show=True, settings=ini)
    first.window.set_theme("dark")
    first.window.docks["log"].hide()
    first.window.close()
    second = Playground(show=True, settings=ini)
    try:
        assert second.window.theme == "dark"
        assert not second.window.docks["log"].isVisible()  # the dock layout came back
        assert not second.window.settings.get("geometry").isEmpty()
    finally:
        second.window.set_theme("light")
        second.window.close()


def test_variables_follow_a_long_cell(started):
    w = started.window
    w._live.setInterval(50)
    started.run_code(
        "import time\nfor i in range(200):\n    step = i\n    time.sleep(0.01)", wait=False
    )
    try:
        assert started.wait_until(lambda: "step" in [r.name for r in w.variables.model.rows], 3)
    finally:
        started.stop()
        started.wait_until(lambda: not w.runner.running, 5)
        w._live.setInterval(1000)


def test_hidden_panels_are_built_after_the_first_paint(qapp):
    from playground.main_window import DEFERRED

    pg = Playground(show=False)
    try:
        deferred = [k for k in DEFERRED if k in pg.window.docks]
        if not deferred:
            pytest.skip("no deferred panel in this build")
        assert not any(k in pg.window._panels for k in deferred)
        pg.window.show()
        assert pg.wait_until(lambda: pg.window._wired, 5)
        assert all(k in pg.window.panels for k in deferred)
    finally:
        pg.window.close()
