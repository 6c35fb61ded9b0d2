"""Training off the UI thread: a QObject living in a QThread that drives core's `TrainingRun`.

Every touch of the run (building it, stepping, predictions for the plots, hyperparameter and
device changes, export, session state) happens in the worker thread. The UI posts commands
(`TrainingController` methods); the worker applies them at step boundaries and answers by
signals. Step reports go into an `Outbox` that the controller empties ~30 times a second while
training runs (and before any other news of the run), so a step costs the worker one list append
and the UI thread draws however fast training runs. Exceptions and non-finite losses become
readable messages.
"""

from __future__ import annotations

import atexit
import queue
import threading
import time
import traceback
from collections.abc import Callable
from typing import Any

import numpy as np
from PySide6.QtCore import QCoreApplication, QObject, QThread, QTimer, Signal

from playground import training_views
from playground.frame_budget import paint_gate
from playground.report_outbox import Outbox

EMIT_INTERVAL = 1 / 30  # seconds between report batches, at the most
SLOWEST_TAKE = 0.5  # seconds: reports reach the UI at least this often while training runs
FIT_BUDGET = 0.015  # share of training time the fit plot may take (predictions and drawing)
FIT_MIN_INTERVAL = 0.3  # seconds between fit-plot updates at most
DONE = ("finished", "stopped", "failed")
_WHAT = {  # what failed, in words, per command
    "load": "cannot build the run",
    "restore": "cannot restore the session",
    "hyper": "cannot change the settings",
    "device": "cannot move training",
    "step": "the step failed",
}


def readable(exc: BaseException) -> str:
    """'ValueError: message' plus the innermost frame, for a message box or the log."""
    frames = traceback.extract_tb(exc.__traceback__)
    where = f" (at {frames[-1].filename.rsplit('/', 1)[-1]}:{frames[-1].lineno})" if frames else ""
    return f"{type(exc).__name__}: {exc}{where}"


