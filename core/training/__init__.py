"""core.training: the training engine shared by the app, the headless trainer and the tests.

See docs/TRAINING_API.md. Nothing here imports Qt.
"""

from __future__ import annotations

from core.blas_threads import blas_threads, set_blas_threads
from core.training.config import LOSSES, OPTIMIZERS, SCHEDULERS, TrainConfig
from core.training.defaults import DEFAULTS, default_config
from core.training.engine import TrainingRun
from core.training.errors import ConfigError
from core.training.export import export  # the function shadows the submodule's name
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
    "blas_threads",
    "default_config",
    "export",
    "set_blas_threads",
]
