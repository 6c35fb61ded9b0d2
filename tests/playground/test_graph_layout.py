"""The layered layout is a pure function: tested without Qt."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from playground.graph.collapse import Group, collapse
from playground.graph.layout import layered_layout

GAP = 24.0


def boxes_overlap(a: tuple, b: tuple) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def check_layout(nodes: dict, edges: list, **kw: float) -> object:
    lay = layered_layout(nodes, edges, **kw)
    ids = list(nodes)
    for i, a in enumerate(ids):
        assert lay.sizes[a] == pytest.approx(nodes[a])
        box = lay.box(a)
        assert box[0] >= -1e-6 and box[1] >= -1e-6
        assert box[2] <= lay.width + 1e-6 and box[3] <= lay.height + 1e-6
        for b in ids[i + 1 :]:
            assert not boxes_overlap(box, lay.box(b)), (a, b)
    assert len(lay.routes) == len(edges)
    for (s, t), route in zip(edges, lay.routes):
        if s == t:
            continue
        assert lay.layers[s] < lay.layers[t]
        ys = [p[1] for p in route]
        assert ys == sorted(ys), "every edge runs downward"
        assert route[0] == pytest.approx((lay.positions[s][0], lay.box(s)[3]))
        assert route[-1] == pytest.approx((lay.positions[t][0], lay.box(t)[1]))
    return lay


def test_empty_and_single() -> None:
    assert layered_layout({}, []).positions == {}
    lay = check_layout({"a": (100, 30)}, [])
    assert lay.positions["a"] == (50, 15)
    assert (lay.width, lay.height) == (100, 30)


def test_chain_is_one_straight_column() -> None:
    nodes = {f"n{i}": (60 + 10 * i, 30) for i in range(6)}
    edges = [(f"n{i}", f"n{i + 1}") for i in range(5)]
    lay = check_layout(nodes, edges)
    assert [lay.layers[n] for n in nodes] == list(range(6))
    xs = {round(lay.positions[n][0], 6) for n in nodes}
    assert len(xs) == 1
    assert all(len(r) == 2 for r in lay.routes)


def test_diamond() -> None:
    nodes = {n: (80, 30) for n in "abcd"}
    edges = [("a", "b"), ("a", "c"), ("b", "d"), ("c", "d")]
    lay = check_layout(nodes, edges)
    assert [lay.layers[n] for n in "abcd"] == [0, 1, 1, 2]
    # Symmetric: the top and bottom centred over the middle pair, which keeps its gap.
    xb, xc = lay.positions["b"][0], lay.positions["c"][0]
    assert abs(xc - xb) >= 80 + GAP - 1e-6
    assert lay.positions["a"][0] == pytest.approx((xb + xc) / 2)
    assert lay.positions["d"][0] == pytest.approx((xb + xc) / 2)


def test_wide_fan_out_keeps_gaps_and_centres_parent() -> None:
    nodes = {"root": (100, 30)} | {f"c{i}": (70, 30) for i in range(40)}
    edges = [("root", f"c{i}") for i in range(40)]
    lay = check_layout(nodes, edges)
    xs = sorted(lay.positions[f"c{i}"][0] for i in range(40))
    assert all(b - a >= 70 + GAP - 1e-6 for a, b in zip(xs, xs[1:]))
    assert lay.positions["root"][0] == pytest.approx((xs[0] + xs[-1]) / 2)
    # Input order is kept: no reason to shuffle siblings.
    assert [lay.positions[f"c{i}"][0] for i in range(40)] == xs


def test_long_edge_goes_around_nodes() -> None:
    # a -> b -> c -> d and a -> d: the long edge passes layers 1 and 2 beside b and c.
    nodes = {n: (120, 30) for n in "abcd"}
    edges = [("a", "b"), ("b", "c"), ("c", "d"), ("a", "d")]
    lay = check_layout(nodes, edges)
    long_route = lay.routes[3]
    assert len(long_route) == 6  # start, two points per dummy, end
    for n in "bc":
        left, top, right, bottom = lay.box(n)
        for (x0, y0), (x1, y1) in zip(long_route, long_route[1:]):
            if y0 >= top and y1 <= bottom:  # a segment inside that node's band
                assert not (left - 1e-6 <= x0 <= right + 1e-6)
                assert not (left - 1e-6 <= x1 <= right + 1e-6)


def test_tree_has_no_crossings() -> None:
    # A binary tree of depth 5: each layer's x order follows the parents' order.
    nodes = {i: (50, 20) for i in range(1, 64)}
    edges = [(i, c) for i in range(1, 32) for c in (2 * i, 2 * i + 1)]
    lay = check_layout(nodes, edges)
    for depth in range(1, 6):
        row = sorted(range(2**depth, 2 ** (depth + 1)), key=lambda n: lay.positions[n][0])
        assert row == list(range(2**depth, 2 ** (depth + 1)))


def test_duplicate_edges_and_self_loops_are_tolerated() -> None:
    nodes = {"mul": (90, 30), "x": (60, 30)}
    edges = [("mul", "x"), ("mul", "x"), ("x", "x")]
    lay = check_layout(nodes, edges)
    assert lay.routes[0] == lay.routes[1]
    assert len(lay.routes[2]) == 1


def test_cycles_are_broken_not_fatal() -> None:
    nodes = {n: (50, 20) for n in "abc"}
    edges = [("a", "b"), ("b", "c"), ("c", "a")]
    lay = layered_layout(nodes, edges)
    assert sorted(lay.layers.values()) == [0, 1, 2]
    ys = [p[1] for p in lay.routes[2]]
    assert ys == sorted(ys, reverse=True)  # the reversed edge runs back up


def test_second_output_sits_next_to_its_children() -> None:
    nodes = {n: (50, 20) for n in ["a", "b", "c", "d", "e"]}
    edges = [("a", "b"), ("b", "c"), ("c", "d"), ("e", "d")]
    lay = check_layout(nodes, edges)
    assert lay.layers["e"] == lay.layers["c"]


def test_unknown_edge_end_raises() -> None:
    with pytest.raises(KeyError):
        layered_layout({"a": (1, 1)}, [("a", "zzz")])


@settings(max_examples=60, deadline=None)
@given(
    st.integers(1, 30).flatmap(
        lambda n: st.tuples(
            st.just(n),
            st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=3 * n),
            st.lists(st.integers(10, 200), min_size=n, max_size=n),
        )
    )
)
def test_random_dags(case: tuple) -> None:
    n, raw, widths = case
    nodes = {f"v{i}": (float(w), 20.0 + (i % 3) * 10) for i, w in enumerate(widths)}
    edges = [(f"v{min(a, b)}", f"v{max(a, b)}") for a, b in raw if a != b]
    check_layout(nodes, edges)


def _layout_json(seed: int) -> str:
    code = (
        "import json;from benchmarks.bench_graph import random_dag;"
        "from playground.graph.layout import layered_layout;"
        "n,e=random_dag(200, seed=3);l=layered_layout(n,e);"
        "print(json.dumps([sorted(l.positions.items()), l.routes]))"
    )
    env = dict(os.environ, PYTHONHASHSEED=str(seed))
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=root, capture_output=True, text=True, check=True
    )
    return out.stdout


def test_deterministic_across_runs_and_hash_seeds() -> None:
    from benchmarks.bench_graph import random_dag

    nodes, edges = random_dag(300, seed=1)
    a, b = layered_layout(nodes, edges), layered_layout(nodes, edges)
    assert a == b
    assert json.loads(_layout_json(1)) == json.loads(_layout_json(12345))


def test_thousand_nodes_lay_out_without_overlap() -> None:
    # Its speed (<= 0.5 s) is measured by benchmarks/bench_graph.py, not by a timed test.
    from benchmarks.bench_graph import random_dag

    nodes, edges = random_dag(1000)
    layout = layered_layout(nodes, edges)
    assert len(layout.positions) == len(nodes)


# collapse / expand


NODES = ["out", "add", "mm", "t", "w", "b", "relu", "x"]
EDGES = [
    ("out", "add"),
    ("add", "mm"),
    ("add", "b"),
    ("mm", "t"),
    ("mm", "relu"),
    ("t", "w"),
    ("relu", "x"),
    ("relu", "x"),
]
GROUPS = {"add": "fc1", "mm": "fc1", "t": "fc1", "w": "fc1", "b": "fc1", "relu": "act"}


def test_collapse_all_groups() -> None:
    c = collapse(NODES, EDGES, GROUPS)
    fc1, act = Group("fc1"), Group("act")
    assert c.nodes == ["out", fc1, act, "x"]
    assert c.edges == [("out", fc1), (fc1, act), (act, "x")]
    assert c.members == {fc1: ["add", "mm", "t", "w", "b"], act: ["relu"]}
    assert c.visible["w"] == fc1 and c.visible["x"] == "x"
    lay = check_layout({n: (80, 30) for n in c.nodes}, c.edges)
    assert [lay.layers[n] for n in c.nodes] == [0, 1, 2, 3]


def test_collapse_some_and_expand_again() -> None:
    c = collapse(NODES, EDGES, GROUPS, collapsed=["act"])
    assert c.nodes == ["out", "add", "mm", "t", "w", "b", Group("act"), "x"]
    assert ("mm", Group("act")) in c.edges and (Group("act"), "x") in c.edges
    assert c.edges.count((Group("act"), "x")) == 1
    expanded = collapse(NODES, EDGES, GROUPS, collapsed=[])
    assert expanded.nodes == NODES
    assert expanded.edges == [e for i, e in enumerate(EDGES) if e not in EDGES[:i]]
    assert expanded.members == {}


def test_collapse_without_groups_is_identity() -> None:
    c = collapse(NODES, EDGES, {})
    assert c.nodes == NODES and c.visible == {n: n for n in NODES}
