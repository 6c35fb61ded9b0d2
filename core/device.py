"""``core.device``: PyTorch's device objects (``cpu``, ``cuda:0``)."""

from __future__ import annotations

from typing import Any


class device:  # noqa: N801 (torch's spelling)
    __slots__ = ("type", "index")

    def __init__(self, spec: Any, index: int | None = None) -> None:
        if isinstance(spec, device):
            self.type, self.index = spec.type, spec.index
            return
        if isinstance(spec, int):
            self.type, self.index = "cuda", spec
            return
        if not isinstance(spec, str):
            raise TypeError(
                f"device() received an invalid combination of arguments - got ({type(spec).__name__})"
            )
        kind, _, idx = spec.partition(":")
        if kind not in ("cpu", "cuda") or (idx and not idx.isdigit()):
            raise RuntimeError(
                "Expected one of cpu, cuda, ipu, xpu, mkldnn, opengl, opencl, ideep, hip, ve, fpga, "
                f"maia, xla, lazy, vulkan, mps, meta, hpu, mtia, privateuseone device type at start "
                f"of device string: {spec}"
            )
        self.type = kind
        self.index = int(idx) if idx else index

    def __repr__(self) -> str:
        return f"device(type='{self.type}'" + (
            f", index={self.index})" if self.index is not None else ")"
        )

    def __str__(self) -> str:
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, str):
            try:
                other = device(other)
            except (RuntimeError, TypeError):
                return False
        return isinstance(other, device) and self.type == other.type and self.index == other.index

    def __hash__(self) -> int:
        return hash((self.type, self.index))

    def __enter__(self) -> device:
        return self

    def __exit__(self, *exc: object) -> None:
        pass


CPU = device("cpu")
_CUDA: dict[int, device] = {}


def device_of_array(array: Any) -> device:
    from core.backend import array_device_index

    idx = array_device_index(array)
    if idx < 0:
        return CPU
    if idx not in _CUDA:
        _CUDA[idx] = device("cuda", idx)
    return _CUDA[idx]


def normalize(spec: Any) -> device:
    """A device from a string, int, or device; ``cuda`` means the current device (index 0)."""
    d = spec if isinstance(spec, device) else device(spec)
    if d.type == "cuda" and d.index is None:
        return device("cuda", 0)
    return d