class TrainingWorker(QObject):
    """Lives in the worker thread; only `post` may be called from other threads."""

    # (generation, step, kind, payload): a run's news, tagged with the load that made the run, so
    # the controller can drop what an older run said after a newer one was asked for, and with
    # the steps done when it was said, so the reports of those steps come first. Kinds:
    # "reports" (None): the reports so far, now (outside the loop, e.g. after a single step);
    # "fit" dict for PlotsPanel.set_prediction;
    # "histograms" (step, {param: (weight pcts, grad pcts)}); "loaded" RunInfo of a new run;
    # "state" ready/running/paused/finished/stopped/failed; "nonfinite" FailureReport.
    event = Signal(int, int, str, object)
    error = Signal(str)  # an exception inside a step or a command, readable
    notice = Signal(str)  # information (hyperparameters applied, device moved)
    done = Signal(str, object)  # (command, result) of export/save/graph requests
    _wake = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.run: Any = None
        self.commands: queue.SimpleQueue[tuple[str, Any]] = queue.SimpleQueue()
        self.outbox = Outbox()  # this run's step reports, for the controller to take
        self.want_histograms = False
        self.state = "idle"
        self.generation = 0  # loads applied
        self._fit_failed = False
        self._fit_due = 0.0  # time.monotonic() when the fit plot is next due
        self.ui_fit_cost = 0.0  # what drawing a fit update costs the UI thread (set from there)
        self._deferred: tuple[str, Any] | None = None
        self.abort = threading.Event()  # set from outside to leave the loop at once
        self._wake.connect(self._drain)

    def _tell(self, kind: str, payload: Any) -> None:
        step = self.run.step if self.run is not None else 0
        self.event.emit(self.generation, step, kind, payload)

    # ---- any thread -------------------------------------------------------------------------
    def post(self, command: str, arg: Any = None) -> None:
        self.commands.put((command, arg))
        self._wake.emit()

    # ---- worker thread ----------------------------------------------------------------------
    def _set_state(self, state: str) -> None:
        if state != self.state:
            self.state = state
            self._tell("state", state)

    def _drain(self) -> None:
        """Apply every queued command (the worker is between runs of the loop here)."""
        while True:
            if self._deferred is not None:
                (command, arg), self._deferred = self._deferred, None
            else:
                try:
                    command, arg = self.commands.get_nowait()
                except queue.Empty:
                    return
            if self._apply(command, arg) == "train":
                self._train()

    def _apply(self, command: str, arg: Any) -> str | None:
        """One command; returns "train" to start the loop, "break" to leave it."""
        try:
            handler: Callable[[Any], str | None] = getattr(self, f"_cmd_{command}")
            return handler(arg)
        except Exception as exc:
            self.error.emit(f"{_WHAT.get(command, command)}: {readable(exc)}")
            return None

    def _new_run(self, make: Callable[[], Any]) -> bool:
        """Replace the run by `make()`; on failure there is no run ("idle") and the error is
        told, as a message, by the caller's `_apply`."""
        self.generation += 1
        self._fit_failed = False
        self.run = None
        self.state = "loading"
        self.outbox = Outbox(self.generation)
        try:
            self.run = make()
        except Exception:
            self._set_state("idle")
            raise
        self._tell("loaded", training_views.run_info(self.run))
        return True

    def _cmd_load(self, arg: tuple[Any, Any]) -> None:
        from core.training import TrainingRun

        config, data = arg
        self._new_run(lambda: TrainingRun(config, data=data))
        self._set_state("ready")
        self._emit_fit(force=True)

    def _cmd_restore(self, state: dict) -> None:
        from core.training import TrainingRun

        self._new_run(lambda: TrainingRun.from_state_dict(state))
        self.outbox.extend(list(self.run.history))
        self._tell("reports", None)
        self._set_state(self.run.state if self.run.state in DONE else "paused")
        self._emit_fit(force=True)

    def _cmd_start(self, _: Any) -> str | None:
        if self.run is None or self.run.finished:
            return None
        return "train"

    def _cmd_pause(self, _: Any) -> str:
        return "break"

    def _cmd_stop(self, _: Any) -> str:
        if self.run is not None and not self.run.finished:
            self.run.stop()
            self._set_state("stopped")
        return "break"

    def _cmd_step(self, _: Any) -> None:
        if self.run is None or self.run.finished or self.state == "running":
            return
        try:
            report = self.run.step_once()
        except Exception as exc:
            self.error.emit(f"step failed: {readable(exc)}")
            self._set_state("paused")
            return
        if report is not None:
            self.outbox.put(report)
        self._tell("reports", None)
        self._emit_fit(force=True)
        self._after_failure(report)
        self._set_state(self.run.state if self.run.finished else "paused")

    def _cmd_hyper(self, changes: dict[str, float]) -> None:
        if self.run is not None:
            self.run.set_hyperparameters(**changes)
            self.notice.emit("applied at the next step: " + training_views.describe(changes))

    def _cmd_device(self, device: str) -> None:
        if self.run is not None:
            self.run.to(device)
            self.notice.emit(f"training moves to {device.upper()} at the next step")

    def _cmd_histograms(self, on: bool) -> None:
        self.want_histograms = bool(on)

    def _cmd_fit(self, _: Any) -> None:
        self._emit_fit(force=True)

    def _cmd_call(self, arg: tuple[str, Callable[[Any], Any]]) -> None:
        """Run `fn(run)` here (export, session state, a graph for the stepper); answer `done`."""
        name, fn = arg
        try:
            result = fn(self.run)
        except Exception as exc:
            result = exc
        self.done.emit(name, result)

    def _cmd_quit(self, _: Any) -> str:
        return "break"

    # ---- the loop ---------------------------------------------------------------------------
    def _train(self) -> None:
        run = self.run
        self._set_state("running")
        gen = run.steps()
        put = self.outbox.put
        last: Any = None
        try:
            for report in gen:  # per step: nothing beyond what the loop must check
                last = report
                put(report)
                if time.monotonic() >= self._fit_due:
                    self._emit_fit()
                paint_gate.wait()  # a frame being painted finishes first (see frame_budget)
                if self.abort.is_set():
                    break
                if not self.commands.empty() and self._commands_in_loop():
                    break
        except Exception as exc:
            self._tell("reports", None)
            self.error.emit(f"training step {run.step + 1} failed: {readable(exc)}")
            self._set_state("paused")
            return
        finally:
            gen.close()
        self._tell("reports", None)
        self._emit_fit(force=True)
        self._after_failure(last)
        if self.state == "running":
            self._set_state(run.state if run.finished else "paused")

    def _commands_in_loop(self) -> bool:
        leave = False
        while True:
            try:
                command, arg = self.commands.get_nowait()
            except queue.Empty:
                return leave
            if command in ("start", "step"):
                continue
            if command in ("load", "restore", "quit"):  # leave the loop first, then apply it
                self._deferred = (command, arg)
                return True
            leave = self._apply(command, arg) == "break" or leave

    def _after_failure(self, report: Any) -> None:
        failure = getattr(report, "failure", None) or getattr(self.run, "failure", None)
        if failure is not None and self.run.state == "failed":
            self._set_state("failed")
            self._tell("nonfinite", failure)

    def _emit_fit(self, force: bool = False) -> None:
        now = time.monotonic()
        if self.run is None or (not force and now < self._fit_due):
            return
        try:
            data = training_views.fit_data(self.run)
            stats = training_views.parameter_stats(self.run) if self.want_histograms else None
        except Exception as exc:  # told once per run: the plot then stays as it was
            if not self._fit_failed:
                self.error.emit(f"fit plot: {readable(exc)}")
            self._fit_failed = True
            data, stats = None, None
        done = time.monotonic()
        cost = done - now + self.ui_fit_cost  # predicting here and drawing there
        self._fit_due = done + max(FIT_MIN_INTERVAL, cost / FIT_BUDGET)
        if data:
            self._tell("fit", data)
        if stats:
            self._tell("histograms", (float(self.run.step), stats))


