"""The plots' frame budget: a frame costs its update and every paint until the next update."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest

from playground import frame_budget
from playground.frame_budget import MAX_FPS, SLOWEST, UI_SHARE, FrameBudget


def test_a_frame_costs_its_update_and_every_paint_until_the_next():
    budget = FrameBudget()
    budget.add(0.002)  # update
    budget.add(0.003)  # paint
    budget.add(0.001)  # a second paint of the same frame
    assert budget.cost == 0  # the frame is still open
    budget.next_frame()
    assert budget.cost == pytest.approx(0.006)
    assert budget.interval() == pytest.approx(min(max(0.006 / UI_SHARE, 1 / MAX_FPS), SLOWEST))
    budget.add(0.016)
    budget.next_frame()
    assert budget.cost == pytest.approx(0.8 * 0.006 + 0.2 * 0.016)
    budget.next_frame()  # no work since: nothing enters the average
    assert budget.cost == pytest.approx(0.8 * 0.006 + 0.2 * 0.016)


def test_a_redraw_paints_the_curves_once(qtbot, monkeypatch):
    """pyqtgraph settles auto-ranges lazily in the paint, which then schedules a second paint;
    the curves settle them in redraw() so that every update costs one paint."""
    painted = []
    original = frame_budget.TimedPaint.paintEvent

    def paint(self, event):
        painted.append(type(self).__name__)
        original(self, event)

    monkeypatch.setattr(frame_budget.TimedPaint, "paintEvent", paint)
    from playground.widgets.plots_panel import PlotsPanel

    plots = PlotsPanel()
    qtbot.addWidget(plots)
    plots.resize(700, 700)
    plots.show()
    step = 0
    for _ in range(4):
        for _ in range(300):
            step += 1
            plots.add_point(step, train_loss=1.0 / step, lr=0.1, train_acc=step / 1200)
        qtbot.wait(50)
        painted.clear()
        plots.redraw()
        qtbot.wait(100)
        assert painted.count("CurvePlots") == 1, painted
