"""The backward stepper, Qt-free: drives ``core.autograd.backward_steps`` one node at a time.

Stepping and running share the engine's iterator, so they cannot disagree with ``backward()``.
The pass runs with ``retain_graph=True``; the leaves' ``.grad`` are cloned when a pass starts and
``reset`` puts them back, so the same pass can be stepped again.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from playground.graph.model import GraphModel


@dataclass(frozen=True)
class GradInfo:
    """What the view shows about one gradient: shape, norm and whether it holds NaN/Inf."""

    shape: tuple[int, ...]
    norm: float
    nonfinite: bool

    @property
    def text(self) -> str:
        from playground.graph.model import shape_text

        return f"{shape_text(self.shape)} ‖{self.norm:.3g}‖"


def grad_info(g: Any) -> GradInfo | None:
    """Shape and norm of a gradient (a core Tensor); None for no gradient."""
    if g is None:
        return None
    a = _to_numpy(g)
    if a.dtype not in (np.float32, np.float64):  # float16, integers: BLAS wants 32/64 bits
        a = a.astype(np.float64)
    finite = bool(np.isfinite(a).all())
    if finite:
        norm = float(np.linalg.norm(a.ravel()))  # BLAS nrm2: scaled, no overflow, no copy
    else:
        norm = math.nan if np.isnan(a).any() else math.inf
    return GradInfo(tuple(int(s) for s in a.shape), norm, not finite)


def _to_numpy(t: Any) -> np.ndarray:
    from core.inspect import to_array

    a = to_array(t)
    return np.zeros(()) if a is None else a


@dataclass
class Step:
    """One executed node, with the view's summaries."""

    index: int  # 0 for the first step of the pass
    key: int | None  # the node's key in the GraphModel (None if not drawn)
    record: Any  # core's StepRecord
    grads_in: list[GradInfo | None]  # arriving (one per output of the node)
    grads_out: list[GradInfo | None]  # leaving, aligned with next_functions
    reason: str = ""  # why a run stopped here ("breakpoint", "NaN/Inf", "norm 1.2e+04 > 1e+03")


@dataclass
class Breakpoints:
    nodes: set[int] = field(default_factory=set)  # node keys: stop after they run
    nonfinite: bool = False  # stop when a NaN or Inf gradient appears
    norm_above: float | None = None  # stop when a gradient norm exceeds this


