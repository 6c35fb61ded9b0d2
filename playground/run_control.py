"""Running scratchpad code from the window: starting, stopping, and showing how it ended."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer

from playground.execution import RunResult

if TYPE_CHECKING:
    from playground.main_window import MainWindow

STILL_RUNNING_MS = 2000  # after Stop, when to explain that a C call is holding it up


def _busy(w: MainWindow, busy: bool) -> None:
    w.acts["run"].setEnabled(not busy)
    w.acts["runAll"].setEnabled(not busy)
    w.acts["stop"].setEnabled(busy)
    w.progress.setVisible(busy)
    if busy:
        w._live.start()
    else:
        w._live.stop()


def start(w: MainWindow, source: str, first_line: int = 1) -> bool:
    """Start running `source`; False (with a message) if a cell is running already."""
    if w.runner.running:
        w.notify("WARNING", "Code is still running: stop it first (Ctrl+.).")
        return False
    if not source.strip():
        w.notify("INFO", "Nothing to run.")
        return False
    w.editor.mark_error(None)
    w._names_before = {k: id(v) for k, v in w.session.namespace.items()}
    last = first_line + source.count("\n")
    where = f"lines {first_line}–{last}" if last > first_line else f"line {first_line}"
    w.console.write_line(f"▶ run {where}", "info")
    w.statusBar().showMessage("Running…")
    w.runner.start(source, first_line)
    _busy(w, True)
    return True


def stop(w: MainWindow) -> None:
    if w.runner.stop():
        w.notify("INFO", "Stopping the running code…")
        QTimer.singleShot(STILL_RUNNING_MS, lambda: _still_running(w))


def _still_running(w: MainWindow) -> None:
    """Stop takes effect at the next bytecode; a long C call (time.sleep) delays it."""
    if w.runner.running:
        w.notify(
            "WARNING",
            "The code is inside a call that cannot be interrupted (such as time.sleep or a "
            "long tensor operation); it stops as soon as that call returns.",
        )


def finished(w: MainWindow, result: RunResult) -> None:
    """Show how the run ended: output already streamed, then the error, the line, the views."""
    _busy(w, False)
    if result.interrupted:
        w.console.write_line("Stopped.", "error")
        w.notify("WARNING", "Run stopped by the user.")
    elif not result.ok:
        w.console.write_line(result.error or "failed", "error")
        summary = (result.error or "").strip().splitlines()[-1:] or ["error"]
        where = f" (line {result.error_line})" if result.error_line else ""
        w.notify("ERROR", f"Run failed{where}: {summary[0]}")
    else:
        w.statusBar().showMessage(f"Ran in {result.duration * 1000:.0f} ms", 4000)
    w.editor.mark_error(None if result.ok else result.error_line)
    w.last_result = result
    w.refresh_views(auto_select=True)


def reset_namespace(w: MainWindow) -> None:
    if w.runner.running:
        w.notify("WARNING", "Stop the running code before resetting the namespace.")
        return
    w.session.reset()
    w.refresh_views()
    w.notify("INFO", "Namespace reset.")
