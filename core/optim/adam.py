"""Adam (with AMSGrad, L2 or decoupled weight decay, maximize): PyTorch's single-tensor form."""

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
from core.optim.optimizer import Optimizer, ParamsT
from core.tensor import Tensor

__all__ = ["Adam"]


class Adam(Optimizer):
    """Adam: running averages of the gradient and its square, bias-corrected.

    ``decoupled_weight_decay=True`` is AdamW (``p *= 1 - lr * weight_decay`` before the update).
    """

    def __init__(
        self,
        params: ParamsT,
        lr: float | Tensor = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        amsgrad: bool = False,
        *,
        foreach: bool | None = None,
        maximize: bool = False,
        capturable: bool = False,
        differentiable: bool = False,
        fused: bool | None = None,
        decoupled_weight_decay: bool = False,
    ) -> None:
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= betas[0] < 1.0:
            raise ValueError(f"Invalid beta parameter at index 0: {betas[0]}")
        if not 0.0 <= betas[1] < 1.0:
            raise ValueError(f"Invalid beta parameter at index 1: {betas[1]}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if not (
            (isinstance(betas[0], float) and isinstance(betas[1], float))
            or (isinstance(betas[0], Tensor) and isinstance(betas[1], Tensor))
        ):
            raise ValueError("betas must be either both floats or both Tensors")
        betas = (_scalar(betas[0]), _scalar(betas[1]))
        defaults = {
            "lr": lr,
            "betas": betas,
            "eps": eps,
            "weight_decay": weight_decay,
            "amsgrad": amsgrad,
            "maximize": maximize,
            "foreach": foreach,
            "capturable": capturable,
            "differentiable": differentiable,
            "fused": fused,
            "decoupled_weight_decay": decoupled_weight_decay,
        }
        super().__init__(params, defaults)

    def __setstate__(self, state: dict[str, Any]) -> None:
        super().__setstate__(state)
        for group in self.param_groups:
            group.setdefault("amsgrad", False)
            group.setdefault("maximize", False)
            group.setdefault("foreach", None)
            group.setdefault("capturable", False)
            group.setdefault("differentiable", False)
            group.setdefault("decoupled_weight_decay", False)
            group.setdefault("fused", None)
            _tensor_steps(self, group)

    @no_grad()
    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """One update of every parameter that has a gradient; returns ``closure()``'s loss."""
        loss = self._run_closure(closure)
        for group in self.param_groups:
            lr = _scalar(group["lr"])
            beta1, beta2 = (_scalar(b) for b in group["betas"])
            eps, weight_decay = group["eps"], _scalar(group["weight_decay"])
            amsgrad, maximize = group["amsgrad"], group["maximize"]
            decoupled = group["decoupled_weight_decay"]
            for p in group["params"]:
                grad = p.grad
                if grad is None:
                    continue
                state = self.state[p]
                if len(state) == 0:
                    state["step"] = _step_tensor()
                    state["exp_avg"] = _zeros_like(p)
                    state["exp_avg_sq"] = _zeros_like(p)
                    if amsgrad:
                        state["max_exp_avg_sq"] = _zeros_like(p)
                exp_avg = _follow(state["exp_avg"], p)
                exp_avg_sq = _follow(state["exp_avg_sq"], p)
                step = _incr_step(state["step"])
                xp = p._xp()

                g = grad._data if not maximize else -grad._data
                if weight_decay != 0:
                    if decoupled:
                        p._data *= 1 - lr * weight_decay
                    else:
                        g = g + weight_decay * p._data
                _lerp_(exp_avg, g, 1 - beta1)
                exp_avg_sq *= beta2
                tmp = g * (1 - beta2)  # addcmul's order: (value * t1) * t2
                tmp *= g
                exp_avg_sq += tmp

                bias_correction1 = 1 - beta1**step
                bias_correction2 = 1 - beta2**step
                step_size = lr / bias_correction1
                bias_correction2_sqrt = bias_correction2**0.5
                if amsgrad:
                    max_sq = _follow(state["max_exp_avg_sq"], p)
                    xp.maximum(max_sq, exp_avg_sq, out=max_sq)
                    denom = xp.sqrt(max_sq)
                else:
                    denom = xp.sqrt(exp_avg_sq)
                denom /= bias_correction2_sqrt
                denom += eps
                xp.multiply(exp_avg, -step_size, out=tmp)  # addcdiv's order: (value * t1) / t2
                tmp /= denom
                p._data += tmp
                p._bump()
        return loss


def _tensor_steps(opt: Optimizer, group: dict[str, Any]) -> None:
    """State dicts from older PyTorch hold ``step`` as a number: make it a tensor again."""
    for p in group["params"]:
        p_state = opt.state.get(p, {})
        if len(p_state) != 0 and "step" in p_state and not isinstance(p_state["step"], Tensor):
            t = _step_tensor()
            t._data[...] = float(p_state["step"])
            p_state["step"] = t
