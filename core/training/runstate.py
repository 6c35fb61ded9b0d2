"""A run's complete state as a dict `core.save` writes, and back: for the app's session files."""

from __future__ import annotations

from typing import Any

import numpy as np

import core
from core.training.reports import FailureReport, StepReport

__all__ = ["RunStateMixin"]

_VERSION = 1


class RunStateMixin:
    """Mixed into TrainingRun: `state_dict`, `load_state_dict`, `from_state_dict`."""

    def state_dict(self) -> dict[str, Any]:
        """Everything needed to continue this run later, exactly where it is."""
        run: Any = self
        with run._lock:
            d = run._data
            out: dict[str, Any] = {
                "version": _VERSION,
                "config": run.config.to_dict(),
                "model": run.model.state_dict(),
                "optimizer": run.optimizer.state_dict(),
                "scheduler": run.scheduler.state_dict() if run.scheduler is not None else None,
                "generator": run.generator.get_state(),
                "rng": run._rng_state,
                "order": None if run._order is None else core.from_numpy(run._order.copy()),
                "position": {"step": run.step, "epoch": run.epoch, "batch": run._pos},
                "elapsed": run._elapsed,
                "state": run.state,
                "history": [r.to_dict() for r in run.history],
                "failure": run.failure.to_dict() if run.failure else None,
            }
            if run._custom_data:
                X = np.concatenate([d.X_train, d.X_val])
                y = np.concatenate([d.y_train, d.y_val])
                out["data"] = {"X": core.from_numpy(X), "y": core.from_numpy(y)}
            return out

    @classmethod
    def from_state_dict(cls, state: dict[str, Any]) -> Any:
        """A run rebuilt from `state_dict()` output (e.g. `core.load` of a session file)."""
        data = state.get("data")
        arrays = None
        if data is not None:
            X, y = data["X"].numpy(), data["y"].numpy()
            config = dict(state["config"])
            # the stored arrays are train then val: split them again the same way below
            arrays = _unsplit(config, X, y)
        run = cls(dict(state["config"]), data=arrays)  # type: ignore[call-arg]
        run.load_state_dict(state)
        return run

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Restore a state from `state_dict()` into this run (built from the same config)."""
        run: Any = self
        if state.get("version") != _VERSION:
            raise ValueError(f"unsupported training state version {state.get('version')!r}")
        with run._lock:
            device = run.device
            run.model.load_state_dict(state["model"])
            run.optimizer.load_state_dict(state["optimizer"])
            if run.scheduler is not None and state.get("scheduler") is not None:
                run.scheduler.load_state_dict(state["scheduler"])
            run.generator.set_state(state["generator"])
            run._rng_state = state.get("rng")
            order = state.get("order")
            run._order = None if order is None else np.asarray(order.numpy(), dtype=np.int64)
            pos = state["position"]
            run.step, run.epoch, run._pos = int(pos["step"]), int(pos["epoch"]), int(pos["batch"])
            run._elapsed = float(state.get("elapsed", 0.0))
            run.history = [StepReport.from_dict(r) for r in state.get("history", [])]
            failure = state.get("failure")
            run.failure = FailureReport.from_dict(failure) if failure else None
            saved = state.get("state", "paused")
            run.state = saved if saved in ("finished", "stopped", "failed") else "paused"
            if run.step == 0 and saved == "ready":
                run.state = "ready"
            if device != "cpu":
                run._move(device)


def _unsplit(config: dict[str, Any], X: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Undo train_val_split's permutation so the split replays identically."""
    from core.datasets import train_val_split

    n = len(X)
    idx = np.arange(n)
    (it, _), (iv, _) = train_val_split(
        idx, idx, config.get("val_fraction", 0.2), seed=config.get("data_seed", 0)
    )
    order = np.concatenate([it, iv])
    Xo = np.empty_like(X)
    yo = np.empty_like(y)
    Xo[order] = X
    yo[order] = y
    return Xo, yo
