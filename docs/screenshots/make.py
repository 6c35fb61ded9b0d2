"""Regenerate the README screenshots: `python docs/screenshots/make.py` (works offscreen)."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["PLAYGROUND_SETTINGS"] = os.path.join(tempfile.mkdtemp(), "settings.ini")
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from playground import Playground  # noqa: E402

HERE = Path(__file__).resolve().parent
WAVES = """# A 3-d tensor: pick the axes and the slice in the inspector
t = torch.linspace(0, 6.28, 96)
waves = torch.stack([torch.sin(k * t).view(-1, 1) * torch.cos(t).view(1, -1) for k in (1, 2, 3)])
waves[2, 40:44, 10:14] = float("nan")
waves.shape
"""


def main() -> None:
    pg = Playground(show=True, example=True)
    pg.window.resize(1440, 900)
    pg.wait_until(lambda: not pg.window.runner.running, 30)
    pg.process_events(0.3)
    for theme in ("light", "dark"):
        pg.window.set_theme(theme)
        pg.process_events(0.2)
        pg.screenshot(HERE / f"main-{theme}.png")
    pg.window.set_theme("light")
    if pg.window.graph is not None:
        pg.step_backward()
        pg.step_backward()
        pg.process_events(0.2)
        pg.screenshot(HERE / "graph-stepping.png")
        pg.reset_backward()
    pg.window.editor.setPlainText(WAVES)
    pg.run_code(WAVES)
    pg.inspect("waves")
    inspector = pg.window.inspector
    inspector.slices.slider(0).setValue(2)
    inspector.tabs.setCurrentIndex(1)
    pg.process_events(0.3)
    pg.screenshot(HERE / "inspector-heatmap.png")
    inspector.tabs.setCurrentIndex(2)
    pg.window.set_theme("dark")
    pg.process_events(0.3)
    pg.screenshot(HERE / "inspector-stats-dark.png")
    pg.window.close()
    print("\n".join(sorted(str(p.relative_to(HERE.parents[1])) for p in HERE.glob("*.png"))))


if __name__ == "__main__":
    main()
