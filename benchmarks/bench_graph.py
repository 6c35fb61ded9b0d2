"""Lay out a 1,000-node random DAG shaped like an autograd graph; report the median time.

Run alone with ``python -m benchmarks.bench_graph``. The issue's budget is 0.5 s.
"""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Hashable

from playground.graph.layout import layered_layout

BUDGET_S = 0.5


def random_dag(
    n: int = 1000, seed: int = 0, far: float = 0.05, reach: int = 40
) -> tuple[dict[Hashable, tuple[float, float]], list[tuple[Hashable, Hashable]]]:
    """Node 0 is the output; each node feeds on one to three later nodes, mostly close by (as
    ops feed on recent results) and with probability ``far`` up to ``reach`` nodes back (a skip
    connection, a shared parameter)."""
    rng = random.Random(seed)
    nodes = {f"n{i}": (float(rng.randint(80, 180)), 28.0) for i in range(n)}
    edges: list[tuple[Hashable, Hashable]] = []
    for j in range(1, n):  # every node but the output has a consumer close by
        edges.append((f"n{max(0, j - rng.randint(1, 6))}", f"n{j}"))
    for i in range(n - 1):
        for _ in range(rng.choice((0, 0, 1, 1, 2))):
            step = rng.randint(1, reach) if rng.random() < far else rng.randint(1, 6)
            edges.append((f"n{i}", f"n{min(n - 1, i + step)}"))
    return nodes, edges


def _median_time(nodes: dict, edges: list, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        layered_layout(nodes, edges)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main(repeats: int = 5) -> dict[str, float]:
    nodes, edges = random_dag()
    median = _median_time(nodes, edges, repeats)
    verdict = "ok" if median <= BUDGET_S else "OVER BUDGET"
    print(
        f"graph layout: {len(nodes)} nodes, {len(edges)} edges (autograd-like random DAG): "
        f"median {median * 1000:.1f} ms over {repeats} runs "
        f"(budget {BUDGET_S * 1000:.0f} ms, {verdict})"
    )
    # Stress case: many edges that span hundreds of layers (hence tens of thousands of dummies).
    s_nodes, s_edges = random_dag(far=0.15, reach=1000)
    stress = _median_time(s_nodes, s_edges, max(1, repeats // 2))
    print(f"graph layout, stress (15% edges reaching anywhere): median {stress * 1000:.1f} ms")
    return {"layout_1000_nodes_median_s": median, "layout_1000_nodes_stress_median_s": stress}


if __name__ == "__main__":
    main()
