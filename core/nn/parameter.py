"""``nn.Parameter``: a Tensor that a Module registers as a parameter (requires grad by default)."""

from __future__ import annotations

from typing import Any

from core.tensor import Tensor


class Parameter(Tensor):
    """A leaf tensor sharing memory with ``data``; ``Module.__setattr__`` registers it."""

    def __new__(cls, data: Tensor | None = None, requires_grad: bool = True) -> Parameter:
        if data is None:
            from core._creation import empty

            data = empty(0)
        p = Tensor._wrap(data._data)
        p.__class__ = cls
        p._requires_grad = bool(requires_grad)
        if requires_grad and not p.is_floating_point():
            raise RuntimeError(
                "Only Tensors of floating point and complex dtype can require gradients"
            )
        return p

    def __repr__(self, *, tensor_contents: Any = None) -> str:
        from core import dtypes as _dt
        from core._printing import format_parameter
        from core.tensor import _printable

        return format_parameter(
            _printable(self._data),
            dtype_name=self.dtype.name,
            default_dtype_name=_dt.get_default_dtype().name,
            device=None if self.is_cpu else str(self.device),
            requires_grad=self._requires_grad,
        )

    __str__ = __repr__

    def __reduce_ex__(self, protocol: int) -> Any:
        from core import backend

        return (_rebuild_parameter, (backend.to_numpy(self._data).copy(), self._requires_grad))


def _rebuild_parameter(array: Any, requires_grad: bool) -> Parameter:
    return Parameter(Tensor._wrap(array), requires_grad)


class Buffer(Tensor):
    """``nn.Buffer(tensor, persistent=True)``: marks a tensor to be registered as a buffer."""

    def __new__(cls, data: Tensor | None = None, *, persistent: bool = True) -> Buffer:
        if data is None:
            from core._creation import empty

            data = empty(0)
        b = Tensor._wrap(data._data)
        b.__class__ = cls
        b.persistent = persistent
        return b
