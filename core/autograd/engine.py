"""The backward engine as an iterator of steps.

``backward_steps`` executes the graph one node at a time, in PyTorch's order (a node runs once all
the gradients it waits for have arrived; among ready nodes, the most recently created runs first,
and leaf accumulators run as soon as they are ready). ``autograd.grad`` drains the same iterator;
``Tensor.backward`` and ``autograd.backward`` run ``_drain``, the same loop without the yield, on
the very same pieces (``_start``, ``_execute``, ``_deliver``, ``_accumulate_leaf``), so stepping
and running cannot disagree (a test compares their order on every graph kind).

Abandoning a stepped pass halfway (closing or dropping the iterator) leaves every leaf's ``.grad``
as accumulated by the steps already taken, and frees the saved tensors of the nodes already
executed unless ``retain_graph`` was true; nodes not yet reached keep theirs. The app's stepper
passes ``retain_graph=True`` and restores the leaves' gradients on Reset.
"""

from __future__ import annotations

import warnings
from collections import deque
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np

from core.autograd import anomaly
from core.autograd import function as _function
from core.autograd.broadcast import _sum_to
from core.autograd.checks import (
    _check_nan,
    _check_versions,
)
from core.autograd.function import (
    SECOND_BACKWARD_MESSAGE,
    AccumulateGrad,
    Node,
    edge_of,
)
from core.autograd.grad_mode import _state as _grad_state
from core.autograd.leaf import (
    _accumulate_leaf,
)
from core.autograd.ready_queue import (
    _pop,
    _push,
)
from core.autograd.step_record import StepRecord, _wrap
from core.fp_quiet import ignore_all, restore


def _collect_dependencies(roots: list[Node]) -> dict[Node, int]:
    deps: dict[Node, int] = {}
    seen = set(roots)
    stack = list(roots)
    while stack:
        node = stack.pop()
        for nxt, _ in node.next_functions:
            if nxt is None:
                continue
            deps[nxt] = deps.get(nxt, 0) + 1
            if nxt not in seen:
                seen.add(nxt)
                stack.append(nxt)
    return deps


def _as_seq(grad_tensors: Any) -> Any:
    return (grad_tensors,) if isinstance(grad_tensors, _function._Tensor) else grad_tensors


def _scalar_root(t: Any) -> tuple | None:
    """``loss.backward()``: the root edge and its gradient of one, or None for the checks."""
    d, fn = t._data, t.grad_fn
    if fn is None or type(d) is not np.ndarray or d.size != 1 or d.dtype.kind != "f":
        return None
    one = np.array(1, dtype=d.dtype)  # np.ones is a Python-level call, this one is not
    return (fn, t._output_nr, one.reshape(d.shape) if d.ndim else one)


def _make_roots(tensors: Sequence[Any], grad_tensors: Sequence[Any] | None) -> list[tuple]:
    from core.tensor import Tensor

    if grad_tensors is None:
        grad_tensors = [None] * len(tensors)
    if len(grad_tensors) != len(tensors):
        raise RuntimeError(
            f"got {len(grad_tensors)} gradients for {len(tensors)} tensors: pass one per tensor"
        )
    roots = []
    for t, g in zip(tensors, grad_tensors):
        if not t.requires_grad:
            raise RuntimeError(
                "element 0 of tensors does not require grad and does not have a grad_fn"
            )
        if g is None:
            if t.numel() != 1:
                raise RuntimeError("grad can be implicitly created only for scalar outputs")
            if not t.dtype.is_floating_point:
                raise RuntimeError(
                    f"grad can be implicitly created only for real scalar outputs but got {t.dtype}"
                )
            xp = t._xp()
            garr = xp.ones(t._data.shape, dtype=t._data.dtype)
        else:
            if not isinstance(g, Tensor):
                g = Tensor._wrap(t._xp().asarray(g, dtype=t._data.dtype))
            if tuple(g.shape) != tuple(t.shape):
                raise RuntimeError(
                    f"Mismatch in shape: grad_output[0] has a shape of {g.shape} and output[0] has "
                    f"a shape of {t.shape}."
                )
            garr = g._data
        node, nr = edge_of(t)
        roots.append((node, nr, garr))
    return roots


