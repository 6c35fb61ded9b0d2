"""The training panel's settings (Data, Model, Training) as group boxes in a scroll area: one
column, or two in a wide and low dock."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGridLayout, QGroupBox, QScrollArea, QVBoxLayout, QWidget

WIDE = 880  # px: from this width (and a dock lower than TALL), two columns
TALL = 600


class SettingsSections(QScrollArea):
    def __init__(self, sections: list[tuple[str, QWidget]], parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("trainingScroll")
        self.setWidgetResizable(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        body = QWidget()
        self.grid = QGridLayout(body)
        self.boxes = []
        for title, widget in sections:
            box = QGroupBox(title, objectName=f"group{title}")
            QVBoxLayout(box).addWidget(widget)
            self.boxes.append(box)
        self.wide: bool | None = None
        self.arrange(False)
        self.setWidget(body)

    def arrange(self, wide: bool) -> None:
        """All sections in a column, or the first two left and the rest right."""
        if wide == self.wide:
            return
        self.wide = wide
        for box in self.boxes:
            self.grid.removeWidget(box)
        if wide:
            for row, box in enumerate(self.boxes[:2]):
                self.grid.addWidget(box, row, 0)
            for row, box in enumerate(self.boxes[2:]):
                self.grid.addWidget(box, row, 1, 2, 1)
        else:
            for row, box in enumerate(self.boxes):
                self.grid.addWidget(box, row, 0)
        self.grid.setRowStretch(len(self.boxes), 1)

    def resizeEvent(self, event: Any) -> None:  # noqa: N802
        super().resizeEvent(event)
        window = self.parentWidget() or self
        self.arrange(self.width() >= WIDE and window.height() < TALL)
