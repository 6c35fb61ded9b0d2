"""`Playground`: the app's scripting face, for scripts, tests and the scratchpad itself.

Methods may be called from the UI thread or from a running cell (the scratchpad's `playground`);
from a cell, they hop to the UI thread and wait there. Methods that wait spin the event loop, so
the window stays live.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

from PySide6.QtCore import QEventLoop, QObject, Qt, QTimer, Signal

from playground import app as app_module
from playground import device, examples
from playground.execution import RunResult, execute
from playground.main_window import MainWindow

T = TypeVar("T")


class _Invoker(QObject):
    """Runs callables on the thread it lives on (the UI thread)."""

    call = Signal(object)

    def __init__(self) -> None:
        super().__init__()
        self.call.connect(lambda fn: fn(), Qt.ConnectionType.QueuedConnection)


class Playground:
    """The main window, scriptable.

    >>> pg = Playground(show=False)
    >>> pg.run_code("a = torch.ones(3)").ok
    True
    """

    def __init__(
        self,
        show: bool = True,
        *,
        example: bool = False,
        theme: str | None = None,
        settings: str | None = None,
    ) -> None:
        """`example` opens (and runs) the welcome example; `settings` names an .ini file."""
        self.app = app_module.ensure_app()
        self._ui_thread = threading.get_ident()  # widgets are made here: this is the UI thread
        app_module.install_excepthook()
        self.window = MainWindow(self, app_module.Settings(settings))
        self._invoker = _Invoker()
        if theme is not None:
            self.window.set_theme(theme)
        if example:
            code = examples.welcome_code()
            self.window.editor.setPlainText(code)
            self.window.run_code(code)
        if show:
            self.window.show()

    # ---- threads ----------------------------------------------------------------------------
    def _on_ui(self, fn: Callable[[], T]) -> T:
        """Call `fn` on the UI thread and return its result (re-raising its exception)."""
        if threading.get_ident() == self._ui_thread:
            return fn()
        done = threading.Event()
        box: dict[str, Any] = {}

        def call() -> None:
            try:
                box["value"] = fn()
            except BaseException as exc:
                box["error"] = exc
            done.set()

        self._invoker.call.emit(call)
        done.wait()
        if "error" in box:
            raise box["error"]
        return box["value"]

    # ---- the face ---------------------------------------------------------------------------
    @property
    def namespace(self) -> dict[str, Any]:
        """The scratchpad's namespace (live: what a cell binds appears here)."""
        return self.window.session.namespace

    def run_code(
        self, code: str, wait: bool = True, timeout: float | None = None
    ) -> RunResult | None:
        """Run `code` in the scratchpad; with `wait`, return its RunResult (ok, output, error).

        Called from a running cell, `code` runs at once, inside that cell.
        """
        runner = self.window.runner
        if runner.running and threading.get_ident() == runner.thread_id:
            return execute(code, self.namespace, lambda *_: None)
        started = self._on_ui(lambda: self.window.run_code(code))
        if not started:
            raise RuntimeError("code is already running in the scratchpad; stop it first")
        if not wait:
            return None
        self.wait_until(lambda: not runner.running, timeout)
        if runner.running:
            raise TimeoutError(f"the code was still running after {timeout} s")
        return self.window.last_result

    def stop(self) -> None:
        """Interrupt the running cell."""
        self._on_ui(self.window.stop)

    def inspect(self, target: Any) -> Any:
        """Open a variable (by name) or any object in the inspector (and its graph); returns it."""

        def show() -> Any:
            w = self.window
            if isinstance(target, str):
                w.select_variable(target)
                if w.inspector.name != target:
                    raise KeyError(f"no variable named {target!r} in the scratchpad")
                return w.inspector.obj
            name = w.session.name_of(target)
            if name is not None:
                w.select_variable(name)
            else:
                w.inspector.inspect(target)
            return target

        return self._on_ui(show)

    # ---- the graph panel ------------------------------------------------------------------
    def _graph(self) -> Any:
        if self.window.graph is None:
            raise RuntimeError("the graph panel is not available in this build")
        return self.window.graph

    def show_graph(self, target: Any) -> None:
        """Show the grad_fn graph of a tensor (or of the variable named `target`)."""
        graph = self._graph()

        def show() -> None:
            t = self.window.session.lookup(target) if isinstance(target, str) else target
            graph.show_tensor(t, self.window.session.tensor_names())
            self.window.docks["graph"].raise_()

        self._on_ui(show)

    def step_backward(self) -> Any:
        """Execute one node of backward; returns core's StepRecord (None when done)."""
        graph = self._graph()
        return self._on_ui(graph.step)

    def run_backward(self) -> Any:
        """Finish the backward pass (or run to a breakpoint); returns the last StepRecord."""
        graph = self._graph()
        return self._on_ui(graph.run_to_end)

    def reset_backward(self) -> None:
        """Abandon the stepped pass, restoring the leaves' .grad."""
        graph = self._graph()
        self._on_ui(graph.reset)

    # ---- the training panel -----------------------------------------------------------------
    def _training(self) -> Any:
        panel = self.window.panels.get("training")
        if panel is None:
            raise RuntimeError("the training panel is not available in this build")
        return panel

    def train(
        self, config: Any = None, wait: bool = False, timeout: float | None = None
    ) -> list[Any]:
        """Start a run (of `config`, a TrainConfig or dict, else the panel's settings).

        With `wait`, spin the event loop until it finishes, stops or fails; returns the history.
        """
        panel = self._training()
        self._on_ui(lambda: panel.train(config))
        if wait:  # until it finishes, stops, fails, pauses or a step raises (all change state)
            self.wait_until(lambda: not panel.busy, timeout, wake=(panel.controller.stateChanged,))
        return self.training_history

    def pause_training(self) -> None:
        self._on_ui(self._training().pause)

    def resume_training(self) -> None:
        self._on_ui(self._training().resume)

    def stop_training(self) -> None:
        self._on_ui(self._training().stop)

    @property
    def training_history(self) -> list[Any]:
        """The step reports of the current run, oldest first."""
        return list(self._training().history)

    def export(self, folder: str | Path, overwrite: bool = False, timeout: float = 120.0) -> Path:
        """Export the trained model into `folder` (model.safetensors, model.npz, model.py,
        validation.safetensors, experiment.json); a failure raises and leaves nothing behind."""
        studio = getattr(self.window, "studio", None)
        if studio is None:
            raise RuntimeError("the training studio is not available in this build")
        box: dict[str, Any] = {}
        self._on_ui(lambda: studio.export(folder, overwrite, lambda r: box.setdefault("r", r)))
        if not self.wait_until(lambda: "r" in box, timeout):
            raise TimeoutError(f"the export was still running after {timeout} s")
        if isinstance(box["r"], BaseException):
            raise box["r"]
        return Path(box["r"])

    def set_device(self, name: str) -> None:
        """Move the scratchpad to "cpu" or "cuda"; RuntimeError saying why where it cannot."""
        from_cell = threading.get_ident() == self.window.runner.thread_id
        error = self._on_ui(lambda: device.switch(self.window, name, from_cell))
        if error is not None:
            raise RuntimeError(error)

    @property
    def device(self) -> str:
        return self.window.device

    def screenshot(self, path: str | Path) -> Path:
        """Render the main window into a PNG (works offscreen)."""
        path = Path(path)

        def grab() -> bool:
            self.app.processEvents()
            return self.window.grab().save(str(path))

        if not self._on_ui(grab):
            raise OSError(f"could not write the screenshot to {path}")
        return path

    def wait_until(
        self,
        condition: Callable[[], bool],
        timeout: float | None = None,
        wake: Sequence[Any] = (),
    ) -> bool:
        """Spin the event loop until `condition()` holds (or `timeout` seconds pass).

        `condition` is checked every 10 ms; given `wake` (signals emitted on the UI thread when it
        may have changed), it is checked on each of them and only every 100 ms besides: a 10 ms
        timer wakes the UI thread 100 times a second, about 1 % of a core taken from training."""
        deadline = None if timeout is None else time.monotonic() + timeout
        if threading.get_ident() != self._ui_thread:  # the UI thread spins on its own
            while not condition():
                if deadline is not None and time.monotonic() > deadline:
                    return False
                time.sleep(0.01)
            return True
        if condition():
            return True
        # One loop and one repeating timer for the whole wait: a fresh single-shot timer and
        # nested loop per 10 ms slice cost the UI thread ~3 % of a core, taken from training.
        loop, timer = QEventLoop(), QTimer(interval=100 if wake else 10)
        outcome: dict[str, Any] = {}

        def check() -> None:
            if outcome:  # decided; the loop is on its way out
                return
            try:
                if condition():
                    outcome["met"] = True
                elif deadline is not None and time.monotonic() > deadline:
                    outcome["met"] = False
            except BaseException as exc:  # raised from wait_until, as before
                outcome["error"] = exc
            if outcome:
                loop.quit()

        def on_wake(*_: Any) -> None:
            check()

        timer.timeout.connect(check)
        for signal in wake:
            signal.connect(on_wake)
        timer.start()
        try:
            loop.exec()
        finally:
            timer.stop()
            for signal in wake:
                signal.disconnect(on_wake)
        if "error" in outcome:
            raise outcome["error"]
        return outcome["met"]

    def process_events(self, seconds: float = 0.0) -> None:
        """Keep the window live for `seconds` (at least one pass of the event loop)."""
        end = time.monotonic() + seconds
        self.wait_until(lambda: time.monotonic() >= end)
        self.app.processEvents()

    def close(self) -> None:
        self._on_ui(self.window.close)
