"""In-place fills of a tensor's memory: random fills, ``fill_``, ``zero_``, ``copy_``, ``resize_``."""

from __future__ import annotations

from typing import Any

import numpy as np

from core import backend
from core._dispatch import inplace
from core.autograd.grad_mode import _state as _grad_state
from core.fp_quiet import quiet
from core.ops import elementwise as E
from core.tensor import Tensor


def _fill_inplace(
    self: Tensor, values: Any, name: str = "FillBackward2", value: Any = None
) -> Tensor:
    """Write raw values into self (an in-place fill), honouring autograd's leaf rule.

    On a tensor with history the fill is recorded under PyTorch's name for it (``FillBackward2``,
    ``ZeroBackward0``, ``UniformBackward0`` ...): the old values get no gradient.
    """
    from core._dispatch import check_inplace

    if not (self._requires_grad and _grad_state.enabled):
        check_inplace(self)
        with quiet():  # a value out of the dtype's range: inf, silently
            self._data[...] = values
        self._bump()
        return self
    from core.autograd.function import _record

    stand = Tensor._wrap(self._data)  # the old self's place in the graph
    stand._requires_grad, stand.grad_fn = self._requires_grad, self.grad_fn
    stand._output_nr, stand._accumulator = self._output_nr, self._accumulator
    filled = self._xp().empty_like(self._data)
    filled[...] = values
    node_cls = _FILL_NODES.get(name)
    if node_cls is None:
        node_cls = _FILL_NODES[name] = type(name, (_FillBackward,), {"__doc__": "d fill(a) = 0"})
    tensors = (stand,) if value is None else (stand, value)
    return inplace(self, _record(node_cls(), tensors, filled))


class _FillBackward(E.Node):
    """d fill(a) = 0 (and d fill(a, v) = sum of g for a tensor value v)"""

    def backward(self, g: Any) -> tuple:
        return (g * 0,) if len(self.next_functions) == 1 else (g * 0, g.sum())


_FILL_NODES: dict[str, type] = {}


def _rng(generator: Any) -> np.random.Generator:
    from core.random import default_generator

    return (generator or default_generator)._np


def _float_fill(self: Tensor, kernel: str) -> None:
    if not self.dtype.is_floating_point:
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{self.dtype.scalar_name}'")


def uniform_(self: Tensor, from_: float = 0.0, to: float = 1.0, *, generator: Any = None) -> Tensor:
    _float_fill(self, "check_uniform_bounds")
    values = _place_like(self, _rng(generator).uniform(from_, to, self.shape))
    return _fill_inplace(self, values, "UniformBackward0")


def normal_(self: Tensor, mean: float = 0.0, std: float = 1.0, *, generator: Any = None) -> Tensor:
    _float_fill(self, "normal_kernel_cpu")
    values = _place_like(self, _rng(generator).normal(mean, std, self.shape))
    return _fill_inplace(self, values, "NormalBackward0")


def random_(self: Tensor, from_: int = 0, to: Any = None, *, generator: Any = None) -> Tensor:
    name = (
        "RandomBackward0" if to is not None else "RandomBackward1" if from_ else "RandomBackward2"
    )
    if to is None:
        from_, to = (
            0,
            from_
            if from_
            else (
                2**24 + 1
                if self.dtype.is_floating_point
                else int(np.iinfo(self._data.dtype).max) + 1
                if self._data.dtype.kind in "iu"
                else 2
            ),
        )
        if from_ == 0 and to == 0:
            to = 2**24 + 1
    values = _place_like(self, _rng(generator).integers(from_, to, self.shape))
    return _fill_inplace(self, values, name)


def bernoulli_(self: Tensor, p: float = 0.5, *, generator: Any = None) -> Tensor:
    values = _place_like(self, _rng(generator).random(self.shape) < p)
    return _fill_inplace(self, values, "BernoulliBackward2")


def exponential_(self: Tensor, lambd: float = 1.0, *, generator: Any = None) -> Tensor:
    return _fill_inplace(
        self,
        _place_like(self, _rng(generator).exponential(1.0 / lambd, self.shape)),
        "ExponentialBackward0",
    )


def fill_(self: Tensor, value: Any) -> Tensor:
    if isinstance(value, Tensor):
        if value.ndim:
            raise RuntimeError(
                "fill_ only supports 0-dimension value tensor but got tensor with "
                f"{value.ndim} dimensions."
            )
        return _fill_inplace(self, value._data, "FillBackward3", value)
    return _fill_inplace(self, value)


def zero_(self: Tensor) -> Tensor:
    return _fill_inplace(self, 0, "ZeroBackward0")


def copy_(self: Tensor, src: Tensor, non_blocking: bool = False) -> Tensor:
    value = src._data if isinstance(src, Tensor) else np.asarray(src)
    if type(value) is not type(self._data):
        value = backend.to_device(value, self.device.type, self.device.index or 0)
    if (
        isinstance(src, Tensor)
        and _grad_state.enabled
        and (src._requires_grad or self._requires_grad)
    ):
        from core.autograd.function import _record

        stand = Tensor._wrap(self._data)  # the old self's place in the graph
        stand._requires_grad, stand.grad_fn = self._requires_grad, self.grad_fn
        stand._output_nr, stand._accumulator = self._output_nr, self._accumulator
        xp = self._xp()
        with quiet():
            values = xp.broadcast_to(value, self._data.shape).astype(self._data.dtype)
        return inplace(self, _record(CopyBackwards(), (stand, src), values))
    from core._dispatch import check_inplace

    check_inplace(self)
    with quiet():  # float64 to float32 beyond its range: inf, silently
        self._data[...] = value
    self._bump()
    return self


class CopyBackwards(E.Node):
    """d self.copy_(src): the old values get nothing, src gets g (summed back and cast by the engine)"""

    def backward(self, g: Any) -> tuple:
        return g * 0, g

    def name(self) -> str:
        return "torch::autograd::CopyBackwards"


def _place_like(self: Tensor, values: np.ndarray) -> Any:
    values = values.astype(self._data.dtype)
    if type(self._data) is not np.ndarray:
        return backend.to_device(values, "cuda", self.device.index or 0)
    return values


def _apply_(self: Tensor, fn: Any) -> Tensor:
    flat = self._data.reshape(-1)
    for i in range(flat.size):
        flat[i] = fn(flat[i].item())
    self._bump()
    return self


def _map_(self: Tensor, other: Tensor, fn: Any) -> Tensor:
    a = self._data.reshape(-1)
    b = np.broadcast_to(other._data, self._data.shape).reshape(-1)
    for i in range(a.size):
        a[i] = fn(a[i].item(), b[i].item())
    self._bump()
    return self


def _share_memory_(self: Tensor) -> Tensor:
    return self


def _pin_memory(self: Tensor) -> Tensor:
    return self


def _resize_(self: Tensor, *size: Any) -> Tensor:
    from core._shape_fns import _sizes

    shape = tuple(_sizes(size))
    flat = self._data.reshape(-1)
    n = int(np.prod(shape))
    new = np.zeros(n, dtype=self._data.dtype)
    new[: min(n, flat.size)] = flat[: min(n, flat.size)]
    self._data = new.reshape(shape)
    self._bump()
    return self
