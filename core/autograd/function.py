"""Graph nodes: the base of every backward op, AccumulateGrad for leaves, and autograd.Function.

An op is one ``Node`` subclass named as PyTorch names its ``grad_fn`` (``MulBackward0``) with
``forward`` and ``backward`` side by side on raw arrays. ``apply_op`` runs the forward and, when
grad mode is on and an input requires grad, records the edges (``next_functions``) and the versions
of the tensors the op saved, so the engine can detect an in-place change made after the forward.
The engine, not the op, undoes broadcasting and casts each gradient to its input's dtype.
"""

from __future__ import annotations

import itertools
import threading
import weakref
from typing import TYPE_CHECKING, Any

from core.autograd import anomaly
from core.autograd.grad_mode import _state as _grad_state
from core.fp_quiet import ignore_all, quiet, restore

if TYPE_CHECKING:
    from core.tensor import Tensor

_Tensor: Any = None  # core.tensor.Tensor, bound by core.tensor at import (avoids a cycle)

_sequence = itertools.count()
_NO_EDGE = (None, 0)


class Node:
    """A backward function in the graph (PyTorch's ``torch.autograd.graph.Node``)."""

    # Names of the inputs saved for backward (PyTorch's ``_saved_self`` ...) and whether the
    # result is saved; the engine checks their version counters before running ``backward``.
    saves: tuple[str, ...] = ()
    saves_result = False
    # Add/Sub/Mul/Div with a Python number: PyTorch wraps the number into a tensor, which shows
    # as a second, empty edge ``(None, 0)`` in ``next_functions``.
    wrapped_scalar = False
    # For each name in ``saves``: the input whose gradient needs it (None: always, -1: never);
    # only those are checked for in-place changes at backward, as PyTorch saves only those.
    saved_for: tuple[int | None, ...] | None = None
    num_outputs = 1

    next_functions: tuple[tuple[Node | None, int], ...] = ()
    needs_input_grad: tuple[bool, ...] = ()
    _input_meta: tuple[tuple[tuple[int, ...], Any], ...] = ()
    _saved_versions: tuple[tuple[list[int], int, Any, str | None], ...] = ()
    _saved_arrays: tuple[Any, ...] = ()
    _released = False
    _pre_hooks: list | None = None
    _hooks: list | None = None
    _tensor_pre_hooks: dict[int, list] | None = None
    _retain_grad: dict[int, Any] | None = None
    _metadata: dict | None = None
    # (module path, module class) of the module whose forward created the node; it reaches
    # ``metadata`` on first access, so recording an op builds no dict
    _module_tag: tuple[str, str] | None = None
    _seq = 0

    def forward(self, *args: Any) -> Any:  # pragma: no cover - every op overrides it
        raise NotImplementedError

    def backward(self, *grads: Any) -> tuple[Any, ...]:  # pragma: no cover
        raise NotImplementedError

    # --- PyTorch's inspection surface -------------------------------------------------------
    def name(self) -> str:
        return type(self).__name__

    @property
    def metadata(self) -> dict:
        if self._metadata is None:
            self._metadata = meta = {}
            tag = self._module_tag
            if tag is not None:
                meta["module"] = tag[0]
                if tag[1]:  # empty for the outermost module, whose path is its class name
                    meta["module_type"] = tag[1]
        return self._metadata

    def register_hook(self, fn: Any) -> _RemovableHandle:
        """``fn(grad_inputs, grad_outputs)`` after the node runs; may return new grad_inputs."""
        if self._hooks is None:
            self._hooks = []
        self._hooks.append(fn)
        return _RemovableHandle(self._hooks, fn)

    def register_prehook(self, fn: Any) -> _RemovableHandle:
        """``fn(grad_outputs)`` before the node runs; may return new grad_outputs."""
        if self._pre_hooks is None:
            self._pre_hooks = []
        self._pre_hooks.append(fn)
        return _RemovableHandle(self._pre_hooks, fn)

    @property
    def saved_tensors(self) -> tuple[Tensor, ...]:
        self._check_not_released()
        from core.tensor import Tensor

        return tuple(Tensor._wrap(a) for a in self._saved_arrays)

    def __getattr__(self, attr: str) -> Any:
        # ``_saved_self``, ``_saved_other``, ``_saved_result``: PyTorch's names for saved tensors.
        if attr.startswith("_saved_"):
            key = attr[len("_saved_") :]
            names = (*type(self).saves, *(("result",) if type(self).saves_result else ()))
            if key in names:
                self._check_not_released()
                from core.tensor import Tensor

                return Tensor._wrap(self._saved_arrays[names.index(key)])
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{attr}'")

    def _check_not_released(self) -> None:
        if self._released:
            raise RuntimeError(SECOND_BACKWARD_MESSAGE)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} object at {hex(id(self))}>"

    def __call__(self, *grads: Any) -> Any:
        with quiet():  # as the engine runs it: inf and NaN without NumPy's warnings
            return self.backward(*grads)


