"""ModelSpec: a small declarative network description that builds a core module and PyTorch code.

The spec lists the hidden layers; the output ``Linear`` (1 unit for regression, one per class
otherwise) is always appended by `plan`. Submodules are named as PyTorch code would name them
(``fc1``, ``conv1``, ``bn1``, ...), so ``state_dict()`` keys match the generated PyTorch code.
"""

from __future__ import annotations

import copy
from typing import Any

from core.training.errors import ConfigError
from core.training.layers import (
    ACTIVATIONS,
    LAYER_TYPES,
    LayerPlan,
    check_layer,
    layer_name,
    plan_flatten,
    plan_layer,
)

__all__ = ["ACTIVATIONS", "LAYER_TYPES", "LayerPlan", "ModelSpec"]


class ModelSpec:
    """Hidden layers as dicts ``{"type": ..., ...}``, or the ``lenet`` template."""

    def __init__(self, layers: list[dict[str, Any]] | None = None, template: str | None = None):
        if template is not None and template != "lenet":
            raise ConfigError(f"unknown model template {template!r}; the only one is 'lenet'")
        if template is not None and layers:
            raise ConfigError("a model spec has either a template or layers, not both")
        self.template = template
        self.layers = [check_layer(i, layer) for i, layer in enumerate(layers or [])]

    # ------------------------------------------------------------------ constructors

    @classmethod
    def linear(cls) -> ModelSpec:
        return cls([])

    @classmethod
    def mlp(
        cls,
        widths: list[int],
        activation: str | list[str] = "relu",
        dropout: float = 0.0,
        batch_norm: bool = False,
    ) -> ModelSpec:
        """Linear layers of `widths`, each followed by [batch norm,] activation [, dropout]."""
        acts = [activation] * len(widths) if isinstance(activation, str) else list(activation)
        if len(acts) != len(widths):
            raise ConfigError(f"{len(widths)} widths but {len(acts)} activations")
        layers: list[dict[str, Any]] = []
        for w, a in zip(widths, acts):
            layers.append({"type": "linear", "out": w})
            if batch_norm:
                layers.append({"type": "batchnorm"})
            layers.append({"type": "activation", "name": a})
            if dropout:
                layers.append({"type": "dropout", "p": dropout})
        return cls(layers)

    @classmethod
    def lenet(cls, input_shape: tuple[int, ...] | None = None) -> ModelSpec:
        """LeNet: conv-relu-pool twice, then 120 and 84 units; sized to `input_shape` if given.

        Inputs of 16 pixels or more use 5x5 kernels without padding (3x32x32 gives PyTorch's
        CIFAR tutorial net); smaller ones (the 8x8 digits) use 3x3 kernels with padding 1.
        """
        if input_shape is None:
            return cls(template="lenet")
        if len(input_shape) != 3:
            raise ConfigError(f"the LeNet template needs images (C, H, W), got {input_shape}")
        big = min(input_shape[1:]) >= 16
        k, pad = (5, 0) if big else (3, 1)
        conv = {"type": "conv", "kernel": k, "padding": pad}
        return cls(
            [
                {**conv, "out": 6},
                {"type": "activation", "name": "relu"},
                {"type": "pool", "kind": "max", "kernel": 2},
                {**conv, "out": 16},
                {"type": "activation", "name": "relu"},
                {"type": "pool", "kind": "max", "kernel": 2},
                {"type": "flatten"},
                {"type": "linear", "out": 120},
                {"type": "activation", "name": "relu"},
                {"type": "linear", "out": 84},
                {"type": "activation", "name": "relu"},
            ]
        )

    @classmethod
    def parse(cls, text: str) -> ModelSpec:
        """``linear``, ``lenet``, ``mlp:64,64:relu``, ``mlp:32:tanh:dropout=0.1:bn``."""
        if not isinstance(text, str):
            raise ConfigError(f"a model string was expected, got {type(text).__name__}")
        parts = [p.strip() for p in text.strip().split(":")]
        kind = parts[0].lower()
        hint = "use 'linear', 'lenet' or 'mlp:WIDTHS[:ACTIVATION][:dropout=P][:bn]'"
        if kind in ("linear", "lenet"):
            if len(parts) > 1:
                raise ConfigError(f"model {text!r}: {kind!r} takes no options; {hint}")
            return cls.linear() if kind == "linear" else cls.lenet()
        if kind != "mlp":
            raise ConfigError(f"unknown model {text!r}; {hint}, e.g. 'mlp:64,64:relu'")
        widths: list[int] = []
        if len(parts) > 1 and parts[1]:
            try:
                widths = [int(w) for w in parts[1].split(",") if w.strip()]
            except ValueError:
                raise ConfigError(
                    f"model {text!r}: widths must be integers separated by commas, got {parts[1]!r}"
                ) from None
        activation, dropout, batch_norm = "relu", 0.0, False
        for opt in parts[2:]:
            low = opt.lower()
            if low in ("bn", "batchnorm", "batch_norm"):
                batch_norm = True
            elif low.startswith("dropout="):
                try:
                    dropout = float(low.split("=", 1)[1])
                except ValueError:
                    raise ConfigError(f"model {text!r}: dropout must be a number") from None
            elif low in ACTIVATIONS:
                activation = low
            else:
                raise ConfigError(
                    f"model {text!r}: unknown option {opt!r}; activations are "
                    f"{', '.join(ACTIVATIONS)}; other options: dropout=P, bn"
                )
        return cls.mlp(widths, activation, dropout, batch_norm)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> ModelSpec:
        if not isinstance(d, dict):
            raise ConfigError(f"a model spec dict was expected, got {type(d).__name__}")
        unknown = set(d) - {"layers", "template"}
        if unknown:
            raise ConfigError(
                f"unknown model spec key(s) {sorted(unknown)}; use 'layers' (a list of layer "
                "tables) or 'template' ('lenet')"
            )
        layers = d.get("layers")
        if layers is not None and not isinstance(layers, list):
            raise ConfigError("model 'layers' must be a list of layer tables")
        return cls(layers, d.get("template"))

    @classmethod
    def coerce(cls, value: Any) -> ModelSpec:
        """A spec from a ModelSpec, a short string or a dict."""
        if isinstance(value, ModelSpec):
            return value
        if isinstance(value, str):
            return cls.parse(value)
        if isinstance(value, dict):
            return cls.from_dict(value)
        raise ConfigError(
            f"model must be a string like 'mlp:64,64:relu' or a table of layers, got {value!r}"
        )

    # ------------------------------------------------------------------ views

    def to_dict(self) -> dict[str, Any]:
        if self.template:
            return {"template": self.template}
        return {"layers": copy.deepcopy(self.layers)}

    def short(self) -> str | None:
        """The short string form (``mlp:64,64:relu``) when the layers have one, else None."""
        if self.template:
            return self.template
        if not self.layers:
            return "linear"
        widths, acts, drops, bns, i = [], [], [], [], 0
        L = self.layers
        while i < len(L):
            if L[i]["type"] != "linear" or not L[i]["bias"]:
                return None
            widths.append(L[i]["out"])
            i += 1
            bn = i < len(L) and L[i]["type"] == "batchnorm"
            bns.append(bn)
            i += bn
            if i >= len(L) or L[i]["type"] != "activation":
                return None
            acts.append(L[i]["name"])
            i += 1
            drop = L[i]["p"] if i < len(L) and L[i]["type"] == "dropout" else 0.0
            drops.append(drop)
            i += i < len(L) and L[i]["type"] == "dropout"
        if len(set(acts)) != 1 or len(set(drops)) != 1 or len(set(bns)) != 1:
            return None
        text = f"mlp:{','.join(map(str, widths))}:{acts[0]}"
        if drops[0]:
            text += f":dropout={drops[0]:g}"
        return text + (":bn" if bns[0] else "")

    def __str__(self) -> str:
        return self.short() or f"custom ({len(self.layers)} layers)"

    def __repr__(self) -> str:
        return f"ModelSpec({self.to_dict()!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ModelSpec) and self.to_dict() == other.to_dict()

    def concrete(self, input_shape: tuple[int, ...]) -> ModelSpec:
        """The layers for `input_shape` (expands the lenet template)."""
        return ModelSpec.lenet(tuple(input_shape)) if self.template else self

    # ------------------------------------------------------------------ planning

    def plan(self, input_shape: tuple[int, ...], outputs: int) -> list[LayerPlan]:
        """Concrete layers with names, arguments and shapes; the output Linear last."""
        shape = tuple(int(s) for s in input_shape)
        layers = self.concrete(shape).layers + [
            {"type": "linear", "out": int(outputs), "bias": True}
        ]
        counts: dict[str, int] = {}
        plans: list[LayerPlan] = []
        for i, layer in enumerate(layers):
            kind = layer["type"]
            if kind == "linear" and len(shape) > 1:  # image into a Linear: flatten first
                plans.append(plan_flatten(layer_name("flatten", counts), shape))
                shape = plans[-1].out_shape
            if kind != "flatten":
                counts[kind] = counts.get(kind, 0) + 1
            name = layer_name(kind, counts)
            plans.append(plan_layer(i, name, layer, shape))
            shape = plans[-1].out_shape
        return plans

    def parameter_count(self, input_shape: tuple[int, ...], outputs: int) -> int:
        return sum(p.params for p in self.plan(input_shape, outputs))

    def layer_names(
        self, input_shape: tuple[int, ...], outputs: int
    ) -> list[tuple[str, str, tuple[int, ...]]]:
        return [(p.name, p.describe(), p.out_shape) for p in self.plan(input_shape, outputs)]

    def build(self, input_shape: tuple[int, ...], outputs: int) -> Any:
        """An ``nn.Module`` named ``Net`` with PyTorch's default initialisation of each layer."""
        from core.training.network import build_network

        return build_network(self.plan(input_shape, outputs))

    def to_pytorch_code(
        self,
        input_shape: tuple[int, ...],
        outputs: int,
        class_name: str = "Net",
        imports: bool = True,
    ) -> str:
        """Standalone PyTorch code defining the same module (same names, same state_dict)."""
        plans = self.plan(input_shape, outputs)
        lines = ["import torch", "from torch import nn", "", ""] if imports else []
        lines += [
            f"class {class_name}(nn.Module):",
            f'    """{self}: input {tuple(input_shape)}, {outputs} output(s)."""',
            "",
            "    def __init__(self) -> None:",
            "        super().__init__()",
        ]
        lines += [f"        self.{p.name} = {p.pytorch()}" for p in plans]
        lines += ["", "    def forward(self, x: torch.Tensor) -> torch.Tensor:"]
        lines += [f"        x = self.{p.name}(x)" for p in plans]
        lines += ["        return x", ""]
        return "\n".join(lines)
