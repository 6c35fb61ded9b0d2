"""Every action of the main window, with its stable objectName and shortcut, and the menus.

Actions are created here and connected by the window; tests and scripts find them by objectName
("action_run", "action_stepBackward", ...).
"""

from __future__ import annotations

import html
from dataclasses import dataclass

from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QMainWindow, QMenu, QMessageBox, QWidget


@dataclass(frozen=True)
class ActionSpec:
    key: str
    text: str
    shortcut: str = ""
    tip: str = ""
    checkable: bool = False


SPECS = (
    ActionSpec("openScript", "&Open Script…", "Ctrl+O", "Open a Python script in the scratchpad"),
    ActionSpec("openTensor", "Open &Tensor File…", "Ctrl+Shift+O", ".npy, .npz or .safetensors"),
    ActionSpec("saveScript", "&Save Script As…", "Ctrl+S", "Save the scratchpad as a .py file"),
    ActionSpec("exportTensor", "Inspected Tensor…", "", "Save the inspected tensor"),
    ActionSpec("exportOutput", "Console Output…", "", "Save the console's text"),
    ActionSpec("exportScreenshot", "Window Screenshot…", "", "Save the window as a PNG"),
    ActionSpec("clearRecent", "Clear Recent Files"),
    ActionSpec("quit", "&Quit", "Ctrl+Q"),
    ActionSpec("run", "&Run", "Ctrl+Return", "Run the selection, or everything (Ctrl+Enter)"),
    ActionSpec("runAll", "Run &All", "Ctrl+Shift+Return", "Run the whole scratchpad"),
    ActionSpec("stop", "&Stop", "Ctrl+.", "Interrupt the running code"),
    ActionSpec("clearConsole", "&Clear Output", "Ctrl+L"),
    ActionSpec("resetNamespace", "Reset &Namespace", "", "Forget every variable"),
    ActionSpec("stepBackward", "Step &Backward", "F10", "Execute one node of backward"),
    ActionSpec("runBackward", "Backward to &End", "Shift+F10", "Finish the backward pass"),
    ActionSpec("resetBackward", "Reset Backward", "Ctrl+F10", "Start the backward stepper over"),
    ActionSpec("resetLayout", "&Reset Layout"),
    ActionSpec("themeLight", "&Light", checkable=True),
    ActionSpec("themeDark", "&Dark", checkable=True),
    ActionSpec("shortcuts", "&Keyboard Shortcuts", "F1"),
    ActionSpec("about", "&About Tensor Playground"),
    ActionSpec("deviceCpu", "CPU", "", "Run on the CPU", checkable=True),
    ActionSpec("deviceCuda", "CUDA", "", "Run on the GPU", checkable=True),
)


def build_actions(window: QMainWindow) -> dict[str, QAction]:
    actions = {}
    for spec in SPECS:
        action = QAction(spec.text, window)
        action.setObjectName(f"action_{spec.key}")
        if spec.shortcut:
            action.setShortcut(QKeySequence(spec.shortcut))
        tip = spec.tip or spec.text.replace("&", "").rstrip("…")
        if spec.shortcut:
            tip += (
                f" ({QKeySequence(spec.shortcut).toString(QKeySequence.SequenceFormat.NativeText)})"
            )
        action.setToolTip(tip)
        action.setStatusTip(tip)
        action.setCheckable(spec.checkable)
        actions[spec.key] = action
    for pair in (("themeLight", "themeDark"), ("deviceCpu", "deviceCuda")):
        group = QActionGroup(window)
        group.setExclusive(True)
        for key in pair:
            group.addAction(actions[key])
    return actions


def yield_shortcuts(actions: dict[str, QAction], panel: QWidget) -> None:
    """Drop a panel's shortcut that equals a window-wide one.

    Two actions on one key are ambiguous and neither fires; the window's action does the same
    thing everywhere, so the panel's copy goes.
    """
    taken = {a.shortcut().toString() for a in actions.values() if not a.shortcut().isEmpty()}
    for action in panel.findChildren(QAction):
        if action.shortcut().toString() in taken:
            action.setShortcut(QKeySequence())


def show_shortcuts(parent: QWidget) -> None:
    rows = "".join(
        f"<tr><td>{html.escape(s.text.replace('&', ''))}</td><td><b>{s.shortcut}</b></td></tr>"
        for s in SPECS
        if s.shortcut
    )
    QMessageBox.information(parent, "Keyboard shortcuts", f"<table cellpadding=3>{rows}</table>")


def show_about(parent: QWidget) -> None:
    QMessageBox.about(
        parent,
        "About Tensor Playground",
        "<b>Tensor Playground</b><p>Learn tensors, autograd and training by doing: a small "
        "PyTorch-shaped engine (<code>core</code>, imported as <code>torch</code>) and a "
        "window to see inside it.</p>",
    )


def build_menus(
    window: QMainWindow, actions: dict[str, QAction], docks_menu_items: list[QAction]
) -> dict[str, QMenu]:
    """File, View, Run, Help. Examples and Recent are filled by the window (they change)."""
    bar = window.menuBar()
    menus: dict[str, QMenu] = {}

    def menu(key: str, title: str, parent: QMenu | None = None) -> QMenu:
        m = parent.addMenu(title) if parent else bar.addMenu(title)
        m.setObjectName(f"menu_{key}")
        m.menuAction().setObjectName(f"action_menu_{key}")
        menus[key] = m
        return m

    file = menu("file", "&File")
    file.addAction(actions["openScript"])
    file.addAction(actions["openTensor"])
    menu("examples", "&Examples", file)
    menu("recent", "Open &Recent", file)
    file.addAction(actions["saveScript"])
    file.addSeparator()
    export = menu("export", "E&xport", file)
    for key in ("exportTensor", "exportOutput", "exportScreenshot"):
        export.addAction(actions[key])
    file.addSeparator()
    file.addAction(actions["quit"])

    view = menu("view", "&View")
    panels = menu("panels", "&Panels", view)
    for item in docks_menu_items:
        panels.addAction(item)
    view.addAction(actions["resetLayout"])
    theme = menu("theme", "&Theme", view)
    theme.addAction(actions["themeLight"])
    theme.addAction(actions["themeDark"])

    run = menu("run", "&Run")
    for key in ("run", "runAll", "stop", "clearConsole", "resetNamespace"):
        run.addAction(actions[key])
    run.addSeparator()
    for key in ("stepBackward", "runBackward", "resetBackward"):
        run.addAction(actions[key])
    run.addSeparator()
    device = menu("device", "&Device", run)
    device.addAction(actions["deviceCpu"])
    device.addAction(actions["deviceCuda"])

    help_ = menu("help", "&Help")
    help_.addAction(actions["shortcuts"])
    help_.addAction(actions["about"])
    return menus
