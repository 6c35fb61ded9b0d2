"""The training studio's window-level parts: File menu entries (export the trained model, save
and open training sessions), autosave and the offer to restore it. The panels' own wiring
(plots, progress, device, graph) is in main_window.wire_panels.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QFileDialog, QMessageBox, QProgressDialog

from playground import studio_session

if TYPE_CHECKING:
    from playground.main_window import MainWindow
    from playground.widgets.training_panel import TrainingPanel


class Studio(QObject):
    """The studio's window-level parts; `window.studio` once installed."""

    def __init__(self, window: MainWindow, panel: TrainingPanel) -> None:
        super().__init__(window)
        self.window, self.panel = window, panel
        self._menus()
        self.autosaver = studio_session.Autosaver(panel)
        self.autosaver.saved.connect(lambda p: window.statusBar().showMessage("Autosaved", 2000))
        self._offer_restore()
        window.installEventFilter(self)

    def _menus(self) -> None:
        w = self.window
        self.actions: dict[str, QAction] = {}
        for key, text, tip, slot in (
            (
                "exportModel",
                "Trained Model…",
                "Export the trained model as a folder (safetensors, npz, PyTorch script)",
                self.export_dialog,
            ),
            (
                "saveSession",
                "Save Training Session…",
                "Save the run to continue it later",
                self.save_dialog,
            ),
            ("openSession", "Open Training Session…", "Continue a saved run", self.open_dialog),
        ):
            action = QAction(text, w, objectName=f"action_{key}", toolTip=tip, statusTip=tip)
            action.triggered.connect(slot)
            self.actions[key] = action
        export_menu = w.menus["export"]
        export_menu.insertAction((export_menu.actions() or [None])[0], self.actions["exportModel"])
        before = export_menu.menuAction()
        w.menus["file"].insertAction(before, self.actions["openSession"])
        w.menus["file"].insertAction(before, self.actions["saveSession"])
        w.menus["file"].insertSeparator(before)

    # ---- export and sessions ----------------------------------------------------------------
    def export(self, folder: str | os.PathLike, overwrite: bool = False, then: Any = None) -> None:
        """Export in the worker (between steps); `then(path or exception)` on the UI thread."""
        from core.training import export

        folder = Path(folder)

        def write(run: Any) -> Path:
            if run is None:
                raise RuntimeError("there is no model to export yet: train one first")
            return export(run, folder, overwrite=overwrite)

        self.panel.call("export", write, then or (lambda _r: None))

    def export_dialog(self) -> None:
        if self.panel.info is None:
            QMessageBox.information(self.window, "Export trained model", "Train a model first.")
            return
        folder = QFileDialog.getExistingDirectory(self.window, "Export the trained model into")
        if not folder:
            return
        target = Path(folder)
        overwrite = False
        if target.exists() and any(target.iterdir()):
            answer = QMessageBox.question(
                self.window,
                "Export trained model",
                f"{target} is not empty. Replace its contents with the exported model?",
            )
            if answer != QMessageBox.StandardButton.Yes:
                return
            overwrite = True
        dialog = QProgressDialog("Exporting the trained model…", "", 0, 0, self.window)
        dialog.setObjectName("exportProgress")
        dialog.setCancelButton(None)
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setMinimumDuration(0)
        dialog.show()

        def done(result: Any) -> None:
            dialog.close()
            if isinstance(result, Exception):
                QMessageBox.warning(
                    self.window, "Export failed", f"Nothing was written.\n\n{result}"
                )
                self.window.notify("ERROR", f"Export failed: {result}")
                return
            names = ", ".join(sorted(p.name for p in Path(result).iterdir()))
            self.window.notify("INFO", f"Exported the trained model to {result}")
            QMessageBox.information(
                self.window,
                "Model exported",
                f"Exported to {result}:\n{names}\n\nRun `python model.py` there to evaluate it "
                "in PyTorch.",
            )

        self.export(target, overwrite, done)

    def save(self, path: str | os.PathLike, then: Any = None) -> None:
        path, view = Path(path), self.panel.view_state()
        self.panel.call(
            "save",
            lambda run: studio_session.write_session(run, path, view),
            then or (lambda _r: None),
        )

    def save_dialog(self) -> None:
        if self.panel.info is None:
            QMessageBox.information(self.window, "Save session", "There is no run to save yet.")
            return
        path, _ = QFileDialog.getSaveFileName(
            self.window,
            "Save training session",
            f"session{studio_session.SUFFIX}",
            f"Training session (*{studio_session.SUFFIX})",
        )
        if path:
            self.save(path, lambda r: self._told("Session saved to", r))

    def open(self, path: str | os.PathLike) -> None:
        """Load a session file and continue its run (paused where it was saved)."""
        self.panel.restore_session(studio_session.read_session(path))

    def open_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self.window,
            "Open training session",
            "",
            f"Training session (*{studio_session.SUFFIX});;All files (*)",
        )
        if not path:
            return
        try:
            self.open(path)
        except (OSError, ValueError) as exc:
            QMessageBox.warning(self.window, "Cannot open the session", str(exc))

    def _told(self, what: str, result: Any) -> None:
        if isinstance(result, Exception):
            self.window.notify("ERROR", f"{what.split()[0]} failed: {result}")
        else:
            self.window.notify("INFO", f"{what} {result}")

    def _offer_restore(self) -> None:
        payload = self.autosaver.pending()
        if payload is None:
            return
        steps = len(payload["run"].get("history", []))
        dataset = payload["run"].get("config", {}).get("dataset", "?")
        self.panel.status.offer_restore(
            f"An autosaved run ({dataset}, {steps:,} steps, {payload.get('saved', '')}) was found.",
            lambda: self.panel.restore_session(payload),
            self.autosaver.discard,
        )

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802
        if obj is self.window and event.type() == QEvent.Type.Close:
            self.autosaver.autosave()
            self.panel.shutdown()
        return False


def install(window: MainWindow) -> Studio | None:
    """Wire the studio into `window` (None when the window has no Training panel)."""
    panel = window.panels.get("training")
    if panel is None:
        return None
    window.studio = Studio(window, panel)
    return window.studio
