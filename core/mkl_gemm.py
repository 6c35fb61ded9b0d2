"""Matrix products through Intel MKL's GEMM, where the optional ``mkl`` package is installed.

PyTorch's CPU build multiplies matrices with MKL. NumPy's wheels use OpenBLAS, which takes 1.1 to
2 times as long on one thread for the products of small networks (a batch of 128 through 784x256
weights, LeNet's convolutions) on the Intel CPUs measured. With the ``mkl`` extra installed, the
2-D float32/float64 products of ``mm``, ``addmm``, ``Linear``, ``Conv2d`` and their backward passes
go to MKL's sequential ``cblas_?gemm`` whenever NumPy's BLAS runs on one thread, as the trainer,
the studio and the benchmarks do. Everything else stays on NumPy: small products (a ctypes call
costs about 7 us, more than MKL saves on them), products while NumPy's BLAS runs several threads
(sequential MKL would use one; MKL's own OpenMP threads would spin beside OpenBLAS's and the UI
thread), and every product when MKL is absent.

``CORE_MKL=0`` in the environment turns MKL off; ``CORE_MKL=1`` uses it on any CPU (by default
only on Intel's, where it was measured to help) and beside a PyTorch not yet imported (by default
core leaves MKL alone then: see ``_torch_could_bind_to_it``; the app and ``playground train``,
which never import PyTorch, say so with ``torch_stays_out()``).
"""

from __future__ import annotations

import ctypes
import glob
import os
import platform
import site
import sys
import threading
from typing import Any

import numpy as np

__all__ = [
    "active",
    "batched_matmul",
    "enable",
    "matmul",
    "note_blas_threads",
    "numpy_uses_mkl",
    "torch_stays_out",
    "unavailable_reason",
]

# Products of fewer multiply-adds stay on NumPy: at 2^21 (128x128x128) MKL was still slower once
# the call's overhead was counted, at 2^22 (128x256x128) equal, from 2^23 on 10 to 45 % faster.
MIN_WORK = 2**22

_ROW_MAJOR, _NO_TRANS, _TRANS = 101, 111, 112
_THREADING_SEQUENTIAL = 1
_INTERFACE_LP64 = 0
_INT32_MAX = 2**31 - 1
# The layers in load order (lazily bound: they refer to each other); the last exports cblas_?gemm.
_LAYERS = ("core", "sequential", "intel_lp64")

_state: dict[str, Any] = {}
_load_lock = threading.Lock()


def _typed_gemms(lib: ctypes.CDLL) -> dict[np.dtype, Any]:
    c_int, c_void_p = ctypes.c_int, ctypes.c_void_p
    gemms = {}
    for dtype, name, scalar in (
        (np.dtype(np.float32), "cblas_sgemm", ctypes.c_float),
        (np.dtype(np.float64), "cblas_dgemm", ctypes.c_double),
    ):
        fn = getattr(lib, name)
        fn.argtypes = [c_int, c_int, c_int, c_int, c_int, c_int, scalar, c_void_p, c_int]
        fn.argtypes += [c_void_p, c_int, scalar, c_void_p, c_int]
        fn.restype = None
        gemms[dtype] = fn
    return gemms


def _library_paths() -> list[str]:
    """Where the mkl wheel (or a conda environment) puts ``mkl_rt``, this interpreter's first."""
    names = ("libmkl_rt.so.3", "libmkl_rt.so.2", "libmkl_rt.so", "mkl_rt.3.dll", "mkl_rt.2.dll")
    paths = []
    for prefix in dict.fromkeys((sys.prefix, sys.base_prefix, site.USER_BASE or sys.prefix)):
        for folder in ("lib", os.path.join("Library", "bin")):
            for name in names:
                paths += glob.glob(os.path.join(prefix, folder, name))
    return paths


def _intel_cpu() -> bool:
    if sys.platform.startswith("linux"):
        try:
            with open("/proc/cpuinfo") as fh:
                return "GenuineIntel" in fh.read(4096)
        except OSError:
            return False
    return "Intel" in platform.processor()


def _numpy_blas() -> str:
    try:
        return str(np.__config__.CONFIG["Build Dependencies"]["blas"]["name"])  # type: ignore[attr-defined]
    except (AttributeError, KeyError, TypeError):
        return ""


def numpy_uses_mkl() -> bool:
    """Whether NumPy itself was built on MKL (conda's NumPy): then there is nothing to add."""
    return "mkl" in _numpy_blas().lower()


