"""Editor (selection to run, error marking, Ctrl+Enter), highlighter and console."""

from PySide6.QtCore import Qt
from PySide6.QtGui import QTextCursor

from playground.widgets.console import ConsoleWidget
from playground.widgets.editor import CodeEditor


def select_lines(editor, first, last):
    doc = editor.document()
    cursor = QTextCursor(doc.findBlockByNumber(first - 1))
    end = doc.findBlockByNumber(last - 1)
    cursor.setPosition(end.position() + len(end.text()), QTextCursor.MoveMode.KeepAnchor)
    editor.setTextCursor(cursor)


def test_run_everything_or_the_selected_lines(qtbot):
    editor = CodeEditor()
    qtbot.addWidget(editor)
    editor.setPlainText("a = 1\nif a:\n    b = 2\n    c = 3\n")
    assert editor.code_to_run() == (editor.toPlainText(), 1)
    select_lines(editor, 3, 4)
    assert editor.code_to_run() == ("b = 2\nc = 3", 3)  # dedented, numbered as in the editor


def test_ctrl_enter_emits_run(qtbot):
    editor = CodeEditor()
    qtbot.addWidget(editor)
    editor.setPlainText("x = 1")
    with qtbot.waitSignal(editor.runRequested) as blocker:
        qtbot.keyClick(editor, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert blocker.args == ["x = 1", 1]


def test_error_marking_clears_on_edit(qtbot):
    editor = CodeEditor()
    qtbot.addWidget(editor)
    editor.setPlainText("a\nb\nc")
    editor.mark_error(2)
    assert len(editor.extraSelections()) == 2
    editor.insertPlainText("x")
    assert len(editor.extraSelections()) == 1


def test_highlighter_themes_and_triple_quotes(qtbot):
    editor = CodeEditor()
    qtbot.addWidget(editor)
    editor.setPlainText('s = """one\ntwo"""\nx = 1  # note')
    assert editor.document().findBlockByNumber(0).userState() == 1  # inside the string
    assert editor.document().findBlockByNumber(1).userState() == 0
    editor.set_theme("dark")
    editor.set_theme("light")


def test_console_keeps_a_bounded_tail(qtbot):
    console = ConsoleWidget()
    qtbot.addWidget(console)
    console.write("out\n")
    console.write("err\n", "stderr")
    console.write_line("note")
    assert console.toPlainText() == "out\nerr\nnote\n"
    console.write("".join(f"{i}\n" for i in range(20_000)))
    assert console.document().blockCount() <= 5000