SECOND_BACKWARD_MESSAGE = (
    "Trying to backward through the graph a second time (or directly access saved tensors after "
    "they have already been freed). Saved intermediate values of the graph are freed when you call "
    ".backward() or autograd.grad(). Specify retain_graph=True if you need to backward through the "
    "graph a second time or if you need to access saved tensors after calling backward."
)


class _RemovableHandle:
    def __init__(self, hooks: list, fn: Any) -> None:
        self._hooks, self._fn = hooks, fn

    def remove(self) -> None:
        if self._fn in self._hooks:
            self._hooks.remove(self._fn)


class AccumulateGrad(Node):
    """Leaf sink: adds the arriving gradient into ``variable.grad``."""

    def __init__(self, variable: Tensor) -> None:
        self.variable = variable
        self._seq = 1 << 62  # runs as soon as it is ready, as in PyTorch
        self._input_meta = ((variable._data.shape, variable._data.dtype),)

    def name(self) -> str:
        return "torch::autograd::AccumulateGrad"

    def backward(self, grad: Any) -> tuple[Any, ...]:
        return ()


def edge_of(t: Tensor) -> tuple[Node | None, int]:
    """The graph edge a tensor contributes as an input: its grad_fn, or its leaf accumulator."""
    fn = t.grad_fn
    if fn is not None:
        return (fn, t._output_nr)
    if t._requires_grad:
        acc = t._accumulator() if t._accumulator is not None else None
        if acc is None:
            acc = AccumulateGrad(t)
            t._accumulator = weakref.ref(acc)
        return (acc, 0)
    return _NO_EDGE


def forward_quiet(node: Node, arrays: Any, params: tuple) -> Any:
    """``node.forward`` on raw arrays: inf and NaN without NumPy's warnings, as PyTorch
    (see fp_quiet). ``apply_cast`` and ``apply_optional`` run here; ``apply_op`` has it inline."""
    token = ignore_all()
    try:
        return node.forward(*arrays, *params)
    finally:
        restore(token)


def apply_op(cls: type[Node], tensors: tuple[Tensor, ...], *params: Any) -> Tensor:
    """Run ``cls().forward`` on the tensors' arrays and record the graph when it is needed."""
    node = cls()
    token = ignore_all()  # forward_quiet, inline: a call more is a percent of a tiny op's time
    try:
        if len(tensors) == 1:
            out = node.forward(tensors[0]._data, *params)
        else:
            out = node.forward(*[t._data for t in tensors], *params)
    finally:
        restore(token)
    if len(tensors) == 1:
        t = tensors[0]
        if t._requires_grad and _grad_state.enabled:
            return _record(node, tensors, out)
        if type(out) is list or type(out) is tuple:  # several outputs (max with dim, split...)
            return tuple(_Tensor._wrap(o) for o in out)
        return _Tensor._wrap(out)
    if _grad_state.enabled:
        for t in tensors:
            if t._requires_grad:
                return _record(node, tensors, out)
    if type(out) is list or type(out) is tuple:
        return tuple(_Tensor._wrap(o) for o in out)
    return _Tensor._wrap(out)


