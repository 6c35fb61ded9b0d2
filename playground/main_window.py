"""The main window: dock panels, menus, tool bar, status bar, and the wiring between them.

The window owns the Session (namespace) and the CodeRunner; panels only display and emit.
File handling lives in window_files.py, device switching in device.py.
"""

from __future__ import annotations

import importlib
import importlib.util
import logging
from typing import Any

from PySide6.QtCore import QByteArray, Qt, QTimer
from PySide6.QtGui import QCloseEvent, QPaintEvent, QShowEvent
from PySide6.QtWidgets import (
    QDockWidget,
    QLabel,
    QMainWindow,
    QProgressBar,
    QSplitter,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from core.inspect import is_tensor
from playground import app as app_module
from playground import device, dock_layout, run_control, window_files
from playground.actions import (
    build_actions,
    build_menus,
    show_about,
    show_shortcuts,
    yield_shortcuts,
)
from playground.code_runner import CodeRunner
from playground.execution import RunResult
from playground.session import Session
from playground.widgets.console import ConsoleWidget
from playground.widgets.editor import CodeEditor
from playground.widgets.inspector import InspectorPanel
from playground.widgets.log_panel import LogPanel, QtLogHandler
from playground.widgets.variables import VariablesPanel

STATE_VERSION = 1
log = logging.getLogger("playground")


#: (key, title, module, class) of the panels other modules contribute
OPTIONAL_PANELS = (
    ("graph", "Graph", "playground.widgets.graph_panel", "GraphPanel"),
    ("training", "Training", "playground.widgets.training_panel", "TrainingPanel"),
    ("plots", "Plots", "playground.widgets.plots_panel", "PlotsPanel"),
)
#: built just after the window's first paint (they start hidden behind the Graph tab), or at
#: once when something asks for them: a faster first paint
DEFERRED = ("training", "plots")


def optional_panels() -> list[tuple[str, str, str, str]]:
    """The contributed panels whose module is present; a missing one gets no dock at all."""
    return [p for p in OPTIONAL_PANELS if importlib.util.find_spec(p[2]) is not None]


def build_panel(title: str, module: str, cls: str) -> QWidget | None:
    """The panel, or None (logged) when it fails: a broken panel must not stop the window."""
    try:
        return getattr(importlib.import_module(module), cls)()
    except Exception:
        log.exception("The %s panel could not be built", title)
        return None


def wire_panels(window: MainWindow) -> None:
    """Connect the contributed panels to each other and to the window (where both exist)."""
    graph, training, plots = (window.panels.get(k) for k in ("graph", "training", "plots"))
    if graph is not None:
        graph.nodeSelected.connect(window._graph_node_selected)
        graph.stepped.connect(lambda _record: window.refresh_views())
        yield_shortcuts(window.acts, graph)
    if training is not None:
        if plots is not None:
            training.attach_plots(plots)
        training.message.connect(window.notify)
        training.progress.connect(window.show_training_progress)
        if graph is not None:
            training.graphRequested.connect(lambda loss: window.show_graph_of(loss))
        from playground import studio  # File > Export trained model, sessions, autosave

        studio.install(window)


def _small_progress(name: str, maximum: int) -> QProgressBar:
    bar = QProgressBar(objectName=name)
    bar.setMaximumSize(140, 14)
    bar.setTextVisible(False)
    bar.setRange(0, maximum)
    bar.hide()
    return bar


class MainWindow(QMainWindow):
    def __init__(self, playground: Any = None, settings: app_module.Settings | None = None) -> None:
        super().__init__()
        self.setObjectName("mainWindow")
        self.setWindowTitle("Tensor Playground")
        self.settings = settings or app_module.Settings()
        self.session = Session(playground)
        self.runner = CodeRunner(self.session.namespace, self)
        self.last_result: RunResult | None = None
        self._names_before: dict[str, int] = {}  # id of each value before the last run
        self._live = QTimer(self)  # the variables table follows a long cell once a second
        self._live.setInterval(1000)
        self._live.timeout.connect(lambda: self.variables.set_rows(self.session.variables()))
        self.theme = "light"
        self.docks: dict[str, QDockWidget] = {}

        self.editor = CodeEditor()
        self.console = ConsoleWidget()
        scratch = QSplitter(Qt.Orientation.Vertical, objectName="scratchpadPanel")
        scratch.addWidget(self.editor)
        scratch.addWidget(self.console)
        scratch.setSizes([420, 200])
        self.variables = VariablesPanel()
        self.inspector = InspectorPanel()
        self.log_panel = LogPanel()
        self._log_handler = QtLogHandler(self.log_panel)
        log.addHandler(self._log_handler)
        log.setLevel(logging.INFO)
        self._log_handler.bridge.record.connect(self._unexpected_in_status)

        self._add_dock("scratchpad", "Scratchpad", scratch, Qt.DockWidgetArea.LeftDockWidgetArea)
        self._add_dock(
            "variables", "Variables", self.variables, Qt.DockWidgetArea.LeftDockWidgetArea
        )
        self._add_dock("log", "Log", self.log_panel, Qt.DockWidgetArea.LeftDockWidgetArea)
        self._panels: dict[str, QWidget] = {}
        self._pending: dict[str, tuple[str, str, str, QWidget]] = {}
        self._wired = False
        for key, title, module, cls in optional_panels():
            if key in DEFERRED:  # an empty holder now, the panel just after the first paint
                holder = QWidget(objectName=f"{key}Holder")
                QVBoxLayout(holder).setContentsMargins(0, 0, 0, 0)
                self._pending[key] = (title, module, cls, holder)
                self._add_dock(key, title, holder, Qt.DockWidgetArea.RightDockWidgetArea)
            elif (widget := build_panel(title, module, cls)) is not None:
                self._panels[key] = widget
                self._add_dock(key, title, widget, Qt.DockWidgetArea.RightDockWidgetArea)
        self._add_dock(
            "inspector", "Inspector", self.inspector, Qt.DockWidgetArea.RightDockWidgetArea
        )
        self.graph = self._panels.get("graph")
        dock_layout.arrange(self)

        self.acts = build_actions(self)
        self.menus = build_menus(
            self, self.acts, [d.toggleViewAction() for d in self.docks.values()]
        )
        self._build_toolbar()
        self._build_statusbar()
        self._connect()
        window_files.fill_examples_menu(self)
        window_files.fill_recent_menu(self)
        device.init_device_actions(self)
        if not self._pending:
            self.ensure_panels()
        self._default_state = self.saveState(STATE_VERSION)  # the arrangement; sizes come later
        self._sized = self._restore_settings()

    # ---- construction -----------------------------------------------------------------------
    def _add_dock(self, key: str, title: str, widget: QWidget, area: Qt.DockWidgetArea) -> None:
        dock = QDockWidget(title, self)
        dock.setObjectName(f"dock_{key}")
        dock.setWidget(widget)
        dock.toggleViewAction().setObjectName(f"action_toggle_{key}")
        self.addDockWidget(area, dock)
        self.docks[key] = dock

    def _build_toolbar(self) -> None:
        bar = QToolBar("Main", self)
        bar.setObjectName("mainToolBar")
        bar.setMovable(False)
        for key in ("run", "stop"):
            bar.addAction(self.acts[key])
        bar.addSeparator()
        bar.addWidget(QLabel(" Device: "))
        bar.addAction(self.acts["deviceCpu"])
        bar.addAction(self.acts["deviceCuda"])
        self.addToolBar(bar)
        self.toolbar = bar

    def _build_statusbar(self) -> None:
        status = self.statusBar()
        status.setObjectName("statusBar")
        self.progress = _small_progress("runProgress", 0)  # busy indicator while a cell runs
        self.training_progress = _small_progress("trainingProgress", 1000)
        self.device_label = QLabel(objectName="deviceLabel")
        status.addPermanentWidget(self.progress)
        status.addPermanentWidget(self.training_progress)
        status.addPermanentWidget(self.device_label)

    def _connect(self) -> None:
        a = self.acts
        a["run"].triggered.connect(lambda: self.run_code(*self.editor.code_to_run()))
        a["runAll"].triggered.connect(lambda: self.run_code(self.editor.toPlainText()))
        a["stop"].triggered.connect(self.stop)
        a["clearConsole"].triggered.connect(self.console.clear)
        a["resetNamespace"].triggered.connect(self.reset_namespace)
        a["resetLayout"].triggered.connect(self.reset_layout)
        a["themeLight"].triggered.connect(lambda: self.set_theme("light"))
        a["themeDark"].triggered.connect(lambda: self.set_theme("dark"))
        a["shortcuts"].triggered.connect(lambda: show_shortcuts(self))
        a["about"].triggered.connect(lambda: show_about(self))
        a["quit"].triggered.connect(self.close)
        a["stop"].setEnabled(False)
        window_files.connect_actions(self)
        if self.graph is not None:
            a["stepBackward"].triggered.connect(self.graph.step)
            a["runBackward"].triggered.connect(self.graph.run_to_end)
            a["resetBackward"].triggered.connect(self.graph.reset)
        else:
            for key in ("stepBackward", "runBackward", "resetBackward"):
                a[key].setEnabled(False)
        self.editor.runRequested.connect(self.run_code)
        self.runner.output.connect(self.console.write)
        self.runner.finished.connect(lambda result: run_control.finished(self, result))
        self.variables.variableSelected.connect(self.select_variable)
        self.inspector.message.connect(self.notify)
        self.inspector.fileDropped.connect(lambda p: window_files.open_path(self, p))

    def _restore_settings(self) -> bool:
        """Geometry, layout and theme of the last run; False where there was no layout."""
        geometry = self.settings.get("geometry")
        if isinstance(geometry, QByteArray) and not geometry.isEmpty():
            self.restoreGeometry(geometry)
        else:
            self.resize(1440, 900)
        self.set_theme(self.settings.theme)
        state = self.settings.get("window_state")
        return isinstance(state, QByteArray) and self.restoreState(state, STATE_VERSION)

    # ---- contributed panels ------------------------------------------------------------------
    @property
    def panels(self) -> dict[str, QWidget]:
        """The contributed panels by key ("graph", "training", "plots"), built if deferred."""
        self.ensure_panels()
        return self._panels

    def built_panels(self) -> list[QWidget]:
        """The contributed panels built so far (asking builds nothing)."""
        return list(self._panels.values())

    def ensure_panels(self) -> None:
        """Build the deferred panels and wire all of them, once."""
        if self._wired:
            return
        self._wired = True
        for key, (title, module, cls, holder) in self._pending.items():
            widget = build_panel(title, module, cls)
            if widget is None:  # it said why in the log; leave no empty dock behind
                self.docks[key].toggleViewAction().setVisible(False)
                self.docks[key].hide()
                continue
            holder.layout().addWidget(widget)
            self._panels[key] = widget
            if hasattr(widget, "set_theme"):
                widget.set_theme(self.theme)
        self._pending.clear()
        wire_panels(self)
        device.apply_to_panels(self)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802
        super().showEvent(event)
        if not self._wired:  # normally the first paint triggers it; this if it never comes
            QTimer.singleShot(1000, self.ensure_panels)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        super().paintEvent(event)
        if not self._wired:  # the window is on screen: now the deferred panels
            QTimer.singleShot(0, self.ensure_panels)
        if not self._sized:
            self._sized = True
            dock_layout.default_sizes(self)

    # ---- running code (see run_control) ----------------------------------------------------
    def run_code(self, source: str, first_line: int = 1) -> bool:
        """Start running `source`; False (with a message) if a cell is running already."""
        return run_control.start(self, source, first_line)

    def stop(self) -> None:
        run_control.stop(self)

    def reset_namespace(self) -> None:
        run_control.reset_namespace(self)

    # ---- views ------------------------------------------------------------------------------
    def refresh_views(self, auto_select: bool = False) -> None:
        """Re-read the namespace into Variables and the Inspector after a run or a step."""
        self.variables.set_rows(self.session.variables())
        name, ns = self.inspector.name, self.session.namespace
        if name is not None and self.inspector.obj is not None:
            if name not in ns:
                self.inspector.clear(f"'{name}' no longer exists in the scratchpad.")
                self.notify("INFO", f"'{name}' was deleted; the inspector let it go.")
            elif ns[name] is not self.inspector.obj:
                self.select_variable(name)  # rebound: show the new value
                return
            else:
                self.inspector.refresh()
        if auto_select and self.inspector.obj is None:
            pick = self._newest_tensor()
            if pick is not None:
                self.select_variable(pick)

    def _newest_tensor(self) -> str | None:
        """The most recently bound tensor of the last run, preferring one with a grad_fn."""
        before = self._names_before
        changed = [
            k
            for k, v in self.session.namespace.items()
            if not k.startswith("_") and is_tensor(v) and before.get(k) != id(v)
        ]
        with_graph = [k for k in changed if self.session.namespace[k].grad_fn is not None]
        return (with_graph or changed or [None])[-1]

    def select_variable(self, name: str) -> None:
        """Open `name` in the inspector and, for a tensor, its graph in the graph panel."""
        try:
            obj = self.session.lookup(name)
        except KeyError as exc:
            self.notify("WARNING", str(exc.args[0]))
            return
        self.variables.select(name, notify=False)
        self.inspector.inspect(obj, name)
        if self.graph is not None and is_tensor(obj):
            try:
                self.graph.show_tensor(obj, self.session.tensor_names())
            except Exception as exc:  # the graph must never take the window down
                self.notify("ERROR", f"Graph: {exc}")
        self.docks["inspector"].raise_()

    def _graph_node_selected(self, selection: Any) -> None:
        """A click in the graph: its tensor (leaf, output, saved) or else its incoming gradient."""
        tensor = getattr(selection, "tensor", None)
        if is_tensor(tensor):
            name = self.session.name_of(tensor) or self.session.tensor_names().get(id(tensor))
            node = getattr(selection, "node", None)
            self.inspector.inspect(tensor, name or getattr(node, "title", None))
            return
        grads = [g for g in getattr(selection, "grads_in", ()) if is_tensor(g)]
        if grads:
            node = getattr(selection, "node", None)
            self.inspector.inspect(grads[0], f"gradient into {getattr(node, 'name', 'node')}")

    def show_training_progress(self, fraction: float, text: str) -> None:
        """The training run's progress in the status bar; hidden when it is done (1.0)."""
        self.training_progress.setValue(int(max(0.0, min(fraction, 1.0)) * 1000))
        self.training_progress.setVisible(0.0 < fraction < 1.0)
        self.training_progress.setToolTip(text)
        if text:
            self.statusBar().showMessage(text, 3000)

    def show_graph_of(self, tensor: Any) -> None:
        """Open `tensor`'s graph (e.g. the loss of a failed training batch) and the inspector."""
        if self.graph is None or not is_tensor(tensor):
            return
        self.graph.show_tensor(tensor, self.session.tensor_names())
        self.inspector.inspect(tensor, self.session.name_of(tensor) or "loss")
        self.docks["graph"].raise_()

    def _unexpected_in_status(self, level: str, message: str) -> None:
        """An error caught by the excepthook is only logged; point the user to it."""
        if level == "ERROR" and message.startswith(app_module.UNEXPECTED):
            self.statusBar().showMessage("An unexpected error was caught: see the Log panel.", 8000)

    def notify(self, level: str, message: str) -> None:
        """A message for the user: the status bar, and the Log panel."""
        self.statusBar().showMessage(message.splitlines()[0] if message else "", 8000)
        log.log(getattr(logging, level, logging.INFO), message)

    # ---- theme, layout, help ----------------------------------------------------------------
    def set_theme(self, theme: str) -> None:
        self.theme = app_module.apply_theme(app_module.ensure_app(), theme)
        self.settings.theme = self.theme
        self.acts["themeDark" if self.theme == "dark" else "themeLight"].setChecked(True)
        for widget in (self.editor, self.console, self.log_panel, self.inspector):
            widget.set_theme(self.theme)
        for widget in self.built_panels():
            if hasattr(widget, "set_theme"):
                widget.set_theme(self.theme)

    def reset_layout(self) -> None:
        for dock in self.docks.values():
            dock.setFloating(False)
            dock.show()
        self.restoreState(self._default_state, STATE_VERSION)
        dock_layout.default_sizes(self)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        if self.runner.running:
            self.runner.stop()
        for panel in self.built_panels():
            if hasattr(panel, "shutdown"):
                panel.shutdown()
        self.settings.set("geometry", self.saveGeometry())
        self.settings.set("window_state", self.saveState(STATE_VERSION))
        self.settings.sync()
        log.removeHandler(self._log_handler)
        super().closeEvent(event)
