"""The training studio at full speed: UI event-loop latency and training throughput.

- Latency: a 1 ms timer on the UI thread records how late each tick fires while the app trains
  the digits MLP (its default config) as fast as it can. Target: p99 <= 16 ms (one frame).
- Throughput: the app's training speed (worker thread, live plots) against the headless engine's
  (`TrainingRun.steps()`, what `playground train` drives) for the same config. Target: the app
  does >= 90 % of the headless speed.

  The verdict is the median over alternating one-second windows of two long runs: the headless
  run steps on the main thread while the app's run is paused, then the app's run trains while its
  UI draws. This VM's speed swings by a quarter within seconds (the same 200 epochs took 1.75 s
  to 2.87 s back to back), which buries a 10 % effect in any comparison of runs made one after
  the other; windows a second apart see nearly the same machine. The app's windows also pay for
  each resume (its state news, the plots catching up), so the figure errs against the app.
  Whole runs are still timed (from "running" to "finished" as the worker thread says them;
  building the run is left out on both sides), best of a few alternating ones, and printed.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import threading
import time
from typing import NamedTuple

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("PLAYGROUND_SETTINGS", os.path.join(tempfile.mkdtemp(), "settings.ini"))

# the digits MLP (default settings), ~2 s: steady state
CONFIG = {"dataset": "digits", "epochs": 200}
LATENCY_SECONDS = 3.0
ROUNDS = 9
WINDOWS = 40  # alternating pairs of windows, each WINDOW seconds
WINDOW = 1.0


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


def _spin(seconds: float) -> None:
    """Run the UI's event loop for `seconds`, as the app does while it trains (no polling)."""
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    QTimer.singleShot(round(seconds * 1000), loop.quit)
    loop.exec()


def thread_cpu_seconds(native_id: int) -> float | None:
    """CPU time a thread of this process has had so far (Linux's schedstat), None elsewhere."""
    try:
        with open(f"/proc/self/task/{native_id}/schedstat") as f:
            return int(f.read().split()[0]) / 1e9
    except (OSError, ValueError, IndexError):
        return None


def training_thread_id(pg: object) -> int:
    """The native id of the app's training thread (asked of the thread itself)."""
    panel = pg.window.panels["training"]
    got: list[int] = []
    panel.call("thread id", lambda _run: threading.get_native_id(), got.append)
    assert pg.wait_until(lambda: bool(got), 10), "the training thread did not answer"
    assert isinstance(got[0], int), f"the training thread could not say its id: {got[0]!r}"
    return got[0]


class Windows(NamedTuple):
    ratios: list[float]  # the app's steps per second over the headless engine's, per pair
    running: list[float]  # the share of each app window the training thread ran (not waiting)


def windowed_ratios(pg: object, windows: int = WINDOWS, window: float = WINDOW) -> Windows:
    """The app's steps per second over the headless engine's, one ratio per pair of adjacent
    windows of two long runs of the same config (see the module's docstring); and in each app
    window, the share of the time its training thread ran rather than waited (for the GIL held
    by the UI thread, at the paint gate, or for a core the machine took): it swings far less
    with the machine than speed does (empty where the system does not say a thread's CPU
    time)."""
    from core.training import TrainingRun

    panel = pg.window.panels["training"]
    config = {**CONFIG, "epochs": 100_000}  # neither run ends while measured
    headless = TrainingRun(config)
    pg.train(config)
    pg.wait_until(lambda: panel.controller.state == "running", 30)
    _spin(window)  # past the run's start
    app_run = panel.controller.worker.run
    trainer = training_thread_id(pg)
    ratios, running = [], []
    for _ in range(windows):
        pg.pause_training()  # a window with both runs training would compare nothing
        assert pg.wait_until(lambda: panel.controller.state == "paused", 10), "did not pause"
        steps, start = 0, time.perf_counter()
        for _report in headless.steps():
            steps += 1
            if time.perf_counter() - start >= window:
                headless.pause()  # steps() returns after this step
        headless_rate = steps / (time.perf_counter() - start)
        pg.resume_training()
        assert pg.wait_until(lambda: panel.controller.state == "running", 10), "did not resume"
        first, start, cpu = app_run.step, time.perf_counter(), thread_cpu_seconds(trainer)
        _spin(window)
        wall = time.perf_counter() - start
        ratios.append((app_run.step - first) / wall / headless_rate)
        if cpu is not None and (now := thread_cpu_seconds(trainer)) is not None:
            running.append((now - cpu) / wall)
    pg.stop_training()
    pg.wait_until(lambda: not panel.busy, 10)
    return Windows(ratios, running)


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
    paired = statistics.median(h / a for h, a in zip(headless, app))
    print(
        f"studio whole runs  app {min(app):6.2f} s  headless {min(headless):6.2f} s  "
        f"app/headless speed {100 * ratio:5.1f} % (best of {ROUNDS}; median of pairs "
        f"{100 * paired:5.1f} %; runs one after the other: the machine's swings show here)"
    )
    ratios, running = windowed_ratios(pg)
    median = statistics.median(ratios)
    low, high = _percentile(ratios, 25), _percentile(ratios, 75)
    verdict = "met" if median >= 0.9 else "MISSED"
    print(
        f"studio throughput  app/headless speed {100 * median:5.1f} % (median of {len(ratios)} "
        f"pairs of {WINDOW:g} s windows; middle half {100 * low:.0f}-{100 * high:.0f} %)  "
        f"(target >= 90 %: {verdict})"
    )
    if running:
        print(
            f"studio training thread ran {100 * statistics.median(running):5.1f} % of the app's "
            f"windows (median; the rest it waited, for the GIL while the UI thread held it or "
            f"at the paint gate, or the machine took the core: a steadier reading than speed)"
        )
    pg.window.close()


if __name__ == "__main__":
    main()
