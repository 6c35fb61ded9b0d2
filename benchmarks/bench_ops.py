"""Per-op overhead and a BLAS-bound matmul, core against PyTorch in the same run.

    python -m benchmarks.bench_ops

Core and PyTorch are timed in turns (one repeat of each, alternately), so a noisy neighbour on
the machine slows both alike; the figures are the medians.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Any

from benchmarks._common import table, torch_or_none, without_mkl

CHAIN = 100  # ops per chain: add, mul, tanh, matmul repeated


def chain_case(lib: Any, n: int = CHAIN) -> Callable[[], None]:
    """A chain of ``n`` small ops on 4x4 float32, forward and backward."""
    x = lib.randn(4, 4, requires_grad=True)
    w = lib.randn(4, 4, requires_grad=True)

    def run() -> None:
        h = x
        for _ in range(n // 4):
            h = h + x
            h = h * 0.5
            h = h.tanh()
            h = h @ w
        h.sum().backward()
        x.grad = None
        w.grad = None

    return run


def matmul_case(lib: Any, n: int = 1024) -> Callable[[], None]:
    """An n x n float32 matmul, forward and backward."""
    a = lib.randn(n, n, requires_grad=True)
    b = lib.randn(n, n, requires_grad=True)

    def run() -> None:
        (a @ b).sum().backward()
        a.grad = None
        b.grad = None

    return run


def in_turns(
    cases: dict[str, Callable[[], None]], repeats: int, warmup: int = 2
) -> dict[str, float]:
    """Median seconds of each case, timing one repeat of each in turn."""
    for fn in cases.values():
        for _ in range(warmup):
            fn()
    times: dict[str, list[float]] = {k: [] for k in cases}
    for _ in range(repeats):
        for name, fn in cases.items():
            t0 = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - t0)
    return {k: statistics.median(v) for k, v in times.items()}


def main() -> dict[str, float]:
    import core
    from core import mkl_gemm

    torch = torch_or_none()
    libs = {"core": core, **({"torch": torch} if torch is not None else {})}
    chain = in_turns({k: chain_case(m) for k, m in libs.items()}, repeats=41)
    matmul_cases = {k: matmul_case(m) for k, m in libs.items()}
    if mkl_gemm.active():  # core's products on MKL (the mkl extra): NumPy's BLAS beside it
        matmul_cases["numpy-blas"] = without_mkl(matmul_case(core))
    matmul = in_turns(matmul_cases, repeats=9)
    results = {f"chain_{k}_us": v / CHAIN * 1e6 for k, v in chain.items()}
    results.update({f"matmul_{k}_ms": v * 1e3 for k, v in matmul.items()})
    nan = float("nan")
    rows = [
        (
            "100-op chain, 4x4 f32, fwd+bwd",
            f"{results['chain_core_us']:.2f} us/op",
            f"{results.get('chain_torch_us', nan):.2f} us/op",
        ),
        (
            "1024x1024 matmul fwd+bwd",
            f"{results['matmul_core_ms']:.1f} ms",
            f"{results.get('matmul_torch_ms', nan):.1f} ms",
        ),
    ]
    print(table(rows, ("benchmark", "core", "torch")))
    if torch is not None:
        print(
            f"ratio chain {results['chain_core_us'] / results['chain_torch_us']:.2f}x "
            f"(target <= 1.5x), matmul {results['matmul_core_ms'] / results['matmul_torch_ms']:.2f}x "
            "(target <= 1.05x)"
        )
    if "matmul_numpy-blas_ms" in results:
        mm = results["matmul_numpy-blas_ms"]
        vs = f" ({mm / results['matmul_torch_ms']:.2f}x torch)" if torch is not None else ""
        print(f"core's matmul without MKL (NumPy's BLAS alone): {mm:.1f} ms{vs}")
    return results


if __name__ == "__main__":
    main()
