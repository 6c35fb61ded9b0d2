"""The Log panel: what the app did and every error it caught, with time and level.

Any thread may log: records travel to the UI thread by a queued signal.
"""

from __future__ import annotations

import logging
import time

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QColor, QFontDatabase, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import QPlainTextEdit, QWidget

# Readable on both themes (earlier lines keep their colour across a theme switch); INFO takes
# the palette's text colour.
_LEVEL_COLOURS = {"DEBUG": "#8a8f98", "WARNING": "#c98a00", "ERROR": "#d0463b"}


class _Bridge(QObject):
    record = Signal(str, str)  # level name, message


class QtLogHandler(logging.Handler):
    """A logging handler that forwards records to a LogPanel on the UI thread."""

    def __init__(self, panel: LogPanel) -> None:
        super().__init__()
        self.bridge = _Bridge()
        self.bridge.record.connect(panel.add, Qt.ConnectionType.QueuedConnection)

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.bridge.record.emit(record.levelname, self.format(record))
        except RuntimeError:  # the panel is gone (window closed): nothing left to show
            pass


class LogPanel(QPlainTextEdit):
    """Timestamped, coloured, bounded log."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("logView")
        self.setReadOnly(True)
        self.setMaximumBlockCount(2000)
        self.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))

    def set_theme(self, theme: str) -> None:
        """Colours follow the palette (see _LEVEL_COLOURS); nothing to redo."""

    def add(self, level: str, message: str) -> None:
        fmt = QTextCharFormat()
        if level in _LEVEL_COLOURS:
            fmt.setForeground(QColor(_LEVEL_COLOURS[level]))
        cursor = QTextCursor(self.document())
        cursor.movePosition(QTextCursor.MoveOperation.End)
        prefix = "" if self.document().isEmpty() else "\n"
        cursor.insertText(f"{prefix}{time.strftime('%H:%M:%S')}  {level:<7} {message}", fmt)
        bar = self.verticalScrollBar()
        bar.setValue(bar.maximum())

    def info(self, message: str) -> None:
        self.add("INFO", message)

    def warning(self, message: str) -> None:
        self.add("WARNING", message)

    def error(self, message: str) -> None:
        self.add("ERROR", message)