def backward_steps(
    tensors: Any,
    grad_tensors: Any = None,
    retain_graph: bool | None = None,
    inputs: Sequence[Any] | None = None,
) -> Iterator[StepRecord]:
    """Yield one ``StepRecord`` per executed node; leaves' ``.grad`` accumulate as it goes."""
    for node, received, produced, variable, before in _run(
        tensors, grad_tensors, retain_graph, inputs
    ):
        yield StepRecord(node, received, produced, variable, before)


def _run(
    tensors: Any,
    grad_tensors: Any,
    retain_graph: bool | None,
    inputs: Sequence[Any] | None,
    accumulate: bool = True,
    capture: dict | None = None,
    record_before: bool = True,
) -> Iterator[tuple]:
    """The engine loop: yields ``(node, received, produced, variable, grad_before)`` raw tuples."""
    buffers, deps, ready = _start(tensors, grad_tensors)
    only = {id(edge_of(t)[0]) for t in inputs} if inputs is not None else None
    keep = bool(retain_graph)
    state = _grad_state
    pop = _pop
    prev = state.enabled
    quiet = None
    try:
        state.enabled = False  # backward formulas build no graph (user code between steps may)
        while ready:
            quiet = ignore_all()  # inf and NaN without NumPy's warnings, as the forward's ops
            produced = None  # hold no array of the previous step (see leaf._unshared)
            node = ready.pop()[1] if len(ready) == 1 else pop(ready)[1]
            grads = buffers.pop(node)
            variable = before = None
            if type(node) is AccumulateGrad:
                if node._tensor_pre_hooks or node._pre_hooks:
                    grads = _run_pre_hooks(node, grads)
                variable, before = _accumulate_leaf(
                    node, grads[0], accumulate, only, capture, record_before
                )
                produced = ()
            else:
                produced = _execute(node, grads, keep)
                _deliver(node.next_functions, produced, buffers, deps, ready)
            restore(quiet)  # user code between steps keeps its own NumPy error state
            quiet = None
            state.enabled = prev
            yield node, grads, produced, variable, before
            prev = state.enabled
            state.enabled = False
    finally:
        if quiet is not None:  # a node raised
            restore(quiet)
        state.enabled = prev


def _drain(tensors: Any, grad_tensors: Any, retain_graph: bool | None) -> None:
    """``backward()``: the loop of ``_run`` with nothing to yield, record or capture.

    A plain loop saves a generator round trip per node, which is a tenth of a small model's
    backward; the order, hooks and checks are the same code as the stepper's (``_start``,
    ``_execute``, ``_deliver``, ``_accumulate_leaf``)."""
    buffers, deps, ready = _start(tensors, grad_tensors)
    keep = bool(retain_graph)
    state = _grad_state
    pop = _pop
    prev = state.enabled
    quiet = ignore_all()  # inf and NaN without NumPy's warnings, as the forward's ops
    try:
        while ready:
            state.enabled = False  # per node, as PyTorch: a hook may have turned it on
            node = ready.pop()[1] if len(ready) == 1 else pop(ready)[1]
            grads = buffers.pop(node)
            if type(node) is AccumulateGrad:
                if node._tensor_pre_hooks or node._pre_hooks:
                    grads = _run_pre_hooks(node, grads)
                _accumulate_leaf(node, grads[0], True, None, None, False)
            else:
                _deliver(node.next_functions, _execute(node, grads, keep), buffers, deps, ready)
    finally:
        restore(quiet)
        state.enabled = prev


def _start(tensors: Any, grad_tensors: Any) -> tuple[dict, dict, list]:
    """The roots' gradient buffers, every node's count of gradients to wait for, the ready queue."""
    Tensor = _function._Tensor
    if isinstance(tensors, Tensor):
        root = _scalar_root(tensors) if grad_tensors is None else None
        roots = [root] if root is not None else _make_roots([tensors], _as_seq(grad_tensors))
    else:
        roots = _make_roots(list(tensors), _as_seq(grad_tensors))
    buffers: dict[Node, list[Any]] = {}
    for node, nr, garr in roots:
        buf = buffers.setdefault(node, [None] * node_outputs(node))
        buf[nr] = garr if buf[nr] is None else buf[nr] + garr
    root_nodes = list(buffers)
    deps = _collect_dependencies(root_nodes)
    ready: list = []
    for n in root_nodes:
        if deps.get(n, 0) == 0:
            _push(ready, (n._seq, n))
    return buffers, deps, ready


