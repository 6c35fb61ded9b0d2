"""The CPU/CUDA toggle: what is available, why not, and moving the scratchpad between devices."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from playground.main_window import MainWindow


def cuda_status() -> tuple[bool, str]:
    """(available, reason it is not): asks core, which alone knows about CuPy and GPUs."""
    try:
        from core import backend
    except ImportError as exc:
        return False, f"core.backend is unavailable: {exc}"
    try:
        if backend.cuda_available():
            return True, ""
        return False, backend.cuda_unavailable_reason()
    except Exception as exc:  # a broken driver must not stop the app from opening
        return False, f"CUDA check failed: {exc}"


def init_device_actions(w: MainWindow) -> None:
    available, reason = cuda_status()
    cuda = w.acts["deviceCuda"]
    cuda.setEnabled(available)
    cuda.setToolTip("Run on the GPU" if available else f"CUDA is unavailable: {reason}")
    cuda.setStatusTip(cuda.toolTip())
    w.acts["deviceCpu"].triggered.connect(lambda: switch(w, "cpu"))
    cuda.triggered.connect(lambda: switch(w, "cuda"))
    w.device = "cuda" if available else "cpu"
    w.acts["deviceCuda" if available else "deviceCpu"].setChecked(True)
    _show(w)


def _show(w: MainWindow) -> None:
    w.device_label.setText(f"  Device: {w.device.upper()}  ")
    apply_to_panels(w)


def apply_to_panels(w: MainWindow) -> None:
    """Panels that work on a device of their own (training) follow the window's."""
    for panel in w.built_panels():
        if hasattr(panel, "set_device"):
            panel.set_device(w.device)


def switch(w: MainWindow, device: str, from_cell: bool = False) -> str | None:
    """Move the scratchpad to `device`; returns why not (also told to the user), else None.

    `from_cell`: the running cell asked (it waits meanwhile, so its namespace is safe to move).
    """
    device = device.lower()
    try:
        if device not in ("cpu", "cuda"):
            raise ValueError(f"unknown device {device!r}: use 'cpu' or 'cuda'")
        if device == "cuda":
            available, reason = cuda_status()
            if not available:
                raise RuntimeError(f"CUDA is unavailable: {reason}")
        if w.runner.running and not from_cell:
            raise RuntimeError("code is running: stop it before switching device")
        moved = w.session.move_to(device)
    except (RuntimeError, ValueError) as exc:
        w.acts["deviceCuda" if w.device == "cuda" else "deviceCpu"].setChecked(True)
        w.notify("ERROR", str(exc))
        return str(exc)
    w.device = device
    _show(w)
    w.refresh_views()
    what = ", ".join(moved) if moved else "nothing to move"
    w.notify("INFO", f"Device: {device.upper()} ({what})")
    return None
