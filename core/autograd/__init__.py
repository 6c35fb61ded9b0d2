"""Autograd: define-by-run graphs of ``Node``s and an engine that executes them step by step."""

from __future__ import annotations

from typing import Any

from core.autograd import graph
from core.autograd.anomaly import detect_anomaly, set_detect_anomaly
from core.autograd.engine import backward, backward_steps, grad
from core.autograd.function import AccumulateGrad, Function, FunctionCtx, Node
from core.autograd.grad_mode import (
    enable_grad,
    inference_mode,
    is_grad_enabled,
    no_grad,
    set_grad_enabled,
)
from core.autograd.gradcheck import gradcheck
from core.autograd.step_record import StepRecord


def Variable(data: Any, requires_grad: bool = False, volatile: bool = False) -> Any:  # noqa: N802
    """The pre-0.4 wrapper: it now simply returns a Tensor (sharing ``data``)."""
    from core.tensor import Tensor

    if not isinstance(data, Tensor):
        raise TypeError(f"Variable data has to be a tensor, but got {type(data).__name__}")
    if requires_grad:
        data.requires_grad_(True)
    return data


__all__ = [
    "AccumulateGrad",
    "Function",
    "FunctionCtx",
    "Node",
    "StepRecord",
    "Variable",
    "backward",
    "backward_steps",
    "detect_anomaly",
    "enable_grad",
    "grad",
    "gradcheck",
    "graph",
    "inference_mode",
    "is_grad_enabled",
    "no_grad",
    "set_detect_anomaly",
    "set_grad_enabled",
]
