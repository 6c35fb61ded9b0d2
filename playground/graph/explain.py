"""The "This step" text: what a backward node computes, with the actual shapes, as HTML.

Each rule is written for a learner: the forward op, then the gradient each input gets from the
arriving gradient ``g``. Ops without an entry here fall back to core's one-line docstring.
"""

from __future__ import annotations

import html
from typing import Any

from playground.graph.model import GraphModel, GraphNode, shape_text
from playground.graph.stepper import GradInfo, Step

# name -> (forward, rule); ``g`` is the gradient arriving at the node's output.
RULES: dict[str, tuple[str, str]] = {
    "AddBackward0": ("out = a + α·b", "grad a = g,  grad b = α·g"),
    "SubBackward0": ("out = a − α·b", "grad a = g,  grad b = −α·g"),
    "RsubBackward1": ("out = s − α·a", "grad a = −α·g"),
    "MulBackward0": ("out = a · b", "grad a = g · b,  grad b = g · a"),
    "DivBackward0": ("out = a / b", "grad a = g / b,  grad b = −g · a / b²"),
    "PowBackward0": ("out = aᵖ", "grad a = g · p · aᵖ⁻¹"),
    "NegBackward0": ("out = −a", "grad a = −g"),
    "ExpBackward0": ("out = eᵃ", "grad a = g · out"),
    "LogBackward0": ("out = ln a", "grad a = g / a"),
    "SqrtBackward0": ("out = √a", "grad a = g / (2·out)"),
    "TanhBackward0": ("out = tanh a", "grad a = g · (1 − out²)"),
    "SigmoidBackward0": ("out = σ(a)", "grad a = g · out · (1 − out)"),
    "ReluBackward0": ("out = max(a, 0)", "grad a = g where out > 0, else 0"),
    "SumBackward0": ("out = Σ a (all elements)", "grad a = g copied to every element"),
    "SumBackward1": ("out = Σ a over dims", "grad a = g broadcast back over the summed dims"),
    "MeanBackward0": ("out = mean(a) = Σ a / n", "grad a = g / n in every element"),
    "MeanBackward1": ("out = mean(a) over dims", "grad a = g / n broadcast over those dims"),
    "MmBackward0": ("out = A @ B", "grad A = g @ Bᵀ,  grad B = Aᵀ @ g"),
    "AddmmBackward0": (
        "out = β·C + α·(A @ B)  (nn.Linear: bias + input @ weightᵀ)",
        "grad C = β·g,  grad A = α·g @ Bᵀ,  grad B = α·Aᵀ @ g",
    ),
    "TBackward0": ("out = Aᵀ", "grad A = gᵀ"),
    "ViewBackward0": ("out = a.view(shape)", "grad a = g reshaped back to a's shape"),
    "ReshapeAliasBackward0": ("out = a.reshape(shape)", "grad a = g reshaped back"),
    "UnsafeViewBackward0": ("out = a.reshape(shape)", "grad a = g reshaped back"),
    "ExpandBackward0": ("out = a.expand(shape)", "grad a = g summed over the expanded dims"),
    "MseLossBackward0": ("out = mean((a − b)²)", "grad a = g · 2(a − b) / n,  grad b = −grad a"),
    "NllLossBackward0": (
        "out = −mean(a[i, target_i])",
        "grad a = −g / n at each row's target, 0 elsewhere",
    ),
    "LogSoftmaxBackward0": (
        "out = a − logsumexp(a)",
        "grad a = g − softmax(a) · Σ g  (along the dim)",
    ),
    "SoftmaxBackward0": ("out = softmax(a)", "grad a = out · (g − Σ g·out)  (along the dim)"),
    "AccumulateGrad": ("leaf", "leaf.grad += g  (summed down to the leaf's shape if needed)"),
}


def _e(text: str) -> str:
    return html.escape(text, quote=False)


def broadcast_dims(out_shape: tuple[int, ...], in_shape: tuple[int, ...]) -> tuple[int, ...] | None:
    """Dims of ``out_shape`` summed to undo broadcasting ``in_shape`` up to it; None when the
    input does not broadcast to the output (then the op changed the shape itself)."""
    if tuple(out_shape) == tuple(in_shape) or len(in_shape) > len(out_shape):
        return None
    lead = len(out_shape) - len(in_shape)
    dims = list(range(lead))
    for i, n in enumerate(in_shape):
        o = out_shape[lead + i]
        if n == o:
            continue
        if n != 1:
            return None
        dims.append(lead + i)
    return tuple(dims) if dims else None


