"""Name the step and the op behind a NaN or infinite loss."""

from __future__ import annotations

import math
from typing import Any

import core
from core.fp_quiet import quiet
from core.training.predict import buffers_kept
from core.training.reports import Batch, FailureReport

__all__ = ["diagnose_failure"]


def _finite(t: Any) -> bool:
    try:
        return bool(core.isfinite(t.detach()).all().item())
    except Exception:  # noqa: BLE001  (a non-tensor output: nothing to say about it)
        return True


def _grad_fn_name(t: Any) -> str | None:
    fn = getattr(t, "grad_fn", None)
    return fn.name() if fn is not None else None


def _first_bad_module(run: Any, batch: Batch) -> tuple[str | None, str | None, Any]:
    """Re-run the forward layer by layer: the first submodule whose output is not finite."""
    x = batch.inputs
    bad: tuple[str | None, str | None] = (None, None)
    for name, module in run.model.named_children():
        x = module(x)
        if bad[0] is None and not _finite(x):
            bad = (name, _grad_fn_name(x))
    loss = run.loss_fn(x, batch.targets)
    if bad[0] is None and not _finite(loss):
        bad = (None, _grad_fn_name(loss))
    return bad[0], bad[1], loss


def _anomaly_message(loss: Any) -> str | None:
    """Backward under anomaly detection: the message naming the node that returned NaN."""
    import warnings

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with core.autograd.detect_anomaly():
                loss.backward()
    except RuntimeError as exc:
        return str(exc)
    return None


def diagnose_failure(run: Any, batch: Batch, loss_value: float) -> FailureReport:
    """The report for a non-finite loss; parameters and optimizer state are left untouched."""
    kind = "nan" if math.isnan(loss_value) else "inf"
    module = op = anomaly = None
    try:
        with quiet(), buffers_kept(run.model):
            module, op, loss = _first_bad_module(run, batch)
            anomaly = _anomaly_message(loss)
    except Exception as exc:  # noqa: BLE001  (diagnosis must never hide the failure itself)
        anomaly = f"diagnosis failed: {type(exc).__name__}: {exc}"
    finally:
        run.optimizer.zero_grad()
    where = f"step {batch.step} (epoch {batch.epoch + 1}, batch {batch.batch + 1})"
    msg = f"The training loss became {kind} at {where}"
    if module is not None:
        sub = getattr(run.model, module)
        msg += f"; the first non-finite values came from {module} ({type(sub).__name__}, {op})"
        if not all(_finite(p) for p in sub.parameters()):
            msg += (
                f", whose parameters are already not finite: the update of step "
                f"{batch.step - 1} overflowed"
            )
    elif op is not None:
        msg += f"; the first non-finite value came from the loss ({op})"
    if anomaly and not anomaly.startswith("diagnosis failed"):
        msg += f". Anomaly detection: {anomaly.rstrip('.')}"
    msg += ". Try a smaller learning rate."
    return FailureReport(batch.step, batch.epoch, batch.batch, loss_value, op, module, anomaly, msg)
