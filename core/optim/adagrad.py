"""Adagrad (lr_decay, weight decay, initial accumulator, eps, maximize): PyTorch's single-tensor form."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from core.autograd.grad_mode import no_grad
from core.optim._update_helpers import _follow, _incr_step, _scalar, _step_tensor, _zeros_like
from core.optim.adam import _tensor_steps
from core.optim.optimizer import Optimizer, ParamsT
from core.tensor import Tensor

__all__ = ["Adagrad"]


class Adagrad(Optimizer):
    """Scale each coordinate's step by the root of its summed squared gradients."""

    def __init__(
        self,
        params: ParamsT,
        lr: float | Tensor = 1e-2,
        lr_decay: float = 0,
        weight_decay: float = 0,
        initial_accumulator_value: float = 0,
        eps: float = 1e-10,
        foreach: bool | None = None,
        *,
        maximize: bool = False,
        differentiable: bool = False,
        fused: bool | None = None,
    ) -> None:
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= lr_decay:
            raise ValueError(f"Invalid lr_decay value: {lr_decay}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if not 0.0 <= initial_accumulator_value:
            raise ValueError(
                f"Invalid initial_accumulator_value value: {initial_accumulator_value}"
            )
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        defaults = {
            "lr": lr,
            "lr_decay": lr_decay,
            "eps": eps,
            "weight_decay": weight_decay,
            "initial_accumulator_value": initial_accumulator_value,
            "foreach": foreach,
            "maximize": maximize,
            "differentiable": differentiable,
            "fused": fused,
        }
        super().__init__(params, defaults)
        # PyTorch creates Adagrad's state eagerly, for every parameter
        for group in self.param_groups:
            for p in group["params"]:
                self._init_state(p)

    def _init_state(self, p: Tensor) -> dict[str, Any]:
        state = self.state[p]
        state["step"] = _step_tensor()
        state["sum"] = _zeros_like(p, self.defaults["initial_accumulator_value"])
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        super().__setstate__(state)
        for group in self.param_groups:
            group.setdefault("foreach", None)
            group.setdefault("maximize", False)
            group.setdefault("differentiable", False)
            group.setdefault("fused", None)
            _tensor_steps(self, group)

    @no_grad()
    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """One update of every parameter that has a gradient; returns ``closure()``'s loss."""
        loss = self._run_closure(closure)
        for group in self.param_groups:
            lr = _scalar(group["lr"])
            lr_decay, eps = group["lr_decay"], group["eps"]
            weight_decay, maximize = group["weight_decay"], group["maximize"]
            for p in group["params"]:
                grad = p.grad
                if grad is None:
                    continue
                state = self.state[p]
                if len(state) == 0:
                    state = self._init_state(p)
                state_sum = _follow(state["sum"], p)
                step = _incr_step(state["step"])
                xp = p._xp()

                g = grad._data if not maximize else -grad._data
                if weight_decay != 0:
                    g = g + weight_decay * p._data
                clr = lr / (1 + (step - 1) * lr_decay)
                tmp = g * g
                state_sum += tmp
                std = xp.sqrt(state_sum)
                std += eps
                xp.multiply(g, -clr, out=tmp)
                tmp /= std
                p._data += tmp
                p._bump()
        return loss