def _record(node: Node, tensors: tuple[Tensor, ...], out: Any, Tensor: Any = None) -> Any:
    if len(tensors) == 1:
        t = tensors[0]
        e = edge_of(t)
        node.next_functions = (e,)
        node.needs_input_grad = (e[0] is not None,)
        node._input_meta = ((t._data.shape, t._data.dtype),)
    else:
        edges = tuple([edge_of(t) for t in tensors])
        node.next_functions = edges
        node.needs_input_grad = tuple([e[0] is not None for e in edges])
        node._input_meta = tuple([(t._data.shape, t._data.dtype) for t in tensors])
    node._seq = next(_sequence)
    cls = type(node)
    if type(out) is not list and type(out) is not tuple:
        result = _Tensor._wrap(out)
        result._requires_grad = True
        result.grad_fn = node
        if cls.saves or cls.saves_result:
            _record_saved(node, tensors, result, cls)
        _tag_module(node)
        if anomaly._state.enabled:
            node.metadata["traceback_"] = anomaly.forward_trace()
        return result
    results = tuple(_Tensor._wrap(o) for o in out)
    for i, r in enumerate(results):
        if r._data.dtype.kind in "fc":  # integer outputs (max's indices) carry no history
            r._requires_grad = True
            r.grad_fn = node
            r._output_nr = i
    node._output_meta = tuple((o.shape, o.dtype) for o in out)
    if cls.saves or cls.saves_result:
        _record_saved(node, tensors, results[0], cls)
    _tag_module(node)
    if anomaly._state.enabled:
        node.metadata["traceback_"] = anomaly.forward_trace()
    return results


class _ModuleFrames(threading.local):
    """Per thread, the modules whose forward is running, innermost last: ``(module, the path
    its children extend, (dotted path, class name))``. ``nn.Module.__call__`` pushes and pops its
    own frame and every recorded node takes the innermost tag, so the graph viewer can group
    nodes by module; a worker thread training one model and the scratchpad running another
    never tag each other's nodes. Empty: one falsy check per recorded op."""

    def __init__(self) -> None:
        self.stack: list[tuple[Any, str, tuple[str, str]]] = []


_frames = _ModuleFrames()


def module_stack() -> list[tuple[Any, str, tuple[str, str]]]:
    """This thread's running modules (see ``_ModuleFrames``)."""
    return _frames.stack


def _tag_module(node: Node) -> None:
    stack = _frames.stack
    if stack:
        node._module_tag = stack[-1][2]


def _record_saved(node: Node, tensors: tuple[Tensor, ...], result: Tensor, cls: type[Node]) -> None:
    # Version boxes and the tensors' creators only: holding the result tensor itself would make a
    # cycle (result -> grad_fn -> result) and keep activations alive longer than PyTorch does.
    # Inputs by weak reference: the error names the tensor's grad_fn at backward time, as PyTorch.
    # A view with history is named AsStrided: PyTorch regenerates a view's grad_fn once its
    # memory was written. As PyTorch, an input is saved only for a gradient that is computed.
    n = len(cls.saves)
    cond, need = cls.saved_for, node.needs_input_grad
    arrays = []
    versions = []
    for i, t in enumerate(tensors[:n]):
        data = t._data
        arrays.append(data)
        c = cond[i] if cond is not None and i < len(cond) else None
        if c is not None and not (0 <= c < len(need) and need[c]):
            continue
        box = t._vbox
        creator = "AsStrided" if t._base is not None and t._requires_grad else weakref.ref(t)
        versions.append((box, box[0], data, creator))
    if cls.saves_result:
        data, box = result._data, result._vbox
        arrays.append(data)
        versions.append((box, box[0], data, cls.__name__))
    node._saved_arrays = tuple(arrays)
    node._saved_versions = tuple(versions)


class FunctionCtx:
    """The ``ctx`` of a custom ``autograd.Function``."""

    def __init__(self) -> None:
        self.saved_tensors_: tuple = ()
        self.needs_input_grad: tuple[bool, ...] = ()
        self.materialize_grads = True
        self._non_differentiable: set[int] = set()

    def save_for_backward(self, *tensors: Any) -> None:
        self.saved_tensors_ = tensors

    @property
    def saved_tensors(self) -> tuple:
        return self.saved_tensors_

    def mark_dirty(self, *tensors: Any) -> None:
        pass

    def mark_non_differentiable(self, *tensors: Any) -> None:
        self._non_differentiable.update(id(t) for t in tensors)

    def set_materialize_grads(self, value: bool) -> None:
        self.materialize_grads = value


