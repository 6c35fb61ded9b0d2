"""Array modules and devices: NumPy on ``cpu``, CuPy on ``cuda``.

This is the only module that imports CuPy. Everything else asks it for the array module (``xp``)
of a device or of an array.
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np

_CUPY: Any = None
_CUPY_REASON = ""


@functools.lru_cache(maxsize=1)
def _probe_cupy() -> tuple[Any, str]:
    """Import CuPy and ask a device to answer; remember why not, for the user."""
    try:
        import cupy  # noqa: PLC0415  (the one CuPy import of the project)
    except Exception as exc:  # ImportError, or a broken CUDA install raising anything
        return (
            None,
            f"CuPy is not installed ({type(exc).__name__}: {exc}). Install the cuda12 or cuda13 extra.",
        )
    try:
        count = cupy.cuda.runtime.getDeviceCount()
    except Exception as exc:
        return None, f"CuPy is installed but no CUDA device answers ({exc})."
    if count < 1:
        return None, "CuPy is installed but no CUDA device was found."
    return cupy, ""


def cupy_module() -> Any:
    """The CuPy module, or None when CUDA is unavailable."""
    return _probe_cupy()[0]


def cuda_available() -> bool:
    return _probe_cupy()[0] is not None


def cuda_unavailable_reason() -> str:
    """Why CUDA cannot be used here, in words for the user ("" when it can)."""
    return _probe_cupy()[1]


def device_count() -> int:
    cp = cupy_module()
    return int(cp.cuda.runtime.getDeviceCount()) if cp is not None else 0


def require_cuda() -> Any:
    """The CuPy module, or PyTorch's error when CUDA is unavailable."""
    cp = cupy_module()
    if cp is None:
        raise AssertionError(
            "Torch not compiled with CUDA enabled"
            if "not installed" in cuda_unavailable_reason()
            else "Found no NVIDIA driver on your system. " + cuda_unavailable_reason()
        )
    return cp


def array_module(array: Any) -> Any:
    """NumPy or CuPy, whichever owns ``array``."""
    if isinstance(array, np.ndarray) or np.isscalar(array):
        return np
    cp = cupy_module()
    if cp is not None and isinstance(array, cp.ndarray):
        return cp
    return np


def module_for(device_type: str) -> Any:
    return np if device_type == "cpu" else require_cuda()


def is_cuda_array(array: Any) -> bool:
    return not isinstance(array, np.ndarray) and array_module(array) is not np


def array_device_index(array: Any) -> int:
    return int(array.device.id) if is_cuda_array(array) else -1


def to_numpy(array: Any) -> np.ndarray:
    """A NumPy array of ``array`` (a copy from the GPU when needed, no copy on the CPU)."""
    if isinstance(array, np.ndarray):
        return array
    if is_cuda_array(array):
        return array.get()
    return np.asarray(array)


def to_device(array: Any, device_type: str, index: int = 0) -> Any:
    """Move a raw array to a device (no copy when it is already there)."""
    if device_type == "cpu":
        return to_numpy(array)
    cp = require_cuda()
    with cp.cuda.Device(index):
        return cp.asarray(array)


def synchronize() -> None:
    cp = cupy_module()
    if cp is not None:
        cp.cuda.Device().synchronize()


def erf(array: Any) -> Any:
    """The error function on either device (NumPy has none; SciPy's is used when installed)."""
    if is_cuda_array(array):
        from cupyx.scipy.special import erf as cupy_erf

        return cupy_erf(array)
    try:
        from scipy.special import erf as scipy_erf
    except ImportError:
        return _erf_python(array)
    return scipy_erf(array).astype(array.dtype, copy=False)


def _erf_python(array: np.ndarray) -> np.ndarray:
    import math

    if not array.size:
        return array.copy()
    values = np.fromiter(map(math.erf, array.ravel().tolist()), dtype=np.float64, count=array.size)
    return values.reshape(array.shape).astype(array.dtype, copy=False)


def scatter_add(out: Any, index: Any, values: Any) -> Any:
    """``out[index] += values`` with repeated indices accumulating, on either device."""
    if is_cuda_array(out):
        import cupyx

        cupyx.scatter_add(out, index, values)
    else:
        np.add.at(out, index, values)
    return out
