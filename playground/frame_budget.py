"""How often the studio may redraw without slowing training down.

Drawing runs on the UI thread but needs the GIL, which the training thread wants too: every
millisecond spent drawing is one the training thread waits for. So the plots measure what a frame
costs them (updating the items and painting them) and redraw at most as often as keeps that under
`UI_SHARE` of the time, and never more than `MAX_FPS` times a second.
"""

from __future__ import annotations

import time

MAX_FPS = 30.0
UI_SHARE = 0.05  # of wall time the plots may spend drawing while training runs
SLOWEST = 0.5  # seconds: however costly, redraw at least this often


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
    """Mixin for a pyqtgraph view: what its paints cost goes into `self.budget`."""

    budget: FrameBudget

    def paintEvent(self, event: object) -> None:  # noqa: N802
        start = time.perf_counter()
        super().paintEvent(event)  # type: ignore[misc]
        budget = getattr(self, "budget", None)
        if budget is not None:
            budget.add(time.perf_counter() - start)
