"""The training run's buttons: Start, Pause, Resume, Step one batch, Stop, Reset, New seed,
each enabled only where it means something for the run's state."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QGridLayout, QPushButton, QWidget

BUTTONS = (
    ("start", "Start", "Train a new run from these settings"),
    ("pause", "Pause", "Pause after the step in progress"),
    ("resume", "Resume", "Continue the paused run"),
    ("step", "Step one batch", "Take exactly one optimizer step"),
    ("stop", "Stop", "End the run at the next step boundary"),
    ("reset", "Reset", "The same initialisation again, so runs compare"),
    ("newSeed", "New seed", "Pick a new seed and reset"),
)


class RunControls(QWidget):
    """Buttons named train<Key> ("trainStart", "trainNewSeed", ...), four to a row."""

    def __init__(self, slots: dict[str, Callable[[], None]], parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("runControls")
        self.buttons: dict[str, QPushButton] = {}
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        for i, (key, text, tip) in enumerate(BUTTONS):
            button = QPushButton(text, objectName=f"train{key[0].upper()}{key[1:]}")
            button.setToolTip(tip)
            button.clicked.connect(slots[key])
            grid.addWidget(button, i // 4, i % 4)
            self.buttons[key] = button

    def show_state(self, state: str) -> None:
        running = state == "running"
        b = self.buttons
        b["start"].setEnabled(not running)
        b["pause"].setEnabled(running)
        b["resume"].setEnabled(state == "paused")
        b["step"].setEnabled(not running)
        b["stop"].setEnabled(state in ("running", "paused"))
        b["reset"].setEnabled(state not in ("idle", "loading"))
        b["newSeed"].setEnabled(True)
