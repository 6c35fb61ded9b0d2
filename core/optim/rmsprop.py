"""RMSprop (alpha, eps, weight decay, momentum, centered, maximize): PyTorch's single-tensor form."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from core.autograd.grad_mode import no_grad
from core.optim._update_helpers import (
    _follow,
    _incr_step,
    _lerp_,
    _scalar,
    _step_tensor,
    _zeros_like,
)
from core.optim.adam import _tensor_steps
from core.optim.optimizer import Optimizer, ParamsT
from core.tensor import Tensor

__all__ = ["RMSprop"]


class RMSprop(Optimizer):
    """Divide the gradient by a running root mean square of recent gradients.

    ``centered`` subtracts the square of the running mean gradient (an estimate of the variance);
    ``momentum`` accumulates ``g / avg`` in a buffer and steps along it.
    """

    def __init__(
        self,
        params: ParamsT,
        lr: float | Tensor = 1e-2,
        alpha: float = 0.99,
        eps: float = 1e-8,
        weight_decay: float = 0,
        momentum: float = 0,
        centered: bool = False,
        capturable: bool = False,
        foreach: bool | None = None,
        maximize: bool = False,
        differentiable: bool = False,
    ) -> None:
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= momentum:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if not 0.0 <= alpha:
            raise ValueError(f"Invalid alpha value: {alpha}")
        defaults = {
            "lr": lr,
            "momentum": momentum,
            "alpha": alpha,
            "eps": eps,
            "centered": centered,
            "weight_decay": weight_decay,
            "capturable": capturable,
            "foreach": foreach,
            "maximize": maximize,
            "differentiable": differentiable,
        }
        super().__init__(params, defaults)

    def __setstate__(self, state: dict[str, Any]) -> None:
        super().__setstate__(state)
        for group in self.param_groups:
            group.setdefault("momentum", 0)
            group.setdefault("centered", False)
            group.setdefault("foreach", None)
            group.setdefault("maximize", False)
            group.setdefault("differentiable", False)
            group.setdefault("capturable", False)
            _tensor_steps(self, group)

    @no_grad()
    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """One update of every parameter that has a gradient; returns ``closure()``'s loss."""
        loss = self._run_closure(closure)
        for group in self.param_groups:
            lr = _scalar(group["lr"])
            alpha, eps = group["alpha"], group["eps"]
            weight_decay, momentum = group["weight_decay"], group["momentum"]
            centered, maximize = group["centered"], group["maximize"]
            for p in group["params"]:
                grad = p.grad
                if grad is None:
                    continue
                state = self.state[p]
                if len(state) == 0:
                    state["step"] = _step_tensor()
                    state["square_avg"] = _zeros_like(p)
                    if momentum > 0:
                        state["momentum_buffer"] = _zeros_like(p)
                    if centered:
                        state["grad_avg"] = _zeros_like(p)
                square_avg = _follow(state["square_avg"], p)
                _incr_step(state["step"])
                xp = p._xp()

                g = grad._data if not maximize else -grad._data
                if weight_decay != 0:
                    g = g + weight_decay * p._data
                square_avg *= alpha
                tmp = g * (1 - alpha)
                tmp *= g
                square_avg += tmp
                if centered:
                    grad_avg = _follow(state["grad_avg"], p)
                    _lerp_(grad_avg, g, 1 - alpha)
                    xp.multiply(grad_avg, grad_avg, out=tmp)
                    avg = xp.subtract(square_avg, tmp)
                    xp.sqrt(avg, out=avg)
                else:
                    avg = xp.sqrt(square_avg)
                avg += eps
                if momentum > 0:
                    buf = _follow(state["momentum_buffer"], p)
                    buf *= momentum
                    xp.divide(g, avg, out=tmp)
                    buf += tmp
                    xp.multiply(buf, -lr, out=tmp)
                else:
                    xp.multiply(g, -lr, out=tmp)
                    tmp /= avg
                p._data += tmp
                p._bump()
        return loss
