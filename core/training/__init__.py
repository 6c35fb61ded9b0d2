"""core.training: the training engine shared by the app, the headless trainer and the tests.

See docs/TRAINING_API.md. Nothing here imports Qt.
"""

from __future__ import annotations

from typing import Any

from core.training.config import LOSSES, OPTIMIZERS, SCHEDULERS, TrainConfig
from core.training.defaults import DEFAULTS, default_config
from core.training.errors import ConfigError
from core.training.reports import Batch, FailureReport, Grid, Samples, StepReport
from core.training.spec import ModelSpec

__all__ = [
    "DEFAULTS",
    "LOSSES",
    "OPTIMIZERS",
    "SCHEDULERS",
    "Batch",
    "ConfigError",
    "FailureReport",
    "Grid",
    "ModelSpec",
    "Samples",
    "StepReport",
    "TrainConfig",
    "TrainingRun",
    "default_config",
    "export",
]


def __getattr__(name: str) -> Any:
    # The engine and export need core.nn / core.optim: import them on first use only.
    if name == "TrainingRun":
        from core.training.engine import TrainingRun

        return TrainingRun
    if name == "export":
        from core.training.export import export

        return export
    raise AttributeError(f"module 'core.training' has no attribute {name!r}")
