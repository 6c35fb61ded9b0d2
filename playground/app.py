"""The QApplication, its light and dark themes, remembered settings, and the last-resort hook.

Settings live in QSettings (the platform's place) or, when PLAYGROUND_SETTINGS names a file, in
that .ini file: tests and screenshots use one so they never touch a user's settings.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
import traceback
from pathlib import Path
from types import TracebackType
from typing import Any

from PySide6.QtCore import QSettings
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

RESOURCES = Path(__file__).resolve().parent.parent / "resources"
THEMES = ("light", "dark")
MAX_RECENT = 10
UNEXPECTED = "Unexpected error (the app keeps running)"

log = logging.getLogger("playground")


def ensure_app() -> QApplication:
    """The running QApplication, created (Fusion style) if there is none."""
    app = QApplication.instance()
    if app is None:
        app = QApplication(sys.argv[:1])
        app.setApplicationName("Tensor Playground")
        app.setOrganizationName("TensorPlayground")
        app.setStyle("Fusion")  # the same look on every platform; the style sheets assume it
    return app  # type: ignore[return-value]


def _dark_palette() -> QPalette:
    p = QPalette()
    colours = {
        QPalette.ColorRole.Window: "#2b2d30",
        QPalette.ColorRole.WindowText: "#dfe1e5",
        QPalette.ColorRole.Base: "#1e1f22",
        QPalette.ColorRole.AlternateBase: "#26282b",
        QPalette.ColorRole.ToolTipBase: "#3c3f41",
        QPalette.ColorRole.ToolTipText: "#dfe1e5",
        QPalette.ColorRole.Text: "#dfe1e5",
        QPalette.ColorRole.Button: "#393b40",
        QPalette.ColorRole.ButtonText: "#dfe1e5",
        QPalette.ColorRole.BrightText: "#ff6b6b",
        QPalette.ColorRole.Highlight: "#2f65ca",
        QPalette.ColorRole.HighlightedText: "#ffffff",
        QPalette.ColorRole.Link: "#589df6",
        QPalette.ColorRole.PlaceholderText: "#80848c",
    }
    for role, colour in colours.items():
        p.setColor(role, QColor(colour))
    for role in (
        QPalette.ColorRole.Text,
        QPalette.ColorRole.ButtonText,
        QPalette.ColorRole.WindowText,
    ):
        p.setColor(QPalette.ColorGroup.Disabled, role, QColor("#6f737a"))
    return p


def apply_theme(app: QApplication, theme: str) -> str:
    """Apply `theme` ("light" or "dark"; anything else falls back to light); returns it."""
    theme = theme if theme in THEMES else "light"
    app.setPalette(_dark_palette() if theme == "dark" else app.style().standardPalette())
    sheet = RESOURCES / f"{theme}.qss"
    app.setStyleSheet(sheet.read_text(encoding="utf-8") if sheet.exists() else "")
    return theme


class Settings:
    """Geometry, dock layout, theme and recent files, remembered between runs."""

    def __init__(self, path: str | None = None) -> None:
        path = path or os.environ.get("PLAYGROUND_SETTINGS")
        if path:
            self.qs = QSettings(path, QSettings.Format.IniFormat)
        else:
            self.qs = QSettings("TensorPlayground", "Tensor Playground")

    def get(self, key: str, default: Any = None) -> Any:
        return self.qs.value(key, default)

    def set(self, key: str, value: Any) -> None:
        self.qs.setValue(key, value)

    @property
    def theme(self) -> str:
        value = self.get("theme", "light")
        return value if value in THEMES else "light"

    @theme.setter
    def theme(self, value: str) -> None:
        self.set("theme", value)

    def recent_files(self) -> list[str]:
        value = self.get("recent_files", [])
        if isinstance(value, str):  # QSettings returns a lone entry as a string
            value = [value]
        return [v for v in value or [] if isinstance(v, str)]

    def add_recent(self, path: str) -> list[str]:
        path = str(Path(path).resolve())
        files = [path] + [f for f in self.recent_files() if f != path]
        self.set("recent_files", files[:MAX_RECENT])
        return files[:MAX_RECENT]

    def clear_recent(self) -> None:
        self.set("recent_files", [])

    def sync(self) -> None:
        self.qs.sync()


def report_unexpected(
    kind: type[BaseException], exc: BaseException, tb: TracebackType | None
) -> None:
    """sys.excepthook: an error that escaped a slot, a timer or a thread goes to the Log panel."""
    if issubclass(kind, KeyboardInterrupt):
        sys.__excepthook__(kind, exc, tb)
        return
    text = "".join(traceback.format_exception(kind, exc, tb)).rstrip()
    log.error("%s:\n%s", UNEXPECTED, text)


def _report_thread(args: threading.ExceptHookArgs) -> None:
    if args.exc_type is not None and args.exc_value is not None:
        report_unexpected(args.exc_type, args.exc_value, args.exc_traceback)


def install_excepthook() -> None:
    """Unexpected errors reach the user in the Log panel instead of ending the app."""
    sys.excepthook = report_unexpected
    threading.excepthook = _report_thread
