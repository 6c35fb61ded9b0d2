"""Start-up to first paint: a fresh process opens the main window on the welcome example.

Each run is a new interpreter (a warm start: files already in the page cache), timed from before
`import playground` to the window's first paint event, and to the example's results on screen.
Target: window visible in under 2 s.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile

RUNS = 5

_CHILD = r"""
import time
t0 = time.perf_counter()
import json, sys
from PySide6.QtCore import QEvent, QObject
from playground import Playground
t_import = time.perf_counter()

class FirstPaint(QObject):
    at = None
    def eventFilter(self, obj, event):
        if event.type() == QEvent.Type.Paint and self.at is None:
            self.at = time.perf_counter()
        return False

pg = Playground(show=False, example=True)
spy = FirstPaint()
pg.window.installEventFilter(spy)
pg.window.show()
pg.wait_until(lambda: spy.at is not None, 10)
pg.wait_until(lambda: not pg.window.runner.running and pg.window.inspector.obj is not None, 10)
t_ready = time.perf_counter()
pg.wait_until(lambda: pg.window._wired, 10)  # the deferred panels (training, plots) are built
t_panels = time.perf_counter()
print(json.dumps({"import": t_import - t0, "paint": spy.at - t0, "ready": t_ready - t0,
                  "panels": t_panels - t0}))
pg.window.close()
"""


def measure_once(env: dict[str, str]) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, "-c", _CHILD], env=env, capture_output=True, text=True, timeout=60
    )
    if done.returncode != 0:
        raise RuntimeError(done.stderr.strip().splitlines()[-1] if done.stderr else "failed")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    env = dict(os.environ)
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    env["PLAYGROUND_SETTINGS"] = os.path.join(tempfile.mkdtemp(), "settings.ini")
    measure_once(env)  # warm the page cache
    runs = [measure_once(env) for _ in range(RUNS)]
    for key, label in (
        ("import", "import playground"),
        ("paint", "first paint"),
        ("ready", "example shown"),
        ("panels", "all panels built"),
    ):
        values = sorted(r[key] * 1000 for r in runs)
        print(
            f"startup {label:<17} median {statistics.median(values):7.1f} ms  "
            f"max {values[-1]:7.1f} ms  ({RUNS} runs, platform {env['QT_QPA_PLATFORM']})"
        )
    worst = max(r["paint"] for r in runs)
    print(f"startup target: first paint < 2000 ms: {'met' if worst < 2 else 'MISSED'}")


if __name__ == "__main__":
    main()