def _open() -> tuple[dict[np.dtype, Any], str]:
    """MKL's GEMMs by dtype, or no GEMMs and the reason, in words for the user."""
    setting = os.environ.get("CORE_MKL", "").strip()
    if setting == "0":
        return {}, "turned off by CORE_MKL=0"
    if numpy_uses_mkl():
        return {}, "NumPy itself multiplies with MKL"
    if setting != "1" and not _intel_cpu():
        return {}, "not an Intel CPU (CORE_MKL=1 uses MKL anyway)"
    paths = _library_paths()
    if not paths:
        return {}, "the mkl package is not installed (pip install 'tensor-playground[mkl]')"
    if setting != "1" and not _state.get("torch_stays_out") and _torch_could_bind_to_it():
        return {}, TORCH_REASON
    reason = ""
    for path in paths:
        layers = _layer_paths(path) if sys.platform.startswith("linux") else None
        try:
            lib, reason = _open_layers(layers) if layers else _open_dispatcher(path)
            if lib is not None:
                return _typed_gemms(lib), ""
        except (OSError, AttributeError) as exc:
            reason = f"{path} could not be loaded ({exc})"
    return {}, reason


TORCH_REASON = (
    "PyTorch is installed but was not imported before core's first large product: imported "
    "after core's MKL, torch would run its own products on it, on one thread (import torch "
    "first, or set CORE_MKL=1 where torch will not be imported)"
)


def torch_stays_out() -> None:
    """This process will not import PyTorch (the app and ``playground train``, where ``import
    torch`` means core), so MKL need not wait for it (see `_torch_could_bind_to_it`)."""
    with _load_lock:
        _state["torch_stays_out"] = True
        if _state.get("reason") == TORCH_REASON:  # declined for that alone: decide again
            del _state["gemms"], _state["reason"]


def _torch_could_bind_to_it() -> bool:
    """Would a later ``import torch`` run torch's products on core's MKL?

    On Linux MKL's layers must sit in the process's global symbol scope (``mkl_rt`` puts them
    there too), and PyTorch's wheels call their own built-in MKL through exported names, which
    the dynamic linker binds to the first definition in that scope. Imported after core's MKL,
    torch would multiply on it, on one thread whatever ``torch.set_num_threads`` says (2.3
    times as slow on two cores). Imported before, each keeps its own. The decision is made once,
    at the first large product."""
    if not sys.platform.startswith("linux") or "torch" in sys.modules:
        return False
    import importlib.util

    try:
        return importlib.util.find_spec("torch") is not None
    except (ImportError, ValueError):
        return False


def _layer_paths(rt_path: str) -> list[str] | None:
    """MKL's core, sequential and 32-bit-integer interface libraries beside ``mkl_rt``, in
    their load order, or None where one is missing."""
    folder, name = os.path.split(rt_path)
    suffix = name[len("libmkl_rt") :]  # ".so.3"
    paths = [os.path.join(folder, f"libmkl_{layer}{suffix}") for layer in _LAYERS]
    return paths if all(os.path.isfile(p) for p in paths) else None


def _open_layers(paths: list[str]) -> tuple[ctypes.CDLL | None, str]:
    """Linux: the three layers without the ``mkl_rt`` dispatcher; None and why where one refuses.

    Linked this way the layers are fixed (one thread in the caller's, LP64 whatever
    MKL_INTERFACE_LAYER says), and the process maps 3 MB less than through ``mkl_rt``, which
    binds every symbol of all three at once. Each refers to symbols of the others (core to
    sequential's, for one), so each joins the global scope and binding is lazy (ctypes itself
    always binds everything at once, which fails for the first layer alone). A layer that
    fails (LD_BIND_NOW=1 makes them all fail) unloads those before it, and there is no fallback
    to ``mkl_rt``: it would load the same files and stop the process on the same error."""
    dl = ctypes.CDLL(None)  # dlopen is in the C library (or libdl, already loaded by Python)
    dl.dlopen.restype, dl.dlopen.argtypes = ctypes.c_void_p, [ctypes.c_char_p, ctypes.c_int]
    dl.dlerror.restype, dl.dlerror.argtypes = ctypes.c_char_p, []
    dl.dlclose.restype, dl.dlclose.argtypes = ctypes.c_int, [ctypes.c_void_p]
    handles: list[int] = []
    for path in paths:
        handle = dl.dlopen(os.fsencode(path), os.RTLD_LAZY | os.RTLD_GLOBAL)
        if not handle:
            error = (dl.dlerror() or b"no reason given").decode(errors="replace")
            for loaded in reversed(handles):
                dl.dlclose(loaded)
            return None, f"{os.path.basename(path)} could not be loaded ({error})"
        handles.append(handle)
    return ctypes.CDLL(paths[-1], handle=handles[-1]), ""