class Stepper:
    """Steps the backward pass of ``model.root``; ``step`` returns a ``Step``, None at the end."""

    def __init__(self, model: GraphModel, grad_tensor: Any = None) -> None:
        self.model = model
        self.grad_tensor = grad_tensor
        self.breakpoints = Breakpoints()
        self.steps: list[Step] = []
        self.error: str | None = None
        self._it: Iterator[Any] | None = None
        self._done = False
        self._saved: list[tuple[Any, Any]] | None = None  # (leaf, clone of its .grad)
        self._pending: Any = None

    # --- state ----------------------------------------------------------------------------
    @property
    def started(self) -> bool:
        return self._it is not None or self._done

    @property
    def finished(self) -> bool:
        return self._done

    @property
    def current(self) -> Step | None:
        return self.steps[-1] if self.steps else None

    def executed(self) -> set[int]:
        return {s.key for s in self.steps if s.key is not None}

    def leaves(self) -> list[Any]:
        return [n.tensor for n in self.model.nodes if n.kind == "leaf"]

    # --- driving --------------------------------------------------------------------------
    def _start(self) -> None:
        try:
            from core.autograd import backward_steps
        except ImportError:  # core.autograd's namespace not assembled yet
            from core.autograd.engine import backward_steps

        self._saved = []
        for leaf in self.leaves():
            g = leaf.grad
            self._saved.append((leaf, None if g is None else g.detach().clone()))
        self._it = backward_steps(self.model.root, self.grad_tensor, retain_graph=True)

    def step(self) -> Step | None:
        """Execute one node; None when the pass is complete. Errors of the engine (a saved tensor
        modified in place, a second backward) propagate, and are kept in ``error``."""
        if self._done or self.error is not None:
            return None
        if self._it is None:
            try:
                self._start()
            except Exception as exc:
                self.error = f"{type(exc).__name__}: {exc}"
                raise
        assert self._it is not None
        try:
            record = self._pending if self._pending is not None else next(self._it)
            self._pending = None
        except StopIteration:
            self._done = True
            self._it = None
            return None
        except Exception as exc:
            self.error = f"{type(exc).__name__}: {exc}"
            self._it = None
            raise
        node = self.model.node_for(record.node)
        step = Step(
            index=len(self.steps),
            key=None if node is None else node.key,
            record=record,
            grads_in=[grad_info(g) for g in record.grad_outputs],
            grads_out=[grad_info(g) for g in record.grad_inputs],
        )
        self.steps.append(step)
        self._notice_end()
        return step

    def _notice_end(self) -> None:
        """Once every node of the graph has run, the pass is over: finish it now rather than on
        the next click (a node that gets no gradient never runs: then the next step finds out)."""
        runnable = sum(1 for n in self.model.nodes if n.kind in ("op", "leaf"))
        if self.model.truncated or len(self.executed()) < runnable or self._it is None:
            return
        try:
            self._pending = next(self._it)  # not expected: kept for the next step
        except StopIteration:
            self._done, self._it = True, None

    def _stop_reason(self, step: Step) -> str:
        bp = self.breakpoints
        if step.key is not None and step.key in bp.nodes:
            return "breakpoint"
        infos = [g for g in step.grads_in + step.grads_out if g is not None]
        if bp.nonfinite and any(g.nonfinite for g in infos):
            return "NaN/Inf gradient"
        if bp.norm_above is not None:
            big = [g.norm for g in infos if not g.nonfinite and g.norm > bp.norm_above]
            if big:
                return f"gradient norm {max(big):.3g} > {bp.norm_above:.3g}"
        return ""

    def run(self, until: int | None = None, use_breakpoints: bool = True) -> Step | None:
        """Step until the end, until node ``until`` has run, or until a breakpoint; returns the
        last step taken (None if none was)."""
        last = None
        while True:
            step = self.step()
            if step is None:
                return last
            last = step
            if until is not None and step.key == until:
                step.reason = "reached"
                return step
            if use_breakpoints:
                reason = self._stop_reason(step)
                if reason:
                    step.reason = reason
                    return step

    def reset(self) -> None:
        """Abandon the pass and give the leaves back the ``.grad`` they had before it."""
        if self._it is not None:
            close = getattr(self._it, "close", None)
            if close is not None:
                close()
        if self._saved is not None:
            for leaf, g in self._saved:
                leaf.grad = None if g is None else g.clone()
        self._it, self._done, self._saved, self._pending = None, False, None, None
        self.steps.clear()
        self.error = None

    # --- what the view draws --------------------------------------------------------------
    def edge_grads(self) -> dict[tuple[int, int], GradInfo]:
        """(src key, slot) -> the gradient that went along that edge, for the steps taken."""
        out: dict[tuple[int, int], GradInfo] = {}
        for s in self.steps:
            if s.key is None:
                continue
            if s.index == 0 and s.grads_in and s.grads_in[0] is not None:
                out[(0, -1)] = s.grads_in[0]  # the seed gradient, from the output
            for slot, g in enumerate(s.grads_out):
                if g is not None:
                    out[(s.key, slot)] = g
        return out

    def node_norms(self) -> dict[int, GradInfo]:
        """Key -> the gradient a node received (for leaves: the arriving one), for colouring."""
        out: dict[int, GradInfo] = {}
        for s in self.steps:
            if s.key is not None and s.grads_in and s.grads_in[0] is not None:
                out[s.key] = s.grads_in[0]
        return out
