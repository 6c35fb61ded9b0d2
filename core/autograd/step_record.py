"""What the backward stepper shows of one executed node (``backward_steps`` yields these)."""

from __future__ import annotations

from typing import Any

from core.autograd.function import Node


class StepRecord:
    """One executed node: what it received and produced (PyTorch's hook naming).

    ``grad_outputs`` are the gradients the node received, ``grad_inputs`` those it produced
    (aligned with ``next_functions``); both are Tensors (or None), wrapped on first access.
    For ``AccumulateGrad``, ``variable`` is the leaf (its ``.grad`` already updated) and
    ``grad_before`` a copy of its ``.grad`` before this step (None if it had none).
    """

    __slots__ = ("node", "_received", "_produced", "variable", "_before")

    def __init__(
        self,
        node: Node,
        received: Any,
        produced: Any,
        variable: Any = None,
        grad_before: Any = None,
    ) -> None:
        self.node, self._received, self._produced = node, received, produced
        self.variable, self._before = variable, grad_before

    @property
    def grad_before(self) -> Any:
        return _wrap(self._before)

    @property
    def grad_outputs(self) -> tuple[Any, ...]:
        return tuple(_wrap(g) for g in self._received)

    @property
    def grad_inputs(self) -> tuple[Any, ...]:
        return tuple(_wrap(g) for g in self._produced)

    def __repr__(self) -> str:
        return f"StepRecord(node={self.node.name()}, variable={'yes' if self.variable is not None else 'no'})"


def _wrap(a: Any) -> Any:
    if a is None:
        return None
    from core.tensor import Tensor

    return Tensor._wrap(a)