def _open_dispatcher(path: str) -> tuple[ctypes.CDLL | None, str]:
    """``mkl_rt`` (Windows, or where the layers are not beside it), set to LP64 and sequential."""
    if hasattr(os, "add_dll_directory"):  # Windows: MKL loads its other DLLs from there
        _state["dll_directory"] = os.add_dll_directory(os.path.dirname(path))
    lib = ctypes.CDLL(path)
    # Before any other call, and whatever MKL_INTERFACE_LAYER / MKL_THREADING_LAYER say:
    # 32-bit integers (the c_int arguments of the GEMMs; ILP64 would read garbage and crash),
    # and one thread in the caller's thread (no OpenMP runtime, no spinning threads).
    if lib.MKL_Set_Interface_Layer(_INTERFACE_LP64) != _INTERFACE_LP64:
        return None, f"{path} refused 32-bit integer arguments"
    if lib.MKL_Set_Threading_Layer(_THREADING_SEQUENTIAL) != _THREADING_SEQUENTIAL:
        return None, f"{path} refused its sequential threading layer"
    return lib, ""


def _gemms() -> dict[np.dtype, Any]:
    with _load_lock:
        if "gemms" not in _state:
            if "threads" not in _state:  # read before MKL is loaded beside NumPy's BLAS
                from core.blas_threads import blas_threads

                _state["threads"] = blas_threads()
            _state["gemms"], _state["reason"] = _open()
    return _state["gemms"]


def note_blas_threads(n: int | None) -> None:
    """NumPy's BLAS now runs `n` threads (None: unknown); MKL takes products only while it is 1."""
    _state["threads"] = n


def enable(on: bool) -> None:
    """Let MKL take products (the default where it loads) or leave them all to NumPy, as
    ``CORE_MKL=0`` does; for comparing the two in one process."""
    _state["disabled"] = not on


def _takes_products() -> bool:
    return _state.get("threads") == 1 and not _state.get("disabled")


def active() -> bool:
    """Whether products go to MKL now: it is loaded, enabled, and NumPy's BLAS runs on one thread."""
    return bool(_gemms()) and _takes_products()


def unavailable_reason() -> str:
    """Why MKL takes no products, in words for the user ("" when it takes them)."""
    _gemms()
    threads = _state.get("threads")
    if _state["reason"]:
        return _state["reason"]
    if _state.get("disabled"):
        return "turned off by core.mkl_gemm.enable(False)"
    if threads is None:
        return "the number of NumPy's BLAS threads cannot be told"
    return "" if threads == 1 else f"NumPy's BLAS runs on {threads} threads"


def _operand(m: np.ndarray) -> tuple[int, int] | None:
    """(transpose flag, leading dimension) of a C- or F-contiguous matrix, else None."""
    rows, cols = m.shape
    if m.flags.c_contiguous:
        return _NO_TRANS, max(cols, 1)
    if m.flags.f_contiguous:
        return _TRANS, max(rows, 1)
    return None


def matmul(a: Any, b: Any) -> Any:
    """``a @ b``: through MKL for large contiguous float matrices of one dtype, else NumPy."""
    if (
        type(a) is np.ndarray
        and type(b) is np.ndarray
        and a.ndim == 2
        and b.ndim == 2
        and a.dtype is b.dtype
        and a.shape[1] == b.shape[0]
    ):
        m, k = a.shape
        n = b.shape[1]
        if m * n * k >= MIN_WORK and max(m, n, k) <= _INT32_MAX:
            gemms = _state.get("gemms")
            if gemms is None:
                gemms = _gemms()
            fn = gemms.get(a.dtype) if _takes_products() else None
            if fn is not None:
                ta, tb = _operand(a), _operand(b)
                if ta is not None and tb is not None:
                    out = np.empty((m, n), a.dtype)
                    fn(_ROW_MAJOR, ta[0], tb[0], m, n, k, 1.0, a.ctypes.data, ta[1],
                       b.ctypes.data, tb[1], 0.0, out.ctypes.data, n)  # fmt: skip
                    return out
    return a @ b


def batched_matmul(a: Any, b: Any) -> Any:
    """``np.matmul(a, b)`` of two stacks of matrices; a stack of one goes through `matmul`."""
    if a.ndim == 3 and b.ndim == 3 and a.shape[0] == 1 and b.shape[0] == 1:
        return matmul(a[0], b[0])[None]
    return a @ b
