"""Getting a tensor out of the inspector: clipboard text, a NumPy literal, .npy and .safetensors.

Each function returns (level, message) for the log and status bar instead of raising.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
from PySide6.QtWidgets import QApplication, QFileDialog, QWidget

from core.inspect import grad_of, to_array

COPY_LIMIT = 100_000  # elements; beyond this the clipboard is the wrong tool

Report = tuple[str, str]


def _array(obj: Any, grad: bool) -> np.ndarray | Report:
    if obj is None:
        return ("WARNING", "Nothing to copy: select a tensor first.")
    arr = to_array(obj, grad)
    if arr is None:
        return ("WARNING", "There is no gradient to copy: call backward() first.")
    return arr


def _clip(text: str) -> None:
    QApplication.clipboard().setText(text)


def copy_text(obj: Any, grad: bool = False) -> Report:
    """The printed form, as PyTorch prints it (summarised like PyTorch for big tensors)."""
    if obj is None:
        return ("WARNING", "Nothing to copy: select a tensor first.")
    target = grad_of(obj) if grad else obj
    if target is None:
        return ("WARNING", "There is no gradient to copy: call backward() first.")
    _clip(repr(target))
    return ("INFO", "Copied the tensor's printed form.")


def numpy_literal(arr: np.ndarray) -> str:
    """`np.array([...], dtype=np.float32)`: pasting it into Python rebuilds the array."""
    body = np.array2string(
        arr, separator=", ", threshold=sys.maxsize, max_line_width=100, prefix="np.array("
    )
    return f"np.array({body}, dtype=np.{arr.dtype.name})"


def copy_numpy(obj: Any, grad: bool = False) -> Report:
    arr = _array(obj, grad)
    if isinstance(arr, tuple):
        return arr
    if arr.size > COPY_LIMIT:
        return ("WARNING", f"{arr.size:,} elements are too many to copy; save it as .npy instead.")
    _clip(numpy_literal(arr))
    return ("INFO", "Copied as a NumPy literal.")


def save_array(arr: np.ndarray, path: str, name: str = "tensor") -> None:
    """Write `arr` to .npy or .safetensors atomically (a failed write leaves no half file)."""
    target = Path(path)
    suffix = target.suffix.lower()
    if suffix not in (".npy", ".safetensors"):
        raise ValueError(
            f"cannot save as {suffix or 'a file without extension'}: use .npy or .safetensors"
        )
    fd, tmp = tempfile.mkstemp(suffix=suffix, dir=target.parent)
    os.close(fd)
    try:
        if suffix == ".npy":
            np.save(tmp, arr, allow_pickle=False)
        else:
            from safetensors.numpy import save_file

            save_file({name: np.ascontiguousarray(arr)}, tmp)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def save_dialog(parent: QWidget, obj: Any, name: str | None, grad: bool = False) -> Report | None:
    arr = _array(obj, grad)
    if isinstance(arr, tuple):
        return arr
    stem = (name or "tensor") + ("_grad" if grad else "")
    path, _ = QFileDialog.getSaveFileName(
        parent, "Save tensor", stem + ".safetensors", "safetensors (*.safetensors);;NumPy (*.npy)"
    )
    if not path:
        return None
    try:
        save_array(arr, path, stem)
    except Exception as exc:
        return ("ERROR", f"Could not save {path}: {exc}")
    return ("INFO", f"Saved {stem} to {path}")
