"""Anomaly detection: remember where each node was created, and name it when backward makes a NaN."""

from __future__ import annotations

import threading
import traceback
import warnings


class _State(threading.local):
    enabled = False
    check_nan = True


_state = _State()


def is_anomaly_enabled() -> bool:
    return _state.enabled


def forward_trace() -> str:
    """The user's stack at forward time, stripped of core's own frames."""
    frames = [
        f for f in traceback.extract_stack()[:-1] if "/core/" not in f.filename.replace("\\", "/")
    ]
    return "".join(traceback.format_list(frames))


def warn_forward_trace(node: object) -> None:
    trace = getattr(node, "metadata", {}).get("traceback_")
    if trace:
        warnings.warn(
            f"Error detected in {type(node).__name__}. Traceback of forward call that caused the error:\n"
            + trace,
            stacklevel=3,
        )


class detect_anomaly:  # noqa: N801
    """Context manager and decorator, as torch.autograd.detect_anomaly."""

    def __init__(self, check_nan: bool = True) -> None:
        self.check_nan = check_nan
        warnings.warn(
            "Anomaly Detection has been enabled. This mode will increase the runtime and should "
            "only be enabled for debugging.",
            UserWarning,
            stacklevel=2,
        )

    def __enter__(self) -> None:
        self._prev = (_state.enabled, _state.check_nan)
        _state.enabled, _state.check_nan = True, self.check_nan

    def __exit__(self, *exc: object) -> None:
        _state.enabled, _state.check_nan = self._prev

    def __call__(self, fn):  # type: ignore[no-untyped-def]
        def wrapper(*args, **kwargs):  # type: ignore[no-untyped-def]
            with detect_anomaly(self.check_nan):
                return fn(*args, **kwargs)

        return wrapper


class set_detect_anomaly(detect_anomaly):  # noqa: N801
    def __init__(self, mode: bool, check_nan: bool = True) -> None:
        self._prev = (_state.enabled, _state.check_nan)
        _state.enabled, _state.check_nan = bool(mode), check_nan

    def __enter__(self) -> None:
        pass