class _FunctionBackwardNode(Node):
    """The graph node of a user's ``autograd.Function`` (named ``<Name>Backward``)."""

    def backward(self, *grads: Any) -> tuple[Any, ...]:
        from core.autograd.grad_mode import no_grad
        from core.tensor import Tensor

        with no_grad():
            wrapped = [Tensor._wrap(g) if g is not None else None for g in grads]
            result = self._function.backward(self._ctx, *wrapped)
        if not isinstance(result, tuple):
            result = (result,)
        n = self._num_args
        if len(result) < n or any(g is not None for g in result[n:]):
            raise RuntimeError(
                f"function {type(self).__name__} returned an incorrect number of gradients "
                f"(expected {n}, got {len(result)})"
            )
        grads_out = []
        for i in self._tensor_positions:
            g = result[i] if i < len(result) else None
            grads_out.append(g._data if isinstance(g, Tensor) else g)
        return tuple(grads_out)


class Function:
    """Base for a user's differentiable op: static ``forward(ctx, ...)`` and ``backward(ctx, ...)``."""

    @staticmethod
    def forward(ctx: FunctionCtx, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(
            "You must implement the forward function for custom autograd.Function."
        )

    @staticmethod
    def backward(ctx: FunctionCtx, *grad_outputs: Any) -> Any:
        raise NotImplementedError(
            "You must implement the backward function for custom autograd.Function."
        )

    @staticmethod
    def setup_context(ctx: FunctionCtx, inputs: tuple, output: Any) -> None:
        """Overridden by Functions whose ``forward`` takes no ctx (PyTorch 2's style)."""

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        raise RuntimeError(
            "Legacy autograd function with non-static forward method is deprecated. Please use "
            "new-style autograd function with static forward method. (Example: "
            "https://pytorch.org/docs/stable/autograd.html#torch.autograd.Function)"
        )

    @classmethod
    def apply(cls, *args: Any, **kwargs: Any) -> Any:
        from core.autograd.grad_mode import no_grad
        from core.tensor import Tensor

        ctx = FunctionCtx()
        positions = [i for i, a in enumerate(args) if isinstance(a, Tensor)]
        tensors = tuple(args[i] for i in positions)
        ctx.needs_input_grad = tuple(isinstance(a, Tensor) and a.requires_grad for a in args)
        with no_grad():
            if cls.setup_context is not Function.setup_context:
                out = cls.forward(*args, **kwargs)
                cls.setup_context(ctx, args, out)
            else:
                out = cls.forward(ctx, *args, **kwargs)
        if not (_grad_state.enabled and any(t.requires_grad for t in tensors)):
            return out
        node_cls = _custom_node_class(cls)
        node = node_cls()
        node._function, node._ctx, node._tensor_positions = cls, ctx, positions
        node._num_args = len(args)
        outs = out if isinstance(out, tuple) else (out,)
        node.num_outputs = len(outs)
        node.next_functions = tuple(edge_of(t) for t in tensors)
        node.needs_input_grad = tuple(e[0] is not None for e in node.next_functions)
        node._input_meta = tuple((t._data.shape, t._data.dtype) for t in tensors)
        node._output_meta = tuple(
            (o._data.shape, o._data.dtype) if isinstance(o, Tensor) else ((), None) for o in outs
        )
        node._seq = next(_sequence)
        results = []
        for i, o in enumerate(outs):
            if not isinstance(o, Tensor):
                results.append(o)
                continue
            if id(o) in ctx._non_differentiable or o._data.dtype.kind not in "fc":
                results.append(o)  # marked non-differentiable, or an integer output
                continue
            # An output returned as-is from the inputs is still a new graph node's output.
            r = Tensor._wrap(o._data) if any(o is t for t in tensors) else o
            r._requires_grad, r.grad_fn, r._output_nr = True, node, i
            results.append(r)
        return tuple(results) if isinstance(out, tuple) else results[0]


_CUSTOM_NODES: dict[type, type[Node]] = {}


def _custom_node_class(fn_cls: type) -> type[Node]:
    if fn_cls not in _CUSTOM_NODES:
        _CUSTOM_NODES[fn_cls] = type(f"{fn_cls.__name__}Backward", (_FunctionBackwardNode,), {})
    return _CUSTOM_NODES[fn_cls]
