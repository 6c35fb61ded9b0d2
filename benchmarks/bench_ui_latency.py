"""UI event-loop latency while a long scratchpad cell runs on the worker thread.

A 1 ms timer on the UI thread records how late each tick fires while the cell (pure-Python
arithmetic, the worst case for the GIL, then tensor work) runs. Target: p99 <= 16 ms (one frame).
"""

from __future__ import annotations

import os
import tempfile
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("PLAYGROUND_SETTINGS", os.path.join(tempfile.mkdtemp(), "settings.ini"))

CELLS = {
    "pure Python loop": "s = 0\nfor i in range(30_000_000):\n    s += i * i",
    "print flood": "for i in range(400_000):\n    print(i)",
    "tensor ops": ("a = torch.randn(256, 256)\nfor _ in range(400):\n    b = (a @ a).relu().sum()"),
}
SECONDS = 3.0


def _percentile(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q / 100 * (len(values) - 1))))]


def measure(pg: object, code: str, seconds: float = SECONDS) -> list[float]:
    """Latencies (ms) of a 1 ms timer during `seconds` of `code` running."""
    from PySide6.QtCore import Qt, QTimer

    lat: list[float] = []
    last = [time.perf_counter()]

    def tick() -> None:
        now = time.perf_counter()
        lat.append((now - last[0]) * 1000 - 1.0)  # lateness beyond the 1 ms interval
        last[0] = now

    timer = QTimer()
    timer.setTimerType(Qt.TimerType.PreciseTimer)
    timer.setInterval(1)
    timer.timeout.connect(tick)
    pg.run_code(code, wait=False)
    timer.start()
    end = time.monotonic() + seconds
    pg.wait_until(lambda: time.monotonic() > end or not pg.window.runner.running)
    timer.stop()
    if pg.window.runner.running:
        pg.stop()
        pg.wait_until(lambda: not pg.window.runner.running, 10)
    return lat[1:]


def main() -> None:
    from playground import Playground

    pg = Playground(show=True)
    pg.process_events(0.2)
    for label, code in CELLS.items():
        lat = measure(pg, code)
        if not lat:
            print(f"latency {label:<17} no samples")
            continue
        p50, p99 = _percentile(lat, 50), _percentile(lat, 99)
        verdict = "met" if p99 <= 16 else "MISSED"
        print(
            f"latency {label:<17} p50 {p50:6.2f} ms  p99 {p99:6.2f} ms  max {max(lat):6.1f} ms  "
            f"({len(lat)} ticks; target p99 <= 16 ms: {verdict})"
        )
    pg.window.close()


if __name__ == "__main__":
    main()
