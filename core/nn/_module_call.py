"""``Module.__call__`` and its hooks: forward (pre-)hooks, full backward hooks, graph tagging."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

from core.autograd import function as _fn
from core.autograd.function import Function
from core.autograd.grad_mode import _state as _grad_state
from core.tensor import Tensor


class RemovableHandle:
    """Returned by ``register_*_hook``; ``remove()`` unregisters the hook."""

    _next_id = 0

    def __init__(self, hooks: dict) -> None:
        self.hooks = hooks
        self.id = RemovableHandle._next_id
        RemovableHandle._next_id += 1

    def remove(self) -> None:
        self.hooks.pop(self.id, None)

    def __enter__(self) -> RemovableHandle:
        return self

    def __exit__(self, *args: Any) -> None:
        self.remove()


class BackwardHookFunction(Function):
    """Identity whose node lets a module's full backward hooks see and replace gradients."""

    @staticmethod
    def forward(ctx: Any, *args: Any) -> Any:
        return args if len(args) > 1 else args[0]

    @staticmethod
    def backward(ctx: Any, *grads: Any) -> Any:
        return grads if len(grads) > 1 else grads[0]


class HooksMixin:
    """The call-and-hooks half of ``nn.Module`` (mixed into it)."""

    # --- hooks and calling ----------------------------------------------------------------------
    def register_forward_pre_hook(
        self, hook: Callable, *, prepend: bool = False, with_kwargs: bool = False
    ) -> RemovableHandle:
        handle = RemovableHandle(self._forward_pre_hooks)
        self._forward_pre_hooks[handle.id] = hook
        if with_kwargs:
            self._forward_pre_hooks_with_kwargs[handle.id] = True
        if prepend:
            self._forward_pre_hooks.move_to_end(handle.id, last=False)
        return handle

    def register_forward_hook(
        self,
        hook: Callable,
        *,
        prepend: bool = False,
        with_kwargs: bool = False,
        always_call: bool = False,
    ) -> RemovableHandle:
        handle = RemovableHandle(self._forward_hooks)
        self._forward_hooks[handle.id] = hook
        if with_kwargs:
            self._forward_hooks_with_kwargs[handle.id] = True
        if always_call:
            self._forward_hooks_always_called[handle.id] = True
        if prepend:
            self._forward_hooks.move_to_end(handle.id, last=False)
        return handle

    def _path_in_parent(self, running: list) -> str:
        """The dotted path of this module under the innermost module running in this thread."""
        parent, path, _ = running[-1]
        for name, child in parent._modules.items():
            if child is self:
                return f"{path}.{name}" if path else name
        for name, child in parent.named_modules():
            if child is self and name:
                return f"{path}.{name}" if path else name
        return type(self).__name__

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        tag = _grad_state.enabled
        if tag:
            # the root is named by its class; submodules by their dotted path under it
            running = _fn._frames.stack
            if running:
                path = self._path_in_parent(running)
                running.append((self, path, (path, type(self).__name__)))
            else:
                running.append((self, "", (type(self).__name__, "")))
        try:
            if (
                self._forward_pre_hooks
                or self._forward_hooks
                or self._backward_hooks
                or self._backward_pre_hooks
            ):
                return self._call_with_hooks(args, kwargs)
            return self.forward(*args, **kwargs)
        finally:
            if tag:
                running.pop()

    _call_impl = __call__
    _wrapped_call_impl = __call__

    def _call_with_hooks(self, args: tuple, kwargs: dict) -> Any:
        for hook_id, hook in list(self._forward_pre_hooks.items()):
            if hook_id in self._forward_pre_hooks_with_kwargs:
                result = hook(self, args, kwargs)
                if result is not None:
                    args, kwargs = result
            else:
                result = hook(self, args)
                if result is not None:
                    args = result if isinstance(result, tuple) else (result,)
        full = (self._backward_hooks or self._backward_pre_hooks) and _grad_state.enabled
        state: dict = {}
        if full:
            args = self._wrap_backward_inputs(args, state)
        result = self.forward(*args, **kwargs)
        if full:
            result = self._wrap_backward_outputs(result, state)
        for hook_id, hook in list(self._forward_hooks.items()):
            if hook_id in self._forward_hooks_with_kwargs:
                out = hook(self, args, kwargs, result)
            else:
                out = hook(self, args, result)
            if out is not None:
                result = out
        return result

    def register_full_backward_hook(self, hook: Callable, prepend: bool = False) -> RemovableHandle:
        """``hook(module, grad_input, grad_output)`` once the gradients of the inputs are known.

        As in PyTorch, the module's inputs and outputs pass through identity nodes
        (``BackwardHookFunctionBackward``) whose gradients the hook sees and may replace.
        """
        handle = RemovableHandle(self._backward_hooks)
        self._backward_hooks[handle.id] = hook
        if prepend:
            self._backward_hooks.move_to_end(handle.id, last=False)
        return handle

    def register_full_backward_pre_hook(
        self, hook: Callable, prepend: bool = False
    ) -> RemovableHandle:
        """``hook(module, grad_output)`` before the module's gradients are computed."""
        handle = RemovableHandle(self._backward_pre_hooks)
        self._backward_pre_hooks[handle.id] = hook
        if prepend:
            self._backward_pre_hooks.move_to_end(handle.id, last=False)
        return handle

    def _wrap_backward_inputs(self, args: tuple, state: dict) -> tuple:
        positions = [i for i, a in enumerate(args) if isinstance(a, Tensor)]
        state["n_inputs"] = len(positions)
        state["inputs_hooked"] = False
        if not any(args[i].requires_grad for i in positions):
            return args
        wrapped = BackwardHookFunction.apply(*[args[i] for i in positions])
        wrapped = wrapped if isinstance(wrapped, tuple) else (wrapped,)
        node = wrapped[0].grad_fn
        _fn._tag_module(node)

        def on_grad_input(grads: tuple) -> Any:
            grad_input = tuple(grads)
            for hook in list(self._backward_hooks.values()):
                r = hook(self, grad_input, state.get("grad_output"))
                if r is not None:
                    grad_input = tuple(r)
            return grad_input

        node.register_prehook(on_grad_input)
        state["inputs_hooked"] = True
        out = list(args)
        for i, w in zip(positions, wrapped):
            out[i] = w
        return tuple(out)

    def _wrap_backward_outputs(self, result: Any, state: dict) -> Any:
        single = isinstance(result, Tensor)
        outs = (result,) if single else result
        if not isinstance(outs, tuple) or not any(
            isinstance(o, Tensor) and o.requires_grad for o in outs
        ):
            return result
        wrapped = BackwardHookFunction.apply(*outs)
        node = (wrapped if single else wrapped[0]).grad_fn
        _fn._tag_module(node)

        def on_grad_output(grads: tuple) -> Any:
            grad_output = tuple(grads)
            for hook in list(self._backward_pre_hooks.values()):
                r = hook(self, grad_output)
                if r is not None:
                    grad_output = r if isinstance(r, tuple) else (r,)
            state["grad_output"] = grad_output
            if not state["inputs_hooked"] and self._backward_hooks:
                warnings.warn(
                    "Full backward hook is firing when gradients are computed with respect to "
                    "module outputs since no inputs require gradients. See "
                    "https://docs.pytorch.org/docs/main/generated/torch.nn.Module.html"
                    "#torch.nn.Module.register_full_backward_hook for more details.",
                    UserWarning,
                    stacklevel=2,
                )
                for hook in list(self._backward_hooks.values()):
                    hook(self, (None,) * state["n_inputs"], grad_output)
            return grad_output

        node.register_prehook(on_grad_output)
        return wrapped
