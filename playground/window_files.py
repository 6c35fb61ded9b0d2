"""The File menu's work: scripts, tensor files, examples, recent files and exports."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QFileDialog

from playground import examples, tensor_files

if TYPE_CHECKING:
    from playground.main_window import MainWindow


def connect_actions(w: MainWindow) -> None:
    a = w.acts
    a["openScript"].triggered.connect(lambda: _ask_open(w, "Open script", "Python (*.py)"))
    a["openTensor"].triggered.connect(lambda: _ask_open(w, "Open tensor file", tensor_files.FILTER))
    a["saveScript"].triggered.connect(lambda: save_script_dialog(w))
    a["exportTensor"].triggered.connect(w.inspector.save_dialog)
    a["exportOutput"].triggered.connect(lambda: export_output_dialog(w))
    a["exportScreenshot"].triggered.connect(lambda: export_screenshot_dialog(w))
    a["clearRecent"].triggered.connect(lambda: (w.settings.clear_recent(), fill_recent_menu(w)))


def _ask_open(w: MainWindow, title: str, filters: str) -> None:
    path, _ = QFileDialog.getOpenFileName(w, title, "", filters)
    if path:
        open_path(w, path)


def open_path(w: MainWindow, path: str, remember: bool = True) -> bool:
    """Open a script into the editor or a tensor file into the namespace; False on failure.

    `remember` adds it to the recent files (bundled examples have their own menu instead).
    """
    p = Path(path)
    try:
        if p.suffix.lower() == ".py":
            w.editor.setPlainText(p.read_text(encoding="utf-8"))
            w.notify("INFO", f"Opened {p.name}: Ctrl+Enter runs it.")
        else:
            loaded = tensor_files.load_tensor_file(p)
            w.session.namespace.update(loaded)
            w.refresh_views()
            w.select_variable(next(iter(loaded)))
            names = ", ".join(loaded)
            w.notify("INFO", f"Opened {p.name} into the scratchpad as: {names}")
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        w.notify("ERROR", f"Could not open {p.name}: {exc}")
        return False
    if remember:
        w.settings.add_recent(str(p))
        fill_recent_menu(w)
    return True


def fill_examples_menu(w: MainWindow) -> None:
    menu = w.menus["examples"]
    menu.clear()
    for ex in examples.examples():
        short, _, more = ex.title.partition(":")  # "Autograd: requires_grad, ..." -> "Autograd"
        action = menu.addAction(short)
        action.setToolTip(more.strip() or ex.title)
        action.setStatusTip(more.strip() or ex.title)
        action.setObjectName(f"action_example_{ex.path.stem}")
        action.triggered.connect(lambda _=False, p=ex.path: open_path(w, str(p), remember=False))


def fill_recent_menu(w: MainWindow) -> None:
    menu = w.menus["recent"]
    menu.clear()
    files = w.settings.recent_files()
    for i, f in enumerate(files):
        action = menu.addAction(Path(f).name)
        action.setToolTip(f)
        action.setObjectName(f"action_recent_{i}")
        action.triggered.connect(lambda _=False, p=f: open_path(w, p))
    if files:
        menu.addSeparator()
    menu.addAction(w.acts["clearRecent"])
    w.acts["clearRecent"].setEnabled(bool(files))


def save_script_dialog(w: MainWindow) -> None:
    path, _ = QFileDialog.getSaveFileName(w, "Save script", "scratchpad.py", "Python (*.py)")
    if path:
        try:
            Path(path).write_text(w.editor.toPlainText(), encoding="utf-8")
        except OSError as exc:
            w.notify("ERROR", f"Could not save {path}: {exc}")
            return
        w.notify("INFO", f"Saved the scratchpad to {path}")


def export_output_dialog(w: MainWindow) -> None:
    path, _ = QFileDialog.getSaveFileName(w, "Export output", "output.txt", "Text (*.txt)")
    if path:
        try:
            Path(path).write_text(w.console.toPlainText(), encoding="utf-8")
        except OSError as exc:
            w.notify("ERROR", f"Could not save {path}: {exc}")
            return
        w.notify("INFO", f"Saved the console output to {path}")


def export_screenshot_dialog(w: MainWindow) -> None:
    path, _ = QFileDialog.getSaveFileName(w, "Save screenshot", "playground.png", "PNG (*.png)")
    if path:
        ok = w.grab().save(path)
        w.notify("INFO" if ok else "ERROR", f"{'Saved' if ok else 'Could not save'} {path}")
