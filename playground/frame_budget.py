"""How often the studio may redraw without slowing training down, and drawing a frame quickly.

Drawing runs on the UI thread but needs the GIL, which the training thread wants too: every
millisecond spent drawing is one the training thread waits for. So the plots measure what a frame
costs them (updating the items and painting them) and redraw at most as often as keeps that under
`UI_SHARE` of the time, and never more than `MAX_FPS` times a second.

While a frame is painted, the training thread also waits at its next step boundary (`paint_gate`):
PySide releases the GIL around every call into Qt, so a paint racing a busy training thread has
to win the GIL back after each of pyqtgraph's hundreds of small Qt calls, a switch interval
(5 ms) at a time; held back, the same frame takes a few milliseconds instead of a few hundred.
"""

from __future__ import annotations

import threading
import time

MAX_FPS = 30.0
UI_SHARE = 0.04  # of wall time the plots may spend drawing while training runs
SLOWEST = 0.5  # seconds: however costly, redraw at least this often


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


class FrameBudget:
    """Exponential averages of the parts of a frame's cost, and the interval they allow."""

    def __init__(self) -> None:
        self.parts: dict[str, float] = {}

    def add(self, seconds: float, part: str = "paint") -> None:
        old = self.parts.get(part)
        self.parts[part] = seconds if old is None else 0.8 * old + 0.2 * seconds

    @property
    def cost(self) -> float:
        return sum(self.parts.values())

    def interval(self) -> float:
        return min(max(1.0 / MAX_FPS, self.cost / UI_SHARE), SLOWEST)


class TimedPaint:
    """Mixin for a pyqtgraph view: painted behind the gate, its cost into `self.budget`."""

    budget: FrameBudget

    def paintEvent(self, event: object) -> None:  # noqa: N802
        start = time.perf_counter()
        paint_gate.close()
        try:
            super().paintEvent(event)  # type: ignore[misc]
        finally:
            paint_gate.open()
        budget = getattr(self, "budget", None)
        if budget is not None:
            budget.add(time.perf_counter() - start)