def _deliver(edges: tuple, produced: tuple, buffers: dict, deps: dict, ready: list) -> None:
    """Add a node's gradients into the buffers of the nodes it feeds; queue those now ready."""
    for (nxt, nr), g in zip(edges, produced):
        if nxt is None:
            continue
        if g is not None:
            buf = buffers.get(nxt)
            if buf is None:
                buf = buffers[nxt] = [None] * nxt.num_outputs
            buf[nr] = g if buf[nr] is None else buf[nr] + g
        left = deps[nxt] - 1
        deps[nxt] = left
        if left == 0:
            _now_ready(nxt, deps, buffers, ready)
    if len(edges) > len(produced):  # inputs a node produced nothing for
        for nxt, _ in edges[len(produced) :]:
            if nxt is not None:
                deps[nxt] -= 1
                if deps[nxt] == 0:
                    _now_ready(nxt, deps, buffers, ready)


def _now_ready(node: Node, deps: dict, buffers: dict, ready: list) -> None:
    """A node waits for nothing more: it runs if any gradient reached it, else it is skipped."""
    if node in buffers:
        _push(ready, (node._seq, node))
    else:
        _skip_subgraph(node, deps, buffers, ready)


def node_outputs(node: Node) -> int:
    return getattr(node, "num_outputs", 1)


def _skip_subgraph(node: Node, deps: dict, buffers: dict, ready: list) -> None:
    """A node that received no gradient at all does not run; release what waits on it."""
    stack = [node]
    while stack:
        n = stack.pop()
        for nxt, _ in n.next_functions:
            if nxt is None:
                continue
            deps[nxt] -= 1
            if deps[nxt] == 0:
                if nxt in buffers:
                    _push(ready, (nxt._seq, nxt))
                else:
                    stack.append(nxt)


def _execute(node: Node, grads: list, keep: bool) -> tuple:
    if node._pre_hooks or node._tensor_pre_hooks or node._retain_grad:
        grads[:] = _run_pre_hooks(node, grads)
    if node._released:
        raise RuntimeError(SECOND_BACKWARD_MESSAGE)
    saved = node._saved_versions
    if saved:
        _check_versions(node)
    if node.num_outputs > 1:
        grads = [g if g is not None else _zeros(meta) for g, meta in zip(grads, node._output_meta)]
    out = node.backward(*grads)
    if len(out) == 1:  # the common case of _conform, inline
        g = out[0]
        if g is None or not node.needs_input_grad[0]:
            out = (None,)
        else:
            shape, dt = node._input_meta[0]
            if g.shape != shape or g.dtype != dt:
                out = _conform(node, out)
    else:
        out = _conform(node, out)
    if node._hooks:
        out = _run_post_hooks(node, out, grads)
    if anomaly._state.enabled and anomaly._state.check_nan:
        _check_nan(node, out)
    if saved and not keep:
        _release(node)
    return out


# What a released node keeps: its place in the graph, for viewers and for the error message.
_STRUCTURE = frozenset(
    (
        "next_functions",
        "needs_input_grad",
        "_input_meta",
        "_seq",
        "_metadata",
        "_module_tag",
        "_hooks",
        "_pre_hooks",
        "_tensor_pre_hooks",
        "_retain_grad",
        "_output_meta",
        "num_outputs",
    )
)


def _release(node: Node) -> None:
    """Free the saved arrays (PyTorch frees saved tensors after backward without retain_graph)."""
    d = node.__dict__
    for k in d.keys() - _STRUCTURE:  # the difference is taken in C
        del d[k]
    node._released = True


def _zeros(meta: tuple) -> Any:

    shape, dt = meta
    return np.zeros(shape, dtype=dt)


