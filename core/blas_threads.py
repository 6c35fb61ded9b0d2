"""Limit the BLAS threads NumPy uses, after NumPy is imported (as threadpoolctl does).

Small models train many times faster on one BLAS thread: with several, OpenBLAS spends its time
waking and synchronising threads for matrices of a few thousand elements, and on a busy machine
it can be twenty times slower. The headless trainer uses one thread unless told otherwise.
"""

from __future__ import annotations

import ctypes
import glob
import os

from core import mkl_gemm

__all__ = ["blas_threads", "set_blas_threads"]

_SETTERS = (
    "scipy_openblas_set_num_threads64_",
    "scipy_openblas_set_num_threads",
    "openblas_set_num_threads64_",
    "openblas_set_num_threads",
    "MKL_Set_Num_Threads",
)
_GETTERS = (
    "scipy_openblas_get_num_threads64_",
    "scipy_openblas_get_num_threads",
    "openblas_get_num_threads64_",
    "openblas_get_num_threads",
    "MKL_Get_Max_Threads",
)


def _libraries() -> list[ctypes.CDLL]:
    paths: list[str] = []
    try:
        with open("/proc/self/maps") as fh:  # Linux: every shared library already loaded
            for line in fh:
                path = line.rsplit(" ", 1)[-1].strip()
                # an mkl_rt is NumPy's only in an MKL NumPy; else core.mkl_gemm loaded it
                mkl = "mkl_rt" in path and mkl_gemm.numpy_uses_mkl()
                if ("openblas" in path or mkl) and path not in paths:
                    paths.append(path)
    except OSError:
        pass
    if not paths:
        import numpy

        root = os.path.dirname(os.path.dirname(numpy.__file__))
        for pattern in ("numpy.libs/*openblas*", "numpy/.dylibs/*openblas*", "numpy.libs/*mkl*"):
            paths += glob.glob(os.path.join(root, pattern))
    libs = []
    for path in paths:
        try:
            libs.append(ctypes.CDLL(path))
        except OSError:
            continue
    return libs


def _call(names: tuple[str, ...], *args: int) -> int | None:
    for lib in _libraries():
        for name in names:
            fn = getattr(lib, name, None)
            if fn is not None:
                result = fn(*args)
                return int(result) if result is not None else 0
    return None


def set_blas_threads(n: int) -> bool:
    """Use `n` BLAS threads from now on; False where no OpenBLAS/MKL was found (nothing done)."""
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"the number of BLAS threads must be an integer >= 1, got {n!r}")
    done = _call(_SETTERS, n) is not None
    mkl_gemm.note_blas_threads(n if done else None)
    return done


def blas_threads() -> int | None:
    """The number of BLAS threads in use, or None where it cannot be told."""
    return _call(_GETTERS)
