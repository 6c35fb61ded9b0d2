"""Layer tables of a ModelSpec: checking one layer dict, and planning it into a concrete layer."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from core.training.errors import ConfigError

__all__ = [
    "ACTIVATIONS",
    "LAYER_TYPES",
    "LayerPlan",
    "check_layer",
    "layer_name",
    "plan_flatten",
    "plan_layer",
]

# activation name -> PyTorch class name
ACTIVATIONS: dict[str, str] = {
    "relu": "ReLU",
    "tanh": "Tanh",
    "sigmoid": "Sigmoid",
    "leaky_relu": "LeakyReLU",
    "elu": "ELU",
    "gelu": "GELU",
    "silu": "SiLU",
    "softplus": "Softplus",
}

# layer type -> {option: (default, checker description)}; None default means required
LAYER_TYPES: dict[str, dict[str, Any]] = {
    "linear": {"out": None, "bias": True},
    "conv": {"out": None, "kernel": 3, "stride": 1, "padding": 0, "bias": True},
    "pool": {"kind": "max", "kernel": 2},
    "flatten": {},
    "dropout": {"p": 0.5},
    "batchnorm": {},
    "activation": {"name": "relu"},
}

_PREFIX = {
    "linear": "fc",
    "conv": "conv",
    "pool": "pool",
    "dropout": "drop",
    "batchnorm": "bn",
    "activation": "act",
    "flatten": "flatten",
}


@dataclass(frozen=True)
class LayerPlan:
    """One concrete layer: attribute name, PyTorch class and arguments, output shape, params."""

    name: str
    cls: str  # PyTorch class name in torch.nn, e.g. "Linear"
    args: tuple[Any, ...]
    kwargs: tuple[tuple[str, Any], ...]
    out_shape: tuple[int, ...]
    params: int

    def pytorch(self) -> str:
        parts = [repr(a) for a in self.args] + [f"{k}={v!r}" for k, v in self.kwargs]
        return f"nn.{self.cls}({', '.join(parts)})"

    def describe(self) -> str:
        return self.pytorch()[3:]


def layer_name(kind: str, counts: dict[str, int]) -> str:
    if kind == "flatten":
        counts["flatten"] = counts.get("flatten", 0) + 1
        n = counts["flatten"]
        return "flatten" if n == 1 else f"flatten{n}"
    return f"{_PREFIX[kind]}{counts[kind]}"


def check_layer(i: int, layer: Any) -> dict[str, Any]:
    if not isinstance(layer, dict):
        raise ConfigError(f"layer {i}: a table/dict with a 'type' was expected, got {layer!r}")
    kind = layer.get("type")
    if kind not in LAYER_TYPES:
        raise ConfigError(
            f"layer {i}: unknown type {kind!r}; choose one of: {', '.join(LAYER_TYPES)}"
        )
    options = LAYER_TYPES[kind]
    unknown = sorted(set(layer) - set(options) - {"type"})
    if unknown:
        allowed = ", ".join(options) or "none"
        raise ConfigError(f"layer {i} ({kind}): unknown option(s) {unknown}; allowed: {allowed}")
    out = {"type": kind}
    for key, default in options.items():
        value = layer.get(key, default)
        if value is None:
            raise ConfigError(f"layer {i} ({kind}): '{key}' is required")
        out[key] = value
    where = f"layer {i} ({kind})"
    for key in ("out", "kernel", "stride"):
        if key in out and (
            isinstance(out[key], bool) or not isinstance(out[key], int) or out[key] < 1
        ):
            raise ConfigError(f"{where}: {key} must be a positive integer, got {out[key]!r}")
    if "padding" in out and (
        isinstance(out["padding"], bool)
        or not isinstance(out["padding"], int)
        or out["padding"] < 0
    ):
        raise ConfigError(f"{where}: padding must be an integer >= 0, got {out['padding']!r}")
    if "bias" in out and not isinstance(out["bias"], bool):
        raise ConfigError(f"{where}: bias must be true or false, got {out['bias']!r}")
    if kind == "dropout":
        p = out["p"]
        if isinstance(p, bool) or not isinstance(p, (int, float)) or not 0.0 <= p < 1.0:
            raise ConfigError(f"{where}: p must be a number in [0, 1), got {p!r}")
        out["p"] = float(p)
    if kind == "pool" and out["kind"] not in ("max", "avg"):
        raise ConfigError(f"{where}: kind must be 'max' or 'avg', got {out['kind']!r}")
    if kind == "activation" and out["name"] not in ACTIVATIONS:
        raise ConfigError(
            f"{where}: unknown activation {out['name']!r}; choose one of: {', '.join(ACTIVATIONS)}"
        )
    return out


def plan_flatten(name: str, shape: tuple[int, ...]) -> LayerPlan:
    n = 1
    for s in shape:
        n *= s
    return LayerPlan(name, "Flatten", (), (), (n,), 0)


def plan_layer(i: int, name: str, layer: dict[str, Any], shape: tuple[int, ...]) -> LayerPlan:
    kind = layer["type"]
    where = f"layer {i} ({kind})"
    if kind == "linear":
        (n_in,) = shape
        n_out = layer["out"]
        kw = () if layer["bias"] else (("bias", False),)
        return LayerPlan(
            name, "Linear", (n_in, n_out), kw, (n_out,), n_in * n_out + n_out * layer["bias"]
        )
    if kind == "flatten":
        return plan_flatten(name, shape)
    if kind == "activation":
        return LayerPlan(name, ACTIVATIONS[layer["name"]], (), (), shape, 0)
    if kind == "dropout":
        return LayerPlan(name, "Dropout", (), (("p", layer["p"]),), shape, 0)
    if kind == "batchnorm":
        cls = "BatchNorm1d" if len(shape) == 1 else "BatchNorm2d"
        return LayerPlan(name, cls, (shape[0],), (), shape, 2 * shape[0])
    if len(shape) != 3:
        raise ConfigError(f"{where} needs an image-shaped input (C, H, W), got shape {shape}")
    c, h, w = shape
    if kind == "conv":
        k, s, p = layer["kernel"], layer["stride"], layer["padding"]
        oh, ow = (h + 2 * p - k) // s + 1, (w + 2 * p - k) // s + 1
        if oh < 1 or ow < 1:
            raise ConfigError(f"{where}: kernel {k} is larger than its padded input {h}x{w}")
        kw: list[tuple[str, Any]] = [("kernel_size", k)]
        if s != 1:
            kw.append(("stride", s))
        if p:
            kw.append(("padding", p))
        if not layer["bias"]:
            kw.append(("bias", False))
        params = layer["out"] * c * k * k + layer["out"] * layer["bias"]
        return LayerPlan(
            name, "Conv2d", (c, layer["out"]), tuple(kw), (layer["out"], oh, ow), params
        )
    # pool
    k = layer["kernel"]
    if h < k or w < k:
        raise ConfigError(f"{where}: kernel {k} is larger than its input {h}x{w}")
    cls = "MaxPool2d" if layer["kind"] == "max" else "AvgPool2d"
    return LayerPlan(name, cls, (k,), (), (c, h // k, w // k), 0)
