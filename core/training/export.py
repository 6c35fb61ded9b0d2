"""Export a trained run into a folder, atomically: weights, validation data, a PyTorch script.

The folder is written as a temporary sibling and renamed into place at the end, so a failure
leaves no half-written folder, and an existing folder is only replaced once the new one is whole.
"""

from __future__ import annotations

import datetime
import json
import math
import os
import platform
import shutil
import tempfile
from pathlib import Path
from typing import Any

import core
from core.training.components import LOSS_CLASSES, optimizer_code
from core.training.script import model_script

__all__ = ["FILES", "check_destination", "export"]

FILES = ("model.safetensors", "model.npz", "model.py", "validation.safetensors", "experiment.json")


def check_destination(folder: str | os.PathLike, overwrite: bool = False) -> Path:
    """The resolved folder, or FileExistsError saying why an export may not go there."""
    folder = Path(os.fspath(folder)).resolve()
    if folder.exists() and not folder.is_dir():
        raise FileExistsError(f"cannot export into {str(folder)!r}: it is a file, not a folder")
    present = sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []
    if present and not overwrite:
        raise FileExistsError(
            f"export folder {str(folder)!r} already exists and is not empty; choose another "
            "folder or pass overwrite=True (--export DIR --overwrite on the command line)"
        )
    foreign = [name for name in present if name not in FILES]
    if foreign:  # overwrite replaces a previous export, never a folder of other files
        shown = ", ".join(foreign[:5]) + (", ..." if len(foreign) > 5 else "")
        raise FileExistsError(
            f"export folder {str(folder)!r} holds files that are not from an export ({shown}); "
            "overwrite only replaces a previous export: choose an empty or new folder"
        )
    return folder


def export(run: Any, folder: str | os.PathLike, *, overwrite: bool = False) -> Path:
    """Write `run`'s model, validation split, script and experiment record into `folder`."""
    folder = check_destination(folder, overwrite)
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{folder.name}.tmp-", dir=folder.parent))
    try:
        _write_all(run, tmp)
        _swap_into_place(tmp, folder)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return folder


def _write_all(run: Any, tmp: Path) -> None:
    with run._lock:
        state = {k: v.detach().cpu() for k, v in run.model.state_dict().items()}
        val_loss, val_acc = run.evaluate("val")
        X_val, y_val = run.data("val")
        record = _experiment(run, val_loss, val_acc)
        script = _script(run)
    core.save(state, tmp / "model.safetensors")
    core.save(state, tmp / "model.npz")
    core.save(
        {"inputs": core.from_numpy(X_val), "targets": core.from_numpy(y_val)},
        tmp / "validation.safetensors",
    )
    _write_text(tmp / "model.py", script)
    _write_text(tmp / "experiment.json", json.dumps(record, indent=2) + "\n")


def _swap_into_place(tmp: Path, folder: Path) -> None:
    if not folder.exists():
        os.rename(tmp, folder)
        return
    old = Path(tempfile.mkdtemp(prefix=f".{folder.name}.old-", dir=folder.parent))
    os.rmdir(old)
    os.rename(folder, old)
    try:
        os.rename(tmp, folder)
    except BaseException:
        os.rename(old, folder)  # put the previous export back
        raise
    shutil.rmtree(old, ignore_errors=True)


def _write_text(path: Path, text: str) -> None:
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())


def _finite(x: float | None) -> float | None:
    return x if x is not None and math.isfinite(x) else None


def _versions() -> dict[str, str]:
    from importlib import metadata

    import numpy

    out = {
        "core": core.__version__,
        "numpy": numpy.__version__,
        "python": platform.python_version(),
    }
    try:
        out["safetensors"] = metadata.version("safetensors")
    except metadata.PackageNotFoundError:
        pass
    return out


def _experiment(run: Any, val_loss: float, val_acc: float | None) -> dict[str, Any]:
    cfg = run.config
    ends = [r for r in run.history if r.epoch_end]
    return {
        "config": cfg.to_dict(),
        "seed": cfg.seed,
        "dataset": cfg.dataset,
        "device": run.device,
        "task": run.task,
        "model": run.spec.to_dict(),
        "model_summary": str(run.spec),
        "parameter_count": run.parameter_count,
        "input_shape": list(run.input_shape),
        "outputs": run.outputs,
        "steps": run.step,
        "epochs_completed": run.epoch,
        "state": run.state,
        "failure": run.failure.to_dict() if run.failure else None,
        "loss_history": [_finite(r.loss) for r in run.history],
        "val_loss_history": [_finite(r.val_loss) for r in ends],
        "val_accuracy_history": [r.val_accuracy for r in ends],
        "final_validation_loss": _finite(val_loss),
        "final_validation_accuracy": val_acc,
        "versions": _versions(),
        "created": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
    }


def _script(run: Any) -> str:
    cfg = run.config
    return model_script(
        net_code=run.spec.to_pytorch_code(run.input_shape, run.outputs, imports=False),
        loss_class=LOSS_CLASSES[cfg.loss],
        classification=run.task != "regression",
        optimizer=optimizer_code(cfg),
        batch_size=run.batch_size,
        title=f"{cfg.dataset}, model {run.spec}, {run.step} steps ({run.epoch} epochs)",
    )
