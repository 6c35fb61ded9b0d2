"""The scratchpad's state, free of Qt: its namespace, what the variables table shows, the device.

The namespace starts as a user of PyTorch expects (`torch`, `nn`, `F`, `optim`, `np`) with `torch`
bound to core, plus `playground`, the scripting face of the window it belongs to.
"""

from __future__ import annotations

import builtins
import importlib
import sys
import types
from dataclasses import dataclass
from typing import Any

import numpy as np

from core.inspect import format_bytes, is_tensor, summarize

#: (namespace name, module path) given to every fresh namespace; missing pieces are left out
_PRELUDE = (
    ("torch", "core"),
    ("nn", "core.nn"),
    ("F", "core.nn.functional"),
    ("optim", "core.optim"),
    ("np", "numpy"),
)


def _scratch_import(
    name: str, globals: Any = None, locals: Any = None, fromlist: Any = (), level: int = 0
) -> Any:
    """`import torch` (and `from torch.nn import ...`) in the scratchpad means core."""
    if level == 0 and (name == "torch" or name.startswith("torch.")):
        name = "core" + name[len("torch") :]
    return builtins.__import__(name, globals, locals, fromlist, level)


def _scratch_builtins() -> dict[str, Any]:
    table = dict(vars(builtins))
    table["__import__"] = _scratch_import
    table["input"] = _no_input
    return table


def _no_input(*_args: object) -> str:
    raise RuntimeError("input() cannot read from the scratchpad; set the value in the code instead")


@dataclass(frozen=True)
class VariableInfo:
    """One row of the variables table."""

    name: str
    kind: str  # "tensor", "module", "optimizer", "array" or "value"
    type_name: str
    shape: str = ""
    dtype: str = ""
    device: str = ""
    requires_grad: str = ""
    grad_fn: str = ""
    memory: str = ""
    value: str = ""


def is_module(obj: Any) -> bool:
    """A core nn.Module (by duck typing, so that a half-built core still works)."""
    return not isinstance(obj, type) and all(
        hasattr(obj, a) for a in ("named_parameters", "state_dict", "forward")
    )


def is_optimizer(obj: Any) -> bool:
    return not isinstance(obj, type) and hasattr(obj, "param_groups") and hasattr(obj, "step")


