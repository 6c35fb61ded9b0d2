"""core.mkl_gemm: MKL's GEMM for large float products where the mkl extra is installed, NumPy
otherwise. The MKL cases skip cleanly without it (the default install)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator

import numpy as np
import pytest

try:  # PyTorch first, where installed: core leaves MKL alone beside a torch not yet imported
    import torch  # noqa: F401
except ImportError:
    pass

import core
from core import mkl_gemm
from core.blas_threads import blas_threads, set_blas_threads

needs_mkl = pytest.mark.skipif(
    not mkl_gemm.active(), reason=f"MKL takes no products here: {mkl_gemm.unavailable_reason()}"
)

RNG = np.random.default_rng(0)
LAYOUTS = ["CC", "CF", "FC", "FF"]


def _matrix(rows: int, cols: int, dtype: type, order: str) -> np.ndarray:
    m = RNG.standard_normal((rows, cols)).astype(dtype)
    return np.asfortranarray(m) if order == "F" else m


def _at_offset(m: np.ndarray, offset: int) -> np.ndarray:
    """A C-contiguous copy of `m` whose data starts `offset` bytes past a 64-byte boundary."""
    buf = np.empty(m.nbytes + 128, np.uint8)
    start = (-buf.ctypes.data) % 64 + offset
    out = buf[start : start + m.nbytes].view(m.dtype).reshape(m.shape)
    out[...] = m
    return out


@pytest.fixture
def mkl_off() -> Iterator[None]:
    mkl_gemm.enable(False)
    yield
    mkl_gemm.enable(True)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("layout", LAYOUTS)
def test_large_products_match_a_float64_reference(dtype: type, layout: str) -> None:
    a = _matrix(96, 200, dtype, layout[0])
    b = _matrix(200, 300, dtype, layout[1])
    out = mkl_gemm.matmul(a, b)
    assert out.dtype == dtype and out.shape == (96, 300) and out.flags.c_contiguous
    exact = a.astype(np.float64) @ b.astype(np.float64)
    tol = 1e-4 if dtype is np.float32 else 1e-12
    np.testing.assert_allclose(out, exact, rtol=tol, atol=tol * 20)


@pytest.fixture
def refusing_mkl(monkeypatch: pytest.MonkeyPatch) -> list[tuple]:
    """MKL as if loaded and taking products, each call recorded and refused: shows which
    products would go to it, with or without the mkl package."""
    calls: list[tuple] = []

    def refuse(*args: object) -> None:
        calls.append(args[3:6])  # m, n, k
        raise LookupError("a product went to MKL")

    gemms = {np.dtype(np.float32): refuse, np.dtype(np.float64): refuse}
    for key, value in (("gemms", gemms), ("reason", ""), ("threads", 1), ("disabled", False)):
        monkeypatch.setitem(mkl_gemm._state, key, value)
    return calls


@pytest.mark.parametrize(
    "a, b",
    [
        (np.ones((4, 5), np.float32), np.ones((5, 3), np.float32)),  # small: NumPy's kernels
        (np.ones((200, 200), np.int64), np.ones((200, 200), np.int64)),  # no integer GEMM
        (np.ones((200, 200), np.float32), np.ones((200, 200), np.float64)),  # mixed dtypes
        (np.ones((400, 400), np.float32)[::2, ::2], np.ones((200, 200), np.float32)),  # strided
        (np.ones((2, 200, 200), np.float32), np.ones((200, 200), np.float32)),  # a stack
        (np.ones((200, 200), ">f4"), np.ones((200, 200), ">f4")),  # not the machine's byte order
    ],
)
def test_products_mkl_cannot_take_are_numpys(
    a: np.ndarray, b: np.ndarray, refusing_mkl: list[tuple]
) -> None:
    out = mkl_gemm.matmul(a, b)
    expected = a @ b
    assert out.dtype == expected.dtype and out.shape == expected.shape
    np.testing.assert_array_equal(out, expected)
    assert refusing_mkl == []


def test_large_float_products_go_to_mkl_only_while_it_takes_them(refusing_mkl: list[tuple]) -> None:
    a, b = np.ones((128, 784), np.float32), np.ones((784, 256), np.float32)
    with pytest.raises(LookupError):
        mkl_gemm.matmul(a, b.T.copy().T)  # F-contiguous b: passed transposed, not copied
    assert refusing_mkl == [(128, 256, 784)]
    mkl_gemm.note_blas_threads(2)
    try:
        np.testing.assert_array_equal(mkl_gemm.matmul(a, b), a @ b)
    finally:
        mkl_gemm.note_blas_threads(1)
    mkl_gemm.enable(False)
    try:
        np.testing.assert_array_equal(mkl_gemm.matmul(a, b), a @ b)
    finally:
        mkl_gemm.enable(True)
    assert len(refusing_mkl) == 1


def test_a_stack_of_one_matrix_keeps_its_batch_axis() -> None:
    a, b = _matrix(64, 256, np.float32, "C")[None], _matrix(256, 300, np.float32, "C")[None]
    out = mkl_gemm.batched_matmul(a, b)
    assert out.shape == (1, 64, 300)
    np.testing.assert_allclose(out, np.matmul(a, b), rtol=1e-4, atol=1e-3)
    two = np.concatenate([a, a])
    np.testing.assert_array_equal(mkl_gemm.batched_matmul(two, np.concatenate([b, b])), two @ b)


@needs_mkl
def test_the_result_does_not_depend_on_where_operands_sit_in_memory() -> None:
    a, b = _matrix(128, 784, np.float32, "C"), _matrix(784, 256, np.float32, "C")
    first = mkl_gemm.matmul(_at_offset(a, 0), _at_offset(b, 0))
    for offset in (4, 8, 16, 32):
        again = mkl_gemm.matmul(_at_offset(a, offset), _at_offset(b, 64 - offset))
        np.testing.assert_array_equal(again, first)


@needs_mkl
def test_turned_off_every_product_is_numpys(mkl_off: None) -> None:
    assert not mkl_gemm.active()
    assert "enable(False)" in mkl_gemm.unavailable_reason()
    a, b = _matrix(128, 784, np.float32, "C"), _matrix(784, 256, np.float32, "F")
    np.testing.assert_array_equal(mkl_gemm.matmul(a, b), a @ b)


@needs_mkl
def test_mkl_steps_aside_while_numpys_blas_is_threaded() -> None:
    before = blas_threads()
    assert before == 1  # needs_mkl: the suite runs NumPy's BLAS on one thread
    try:
        set_blas_threads(2)
        assert not mkl_gemm.active()
        assert mkl_gemm.unavailable_reason() == "NumPy's BLAS runs on 2 threads"
        # the count read back is NumPy's OpenBLAS's, not that of the MKL loaded beside it
        assert blas_threads() == 2
    finally:
        set_blas_threads(before)
    assert mkl_gemm.active() and blas_threads() == 1


@needs_mkl
def test_linear_and_conv2d_agree_with_and_without_mkl(monkeypatch: pytest.MonkeyPatch) -> None:
    core.manual_seed(0)
    linear, conv = core.nn.Linear(300, 200), core.nn.Conv2d(3, 16, 5)
    x, img = core.randn(128, 300, requires_grad=True), core.randn(32, 3, 20, 20, requires_grad=True)
    calls: list[tuple] = []

    def counted(fn: object) -> object:
        def call(*args: object) -> None:
            calls.append(args[3:6])  # m, n, k
            fn(*args)  # type: ignore[operator]

        return call

    gemms = {dtype: counted(fn) for dtype, fn in mkl_gemm._state["gemms"].items()}
    monkeypatch.setitem(mkl_gemm._state, "gemms", gemms)
    results = []
    for on in (True, False):
        mkl_gemm.enable(on)
        try:
            for module in (linear, conv):
                module.zero_grad()
            x.grad = img.grad = None
            y = linear(x).square().sum() + conv(img).square().sum()
            y.backward()
            grads = [p.grad.numpy().copy() for m in (linear, conv) for p in m.parameters()]
            grads += [x.grad.numpy().copy(), img.grad.numpy().copy()]
            results.append((y.item(), grads))
        finally:
            mkl_gemm.enable(True)
    (y_mkl, g_mkl), (y_np, g_np) = results
    # (m, n, k) of Linear's forward and two gradients, then Conv2d's (16 x 75 x 8192)
    linear_calls = [(128, 200, 300), (200, 300, 128), (128, 300, 200)]
    assert sorted(calls) == sorted([*linear_calls, (16, 8192, 75), (75, 16, 8192), (75, 8192, 16)])
    assert y_mkl == pytest.approx(y_np, rel=1e-5)
    for got, want in zip(g_mkl, g_np, strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-3)


def test_core_mkl_0_leaves_every_product_to_numpy() -> None:
    code = "from core import mkl_gemm; print(mkl_gemm.active(), mkl_gemm.unavailable_reason())"
    env = {**os.environ, "CORE_MKL": "0", "OMP_NUM_THREADS": "1"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False turned off by CORE_MKL=0"


def test_without_the_package_the_reason_says_how_to_install_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(mkl_gemm, "_library_paths", lambda: [])
    monkeypatch.setattr(mkl_gemm, "_intel_cpu", lambda: True)
    monkeypatch.delenv("CORE_MKL", raising=False)
    monkeypatch.setattr(mkl_gemm, "_numpy_blas", lambda: "scipy-openblas")
    gemms, reason = mkl_gemm._open()
    assert gemms == {}
    assert "mkl package is not installed" in reason and "[mkl]" in reason


@pytest.fixture
def mkl_found(monkeypatch: pytest.MonkeyPatch) -> None:
    """An Intel CPU, NumPy on OpenBLAS and an mkl package that is not there to load."""
    monkeypatch.setattr(mkl_gemm, "_library_paths", lambda: ["/nonexistent/lib/libmkl_rt.so.3"])
    monkeypatch.setattr(mkl_gemm, "_intel_cpu", lambda: True)
    monkeypatch.setattr(mkl_gemm, "_numpy_blas", lambda: "scipy-openblas")
    monkeypatch.delenv("CORE_MKL", raising=False)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="a global symbol scope: Linux")
def test_mkl_stays_off_beside_a_pytorch_not_yet_imported(
    mkl_found: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    import importlib.util
    import types

    real_find_spec = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name, *a: types.SimpleNamespace() if name == "torch" else real_find_spec(name, *a),
    )
    monkeypatch.delitem(sys.modules, "torch", raising=False)
    gemms, reason = mkl_gemm._open()
    assert gemms == {}
    assert reason == mkl_gemm.TORCH_REASON and "import torch first" in reason
    monkeypatch.setitem(sys.modules, "torch", types.ModuleType("torch"))  # imported: its own MKL
    assert "could not be loaded" in mkl_gemm._open()[1]  # so core goes on to load its MKL
    monkeypatch.delitem(sys.modules, "torch")
    monkeypatch.setenv("CORE_MKL", "1")  # the user's word: MKL anyway
    assert "could not be loaded" in mkl_gemm._open()[1]
    monkeypatch.delenv("CORE_MKL")
    monkeypatch.setitem(mkl_gemm._state, "torch_stays_out", True)  # the app's word
    assert "could not be loaded" in mkl_gemm._open()[1]


def test_mkl_declined_for_pytorch_alone_is_decided_again_once_torch_stays_out(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    state = {"gemms": {}, "reason": mkl_gemm.TORCH_REASON, "threads": 1}
    monkeypatch.setattr(mkl_gemm, "_state", state)
    mkl_gemm.torch_stays_out()
    assert state == {"threads": 1, "torch_stays_out": True}  # the next product decides again
    other = {"gemms": {}, "reason": "turned off by CORE_MKL=0", "threads": 1}
    monkeypatch.setattr(mkl_gemm, "_state", other)
    mkl_gemm.torch_stays_out()
    assert other["reason"] == "turned off by CORE_MKL=0" and "gemms" in other


def test_the_missing_package_is_named_before_pytorch(mkl_found: None) -> None:
    """With no mkl package, installing it is the first thing to do, whatever torch does."""
    import unittest.mock

    with unittest.mock.patch.object(mkl_gemm, "_library_paths", lambda: []):
        assert "mkl package is not installed" in mkl_gemm._open()[1]


@needs_mkl
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the layers are loaded on Linux")
def test_mkl_runs_on_its_own_layers_without_the_dispatcher() -> None:
    """core, sequential and the 32-bit interface: the process maps 3 MB less than through
    mkl_rt, and MKL_INTERFACE_LAYER (which crashed the dispatcher) has no say."""
    code = (
        "import numpy as np; from core import mkl_gemm; "
        "a = np.ones((256, 784), np.float32); print(mkl_gemm.matmul(a, a.T)[0, 0]); "
        "print(sorted({l.split('/')[-1].strip() for l in open('/proc/self/maps') if 'libmkl' in l}))"
    )
    env = {**os.environ, "CORE_MKL": "1", "OMP_NUM_THREADS": "1", "MKL_INTERFACE_LAYER": "ILP64"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    value, libraries = out.stdout.splitlines()
    assert float(value) == 784.0
    for layer in ("core", "sequential", "intel_lp64"):
        assert f"libmkl_{layer}" in libraries
    assert "libmkl_rt" not in libraries


@needs_mkl
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="a global symbol scope: Linux")
def test_a_fresh_process_with_pytorch_installed_takes_mkl_once_torch_is_imported() -> None:
    pytest.importorskip("torch")
    code = "import os, sys; {}from core import mkl_gemm; print(mkl_gemm.active())"
    env = {k: v for k, v in os.environ.items() if k != "CORE_MKL"}
    env["OMP_NUM_THREADS"] = "1"
    for first, expected in (("", "False"), ("import torch; ", "True")):
        out = subprocess.run(
            [sys.executable, "-c", code.format(first)], env=env, capture_output=True, text=True
        )
        assert out.returncode == 0, out.stderr
        assert out.stdout.strip() == expected, first


@needs_mkl
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the layers are loaded on Linux")
def test_a_layer_that_will_not_load_is_named_and_the_process_lives_on(tmp_path) -> None:
    """A damaged sequential layer: the reason names it, the layers loaded before it are closed,
    and no product goes to MKL (mkl_rt would load the same file and stop the process)."""
    real = os.path.dirname(mkl_gemm._layer_paths(mkl_gemm._library_paths()[0])[0])
    for name in ("libmkl_rt.so.3", "libmkl_core.so.3", "libmkl_intel_lp64.so.3"):
        (tmp_path / name).symlink_to(os.path.join(real, name))
    (tmp_path / "libmkl_sequential.so.3").write_bytes(b"not a library")
    code = (
        "import numpy as np; from core import mkl_gemm; "
        f"mkl_gemm._library_paths = lambda: [{str(tmp_path / 'libmkl_rt.so.3')!r}]; "
        "a = np.ones((256, 784), np.float32); print(mkl_gemm.matmul(a, a.T)[0, 0]); "
        "print(mkl_gemm.active()); print(mkl_gemm.unavailable_reason())"
    )
    env = {**os.environ, "CORE_MKL": "1", "OMP_NUM_THREADS": "1"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    value, active, reason = out.stdout.splitlines()
    assert (float(value), active) == (784.0, "False")
    assert reason.startswith("libmkl_sequential.so.3 could not be loaded (") and "short" in reason
