"""The plots' frame budget: a frame costs its update and every paint until the next update."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest

from playground import frame_budget
from playground.frame_budget import MAX_FPS, SLOWEST, UI_SHARE, FrameBudget


def test_a_frame_costs_its_update_and_every_paint_until_the_next(monkeypatch):
    monkeypatch.setattr(frame_budget, "ui_load", frame_budget.UiLoad())  # not stretched
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
    qtbot.wait(100)  # shown and laid out: the first redraw for its width is done
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


class _Clocks:
    """Stand-ins for the wall clock and the UI thread's CPU clock."""

    def __init__(self, monkeypatch):
        self.wall = self.cpu = 100.0
        monkeypatch.setattr(frame_budget.time, "perf_counter", lambda: self.wall)
        monkeypatch.setattr(frame_budget.time, "thread_time", lambda: self.cpu)

    def spend(self, wall, share):
        self.wall += wall
        self.cpu += wall * share


def test_the_ui_thread_over_its_total_share_stretches_every_interval(monkeypatch):
    clocks = _Clocks(monkeypatch)
    load = frame_budget.UiLoad(target=0.05)
    monkeypatch.setattr(frame_budget, "ui_load", load)
    budget = FrameBudget()
    budget.add(0.004)
    budget.next_frame()
    own = budget.interval()
    load.restart()
    load.sample()
    clocks.spend(1.0, 0.10)  # twice the share allowed
    load.sample()
    assert load.share == pytest.approx(0.10)
    assert load.stretch == pytest.approx(2.0)
    assert budget.interval() == pytest.approx(2 * own)
    clocks.spend(0.1, 0.05)  # shorter than a window: not measured yet
    load.sample()
    assert load.stretch == pytest.approx(2.0)
    clocks.spend(0.9, 0.02 / 0.9)  # half the share over the window: back to the views' own pace
    load.sample()
    assert load.share == pytest.approx(0.025)
    assert load.stretch == pytest.approx(1.0)
    clocks.spend(1.0, 0.001)  # never faster than the views' own budgets allow
    load.sample()
    assert load.stretch == 1.0 and budget.interval() == pytest.approx(own)
    clocks.spend(1.0, 1.0)  # a run's start: at most a doubling per window
    load.sample()
    assert load.stretch == pytest.approx(2.0)
    for _ in range(3):
        clocks.spend(1.0, 1.0)
        load.sample()
    assert load.stretch == frame_budget.MAX_STRETCH
    assert budget.interval() == pytest.approx(min(own * frame_budget.MAX_STRETCH, SLOWEST))


def test_idle_time_between_runs_is_not_measured(monkeypatch):
    clocks = _Clocks(monkeypatch)
    load = frame_budget.UiLoad(target=0.05)
    load.sample()
    clocks.spend(1.0, 0.2)
    load.sample()
    stretch = load.stretch
    assert stretch > 1
    clocks.spend(60.0, 0.0)  # idle: a minute between two runs
    load.restart()
    load.sample()
    clocks.spend(1.0, 0.05)  # the next run at exactly the target
    load.sample()
    assert load.stretch == pytest.approx(stretch)  # carried over, not pulled down by idle time
