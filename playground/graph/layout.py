"""Layered (Sugiyama-style) layout of a directed graph, in pure Python.

Edges point from the output toward the leaves (as ``grad_fn`` chains do), so the root is drawn at
the top and every edge runs downward. The steps are the classic ones:

1. cycle breaking (a depth-first search reverses back edges; autograd graphs have none),
2. longest-path layering from the sources down,
3. dummy nodes on edges that span more than one layer,
4. crossing reduction by barycenter sweeps (the best ordering seen is kept),
5. coordinates: each layer is placed as close as possible (least squares) to the average of its
   neighbours, subject to the order and a minimum gap, by isotonic regression (pool adjacent
   violators), alternately sweeping down and up.

Everything iterates over lists in input order, so the result is deterministic.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

Point = tuple[float, float]


@dataclass(frozen=True)
class Layout:
    """Where everything goes; y grows downward (Qt's convention), coordinates start at 0."""

    positions: dict[Hashable, Point]  # centre of each node
    sizes: dict[Hashable, Point]  # (width, height) as given
    layers: dict[Hashable, int]  # 0 is the top layer
    routes: list[list[Point]]  # one polyline per input edge, source first
    width: float
    height: float

    def box(self, node: Hashable) -> tuple[float, float, float, float]:
        """(left, top, right, bottom) of ``node``."""
        (x, y), (w, h) = self.positions[node], self.sizes[node]
        return x - w / 2, y - h / 2, x + w / 2, y + h / 2


def layered_layout(
    nodes: Mapping[Hashable, tuple[float, float]],
    edges: Sequence[tuple[Hashable, Hashable]],
    *,
    node_gap: float = 24.0,
    edge_gap: float = 12.0,
    layer_gap: float = 48.0,
    iterations: int = 8,
) -> Layout:
    """Lay out ``nodes`` (id -> (width, height)) joined by directed ``edges`` (source, target).

    Edges whose ends are unknown raise ``KeyError``; self-loops are kept out of the layout and
    routed as a single point.
    """
    ids = list(nodes)
    index = {n: i for i, n in enumerate(ids)}
    n_real = len(ids)
    pairs = [(index[s], index[t]) for s, t in edges]
    uniq: list[tuple[int, int]] = []
    seen: set[tuple[int, int]] = set()
    for s, t in pairs:
        if s != t and (s, t) not in seen:
            seen.add((s, t))
            uniq.append((s, t))
    reversed_edges = _back_edges(n_real, uniq)
    dag = [(t, s) if (s, t) in reversed_edges else (s, t) for s, t in uniq]
    layer = _longest_path_layers(n_real, dag)

    # Graph with dummy nodes: every edge joins adjacent layers.
    widths = [float(nodes[n][0]) for n in ids]
    heights = [float(nodes[n][1]) for n in ids]
    up: list[list[int]] = [[] for _ in range(n_real)]
    down: list[list[int]] = [[] for _ in range(n_real)]
    chains: dict[tuple[int, int], list[int]] = {}
    for s, t in dag:
        chain = [s]
        for lay in range(layer[s] + 1, layer[t]):
            d = len(layer)
            layer.append(lay)
            widths.append(0.0)
            heights.append(0.0)
            up.append([])
            down.append([])
            chain.append(d)
        chain.append(t)
        for a, b in zip(chain, chain[1:]):
            down[a].append(b)
            up[b].append(a)
        chains[(s, t)] = chain
    n_all = len(layer)
    n_layers = max(layer, default=-1) + 1

    layers = _initial_order(n_all, n_layers, layer, down)
    layers = _reduce_crossings(layers, up, down, iterations)
    x = _assign_x(layers, up, down, widths, n_real, node_gap, edge_gap, iterations)

    # y: each layer is a band as tall as its tallest node.
    band_h = [0.0] * n_layers
    for v in range(n_all):
        band_h[layer[v]] = max(band_h[layer[v]], heights[v])
    band_top = [0.0] * n_layers
    for lay in range(1, n_layers):
        band_top[lay] = band_top[lay - 1] + band_h[lay - 1] + layer_gap
    y = [band_top[layer[v]] + band_h[layer[v]] / 2 for v in range(n_all)]

    left = min((x[v] - widths[v] / 2 for v in range(n_all)), default=0.0)
    x = [xv - left for xv in x]
    width = max((x[v] + widths[v] / 2 for v in range(n_all)), default=0.0)
    height = band_top[-1] + band_h[-1] if n_layers else 0.0

    def route(s: int, t: int) -> list[Point]:
        if s == t:
            return [(x[s], y[s])]
        flip = (s, t) in reversed_edges
        chain = chains[(t, s)] if flip else chains[(s, t)]
        pts: list[Point] = [(x[chain[0]], y[chain[0]] + heights[chain[0]] / 2)]
        for d in chain[1:-1]:
            lay = layer[d]
            pts.append((x[d], band_top[lay]))
            pts.append((x[d], band_top[lay] + band_h[lay]))
        pts.append((x[chain[-1]], y[chain[-1]] - heights[chain[-1]] / 2))
        return pts[::-1] if flip else pts

    return Layout(
        positions={n: (x[i], y[i]) for i, n in enumerate(ids)},
        sizes={n: (widths[i], heights[i]) for i, n in enumerate(ids)},
        layers={n: layer[i] for i, n in enumerate(ids)},
        routes=[route(s, t) for s, t in pairs],
        width=width,
        height=height,
    )


def _back_edges(n: int, edges: list[tuple[int, int]]) -> set[tuple[int, int]]:
    """Edges that close a cycle in an iterative depth-first search in input order."""
    out: list[list[int]] = [[] for _ in range(n)]
    for s, t in edges:
        out[s].append(t)
    state = [0] * n  # 0 new, 1 on the stack, 2 done
    back: set[tuple[int, int]] = set()
    for start in range(n):
        if state[start]:
            continue
        state[start] = 1
        stack = [(start, 0)]
        while stack:
            v, i = stack[-1]
            if i < len(out[v]):
                stack[-1] = (v, i + 1)
                w = out[v][i]
                if state[w] == 1:
                    back.add((v, w))
                elif state[w] == 0:
                    state[w] = 1
                    stack.append((w, 0))
            else:
                state[v] = 2
                stack.pop()
    return back


def _longest_path_layers(n: int, edges: list[tuple[int, int]]) -> list[int]:
    """Layer of each node: sources at 0, every other node one below its deepest parent."""
    out: list[list[int]] = [[] for _ in range(n)]
    indeg = [0] * n
    for s, t in edges:
        out[s].append(t)
        indeg[t] += 1
    layer = [0] * n
    sources = [v for v in range(n) if indeg[v] == 0]
    ready = sources[::-1]
    while ready:
        v = ready.pop()
        for w in out[v]:
            layer[w] = max(layer[w], layer[v] + 1)
            indeg[w] -= 1
            if indeg[w] == 0:
                ready.append(w)
    # A second source (another output) sits just above its highest child, not at the top.
    for v in sources:
        if out[v]:
            layer[v] = min(layer[w] for w in out[v]) - 1
    return layer


def _initial_order(
    n: int, n_layers: int, layer: list[int], down: list[list[int]]
) -> list[list[int]]:
    """Order each layer by first visit in a depth-first search from the top: trees come out
    without crossings."""
    layers: list[list[int]] = [[] for _ in range(n_layers)]
    placed = [False] * n
    starts = [v for v in range(n) if layer[v] == 0] + [v for v in range(n) if layer[v] != 0]
    for start in starts:
        if placed[start]:
            continue
        stack = [start]
        while stack:
            v = stack.pop()
            if placed[v]:
                continue
            placed[v] = True
            layers[layer[v]].append(v)
            stack.extend(reversed(down[v]))
    return layers


def _crossings(upper: list[int], pos: list[int], down: list[list[int]]) -> int:
    """Edge crossings between a layer and the one below: inversions among the lower ends of the
    edges taken in upper order."""
    targets: list[int] = []
    for u in upper:
        nb = down[u]
        if len(nb) == 1:
            targets.append(pos[nb[0]])
        else:
            targets.extend(sorted([pos[w] for w in nb]))
    m = len(targets)
    if m < 2:
        return 0
    if m <= 2048:
        t = np.asarray(targets)
        return int(np.count_nonzero(np.triu(t[:, None] > t[None, :], 1)))
    size = max(targets) + 1  # Fenwick tree for big layers
    tree = [0] * (size + 1)
    count = 0
    for seen, p in enumerate(targets):
        i, below = p + 1, 0
        while i > 0:
            below += tree[i]
            i -= i & -i
        count += seen - below
        i = p + 1
        while i <= size:
            tree[i] += 1
            i += i & -i
    return count


def _total_crossings(layers: list[list[int]], pos: list[int], down: list[list[int]]) -> int:
    return sum(_crossings(layers[i], pos, down) for i in range(len(layers) - 1))


def _sort_layer(row: list[int], pos: list[int], adjacent: list[list[int]]) -> None:
    """Sort ``row`` by the barycenter of its neighbours in ``adjacent``; ties keep their order."""
    keys = []
    for v in row:
        nb = adjacent[v]
        if len(nb) == 1:
            keys.append((pos[nb[0]], pos[v]))
        elif nb:
            keys.append((sum([pos[u] for u in nb]) / len(nb), pos[v]))
        else:
            keys.append((pos[v], pos[v]))
    order = sorted(range(len(row)), key=keys.__getitem__)
    row[:] = [row[i] for i in order]
    for i, v in enumerate(row):
        pos[v] = i


def _reduce_crossings(
    layers: list[list[int]], up: list[list[int]], down: list[list[int]], iterations: int
) -> list[list[int]]:
    """Barycenter sweeps, down then up, ``iterations`` sweeps in all; keeps the best order."""
    pos = [0] * len(up)
    for lay in layers:
        for i, v in enumerate(lay):
            pos[v] = i
    best = [list(lay) for lay in layers]
    best_count = _total_crossings(layers, pos, down)
    for _ in range(max(1, iterations // 2)):
        if best_count == 0:
            break
        for lay in range(1, len(layers)):
            _sort_layer(layers[lay], pos, up)
        for lay in range(len(layers) - 2, -1, -1):
            _sort_layer(layers[lay], pos, down)
        count = _total_crossings(layers, pos, down)
        if count >= best_count:
            break
        best_count = count
        best = [list(lay) for lay in layers]
    return best


def _pav(targets: list[float], weights: list[float], offset: list[float]) -> list[float]:
    """Weighted least-squares positions closest to ``targets`` such that
    x[i+1] - x[i] >= offset[i+1] - offset[i] (isotonic regression on x - offset)."""
    sums: list[float] = []  # blocks of the pool-adjacent-violators algorithm
    wsum: list[float] = []
    count: list[int] = []
    for t, w, o in zip(targets, weights, offset):
        s, ws, c = (t - o) * w, w, 1
        while sums and sums[-1] * ws >= s * wsum[-1]:
            s += sums.pop()
            ws += wsum.pop()
            c += count.pop()
        sums.append(s)
        wsum.append(ws)
        count.append(c)
    out: list[float] = []
    for s, ws, c in zip(sums, wsum, count):
        out.extend([s / ws] * c)
    return [yv + o for yv, o in zip(out, offset)]


def _assign_x(
    layers: list[list[int]],
    up: list[list[int]],
    down: list[list[int]],
    widths: list[float],
    n_real: int,
    node_gap: float,
    edge_gap: float,
    iterations: int,
) -> list[float]:
    x = [0.0] * len(widths)
    offsets: list[list[float]] = []  # left-packed position of each node of a layer
    for row in layers:
        off = [0.0]
        for a, b in zip(row, row[1:]):
            gap = node_gap if a < n_real and b < n_real else edge_gap
            off.append(off[-1] + (widths[a] + widths[b]) / 2 + gap)
        offsets.append(off)
        for v, o in zip(row, off):
            x[v] = o - off[-1] / 2
    # Dummy nodes pull harder, so long edges come out straight.
    weight = [1.0 if v < n_real else 2.0 for v in range(len(widths))]
    both = [u + d for u, d in zip(up, down)]

    def place(lay: int, adjacent: list[list[int]]) -> None:
        row = layers[lay]
        targets = []
        for v in row:
            nb = adjacent[v]
            if len(nb) == 1:
                targets.append(x[nb[0]])
            elif nb:
                targets.append(sum([x[u] for u in nb]) / len(nb))
            else:
                targets.append(x[v])
        for v, xv in zip(row, _pav(targets, [weight[v] for v in row], offsets[lay])):
            x[v] = xv

    for _ in range(max(1, iterations // 2)):
        for lay in range(1, len(layers)):
            place(lay, up)
        for lay in range(len(layers) - 2, -1, -1):
            place(lay, down)
    for lay in range(len(layers)):
        place(lay, both)
    return x
