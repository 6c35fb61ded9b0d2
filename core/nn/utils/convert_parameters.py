"""Flatten parameters into one vector and back."""

from __future__ import annotations

from collections.abc import Iterable

from core.autograd.grad_mode import no_grad
from core.tensor import Tensor


def parameters_to_vector(parameters: Iterable[Tensor]) -> Tensor:
    from core._shape_fns import cat

    return cat([p.view(-1) for p in parameters])


def vector_to_parameters(vec: Tensor, parameters: Iterable[Tensor]) -> None:
    if not isinstance(vec, Tensor):
        raise TypeError(f"expected torch.Tensor, but got: {type(vec).__name__}")
    pointer = 0
    with no_grad():
        for p in parameters:
            n = p.numel()
            p.data = vec[pointer : pointer + n].view_as(p).data
            pointer += n
