"""The training studio at full speed: UI event-loop latency and training throughput.

- Latency: a 1 ms timer on the UI thread records how late each tick fires while the app trains
  the digits MLP (its default config) as fast as it can. Target: p99 <= 16 ms (one frame).
- Throughput: wall time of the same run's training (from "running" to "finished" as the worker
  thread says them; building the run is left out on both sides) in the app (worker thread, live
  plots) against the headless engine (`TrainingRun.run_to_end()`, what `playground train`
  drives), best of a few alternating runs. Target: the app does >= 90 % of the headless speed.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import threading
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("PLAYGROUND_SETTINGS", os.path.join(tempfile.mkdtemp(), "settings.ini"))

# the digits MLP (default settings), ~2 s: steady state
CONFIG = {"dataset": "digits", "epochs": 200}
LATENCY_SECONDS = 3.0
ROUNDS = 9


def _percentile(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q / 100 * (len(values) - 1))))]


def latency(pg: object, seconds: float = LATENCY_SECONDS) -> list[float]:
    """Lateness (ms) of a 1 ms UI timer while the app trains."""
    from PySide6.QtCore import Qt, QTimer

    panel = pg.window.panels["training"]
    lat: list[float] = []
    last = [time.perf_counter()]

    def tick() -> None:
        now = time.perf_counter()
        lat.append((now - last[0]) * 1000 - 1.0)
        last[0] = now

    timer = QTimer()
    timer.setTimerType(Qt.TimerType.PreciseTimer)
    timer.setInterval(1)
    timer.timeout.connect(tick)
    pg.train({**CONFIG, "epochs": 200})
    pg.wait_until(lambda: panel.controller.state == "running", 30)
    last[0] = time.perf_counter()
    timer.start()
    end = time.monotonic() + seconds
    pg.wait_until(lambda: time.monotonic() > end)
    timer.stop()
    steps = len(panel.history)
    pg.stop_training()
    pg.wait_until(lambda: not panel.busy, 10)
    print(f"  ({steps} steps trained while measuring)")
    return lat[1:]


def app_seconds(pg: object) -> float:
    """The run's training time in the app: from the worker's "running" to its "finished", timed
    on the worker thread as it says them (the UI's handling of either comes later, and its final
    redraw after training ended is not training)."""
    from PySide6.QtCore import Qt

    panel = pg.window.panels["training"]
    worker = panel.controller.worker
    marks: dict[str, float] = {}
    finished = threading.Event()

    def mark(generation: int, step: int, kind: str, payload: object) -> None:
        if kind == "state" and isinstance(payload, str):
            marks.setdefault(payload, time.perf_counter())
            if payload == "finished":
                finished.set()

    worker.event.connect(mark, Qt.ConnectionType.DirectConnection)  # runs on the worker thread
    try:
        pg.train(CONFIG, wait=True, timeout=600)
        # the UI's queued copy of "finished" may wake pg.train before this slot has run there
        finished.wait(5)
    finally:
        worker.event.disconnect(mark)
    assert panel.controller.state == "finished", panel.controller.state
    return marks["finished"] - marks["running"]


def headless_seconds() -> float:
    from core.training import TrainingRun

    run = TrainingRun(CONFIG)
    start = time.perf_counter()
    run.run_to_end()
    return time.perf_counter() - start


def main() -> None:
    from playground import Playground

    pg = Playground(show=True)
    pg.window.resize(1440, 900)
    pg.window.docks["plots"].raise_()
    pg.process_events(0.3)
    lat = latency(pg)
    p50, p99 = _percentile(lat, 50), _percentile(lat, 99)
    verdict = "met" if p99 <= 16 else "MISSED"
    print(
        f"studio latency while training digits  p50 {p50:6.2f} ms  p99 {p99:6.2f} ms  "
        f"max {max(lat):6.1f} ms  ({len(lat)} ticks; target p99 <= 16 ms: {verdict})"
    )
    app, headless = [], []
    for _ in range(ROUNDS):
        headless.append(headless_seconds())
        app.append(app_seconds(pg))
    ratio = min(headless) / min(app)
    paired = statistics.median(h / a for h, a in zip(headless, app))  # same load, side by side
    verdict = "met" if ratio >= 0.9 else "MISSED"
    print(
        f"studio throughput  app {min(app):6.2f} s  headless {min(headless):6.2f} s  "
        f"app/headless speed {100 * ratio:5.1f} % (best of {ROUNDS}; median of pairs "
        f"{100 * paired:5.1f} %)  (target >= 90 %: {verdict})"
    )
    pg.window.close()


if __name__ == "__main__":
    main()