def _short(text: str, n: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "…"


def describe(name: str, obj: Any) -> VariableInfo:
    """The table row for `obj`; never raises (a broken object shows its error instead)."""
    try:
        return _describe(name, obj)
    except Exception as exc:  # a user's object may fail in any attribute
        return VariableInfo(name, "value", type(obj).__name__, value=f"<error: {exc}>")


def _describe(name: str, obj: Any) -> VariableInfo:
    if is_tensor(obj):
        s = summarize(obj)
        value = ""
        if s.numel == 1:
            value = _short(repr(obj.item()))
        return VariableInfo(
            name,
            "tensor",
            type(obj).__name__,
            shape="×".join(map(str, s.shape)) or "scalar",
            dtype=s.dtype,
            device=s.device,
            requires_grad=str(s.requires_grad),
            grad_fn=s.grad_fn or "",
            memory=format_bytes(s.nbytes),
            value=value,
        )
    if isinstance(obj, np.ndarray):
        return VariableInfo(
            name,
            "array",
            "ndarray",
            shape="×".join(map(str, obj.shape)) or "scalar",
            dtype=f"numpy.{obj.dtype.name}",
            device="cpu",
            memory=format_bytes(obj.nbytes),
        )
    if is_module(obj):
        params = list(obj.parameters())
        nbytes = sum(summarize(p).nbytes for p in params)
        first = summarize(params[0]) if params else None
        return VariableInfo(
            name,
            "module",
            type(obj).__name__,
            shape=f"{sum(p.numel() for p in params):,} params",
            dtype=first.dtype if first else "",
            device=first.device if first else "",
            requires_grad=str(any(p.requires_grad for p in params)) if params else "",
            memory=format_bytes(nbytes),
        )
    if is_optimizer(obj):
        groups = obj.param_groups
        lr = groups[0].get("lr") if groups else None
        return VariableInfo(
            name,
            "optimizer",
            type(obj).__name__,
            shape=f"{sum(len(g['params']) for g in groups)} tensors",
            value="" if lr is None else f"lr={lr:g}",
        )
    return VariableInfo(
        name,
        "value",
        type(obj).__name__,
        memory=format_bytes(sys.getsizeof(obj)),
        value=_short(repr(obj)),
    )


class Session:
    """The scratchpad's namespace and what is derived from it."""

    def __init__(self, playground: Any = None) -> None:
        self.playground = playground
        self.namespace: dict[str, Any] = {}
        self.reset()

    def reset(self) -> None:
        """A fresh namespace with the prelude."""
        self.namespace.clear()
        self.namespace.update({"__name__": "__main__", "__builtins__": _scratch_builtins()})
        for name, path in _PRELUDE:
            try:
                self.namespace[name] = importlib.import_module(path)
            except ImportError:  # core is still growing: leave the piece out
                pass
        self.namespace["playground"] = self.playground
        self._prelude_ids = {k: id(v) for k, v in self.namespace.items()}

    def _is_prelude(self, name: str, value: Any) -> bool:
        return self._prelude_ids.get(name) == id(value)

    def variables(self) -> list[VariableInfo]:
        """Rows for every user value in the namespace, tensors first, then by name."""
        rows = []
        for name, value in list(self.namespace.items()):
            if name.startswith("_") or self._is_prelude(name, value):
                continue
            if isinstance(value, (types.ModuleType, types.FunctionType, type)):
                continue
            rows.append(describe(name, value))
        order = {"tensor": 0, "module": 1, "optimizer": 2, "array": 3, "value": 4}
        return sorted(rows, key=lambda r: (order[r.kind], r.name.lower()))

    def lookup(self, name: str) -> Any:
        """The value bound to `name`; KeyError with a readable message where there is none."""
        if name not in self.namespace:
            raise KeyError(f"no variable named {name!r} in the scratchpad")
        return self.namespace[name]

    def name_of(self, obj: Any) -> str | None:
        """The first namespace name bound to `obj` itself."""
        for name, value in self.namespace.items():
            if value is obj and not name.startswith("_"):
                return name
        return None

    def tensor_names(self) -> dict[int, str]:
        """id(tensor) -> name, for labelling graph nodes the way the user named them."""
        names: dict[int, str] = {}
        for name, value in self.namespace.items():
            if name.startswith("_"):
                continue
            if is_tensor(value):
                names.setdefault(id(value), name)
            elif is_module(value):
                try:
                    for pname, p in value.named_parameters():
                        names.setdefault(id(p), f"{name}.{pname}")
                except Exception:  # a half-built module must not break labelling
                    pass
        return names

    def move_to(self, device: str) -> list[str]:
        """Move every tensor and module of the namespace to `device`; returns the moved names.

        Leaves stay leaves (a detached copy keeps `requires_grad` and `.grad`), results keep
        their history through `.to()`, modules move in place so optimizers still hold their
        parameters, as in PyTorch.
        """
        import core

        moved = []
        target = core.device(device)
        for name, value in list(self.namespace.items()):
            if name.startswith("_") or self._is_prelude(name, value):
                continue
            if is_tensor(value) and str(value.device) != str(target):
                self.namespace[name] = _move_tensor(value, target)
                moved.append(name)
            elif is_module(value):
                value.to(target)
                moved.append(name)
        return moved


def _move_tensor(t: Any, target: Any) -> Any:
    if not t.is_leaf:
        return t.to(target)
    moved = t.detach().to(target)
    if t.requires_grad:
        moved.requires_grad_(True)
        if t.grad is not None:
            moved.grad = t.grad.to(target)
    return moved
