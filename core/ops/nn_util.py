"""Applying the fused nn ops: optional inputs (``bias=None``) keep an empty edge, as in PyTorch.

PyTorch's ``ConvolutionBackward0`` always has three ``next_functions`` (input, weight, bias), the
last ``(None, 0)`` when there is no bias; batch and layer norm likewise. ``apply_optional`` records
the node on the inputs that exist and then puts the empty edges back in their places.
"""

from __future__ import annotations

from typing import Any

from core.autograd.function import Node, _record, forward_quiet
from core.autograd.grad_mode import _state as _grad_state
from core.tensor import Tensor


def apply_optional(cls: type[Node], tensors: tuple[Tensor | None, ...], *params: Any) -> tuple:
    """Run ``cls().forward`` on the arrays (None for absent inputs); returns (result, node)."""
    node = cls()
    out = forward_quiet(node, [t._data if t is not None else None for t in tensors], params)
    present = tuple(t for t in tensors if t is not None)
    if _grad_state.enabled and any(t._requires_grad for t in present):
        result = _record(node, present, out, Tensor)
        if len(present) != len(tensors):
            edges, metas = iter(node.next_functions), iter(node._input_meta)
            node.next_functions = tuple(
                next(edges) if t is not None else (None, 0) for t in tensors
            )
            node.needs_input_grad = tuple(e[0] is not None for e in node.next_functions)
            node._input_meta = tuple(next(metas) if t is not None else ((), None) for t in tensors)
        return result, node
    return Tensor._wrap(out), node
