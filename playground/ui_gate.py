"""Sharing the GIL fairly between the UI thread and the training thread.

PySide releases the GIL around every call into Qt, so a UI thread drawing a frame (hundreds of
small Qt calls from pyqtgraph's Python paint code) has to win the GIL back from a busy training
thread after each one: a switch interval (5 ms) per call, and frames that took 7 ms took 200.
Instead, while the UI thread draws (`with ui_gate:`), the training thread waits at its next step
boundary (`ui_gate.wait()`, which releases the GIL), for at most `MAX_WAIT` seconds.
The work is the same; what goes away is the ping-pong.
"""

from __future__ import annotations

import threading
from types import TracebackType

MAX_WAIT = 0.05  # the training thread never waits longer than this for one frame


class UiGate:
    def __init__(self) -> None:
        self._open = threading.Event()
        self._open.set()
        self._depth = 0  # nesting on the UI thread (a slot that triggers a paint)

    def __enter__(self) -> UiGate:
        self._depth += 1
        self._open.clear()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._depth -= 1
        if self._depth <= 0:
            self._depth = 0
            self._open.set()

    @property
    def drawing(self) -> bool:
        return not self._open.is_set()

    def wait(self) -> None:
        """Called by the training thread between steps: let a frame in progress finish."""
        if not self._open.is_set():
            self._open.wait(MAX_WAIT)


ui_gate = UiGate()  # one UI thread per process, so one gate


class GatedPaint:
    """Mixin for a pyqtgraph view: its paints run with the training thread held back."""

    def paintEvent(self, event: object) -> None:  # noqa: N802
        with ui_gate:
            super().paintEvent(event)  # type: ignore[misc]
