"""What the graph view shows for a stepper's state: node looks, hot edges, status text."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Any

from playground.graph.health import health_colour, verdict
from playground.graph.model import GraphModel, GraphNode
from playground.graph.stepper import Step, Stepper
from playground.widgets.graph_items import NodeLook


def node_looks(
    model: GraphModel,
    stepper: Stepper,
    vid_of: Callable[[int], Hashable | None],
    selected: int | None,
    health_on: bool,
) -> dict[Hashable, NodeLook]:
    """One look per drawn node (a collapsed group takes the union of its members)."""
    cur = stepper.current
    executed = stepper.executed()
    norms = stepper.node_norms()
    looks: dict[Hashable, NodeLook] = {}
    for n in model.nodes:
        vid = vid_of(n.key)
        if vid is None:
            continue
        look = looks.setdefault(vid, NodeLook())
        look.executed |= n.key in executed or (n.kind == "output" and bool(executed))
        look.current |= cur is not None and cur.key == n.key
        look.selected |= selected == n.key
        look.breakpoint |= n.key in stepper.breakpoints.nodes
        g = norms.get(n.key)
        if g is not None:
            look.tip += f"\ngradient received: {g.text} ({verdict(g.norm)})"
            if health_on and look.health is None:
                look.health = health_colour(g.norm)
    return looks


def hot_edges(model: GraphModel, stepper: Stepper) -> set[tuple[int, int]]:
    """(src key, slot) of the edges into and out of the node that just ran."""
    cur = stepper.current
    if cur is None or cur.key is None:
        return set()
    hot = {(cur.key, slot) for slot in range(len(cur.grads_out))}
    hot |= {(e.src, e.slot) for e in model.edges if e.dst == cur.key}
    return hot


def status_text(model: GraphModel, stepper: Stepper) -> str:
    total = sum(1 for n in model.nodes if n.kind in ("op", "leaf"))
    cur = stepper.current
    if stepper.error:
        text = f"Backward failed at step {len(stepper.steps) + 1}: {stepper.error}"
    elif stepper.finished:
        text = f"Backward complete: {len(stepper.steps)} steps."
    elif cur is not None:
        name = model.nodes[cur.key].name if cur.key is not None else type(cur.record.node).__name__
        text = f"Step {len(stepper.steps)} of ~{total}: {name}"
        if cur.reason:
            text += f" (stopped: {cur.reason})"
    else:
        text = f"Ready: {total} nodes. Step (F10) runs one node."
    if model.truncated:
        text += " Graph truncated: too many nodes to draw."
    return text


def failure_html(error: str) -> str:
    import html

    hint = ""
    if "second time" in error:
        hint = (
            "<p>The graph's saved tensors were freed by an earlier <code>backward()</code>. "
            "Show the graph before calling <code>backward()</code>, or call it with "
            "<code>retain_graph=True</code>, then step again.</p>"
        )
    elif "inplace" in error:
        hint = (
            "<p>A tensor this node saved for backward was changed in place after the forward "
            "pass, so its gradient would be wrong. Use the out-of-place op (<code>x = x + 1</code> "
            "instead of <code>x += 1</code>) or clone the tensor first.</p>"
        )
    return f"<p style='color:#b71c1c'><b>Backward failed</b><br>{html.escape(error)}</p>{hint}"


@dataclass
class NodeSelection:
    """What ``nodeSelected`` carries: the node and its tensors."""

    node: GraphNode
    tensor: Any = None  # the leaf / output / saved tensor, if the node is one
    grad: Any = None  # the leaf's (or output's) current .grad
    grads_in: tuple[Any, ...] = ()  # gradients the node received in this pass (core Tensors)
    grads_out: tuple[Any, ...] = ()  # gradients it sent on, aligned with next_functions
    step: Step | None = None
    extra: dict = field(default_factory=dict)


def seed_for(tensor: Any) -> Any:
    """A gradient of ones for a non-scalar floating output (None for a scalar: the default)."""
    if tensor.numel() == 1 or not tensor.dtype.is_floating_point or not tensor.requires_grad:
        return None
    import core

    return core.ones_like(tensor)