def _grad(g: GradInfo | None) -> str:
    return "none" if g is None else _e(g.text)


def _input_label(model: GraphModel, node: GraphNode, slot: int) -> str:
    for e in model.edges:
        if e.src == node.key and e.slot == slot and e.kind == "grad":
            dst = model.nodes[e.dst]
            return _e(dst.title if dst.kind == "leaf" else dst.name)
    return "no grad needed"


def explain(model: GraphModel, node: GraphNode, step: Step | None = None) -> str:
    """HTML for the "This step" pane; ``step`` is the node's executed step, if it has run."""
    parts = [f"<h3 style='margin:0'>{_e(node.name)}</h3>"]
    if node.kind == "output":
        parts.append(
            f"<p>The output {_e(node.title)} {shape_text(node.shape)}. Backward starts here "
            "with g = 1 (for a scalar) or the grad_tensors given.</p>"
        )
        return "".join(parts)
    if node.kind == "saved":
        parts.append(f"<p>A tensor saved for backward, of shape {shape_text(node.shape)}.</p>")
        return "".join(parts)
    forward, rule = RULES.get(node.name, ("", node.doc or "(no rule recorded for this node)"))
    if node.kind == "leaf":
        parts.append(f"<p>Leaf <b>{_e(node.title)}</b> {shape_text(node.shape)}: ")
        parts.append(f"<code>{_e(rule)}</code></p>")
    else:
        if forward:
            parts.append(f"<p>Forward: <code>{_e(forward)}</code><br>")
        else:
            parts.append("<p>")
        parts.append(f"Local rule: <code>{_e(rule)}</code>")
        if node.doc and node.name in RULES:
            parts.append(f"<br><span style='color:#666'>core: {_e(node.doc)}</span>")
        parts.append("</p>")
        if node.input_shapes:
            ins = ", ".join(
                f"{i}: {shape_text(s)} ({_input_label(model, node, i)})"
                for i, s in enumerate(node.input_shapes)
            )
            parts.append(f"<p>Inputs {ins} &rarr; output {shape_text(node.shape)}</p>")
    if step is None:
        parts.append("<p><i>Not executed yet in this pass.</i></p>")
        return "".join(parts)
    parts.append(f"<p>Step {step.index + 1}: received g = {', '.join(map(_grad, step.grads_in))}")
    if node.kind == "leaf":
        rec = step.record
        had = getattr(rec, "grad_before", None)  # a copy of .grad before this step
        before = "None" if had is None else _tensor_text(had)
        after = _tensor_text(getattr(rec.variable, "grad", None))
        parts.append(f"<br>{_e(node.title)}.grad before: {before}<br>after: {after}")
        if had is not None:
            parts.append(
                "<br>The existing .grad was <b>accumulated into</b> (added to), not replaced."
            )
        if step.grads_in and step.grads_in[0] is not None and node.shape is not None:
            dims = broadcast_dims(step.grads_in[0].shape, node.shape)
            if dims is not None:
                parts.append(f"<br>Broadcasting undone: summed over dims {dims}.")
        parts.append("</p>")
        return "".join(parts)
    parts.append("</p><ul style='margin-top:0'>")
    out_shape = step.grads_in[0].shape if step.grads_in and step.grads_in[0] else node.shape
    for slot, g in enumerate(step.grads_out):
        line = f"<li>to input {slot} ({_input_label(model, node, slot)}): {_grad(g)}"
        if g is not None and out_shape is not None and slot < len(node.input_shapes):
            dims = broadcast_dims(tuple(out_shape), node.input_shapes[slot])
            if dims is not None:
                line += (
                    f"<br><b>broadcasting undone</b>: the input had shape "
                    f"{shape_text(node.input_shapes[slot])} and was broadcast to "
                    f"{shape_text(tuple(out_shape))}, so its gradient was summed over dims "
                    f"{', '.join(map(str, dims))}"
                )
        parts.append(line + "</li>")
    parts.append("</ul>")
    return "".join(parts)


def _tensor_text(t: Any) -> str:
    if t is None:
        return "None"
    from core.inspect import to_array

    a = to_array(t)
    if a is None:
        return "None"
    if a.size <= 6:
        vals = ", ".join(f"{v:.4g}" for v in a.ravel().tolist())
        return f"{shape_text(tuple(a.shape))} [{_e(vals)}]"
    import numpy as np

    return f"{shape_text(tuple(a.shape))} ‖{float(np.linalg.norm(a.astype(float).ravel())):.4g}‖"
