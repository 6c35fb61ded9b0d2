"""Session files of the training studio: the run (config, data, parameters, optimizer state,
loss history) and the panel's view settings in one safetensors file written by `core.save`
(tensors as tensors, everything else as JSON metadata; never pickle). Autosave every minute to the
app's data folder, so a crash loses at most a minute; the next start offers to restore it.
"""

from __future__ import annotations

import datetime as _dt
import os
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QStandardPaths, QTimer, Signal

import core

FORMAT = "tensor-playground-session"
VERSION = 1
SUFFIX = ".tpsession"
AUTOSAVE_NAME = "autosave" + SUFFIX
AUTOSAVE_MS = 60_000


def data_dir() -> Path:
    """Where autosaves go: $PLAYGROUND_DATA_DIR, beside $PLAYGROUND_SETTINGS, or the platform's
    application data folder."""
    if os.environ.get("PLAYGROUND_DATA_DIR"):
        path = Path(os.environ["PLAYGROUND_DATA_DIR"])
    elif os.environ.get("PLAYGROUND_SETTINGS"):
        path = Path(os.environ["PLAYGROUND_SETTINGS"]).resolve().parent
    else:
        location = QStandardPaths.StandardLocation.AppDataLocation
        path = Path(QStandardPaths.writableLocation(location) or Path.home() / ".tensor-playground")
    path.mkdir(parents=True, exist_ok=True)
    return path


def autosave_path() -> Path:
    return data_dir() / AUTOSAVE_NAME


def session_payload(run: Any, view: dict[str, Any]) -> dict[str, Any]:
    """What a session file holds (called in the worker thread, between steps)."""
    return {
        "format": FORMAT,
        "version": VERSION,
        "saved": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        "view": dict(view),
        "run": run.state_dict(),
    }


def write_session(run: Any, path: str | os.PathLike, view: dict[str, Any]) -> Path:
    """Write `run` to `path` atomically (a failed write leaves the previous file alone)."""
    path = Path(path)
    core.save(session_payload(run, view), path, format="safetensors")
    return path


def read_session(path: str | os.PathLike) -> dict[str, Any]:
    """Load and check a session file; ValueError saying what is wrong with it."""
    try:
        payload = core.load(path)
    except FileNotFoundError:
        raise
    except Exception as exc:
        raise ValueError(f"{Path(path).name} is not a readable session file: {exc}") from exc
    if not isinstance(payload, dict) or payload.get("format") != FORMAT:
        raise ValueError(f"{Path(path).name} is not a Tensor Playground session file")
    if payload.get("version", 0) > VERSION:
        raise ValueError(
            f"{Path(path).name} was saved by a newer Tensor Playground (session version "
            f"{payload.get('version')}); update the app to open it"
        )
    if not isinstance(payload.get("run"), dict):
        raise ValueError(f"{Path(path).name} holds no training run")
    return payload


class Autosaver(QObject):
    """Every minute, if the run moved on since the last autosave, save it in the worker."""

    saved = Signal(str)

    def __init__(self, panel: Any, interval_ms: int = AUTOSAVE_MS) -> None:
        super().__init__(panel)
        self.panel = panel
        self.path = autosave_path()
        self._saved_at: int | None = None
        self.timer = QTimer(self, interval=interval_ms)
        self.timer.timeout.connect(self.autosave)
        self.timer.start()

    def autosave(self) -> bool:
        """Save now if there is unsaved progress; returns whether a save was requested."""
        if self.panel.info is None or self.panel.controller.state in ("idle", "loading"):
            return False
        marker = len(self.panel.history)
        if marker == 0 or marker == self._saved_at:
            return False
        self._saved_at = marker
        path, view = self.path, self.panel.view_state()
        self.panel.call("autosave", lambda run: write_session(run, path, view), self._done)
        return True

    def _done(self, result: Any) -> None:
        if isinstance(result, Exception):
            self._saved_at = None
            self.panel.message.emit("WARNING", f"Autosave failed: {result}")
        else:
            self.saved.emit(str(result))

    def pending(self) -> dict[str, Any] | None:
        """The autosaved session left by an earlier run of the app, if any (and readable)."""
        if not self.path.is_file():
            return None
        try:
            return read_session(self.path)
        except (OSError, ValueError):
            return None

    def discard(self) -> None:
        self.path.unlink(missing_ok=True)