def _conform(node: Node, out: tuple) -> tuple:
    """Undo broadcasting and match each input's dtype: once, here, for every op."""
    if len(out) == 1:
        g = out[0]
        (shape, dt), need = node._input_meta[0], node.needs_input_grad[0]
        if g is None or not need:
            return (None,)
        if g.shape != shape:
            g = _sum_to(g, shape)
        if g.dtype != dt:
            g = g.astype(dt)
        return (g,)
    fixed = []
    for g, (shape, dt), need in zip(out, node._input_meta, node.needs_input_grad):
        if g is None or not need:
            fixed.append(None)
            continue
        if g.shape != shape:
            g = _sum_to(g, shape)
        if g.dtype != dt:
            g = g.astype(dt)
        fixed.append(g)
    return tuple(fixed)


def _run_pre_hooks(node: Node, grads: list) -> list:
    from core.tensor import Tensor

    grads = list(grads)
    for nr, hooks in (node._tensor_pre_hooks or {}).items():
        for hook in hooks:
            if grads[nr] is None:
                continue
            r = hook(Tensor._wrap(grads[nr]))
            if r is not None:
                grads[nr] = r._data
    for nr, ref in (node._retain_grad or {}).items():
        t = ref()
        if t is not None and grads[nr] is not None:
            g = grads[nr]
            t._grad = Tensor._wrap(g.copy()) if t._grad is None else Tensor._wrap(t._grad._data + g)
    for hook in node._pre_hooks or ():
        r = hook(tuple(_wrap(g) for g in grads))
        if r is not None:
            grads = [g._data if g is not None else None for g in r]
    return grads


def _run_post_hooks(node: Node, out: tuple, grads: list) -> tuple:
    for hook in node._hooks:
        r = hook(tuple(_wrap(g) for g in out), tuple(_wrap(g) for g in grads))
        if r is not None:
            out = tuple(g._data if g is not None else None for g in r)
    return out


# --- the public entry points: _drain, or a drain of _run --------------------------------------


def backward(
    tensors: Any,
    grad_tensors: Any = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    inputs: Sequence[Any] | None = None,
) -> None:
    """Compute and accumulate gradients of ``tensors`` into the leaves' ``.grad``."""
    if create_graph:
        warnings.warn(
            "create_graph=True is not supported by core: higher-order gradients are not built; "
            "the first-order gradients are computed as usual.",
            stacklevel=2,
        )
    if inputs is None:
        _drain(tensors, grad_tensors, retain_graph)
        return
    # deque(maxlen=0) drains without holding the last step, so gradients can be stolen
    deque(_run(tensors, grad_tensors, retain_graph, inputs, record_before=False), maxlen=0)


def grad(
    outputs: Any,
    inputs: Any,
    grad_outputs: Any = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    allow_unused: bool | None = None,
    materialize_grads: bool = False,
) -> tuple[Any, ...]:
    """Gradients of ``outputs`` with respect to ``inputs``, without touching ``.grad``."""
    from core.tensor import Tensor

    single = isinstance(inputs, Tensor)
    inputs = (inputs,) if single else tuple(inputs)
    capture: dict = {}
    nodes = []
    for t in inputs:
        if not t.requires_grad:
            raise RuntimeError("One of the differentiated Tensors does not require grad")
        node, _ = edge_of(t)
        nodes.append((node, t))
    # Non-leaf inputs: capture the gradient flowing into their grad_fn via a retain-style hook.
    captured_nonleaf: dict[int, Any] = {}
    handles = []
    for node, t in nodes:
        if isinstance(node, AccumulateGrad):
            capture[id(node)] = None
        else:

            def hook(g: Any, key: int = id(t)) -> None:
                prev = captured_nonleaf.get(key)
                captured_nonleaf[key] = g._data if prev is None else prev + g._data

            handles.append(t.register_hook(hook))
    try:
        for _ in _run(outputs, grad_outputs, retain_graph, None, accumulate=False, capture=capture):
            pass
    finally:
        for h in handles:
            h.remove()
    result = []
    for node, t in nodes:
        g = (
            capture.get(id(node))
            if isinstance(node, AccumulateGrad)
            else captured_nonleaf.get(id(t))
        )
        if g is None:
            if materialize_grads:
                g = t._xp().zeros(t._data.shape, dtype=t._data.dtype)
            elif not allow_unused:
                raise RuntimeError(
                    "One of the differentiated Tensors appears to not have been used in the graph. "
                    "Set allow_unused=True if this is the desired behavior."
                )
        result.append(_wrap(g))
    return tuple(result)
