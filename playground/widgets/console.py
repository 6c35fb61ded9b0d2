"""Scratchpad output: stdout, stderr, tracebacks and notes, coloured, with a bounded length."""

from __future__ import annotations

from PySide6.QtGui import QColor, QFontDatabase, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import QPlainTextEdit, QWidget

MAX_BLOCKS = 5000  # older lines are dropped: a flood must not grow memory or slow the UI

# Mid tones readable on both themes, so text written before a theme switch stays legible;
# stdout takes the palette's text colour.
_COLOURS = {"stderr": "#d0463b", "error": "#d0463b", "info": "#8a8f98"}


class ConsoleWidget(QPlainTextEdit):
    """Read-only output pane; `write(text, stream)` appends and follows the end if it was there."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("scratchpadConsole")
        self.setReadOnly(True)
        self.setMaximumBlockCount(MAX_BLOCKS)
        self.setUndoRedoEnabled(False)
        self.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.setPlaceholderText("Output of the scratchpad appears here.")

    def set_theme(self, theme: str) -> None:
        """Colours follow the palette (see _COLOURS); nothing to redo."""

    def write(self, text: str, stream: str = "stdout") -> None:
        if not text:
            return
        bar = self.verticalScrollBar()
        at_end = bar.value() >= bar.maximum() - 4
        fmt = QTextCharFormat()
        if stream in _COLOURS:
            fmt.setForeground(QColor(_COLOURS[stream]))
        cursor = QTextCursor(self.document())
        cursor.movePosition(QTextCursor.MoveOperation.End)
        cursor.insertText(text, fmt)
        if at_end:
            bar.setValue(bar.maximum())

    def write_line(self, text: str, stream: str = "info") -> None:
        """`text` on a line of its own."""
        doc_text_end = self.document().lastBlock().text()
        prefix = "\n" if doc_text_end else ""
        self.write(prefix + text.rstrip("\n") + "\n", stream)
