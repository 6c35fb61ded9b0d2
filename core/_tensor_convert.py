"""Tensor conversions: ``to``, ``type``, ``cuda``/``cpu``, the dtype casters and ``new_*``."""

from __future__ import annotations

from typing import Any

from core import _creation, backend
from core import dtypes as _dt
from core.autograd.grad_mode import _state as _grad_state
from core.device import normalize
from core.fp_quiet import quiet
from core.ops import elementwise as E
from core.tensor import Tensor


def _to(self: Tensor, *args: Any, **kwargs: Any) -> Tensor:
    """``to(dtype)``, ``to(device)``, ``to(device, dtype)``, ``to(other)``; no copy when nothing changes."""
    dtype = kwargs.pop("dtype", None)
    device = kwargs.pop("device", None)
    copy = kwargs.pop("copy", False)
    kwargs.pop("non_blocking", None)
    kwargs.pop("memory_format", None)
    if kwargs:
        raise TypeError(f"to() received an invalid combination of arguments: {sorted(kwargs)}")
    for a in args:
        if isinstance(a, Tensor):
            dtype, device = a.dtype, a.device
        elif isinstance(a, _dt.dtype) or a in (float, int, bool):
            dtype = a
        elif a is not None and not isinstance(a, bool):
            device = a
    target_dtype = _dt.from_any(dtype) if dtype is not None else None
    target_device = normalize(device) if device is not None else None
    same_dtype = target_dtype is None or target_dtype.np == self._data.dtype
    same_device = target_device is None or (
        target_device.type == self.device.type
        and (target_device.type == "cpu" or target_device.index == self.device.index)
    )
    if same_dtype and same_device and not copy:
        return self
    if target_device is not None and target_device.type == "cuda":
        backend.require_cuda()

    def convert(a: Any) -> Any:
        if target_device is not None and not same_device:
            a = backend.to_device(a, target_device.type, target_device.index or 0)
        if target_dtype is not None and a.dtype != target_dtype.np:
            with quiet():  # 1e300 to float32 is inf, nan to int64 a number: silently, as PyTorch
                a = a.astype(target_dtype.np)
        elif copy and same_device:
            a = a.copy()
        return a

    if (
        self._requires_grad
        and _grad_state.enabled
        and (target_dtype is None or target_dtype.is_floating_point)
    ):
        from core.autograd.function import apply_op

        return apply_op(E.ToCopyBackward0, (self,), convert)
    return Tensor._wrap(convert(self._data))


def _caster(d: _dt.dtype) -> Any:
    def cast(self: Tensor, memory_format: Any = None) -> Tensor:
        return _to(self, d)

    return cast


_TYPE_NAMES = {d.legacy_type_name: d for d in _dt.ALL}


def _type(self: Tensor, dtype: Any = None, non_blocking: bool = False) -> Any:
    if dtype is None:
        name = self.dtype.legacy_type_name
        return name.replace("torch.", "torch.cuda.") if self.is_cuda else name
    if isinstance(dtype, str):
        key = dtype.replace("torch.cuda.", "torch.")
        if key not in _TYPE_NAMES:
            raise ValueError(f"invalid type: '{dtype}'")
        out = _to(self, _TYPE_NAMES[key])
        return out.cuda() if "cuda" in dtype else out
    if isinstance(dtype, type) and hasattr(dtype, "dtype"):
        return _to(self, dtype.dtype)
    return _to(self, dtype)


def _cuda(self: Tensor, device: Any = None, non_blocking: bool = False) -> Tensor:
    backend.require_cuda()
    return _to(self, f"cuda:{device}" if isinstance(device, int) else (device or "cuda"))


def _cpu(self: Tensor) -> Tensor:
    return _to(self, "cpu")


def _new_factory(maker: Any) -> Any:
    def new(
        self: Tensor, *size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False
    ) -> Tensor:
        return maker(
            *size,
            dtype=dtype or self.dtype,
            device=device or self.device,
            requires_grad=requires_grad,
        )

    return new


def _new_tensor(
    self: Tensor, data: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False
) -> Tensor:
    return _creation.tensor(
        data, dtype=dtype or self.dtype, device=device or self.device, requires_grad=requires_grad
    )


def _new_full(
    self: Tensor,
    size: Any,
    fill_value: Any,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    return _creation.full(
        size,
        fill_value,
        dtype=dtype or self.dtype,
        device=device or self.device,
        requires_grad=requires_grad,
    )
