"""``core.cuda``: availability and device queries, all through ``core.backend``."""

from __future__ import annotations

from core import backend


def is_available() -> bool:
    return backend.cuda_available()


def device_count() -> int:
    return backend.device_count()


def current_device() -> int:
    backend.require_cuda()
    return 0


def get_device_name(device: int | None = None) -> str:
    cp = backend.require_cuda()
    props = cp.cuda.runtime.getDeviceProperties(device or 0)
    name = props["name"]
    return name.decode() if isinstance(name, bytes) else str(name)


def synchronize(device: object = None) -> None:
    backend.synchronize()


def manual_seed(seed: int) -> None:
    from core.random import manual_seed as _seed

    _seed(seed)


manual_seed_all = manual_seed


def is_initialized() -> bool:
    return backend.cuda_available()


def unavailable_reason() -> str:
    """Why CUDA cannot be used, in words for the user ("" when it can)."""
    return backend.cuda_unavailable_reason()
