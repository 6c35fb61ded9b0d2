"""A snapshot of a tensor's ``grad_fn`` graph, as torchviz would draw it; Qt-free.

Nodes are the backward functions reached from ``tensor.grad_fn`` through ``next_functions``
(PyTorch's names: ``AddBackward0``, ``AccumulateGrad``), plus a node for the root output and,
optionally, one per saved tensor. Leaves are named from a ``{id(tensor): name}`` mapping (``x``,
``fc1.weight``). Nodes are grouped by module: from ``node.metadata["module"]`` when core records
it, otherwise inferred from parameter names (a node that consumes ``fc1.*`` parameters belongs to
``fc1``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from playground.graph.groups import assign_groups


@dataclass
class GraphNode:
    key: int  # position in ``GraphModel.nodes``
    kind: str  # "output", "op", "leaf" (an AccumulateGrad) or "saved"
    name: str  # PyTorch's name: "MulBackward0", "AccumulateGrad"; the tensor's name otherwise
    title: str  # first line drawn: the op's name, or the leaf's / output's name
    subtitle: str  # second line drawn: shape (and "AccumulateGrad" for leaves)
    fn: Any = None  # the core Node (None for output and saved tensors)
    tensor: Any = None  # the leaf, output or saved tensor
    shape: tuple[int, ...] | None = None  # shape of the value this node takes the gradient of
    dtype: str | None = None
    input_shapes: tuple[tuple[int, ...], ...] = ()
    group: str | None = None  # module name ("fc1"), if any
    doc: str = ""  # the op's one-line derivative, from core


@dataclass(frozen=True)
class GraphEdge:
    src: int  # from the output toward the leaves
    dst: int
    slot: int  # index in src's next_functions (-1 for output -> grad_fn, saved tensors)
    kind: str = "grad"  # "grad" or "saved"


@dataclass
class GraphModel:
    nodes: list[GraphNode]
    edges: list[GraphEdge]
    root: Any  # the tensor shown
    groups: dict[str, str] = field(default_factory=dict)  # group id -> label "fc1: Linear"
    truncated: bool = False  # more than ``max_nodes`` nodes: the rest is not shown
    by_fn: dict[int, int] = field(default_factory=dict)  # id(core Node) -> node key

    def node_for(self, fn: Any) -> GraphNode | None:
        key = self.by_fn.get(id(fn))
        return None if key is None else self.nodes[key]

    def find(self, text: str) -> list[GraphNode]:
        """Nodes whose title or name contains ``text`` (case-insensitive), exact matches first."""
        t = text.strip().lower()
        if not t:
            return []
        exact = [n for n in self.nodes if t in (n.title.lower(), n.name.lower())]
        rest = [
            n
            for n in self.nodes
            if n not in exact and (t in n.title.lower() or t in n.name.lower())
        ]
        return exact + rest


def short_name(fn: Any) -> str:
    """``AccumulateGrad`` for ``torch::autograd::AccumulateGrad``; op names as they are."""
    return str(fn.name()).split("::")[-1]


def shape_text(shape: tuple[int, ...] | None) -> str:
    if shape is None:
        return "?"
    return "(" + ", ".join(str(s) for s in shape) + ("," if len(shape) == 1 else "") + ")"


def _dtype_text(dt: Any) -> str | None:
    if dt is None:
        return None
    if hasattr(dt, "is_floating_point"):  # a core dtype: repr is "torch.float32"
        return repr(dt)
    try:
        from core.dtypes import from_numpy

        return repr(from_numpy(dt))
    except Exception:  # noqa: BLE001 - any unknown dtype is shown as NumPy names it
        return str(dt)


def _meta(fn: Any) -> tuple[tuple[tuple[int, ...], Any], ...]:
    return tuple(getattr(fn, "_input_meta", ()) or ())


def build_graph(
    tensor: Any,
    names: Mapping[int, str] | None = None,
    *,
    show_saved: bool = False,
    max_nodes: int = 5000,
    output_name: str | None = None,
    modules: Mapping[str, str] | None = None,
) -> GraphModel:
    """Walk ``tensor.grad_fn`` and return the graph to draw. ``modules`` (module path -> class
    name, as ``named_modules`` gives them) names the groups ("fc1: Linear")."""
    names = dict(names or {})
    nodes: list[GraphNode] = []
    edges: list[GraphEdge] = []
    by_fn: dict[int, int] = {}
    out_shape: dict[int, tuple[int, ...]] = {}
    out_dtype: dict[int, Any] = {}

    title = output_name or names.get(id(tensor)) or "output"
    shape = tuple(int(s) for s in tensor.shape)
    nodes.append(
        GraphNode(
            0,
            "output",
            title,
            title,
            shape_text(shape),
            tensor=tensor,
            shape=shape,
            dtype=_dtype_text(tensor.dtype),
        )
    )
    root_fn = tensor.grad_fn
    if root_fn is None and getattr(tensor, "requires_grad", False):
        from core.autograd.function import edge_of  # a leaf: its accumulator is the graph

        root_fn = edge_of(tensor)[0]
    truncated = False

    def add(fn: Any) -> int:
        key = len(nodes)
        by_fn[id(fn)] = key
        nm = short_name(fn)
        meta = _meta(fn)
        node = GraphNode(key, "op", nm, nm, "", fn=fn, doc=(type(fn).__doc__ or "").strip())
        node.input_shapes = tuple(tuple(int(s) for s in m[0]) for m in meta)
        if nm == "AccumulateGrad":
            var = fn.variable
            node.kind, node.tensor = "leaf", var
            node.shape = tuple(int(s) for s in var.shape)
            node.dtype = _dtype_text(var.dtype)
            node.title = names.get(id(var), "leaf")
        nodes.append(node)
        return key

    order: list[int] = []
    if root_fn is not None:
        add(root_fn)
        out_shape[id(root_fn)] = shape
        out_dtype[id(root_fn)] = tensor.dtype
        edges.append(GraphEdge(0, 1, -1))
        stack = [root_fn]
        while stack:
            fn = stack.pop()
            order.append(by_fn[id(fn)])
            meta = _meta(fn)
            fresh = []
            for slot, (nxt, _nr) in enumerate(fn.next_functions):
                if nxt is None:
                    continue
                if slot < len(meta):
                    out_shape.setdefault(id(nxt), tuple(int(s) for s in meta[slot][0]))
                    out_dtype.setdefault(id(nxt), meta[slot][1])
                if id(nxt) not in by_fn:
                    if len(nodes) >= max_nodes:
                        truncated = True
                        continue
                    add(nxt)
                    fresh.append(nxt)
                edges.append(GraphEdge(by_fn[id(fn)], by_fn[id(nxt)], slot))
            stack.extend(reversed(fresh))
    for node in nodes:
        if node.kind == "op":
            node.shape = out_shape.get(id(node.fn))
            node.dtype = _dtype_text(out_dtype.get(id(node.fn)))
        if node.kind in ("op", "leaf"):
            node.subtitle = shape_text(node.shape)
        if node.kind == "leaf":
            node.subtitle = "AccumulateGrad " + shape_text(node.shape)
    if show_saved:
        _add_saved(nodes, edges, order)
    model = GraphModel(nodes, edges, tensor, truncated=truncated, by_fn=by_fn)
    assign_groups(model, modules)
    return model


def _add_saved(nodes: list[GraphNode], edges: list[GraphEdge], order: list[int]) -> None:
    """One node per saved tensor (``self``, ``other``, ``result``), under the op that saved it."""
    for key in order:
        fn = nodes[key].fn
        if nodes[key].kind != "op":
            continue
        cls = type(fn)
        saved = (
            *getattr(cls, "saves", ()),
            *(("result",) if getattr(cls, "saves_result", False) else ()),
        )
        for nm in saved:
            try:
                t = getattr(fn, "_saved_" + nm)
            except (AttributeError, RuntimeError, IndexError):
                continue  # freed by a backward without retain_graph
            shape = tuple(int(s) for s in t.shape)
            k = len(nodes)
            nodes.append(
                GraphNode(
                    k,
                    "saved",
                    nm,
                    nm,
                    shape_text(shape),
                    tensor=t,
                    shape=shape,
                    dtype=_dtype_text(t.dtype),
                )
            )
            edges.append(GraphEdge(key, k, -1, "saved"))
