"""Regenerate the training studio's README screenshots: `python docs/screenshots/studio.py`.

Trains the linear regression, the two moons and the digits in the real main window (offscreen),
with the Training and Plots panels side by side, and saves studio_*.png here.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["PLAYGROUND_SETTINGS"] = os.path.join(tempfile.mkdtemp(), "settings.ini")
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from PySide6.QtCore import Qt  # noqa: E402

from playground import Playground  # noqa: E402

HERE = Path(__file__).resolve().parent


def studio_layout(pg: Playground) -> None:
    """Training on the left, Plots on the right, nothing else."""
    w = pg.window
    for key, dock in w.docks.items():
        dock.setVisible(key in ("training", "plots"))
    w.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, w.docks["training"])
    w.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, w.docks["plots"])
    w.docks["training"].show()
    w.docks["plots"].show()
    w.resize(1440, 900)
    w.resizeDocks([w.docks["training"], w.docks["plots"]], [470, 970], Qt.Orientation.Horizontal)
    pg.process_events(0.3)


def shoot(pg: Playground, name: str, config: dict, before=None) -> None:
    panel = pg.window.panels["training"]
    pg.train(config, wait=True, timeout=120)
    if before is not None:
        before(pg)
    panel.controller.refresh_fit()
    pg.process_events(0.6)
    pg.screenshot(HERE / f"studio_{name}.png")
    print(name, panel.status.summary())


def moons_with_an_lr_change(pg: Playground) -> None:
    """Moons, with the learning rate lowered a third of the way in (marked on the curves)."""
    panel = pg.window.panels["training"]
    pg.train({"dataset": "moons", "epochs": 60})
    pg.wait_until(lambda: len(panel.history) >= 500, 60)
    panel.optim.lr.setValue(0.002)
    panel.optim._send_live()
    pg.wait_until(lambda: not panel.busy, 120)
    panel.controller.refresh_fit()
    pg.process_events(0.6)
    pg.screenshot(HERE / "studio_moons.png")
    print("moons", panel.status.summary())


def main() -> None:
    pg = Playground(show=True)
    studio_layout(pg)
    plots = pg.window.panels["plots"]
    plots.log_scale.setChecked(True)
    shoot(pg, "regression", {"dataset": "linear"})
    plots.log_scale.setChecked(False)
    moons_with_an_lr_change(pg)
    plots.show_hist.setChecked(True)
    shoot(pg, "digits", {"dataset": "digits", "epochs": 10})
    pg.window.close()


if __name__ == "__main__":
    main()
