"""Graph viewer speed: laying out a 1,000-node random DAG shaped like an autograd graph (budget
0.5 s), and one backward Step in the Graph panel, drawing included (budget 50 ms).

Run alone with ``python -m benchmarks.bench_graph``.
"""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Hashable

from playground.graph.layout import layered_layout

BUDGET_S = 0.5
STEP_BUDGET_S = 0.05


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


def mlp_loss(layers: int = 40, width: int = 16) -> tuple:
    """A deep MLP's loss (about 5 backward nodes per layer) and its parameter names."""
    import core

    core.manual_seed(0)
    h = core.randn(32, width)
    names = {}
    for i in range(layers):
        w = core.randn(width, width, requires_grad=True) * 0.3
        w.retain_grad()
        b = core.zeros(width, requires_grad=True)
        names[id(b)] = f"fc{i}.bias"
        h = core.addmm(b, h, w.t()).tanh()
    return (h**2).mean(), names


def step_time(layers: int = 40, repeats: int = 1) -> tuple[int, float]:
    """(nodes, median seconds) of one Step in the Graph panel, drawing included (offscreen)."""
    import os

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from playground.widgets.graph_panel import GraphPanel

    app = QApplication.instance() or QApplication([])
    loss, names = mlp_loss(layers)
    panel = GraphPanel()
    panel.resize(1200, 800)
    panel.show_tensor(loss, names)
    times = []
    for _ in range(repeats):
        panel.reset()
        while True:
            t0 = time.perf_counter()
            rec = panel.step()
            app.processEvents()
            if rec is None:
                break
            times.append(time.perf_counter() - t0)
    n = len(panel.model.nodes)
    panel.deleteLater()
    return n, statistics.median(times)


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
    results = {"layout_1000_nodes_median_s": median, "layout_1000_nodes_stress_median_s": stress}
    try:
        n, step = step_time()
    except ImportError as exc:  # core or Qt missing: the layout figures still stand
        print(f"graph step: skipped ({exc})")
        return results
    verdict = "ok" if step <= STEP_BUDGET_S else "OVER BUDGET"
    print(
        f"graph step (panel, drawing included): {n} nodes, median {step * 1000:.1f} ms "
        f"(budget {STEP_BUDGET_S * 1000:.0f} ms, {verdict})"
    )
    results["step_median_s"] = step
    return results


if __name__ == "__main__":
    main()
