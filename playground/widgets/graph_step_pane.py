"""The "This step" pane: the current node's explanation and its numerical check."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QPushButton, QTextBrowser, QVBoxLayout, QWidget


class StepPane(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("graphStepPane")
        self.text = QTextBrowser(self)
        self.text.setObjectName("graphStepText")
        self.text.setOpenLinks(False)
        self.check_button = QPushButton("Check numerically", self)
        self.check_button.setToolTip(
            "Compare this node's analytic gradient with central finite differences"
        )
        self.check_label = QLabel("", self)
        self.check_label.setWordWrap(True)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 0, 0, 0)
        lay.addWidget(QLabel("<b>This step</b>", self))
        lay.addWidget(self.text, 1)
        lay.addWidget(self.check_button)
        lay.addWidget(self.check_label)