class TrainingController(QObject):
    """The UI side: owns the worker thread and turns method calls into queued commands.

    Its signals carry only the news of the run most recently asked for (`load`/`restore`).
    Step reports come by `reports`, in order and each once, and in order with the other news:
    taken from the worker's outbox as often as the views ask (`set_take_interval`) while training
    runs, and those of the steps before any other news of the run before it is passed on.
    """

    reports = Signal(list)
    fitData = Signal(object)
    histograms = Signal(float, object)
    runLoaded = Signal(object)
    stateChanged = Signal(str)
    nonFinite = Signal(object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.thread = QThread(self)  # deleted with the controller, after `destroyed` stops it
        self.thread.setObjectName("trainingThread")
        self.worker = TrainingWorker()
        self.worker.moveToThread(self.thread)
        self.thread.start()
        self.state = "idle"
        self.loads = 0  # loads posted; the worker's events of older ones are dropped
        self.worker.event.connect(self._event)
        self._take_timer = QTimer(self, interval=max(1, round(EMIT_INTERVAL * 1000)))
        self._take_timer.timeout.connect(self._take_reports)
        self.error, self.notice, self.done = self.worker.error, self.worker.notice, self.worker.done
        # the thread must end before Qt destroys it (a running QThread aborts the process)
        stop = _stopper(self.thread, self.worker)
        self.destroyed.connect(stop)
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(stop)
        self._stop = stop
        _LIVE_STOPPERS.add(stop)

    def set_take_interval(self, seconds: float) -> None:
        """Take reports every `seconds` (clamped to EMIT_INTERVAL..SLOWEST_TAKE): as often as the
        views can use them. A take costs the UI thread about a millisecond, and every UI
        millisecond is one the training thread waits for the GIL (see frame_budget)."""
        ms = round(min(max(seconds, EMIT_INTERVAL), SLOWEST_TAKE) * 1000)
        if ms != self._take_timer.interval():
            self._take_timer.setInterval(ms)

    def _take_reports(self, upto: int | None = None) -> None:
        outbox = self.worker.outbox
        if outbox.generation == self.loads and len(outbox):
            batch = outbox.take(upto)
            if batch:
                self.reports.emit(batch)

    def _event(self, generation: int, step: int, kind: str, payload: Any) -> None:
        if generation != self.loads:
            return
        self._take_reports(step)  # the reports of the steps before this news first
        if kind == "state":
            self.state = payload
            if payload == "running":
                self._take_timer.start()
            else:
                self._take_timer.stop()
            self.stateChanged.emit(payload)
        elif kind == "fit":
            self.fitData.emit(payload)
        elif kind == "histograms":
            self.histograms.emit(*payload)
        elif kind == "loaded":
            self.runLoaded.emit(payload)
        elif kind == "nonfinite":
            self.nonFinite.emit(payload)

    @property
    def running(self) -> bool:
        return self.state == "running"

    def load(self, config: Any, data: tuple[np.ndarray, np.ndarray] | None = None) -> None:
        self._loading()
        self.worker.post("load", (config, data))

    def restore(self, state: dict) -> None:
        """Continue a run saved by `TrainingRun.state_dict()` (a session file)."""
        self._loading()
        self.worker.post("restore", state)

    def _loading(self) -> None:
        """Enter the loading state at once, and say so: the buttons of the old state must not
        outlive it until the worker answers (a resume clicked then would resume nothing)."""
        self.loads += 1
        if self.state != "loading":
            self.state = "loading"
            self.stateChanged.emit("loading")

    def start(self) -> None:
        # As `playground train` does: small models train many times faster on one BLAS thread
        # (several spend their time waking each other), so the app matches the headless trainer.
        from core.blas_threads import set_blas_threads

        set_blas_threads(1)
        self.worker.post("start")

    def pause(self) -> None:
        self.worker.post("pause")

    def step(self) -> None:
        self.worker.post("step")

    def stop(self) -> None:
        self.worker.post("stop")

    def set_hyperparameters(self, **changes: float) -> None:
        self.worker.post("hyper", changes)

    def set_device(self, device: str) -> None:
        self.worker.post("device", device)

    def set_histograms(self, on: bool) -> None:
        self.worker.post("histograms", on)

    def set_fit_ui_cost(self, seconds: float) -> None:
        """What drawing a fit update costs the UI thread: the worker paces them by it too.
        (A float attribute: the worker reads it between steps; one store needs no lock.)"""
        self.worker.ui_fit_cost = float(seconds)

    def refresh_fit(self) -> None:
        self.worker.post("fit")

    def call(self, name: str, fn: Callable[[Any], Any]) -> None:
        """Run `fn(run)` in the worker between steps; the result (or exception) comes by `done`."""
        self.worker.post("call", (name, fn))

    def shutdown(self) -> None:
        """End the worker thread (the run stops at its next step boundary)."""
        self._stop()


_LIVE_STOPPERS: set[Callable[..., None]] = set()


@atexit.register
def _stop_all() -> None:
    """At interpreter exit, end every worker thread before Python tears Qt objects down."""
    for stop in list(_LIVE_STOPPERS):
        stop()


def _stopper(thread: QThread, worker: TrainingWorker) -> Callable[..., None]:
    def stop(*_: Any) -> None:
        try:
            if not thread.isRunning():
                return
        except RuntimeError:  # already deleted by Qt: nothing left to stop
            return
        worker.abort.set()
        worker.post("quit")
        thread.quit()
        thread.wait(10_000)
        _LIVE_STOPPERS.discard(stop)

    return stop
