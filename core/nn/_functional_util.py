"""Small helpers shared by the functional modules: argument pairs and PyTorch's type names."""

from __future__ import annotations

from typing import Any

from core.tensor import Tensor


def _pair(v: Any) -> tuple[int, int]:
    if isinstance(v, (tuple, list)):
        return (int(v[0]), int(v[0])) if len(v) == 1 else (int(v[0]), int(v[1]))
    return (int(v), int(v))


def _float_name(t: Tensor) -> str:
    return {"float32": "float", "float64": "double", "float16": "c10::Half"}.get(
        t.dtype.name, t.dtype.name
    )


def _legacy(t: Tensor) -> str:
    """PyTorch's scalar type name in messages: Float, Double, Long ..."""
    return t.dtype.scalar_name
