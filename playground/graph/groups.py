"""Module groups of a graph: which nodes were created inside which ``nn.Module`` call.

From ``node.metadata["module"]`` where core records it (``nn.Module.__call__`` tags each node with
the dotted path of the innermost module running), otherwise inferred from parameter names (a node
that consumes ``fc1.*`` parameters belongs to ``fc1``). A group that is not convex (a path leaves
it and comes back: the root module's own ops around its children, a module called twice in a
row) is dropped, since folding it into one box would draw a cycle.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from playground.graph.model import GraphModel

# Module type guessed from the nodes of a group when no class name is known.
_MODULE_OF_NODE = {
    "AddmmBackward0": "Linear",
    "MmBackward0": "Linear",
    "MvBackward0": "Linear",
    "ConvolutionBackward0": "Conv2d",
    "NativeBatchNormBackward0": "BatchNorm",
    "EmbeddingBackward0": "Embedding",
    "NativeLayerNormBackward0": "LayerNorm",
}


def _children(model: GraphModel) -> dict[int, list[int]]:
    out: dict[int, list[int]] = {n.key: [] for n in model.nodes}
    for e in model.edges:
        if e.kind == "grad":
            out[e.src].append(e.dst)
    return out


def _drop_non_convex(model: GraphModel) -> None:
    children = _children(model)
    members: dict[str, set[int]] = {}
    for n in model.nodes:
        if n.group is not None:
            members.setdefault(n.group, set()).add(n.key)
    for gid, mem in members.items():
        stack = [c for m in mem for c in children[m] if c not in mem]
        seen = set(stack)
        convex = True
        while stack and convex:
            for c in children[stack.pop()]:
                if c in mem:
                    convex = False
                    break
                if c not in seen:
                    seen.add(c)
                    stack.append(c)
        if not convex:
            for k in mem:
                model.nodes[k].group = None
            model.groups.pop(gid, None)


def _label(model: GraphModel, gid: str, kind: str | None) -> str:
    """The label ("fc1: Linear") from the class name given, the one core recorded, or a guess."""
    recorded = model.groups.get(gid, gid)
    if ":" in recorded:
        return recorded
    if kind is None:
        kinds = (_MODULE_OF_NODE.get(n.name) for n in model.nodes if n.group == gid)
        kind = next((k for k in kinds if k), None)
    if kind is None or kind == gid:  # a root module is named by its class already
        return gid
    return f"{gid}: {kind}"


def assign_groups(model: GraphModel, modules: Mapping[str, str] | None = None) -> None:
    """Set ``node.group`` and ``model.groups`` (group id -> label)."""
    _collect(model)
    _drop_non_convex(model)
    for gid in list(model.groups):
        model.groups[gid] = _label(model, gid, (modules or {}).get(gid))


def _collect(model: GraphModel) -> None:
    nodes = model.nodes
    recorded = False
    for node in nodes:
        if node.fn is None:
            continue
        fn = node.fn  # core tags a node's module lazily: metadata builds the dict on first read
        tagged = getattr(fn, "_module_tag", None) is not None
        meta = fn.metadata if tagged else getattr(fn, "_metadata", None) or {}
        mod = meta.get("module") if isinstance(meta, dict) else None
        if mod is None:
            continue
        recorded = True
        kind = meta.get("module_type")
        gid, label = _module_label((mod, kind) if isinstance(mod, str) and kind else mod)
        node.group = gid
        model.groups.setdefault(gid, label)
    if not recorded:
        _infer_groups(model)
        return
    for node in nodes:  # parameters join their module: "fc1.weight" -> "fc1"
        if node.kind == "leaf" and "." in node.title:
            prefix = node.title.rsplit(".", 1)[0]
            if prefix in model.groups:
                node.group = prefix


def _module_label(mod: Any) -> tuple[str, str]:
    """(group id, label) from what core recorded: "fc1", "fc1: Linear", ("fc1", "Linear") or a
    module object with a ``_name``."""
    if isinstance(mod, tuple) and len(mod) == 2:
        return str(mod[0]), f"{mod[0]}: {mod[1]}"
    if isinstance(mod, str):
        return mod.split(":")[0].strip(), mod
    name = getattr(mod, "_name", None) or getattr(mod, "name", None) or type(mod).__name__
    return str(name), f"{name}: {type(mod).__name__}"


def _infer_groups(model: GraphModel) -> None:
    """Parameters named ``prefix.param`` form group ``prefix``; a node joins it when it consumes
    such parameters, directly or through single-input nodes (``TBackward0``, a view)."""
    nodes = model.nodes
    children = _children(model)
    param_only: dict[int, str | None] = {}  # node -> group, when it leads to that group's params

    def param_group(key: int) -> str | None:
        if key in param_only:
            return param_only[key]
        param_only[key] = None
        node = nodes[key]
        if node.kind == "leaf":
            g = node.title.rsplit(".", 1)[0] if "." in node.title else None
        elif len(children[key]) == 1:  # a view or transpose of a parameter (TBackward0)
            g = param_group(children[key][0])
        else:
            g = None
        param_only[key] = g
        return g

    for node in nodes:  # children before parents would need recursion depth: go iteratively
        if node.kind in ("op", "leaf"):
            _settle(node.key, children, param_only, param_group)
    for node in nodes:
        if node.kind not in ("op", "leaf"):
            continue
        own = param_only.get(node.key)
        if own is None:
            found = {param_only.get(c) for c in children[node.key]} - {None}
            own = found.pop() if len(found) == 1 else None
        node.group = own
    for node in nodes:
        if node.group is not None:
            model.groups.setdefault(node.group, node.group)


def _settle(key: int, children: dict, memo: dict, compute: Any) -> None:
    """Evaluate ``compute`` bottom-up without deep recursion."""
    stack = [(key, False)]
    while stack:
        k, expanded = stack.pop()
        if k in memo:
            continue
        if expanded:
            compute(k)
            continue
        stack.append((k, True))
        stack.extend((c, False) for c in children[k] if c not in memo)
