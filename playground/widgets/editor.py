"""The scratchpad editor: line numbers, Python highlighting, Ctrl+Enter runs all or a selection."""

from __future__ import annotations

from PySide6.QtCore import QRect, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFontDatabase,
    QKeyEvent,
    QPainter,
    QPaintEvent,
    QResizeEvent,
    QTextCursor,
    QTextFormat,
)
from PySide6.QtWidgets import QPlainTextEdit, QTextEdit, QWidget

from playground.widgets.highlighter import PythonHighlighter


class _LineNumbers(QWidget):
    def __init__(self, editor: CodeEditor) -> None:
        super().__init__(editor)
        self.editor = editor

    def sizeHint(self) -> QSize:  # noqa: N802
        return QSize(self.editor.gutter_width(), 0)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        self.editor.paint_gutter(event)


class CodeEditor(QPlainTextEdit):
    """Emits `runRequested(source, first_line)` on Ctrl+Enter: the selection, or everything."""

    runRequested = Signal(str, int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("scratchpadEditor")
        font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        font.setPointSize(max(font.pointSize(), 10))
        self.setFont(font)
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.setTabStopDistance(self.fontMetrics().horizontalAdvance(" ") * 4)
        self.highlighter = PythonHighlighter(self.document())
        self._gutter = _LineNumbers(self)
        self._error_line: int | None = None
        self._dark = False
        self.blockCountChanged.connect(self._update_margins)
        self.updateRequest.connect(self._scroll_gutter)
        self.cursorPositionChanged.connect(self._refresh_selections)
        self.textChanged.connect(self._clear_error)
        self._update_margins()

    def set_theme(self, theme: str) -> None:
        self._dark = theme == "dark"
        self.highlighter.set_theme(theme)
        self._refresh_selections()
        self._gutter.update()

    # ---- running -------------------------------------------------------------------------
    def code_to_run(self) -> tuple[str, int]:
        """(source, first line): the selected lines if there is a selection, else everything."""
        cursor = self.textCursor()
        if not cursor.hasSelection():
            return self.toPlainText(), 1
        doc = self.document()
        first = doc.findBlock(cursor.selectionStart())
        last = doc.findBlock(cursor.selectionEnd())
        if cursor.selectionEnd() == last.position() and last != first:
            last = last.previous()  # a selection ending at a line start leaves that line out
        lines = []
        block = first
        while block.isValid():
            lines.append(block.text())
            if block == last:
                break
            block = block.next()
        return _dedent("\n".join(lines)), first.blockNumber() + 1

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        mods = event.modifiers()
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and (
            mods & Qt.KeyboardModifier.ControlModifier
        ):
            self.runRequested.emit(*self.code_to_run())
            return
        if event.key() == Qt.Key.Key_Tab and not mods:
            self.insertPlainText("    ")
            return
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not mods:
            self._newline_with_indent()
            return
        super().keyPressEvent(event)

    def _newline_with_indent(self) -> None:
        line = self.textCursor().block().text()
        indent = line[: len(line) - len(line.lstrip())]
        if line.rstrip().endswith(":"):
            indent += "    "
        self.insertPlainText("\n" + indent)

    # ---- error marking --------------------------------------------------------------------
    def mark_error(self, line: int | None) -> None:
        """Tint line `line` (1-based) until the text changes; None clears it."""
        self._error_line = line
        if line is not None:
            block = self.document().findBlockByNumber(line - 1)
            if block.isValid():
                cursor = QTextCursor(block)
                self.setTextCursor(cursor)
                self.centerCursor()
        self._refresh_selections()

    def _clear_error(self) -> None:
        if self._error_line is not None:
            self._error_line = None
            self._refresh_selections()

    def _refresh_selections(self) -> None:
        selections = []
        current = QTextEdit.ExtraSelection()
        current.format.setBackground(QColor("#2a2d33" if self._dark else "#f3f6fb"))
        current.format.setProperty(QTextFormat.Property.FullWidthSelection, True)
        current.cursor = self.textCursor()
        current.cursor.clearSelection()
        selections.append(current)
        if self._error_line is not None:
            block = self.document().findBlockByNumber(self._error_line - 1)
            if block.isValid():
                err = QTextEdit.ExtraSelection()
                err.format.setBackground(QColor("#5c2b2b" if self._dark else "#fde2e2"))
                err.format.setProperty(QTextFormat.Property.FullWidthSelection, True)
                err.cursor = QTextCursor(block)
                selections.append(err)
        self.setExtraSelections(selections)

    # ---- gutter ---------------------------------------------------------------------------
    def gutter_width(self) -> int:
        digits = max(2, len(str(self.blockCount())))
        return 12 + self.fontMetrics().horizontalAdvance("9") * digits

    def _update_margins(self, *_: object) -> None:
        self.setViewportMargins(self.gutter_width(), 0, 0, 0)

    def _scroll_gutter(self, rect: QRect, dy: int) -> None:
        if dy:
            self._gutter.scroll(0, dy)
        else:
            self._gutter.update(0, rect.y(), self._gutter.width(), rect.height())

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802
        super().resizeEvent(event)
        cr = self.contentsRect()
        self._gutter.setGeometry(QRect(cr.left(), cr.top(), self.gutter_width(), cr.height()))

    def paint_gutter(self, event: QPaintEvent) -> None:
        painter = QPainter(self._gutter)
        painter.fillRect(event.rect(), QColor("#1e1f22" if self._dark else "#f0f0f0"))
        block = self.firstVisibleBlock()
        top = round(self.blockBoundingGeometry(block).translated(self.contentOffset()).top())
        height = self.fontMetrics().height()
        while block.isValid() and top <= event.rect().bottom():
            if block.isVisible():
                number = block.blockNumber() + 1
                colour = "#6f737a" if self._dark else "#999999"
                if number == self._error_line:
                    colour = "#e06c6c"
                painter.setPen(QColor(colour))
                painter.drawText(
                    0,
                    top,
                    self._gutter.width() - 6,
                    height,
                    Qt.AlignmentFlag.AlignRight,
                    str(number),
                )
            top += round(self.blockBoundingRect(block).height())
            block = block.next()
        painter.end()


def _dedent(text: str) -> str:
    """Strip the common indentation so that a selection from inside a block still runs."""
    import textwrap

    return textwrap.dedent(text)
