"""How often the studio may redraw without slowing training down, and drawing a frame quickly.

Drawing runs on the UI thread but needs the GIL, which the training thread wants too: every
millisecond spent drawing is one the training thread waits for. So the plots measure what a frame
costs them (updating the items and painting them) and redraw at most as often as keeps that under
`UI_SHARE` of the time, and never more than `MAX_FPS` times a second.

While a frame is painted, the training thread also waits at its next step boundary (`paint_gate`):
a paint racing a busy training thread lets go of the GIL at each signal pyqtgraph emits (PySide
releases it in `emit`), gets it back a switch interval (5 ms) later, and is spread over many times
its own length; held back, it runs in one go. Qt's own drawing does not run beside training
either: PySide keeps the GIL through its other calls into Qt (a 300 ms `QPainter.drawPath` let
another Python thread run at 2 % of its speed), so every millisecond the UI thread spends,
painting included, is one training waits for.

Each view's budget counts only its own frames; the UI thread does more (taking reports, the
status line, Qt's own event handling and compositing). `ui_load` watches the thread's whole CPU
time while training runs and stretches every view's interval when the total passes
`UI_TOTAL_SHARE`, so what the user sees slows down before training does.
"""

from __future__ import annotations

import sys
import threading
import time

MAX_FPS = 30.0
UI_SHARE = 0.025  # UI CPU seconds per wall second a view may spend drawing while training runs
SLOWEST = 0.5  # seconds: however costly, redraw at least this often
UI_TOTAL_SHARE = 0.04  # UI CPU seconds per wall second the UI thread may use in all, likewise
LOAD_WINDOW = 0.5  # seconds of UI thread time per measurement of its share
MAX_STRETCH = 4.0


# what a frame costs the UI thread: its CPU time, except on Windows, whose thread clock ticks in
# 15.6 ms steps (longer than most frames), where the wall clock is the better of two estimates
ui_clock = time.perf_counter if sys.platform == "win32" else time.thread_time

GATE_WAIT = 0.05  # seconds: the training thread never waits longer than this for one frame


class PaintGate:
    """Closed while the UI thread paints; `wait()` (training thread) blocks until it opens."""

    def __init__(self) -> None:
        self._open = threading.Event()
        self._open.set()

    def close(self) -> None:
        self._open.clear()

    def open(self) -> None:
        self._open.set()

    def wait(self) -> None:
        if not self._open.is_set():  # the wait releases the GIL to the painting UI thread
            self._open.wait(GATE_WAIT)


paint_gate = PaintGate()  # one UI thread per process


class UiLoad:
    """The UI thread's share of the wall clock while training runs, and how much every view's
    redraw interval is stretched to keep it under `UI_TOTAL_SHARE`. `sample()` is called on the
    UI thread (its CPU clock is per thread) as reports arrive; `restart()` when a run starts, so
    idle time is not counted. The stretch carries over: the next run starts where this one
    settled."""

    def __init__(self, target: float = UI_TOTAL_SHARE) -> None:
        self.target = target
        self.stretch = 1.0
        self.share = 0.0
        self._since: tuple[float, float] | None = None

    def restart(self) -> None:
        self._since = None

    def sample(self) -> None:
        now = (time.perf_counter(), time.thread_time())
        if self._since is None:
            self._since = now
            return
        wall = now[0] - self._since[0]
        if wall < LOAD_WINDOW:
            return
        self.share = (now[1] - self._since[1]) / wall
        self._since = now
        # toward the stretch that would have met the target in this window (the share is nearly
        # proportional to the frame rate), at most doubled or halved per window (the first
        # windows of a run also pay for its start), never below the views' own pace
        ratio = min(max(self.share / self.target, 0.5), 2.0)
        self.stretch = min(max(self.stretch * ratio, 1.0), MAX_STRETCH)


ui_load = UiLoad()  # one UI thread per process


class FrameBudget:
    """What one frame of a view costs, and the interval between frames that this allows.

    A frame is everything the UI thread spends on one update of the view: updating its items and
    every paint until the next update (pyqtgraph may paint a view more than once per update). The
    average is of whole frames, so the interval keeps the view's true share under `UI_SHARE`.
    Costs are the UI thread's CPU time (`ui_clock`), not the wall clock: an update racing
    the training thread for the GIL waits several times its own length, and training runs
    meanwhile, so the wall clock would count that waiting as a cost to training four times over.
    """

    def __init__(self, share: float = UI_SHARE) -> None:
        self.share = share
        self.cost = 0.0  # exponential average of a frame's cost, seconds
        self._frame: float | None = None  # cost so far of the frame in progress

    def add(self, seconds: float) -> None:
        """Time spent on the frame in progress (updating the items or painting them)."""
        self._frame = (self._frame or 0.0) + seconds

    def next_frame(self) -> None:
        """Close the frame in progress (a new update begins): its whole cost enters the average."""
        if self._frame is not None:
            seen = self.cost > 0
            self.cost = 0.8 * self.cost + 0.2 * self._frame if seen else self._frame
        self._frame = None

    def interval(self) -> float:
        own = max(1.0 / MAX_FPS, self.cost / self.share)
        return min(own * ui_load.stretch, SLOWEST)  # however stretched, at most SLOWEST apart


class TimedPaint:
    """Mixin for a pyqtgraph view: painted behind the gate, its cost into `self.budget`."""

    budget: FrameBudget | None = None

    def paintEvent(self, event: object) -> None:  # noqa: N802
        start = ui_clock()
        paint_gate.close()
        try:
            super().paintEvent(event)  # type: ignore[misc]
        finally:
            paint_gate.open()
        if self.budget is not None:
            self.budget.add(ui_clock() - start)
