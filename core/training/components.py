"""Losses, optimizers and schedulers named in a TrainConfig, and their PyTorch spellings."""

from __future__ import annotations

from typing import Any

from core.training.config import TrainConfig

__all__ = [
    "LOSS_CLASSES",
    "make_loss",
    "make_optimizer",
    "make_scheduler",
    "optimizer_code",
    "optimizer_kwargs",
]

LOSS_CLASSES: dict[str, str] = {
    "mse": "MSELoss",
    "l1": "L1Loss",
    "smooth_l1": "SmoothL1Loss",
    "huber": "HuberLoss",
    "cross_entropy": "CrossEntropyLoss",
}
OPTIMIZER_CLASSES: dict[str, str] = {
    "sgd": "SGD",
    "adam": "Adam",
    "adamw": "AdamW",
    "rmsprop": "RMSprop",
    "adagrad": "Adagrad",
}


def make_loss(name: str) -> Any:
    from core import nn

    return getattr(nn, LOSS_CLASSES[name])()


def optimizer_kwargs(cfg: TrainConfig) -> dict[str, Any]:
    """The keyword arguments of the optimizer `cfg` names, as PyTorch takes them."""
    kw: dict[str, Any] = {"lr": cfg.lr}
    if cfg.optimizer == "sgd":
        kw["momentum"] = cfg.momentum or 0.0
        if cfg.nesterov:
            kw["nesterov"] = True
    elif cfg.optimizer in ("adam", "adamw"):
        b1, b2 = cfg.betas
        kw["betas"] = (cfg.momentum if cfg.momentum is not None else b1, b2)
    elif cfg.optimizer == "rmsprop":
        kw["momentum"] = cfg.momentum or 0.0
    if cfg.weight_decay or cfg.optimizer == "adamw":
        kw["weight_decay"] = cfg.weight_decay
    return kw


def make_optimizer(cfg: TrainConfig, params: Any) -> Any:
    from core import optim

    return getattr(optim, OPTIMIZER_CLASSES[cfg.optimizer])(params, **optimizer_kwargs(cfg))


def optimizer_code(cfg: TrainConfig, params: str = "model.parameters()") -> str:
    """``torch.optim.Adam(model.parameters(), lr=0.01)`` for `cfg`."""
    args = ", ".join(f"{k}={v!r}" for k, v in optimizer_kwargs(cfg).items())
    return f"torch.optim.{OPTIMIZER_CLASSES[cfg.optimizer]}({params}, {args})"


def make_scheduler(cfg: TrainConfig, optimizer: Any) -> Any:
    """The epoch-stepped scheduler `cfg` names, or None."""
    if cfg.scheduler == "none":
        return None
    from core.optim import lr_scheduler

    if cfg.scheduler == "step":
        return lr_scheduler.StepLR(optimizer, step_size=cfg.step_size, gamma=cfg.gamma)
    if cfg.scheduler == "exponential":
        return lr_scheduler.ExponentialLR(optimizer, gamma=cfg.gamma)
    return lr_scheduler.CosineAnnealingLR(optimizer, T_max=cfg.epochs)
