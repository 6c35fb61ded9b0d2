"""Per-op overhead and a BLAS-bound matmul, core against PyTorch in the same run.

python -m benchmarks.bench_ops
"""

from __future__ import annotations

from typing import Any

from benchmarks._common import median_time, table, torch_or_none

CHAIN = 100  # ops per chain: add, mul, tanh, matmul repeated


def chain(lib: Any, n: int = CHAIN) -> float:
    """Seconds per op for a chain of ``n`` small ops on 4x4 float32, forward and backward."""
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

    return median_time(run, repeats=15, warmup=3) / n


def big_matmul(lib: Any, n: int = 1024) -> float:
    """Seconds for an n x n float32 matmul forward and backward."""
    a = lib.randn(n, n, requires_grad=True)
    b = lib.randn(n, n, requires_grad=True)

    def run() -> None:
        (a @ b).sum().backward()
        a.grad = None
        b.grad = None

    return median_time(run, repeats=5, warmup=1)


def main() -> dict[str, float]:
    import core

    torch = torch_or_none()
    results = {"chain_core_us": chain(core) * 1e6, "matmul_core_ms": big_matmul(core) * 1e3}
    if torch is not None:
        results["chain_torch_us"] = chain(torch) * 1e6
        results["matmul_torch_ms"] = big_matmul(torch) * 1e3
    rows = [
        (
            "100-op chain, 4x4 f32, fwd+bwd",
            f"{results['chain_core_us']:.2f} us/op",
            f"{results.get('chain_torch_us', float('nan')):.2f} us/op",
        )
    ]
    rows.append(
        (
            "1024x1024 matmul fwd+bwd",
            f"{results['matmul_core_ms']:.1f} ms",
            f"{results.get('matmul_torch_ms', float('nan')):.1f} ms",
        )
    )
    print(table(rows, ("benchmark", "core", "torch")))
    if torch is not None:
        print(
            f"ratio chain {results['chain_core_us'] / results['chain_torch_us']:.2f}x, "
            f"matmul {results['matmul_core_ms'] / results['matmul_torch_ms']:.2f}x"
        )
    return results


if __name__ == "__main__":
    main()
