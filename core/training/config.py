"""TrainConfig: every setting of a training run, named as the headless trainer's flags."""

from __future__ import annotations

import dataclasses
import math
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core.training.errors import ConfigError

__all__ = ["LOSSES", "OPTIMIZERS", "SCHEDULERS", "TASKS", "TrainConfig"]

LOSSES: dict[str, tuple[str, ...]] = {
    "mse": ("regression",),
    "l1": ("regression",),
    "smooth_l1": ("regression",),
    "huber": ("regression",),
    "cross_entropy": ("classification", "images"),
}
OPTIMIZERS: tuple[str, ...] = ("sgd", "adam", "adamw", "rmsprop", "adagrad")
SCHEDULERS: tuple[str, ...] = ("none", "step", "exponential", "cosine")
TASKS: tuple[str, ...] = ("regression", "classification", "images")


@dataclass
class TrainConfig:
    """What to train and how; `None` fields take the dataset's defaults (see `resolved`)."""

    dataset: str = "moons"
    n: int | None = None
    noise: float | None = None
    data_seed: int = 0
    val_fraction: float = 0.2
    model: Any = None  # ModelSpec | str | dict | None
    loss: str | None = None
    optimizer: str | None = None
    lr: float | None = None
    momentum: float | None = None
    weight_decay: float = 0.0
    nesterov: bool = False
    betas: tuple[float, float] = (0.9, 0.999)
    scheduler: str = "none"
    step_size: int = 10
    gamma: float = 0.1
    batch_size: int | None = None
    epochs: int | None = None
    seed: int = 0
    device: str = "cpu"
    task: str | None = None
    extra: dict[str, Any] = field(default_factory=dict, repr=False)  # free-form, for front ends

    # ------------------------------------------------------------------ construction

    @classmethod
    def field_names(cls) -> list[str]:
        return [f.name for f in dataclasses.fields(cls)]

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> TrainConfig:
        """Build from a dict of field values; unknown keys raise `ConfigError` naming them."""
        if isinstance(d, TrainConfig):
            return d.replace()
        if not isinstance(d, dict):
            raise ConfigError(f"a training config must be a table/dict, got {type(d).__name__}")
        names = cls.field_names()
        d = {k.replace("-", "_"): v for k, v in d.items()}
        unknown = sorted(k for k in d if k not in names)
        if unknown:
            raise ConfigError(
                f"unknown config key(s): {', '.join(unknown)}; valid keys are: {', '.join(names)}"
            )
        if "betas" in d and d["betas"] is not None:
            d["betas"] = tuple(d["betas"])
        cfg = cls(**d)
        cfg.validate()
        return cfg

    @classmethod
    def from_toml(cls, path: str | Path) -> TrainConfig:
        """Read a TOML file whose keys are TrainConfig fields (a [train] table is accepted too)."""
        if sys.version_info >= (3, 11):
            import tomllib
        else:  # pragma: no cover
            try:
                import tomli as tomllib
            except ImportError:
                raise ConfigError(
                    "reading TOML needs Python 3.11+ or the 'tomli' package"
                ) from None
        path = Path(path)
        try:
            with open(path, "rb") as fh:
                data = tomllib.load(fh)
        except FileNotFoundError:
            raise ConfigError(f"config file {str(path)!r} does not exist") from None
        except OSError as exc:
            raise ConfigError(f"cannot read config file {str(path)!r}: {exc}") from None
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"config file {str(path)!r} is not valid TOML: {exc}") from None
        if set(data) == {"train"} and isinstance(data["train"], dict):
            data = data["train"]
        try:
            return cls.from_dict(data)
        except (ConfigError, TypeError, ValueError) as exc:
            raise ConfigError(f"{path}: {exc}") from None

    def replace(self, **changes: Any) -> TrainConfig:
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        """A JSON/TOML-safe dict (the model as its spec dict or string)."""
        from core.training.spec import ModelSpec

        out: dict[str, Any] = {}
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if f.name == "model" and isinstance(value, ModelSpec):
                value = value.to_dict()
            elif f.name == "betas":
                value = list(value)
            elif f.name == "extra":
                value = dict(value)
            out[f.name] = value
        return out

    def resolved(self, task: str | None = None) -> TrainConfig:
        """A copy with every `None` filled from the dataset's defaults and the model a ModelSpec."""
        from core.training.defaults import resolve

        return resolve(self, task)

    # ------------------------------------------------------------------ validation

    def validate(self) -> None:
        """Raise `ConfigError` for a value that can never work (names, ranges, types)."""
        from core.datasets import DATASETS

        if not isinstance(self.dataset, str) or (
            self.dataset not in DATASETS and self.dataset != "custom"
        ):
            raise ConfigError(
                f"unknown dataset {self.dataset!r}; choose one of: "
                f"{', '.join(DATASETS)} (or 'custom' with your own data)"
            )
        _check_int("n", self.n, 1, optional=True)
        _check_float("noise", self.noise, 0.0, optional=True)
        _check_int("data_seed", self.data_seed, 0)
        _check_int("seed", self.seed, 0)
        _check_float("val_fraction", self.val_fraction, 0.0)
        if not self.val_fraction < 1.0:
            raise ConfigError(f"val_fraction must be in [0, 1), got {self.val_fraction!r}")
        if self.loss is not None and self.loss not in LOSSES:
            raise ConfigError(f"unknown loss {self.loss!r}; choose one of: {', '.join(LOSSES)}")
        if self.optimizer is not None and self.optimizer not in OPTIMIZERS:
            raise ConfigError(
                f"unknown optimizer {self.optimizer!r}; choose one of: {', '.join(OPTIMIZERS)}"
            )
        if self.scheduler not in SCHEDULERS:
            raise ConfigError(
                f"unknown scheduler {self.scheduler!r}; choose one of: {', '.join(SCHEDULERS)}"
            )
        if self.task is not None and self.task not in TASKS:
            raise ConfigError(f"unknown task {self.task!r}; choose one of: {', '.join(TASKS)}")
        _check_float("lr", self.lr, 0.0, optional=True, positive=True)
        _check_float("momentum", self.momentum, 0.0, optional=True)
        _check_float("weight_decay", self.weight_decay, 0.0)
        _check_float("gamma", self.gamma, 0.0, positive=True)
        _check_int("step_size", self.step_size, 1)
        _check_int("batch_size", self.batch_size, 1, optional=True)
        _check_int("epochs", self.epochs, 1, optional=True)
        if not isinstance(self.nesterov, bool):
            raise ConfigError(f"nesterov must be true or false, got {self.nesterov!r}")
        betas = self.betas
        if (
            not isinstance(betas, (tuple, list))
            or len(betas) != 2
            or not all(isinstance(b, (int, float)) and 0.0 <= b < 1.0 for b in betas)
        ):
            raise ConfigError(f"betas must be two numbers in [0, 1), got {betas!r}")
        if not isinstance(self.device, str) or not (
            self.device == "cpu" or self.device.split(":")[0] == "cuda"
        ):
            raise ConfigError(f"device must be 'cpu' or 'cuda' (or 'cuda:N'), got {self.device!r}")
        if self.model is not None:
            from core.training.spec import ModelSpec

            ModelSpec.coerce(self.model)


def _check_int(name: str, value: Any, low: int, optional: bool = False) -> None:
    if value is None and optional:
        return
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        raise ConfigError(f"{name} must be an integer >= {low}, got {value!r}")


def _check_float(
    name: str, value: Any, low: float, optional: bool = False, positive: bool = False
) -> None:
    if value is None and optional:
        return
    ok = isinstance(value, (int, float)) and not isinstance(value, bool)
    ok = ok and math.isfinite(value) and value >= low and (value > 0 or not positive)
    if not ok:
        bound = f"> {low}" if positive else f">= {low}"
        raise ConfigError(f"{name} must be a finite number {bound}, got {value!r}")
