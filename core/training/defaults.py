"""Every dataset's sensible defaults: model, loss, optimizer, learning rate, batch size, epochs.

Chosen so that the defaults alone train well: two moons reach >= 95 % validation accuracy, the
tutorial's linear data fits to within 1 % of the least-squares optimum.
"""

from __future__ import annotations

from typing import Any

from core.training.config import LOSSES, TrainConfig
from core.training.errors import ConfigError
from core.training.spec import ModelSpec

__all__ = ["DEFAULTS", "TASK_DEFAULTS", "default_config", "resolve"]

_TWO_D = {
    "model": "mlp:32,32:relu",
    "optimizer": "adam",
    "lr": 0.01,
    "batch_size": 32,
    "epochs": 40,
}

DEFAULTS: dict[str, dict[str, Any]] = {
    # The tutorial: full-batch SGD, lr 0.05, 500 epochs.
    "linear": {
        "model": "linear",
        "optimizer": "sgd",
        "lr": 0.05,
        "batch_size": 1024,
        "epochs": 500,
    },
    "linear_3x": {
        "model": "linear",
        "optimizer": "sgd",
        "lr": 0.05,
        "batch_size": 1024,
        "epochs": 500,
    },
    "sine": {
        "model": "mlp:32,32:tanh",
        "optimizer": "adam",
        "lr": 0.01,
        "batch_size": 32,
        "epochs": 100,
    },
    "moons": dict(_TWO_D),
    "circles": dict(_TWO_D),
    "xor": dict(_TWO_D),
    "spiral": {**_TWO_D, "model": "mlp:64,64:relu", "epochs": 100},
    "blobs": {**_TWO_D, "model": "mlp:16:relu", "epochs": 30},
    "digits": {
        "model": "mlp:128:relu",
        "optimizer": "adam",
        "lr": 0.002,
        "batch_size": 64,
        "epochs": 20,
    },
}

# For custom data (and any dataset without an entry).
TASK_DEFAULTS: dict[str, dict[str, Any]] = {
    "regression": {
        "model": "mlp:32,32:tanh",
        "optimizer": "adam",
        "lr": 0.01,
        "batch_size": 32,
        "epochs": 100,
    },
    "classification": dict(_TWO_D),
    "images": {"model": "lenet", "optimizer": "adam", "lr": 0.002, "batch_size": 64, "epochs": 20},
}

_LOSS = {"regression": "mse", "classification": "cross_entropy", "images": "cross_entropy"}
_MOMENTUM = {"sgd": 0.0, "rmsprop": 0.0}


def default_config(dataset: str) -> TrainConfig:
    """The fully resolved defaults of `dataset` (what the app shows when it is picked)."""
    return TrainConfig(dataset=dataset).resolved()


def resolve(config: TrainConfig, task: str | None = None) -> TrainConfig:
    """A copy of `config` with every None filled in and the model a ModelSpec."""
    config.validate()
    task = task or config.task or _dataset_task(config.dataset)
    base = DEFAULTS.get(config.dataset, TASK_DEFAULTS[task])
    changes: dict[str, Any] = {"task": task}
    for key in ("optimizer", "lr", "batch_size", "epochs"):
        if getattr(config, key) is None:
            changes[key] = base[key]
    spec = ModelSpec.coerce(config.model if config.model is not None else base["model"])
    changes["model"] = ModelSpec.from_dict(spec.to_dict())  # a run's own copy
    loss = config.loss or _LOSS[task]
    if task not in LOSSES[loss]:
        allowed = [name for name, tasks in LOSSES.items() if task in tasks]
        raise ConfigError(
            f"loss {loss!r} does not fit a {task} dataset ({config.dataset}); use one of: "
            f"{', '.join(allowed)}"
        )
    changes["loss"] = loss
    optimizer = changes.get("optimizer", config.optimizer)
    if config.momentum is None:
        changes["momentum"] = _MOMENTUM.get(optimizer)
    elif optimizer == "adagrad":
        raise ConfigError("adagrad has no momentum; leave momentum unset or pick another optimizer")
    if config.nesterov and optimizer != "sgd":
        raise ConfigError(f"nesterov applies to sgd only, not {optimizer}")
    out = config.replace(**changes)
    if out.nesterov and not out.momentum:
        raise ConfigError("nesterov momentum requires momentum > 0 (e.g. --momentum 0.9)")
    return out


def _dataset_task(dataset: str) -> str:
    from core.datasets import DATASETS

    if dataset == "custom":
        raise ConfigError("custom data needs its task: set task to regression or classification")
    return DATASETS[dataset].task
