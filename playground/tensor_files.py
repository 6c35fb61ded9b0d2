"""Opening tensor files (.npy, .npz, .safetensors) into the scratchpad, without unpickling anything.

Qt-free. Every failure becomes a ValueError that says which file and what was wrong with it.
"""

from __future__ import annotations

import keyword
import re
from pathlib import Path
from typing import Any

import numpy as np

SUFFIXES = (".npy", ".npz", ".safetensors")
FILTER = "Tensor files (*.npy *.npz *.safetensors)"


def identifier(text: str) -> str:
    """A Python name for a file stem or a state-dict key: 'fc1.weight' -> 'fc1_weight'."""
    name = re.sub(r"\W", "_", text) or "tensor"
    if name[0].isdigit() or keyword.iskeyword(name):
        name = "t_" + name
    return name


def _read_arrays(path: Path) -> dict[str, np.ndarray]:
    suffix = path.suffix.lower()
    if suffix == ".npy":
        return {path.stem: np.load(path, allow_pickle=False)}
    if suffix == ".npz":
        with np.load(path, allow_pickle=False) as data:
            return {k: data[k] for k in data.files}
    from safetensors.numpy import load_file

    return dict(load_file(str(path)))


def _to_tensor(value: Any) -> Any:
    """A core Tensor for an array; tensors pass through."""
    if not isinstance(value, np.ndarray):
        return value
    try:
        import core

        return core.from_numpy(np.ascontiguousarray(value))
    except (ImportError, AttributeError, TypeError):  # a dtype core lacks stays an array
        return value


def load_tensor_file(path: str | Path) -> dict[str, Any]:
    """{name: tensor} for the tensors in `path`; names are valid Python identifiers."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise ValueError(
            f"{path.name}: unknown kind of file; open .npy, .npz or .safetensors files"
        )
    if not path.is_file():
        raise ValueError(f"{path}: no such file")
    try:
        values = _load_with_core(path) if suffix != ".npy" else None
        if values is None:
            values = _read_arrays(path)
    except ValueError as exc:
        raise ValueError(f"{path.name} cannot be read as {suffix}: {exc}") from exc
    except Exception as exc:  # corrupt files raise all kinds of errors
        raise ValueError(
            f"{path.name} cannot be read as {suffix} ({type(exc).__name__}: {exc})"
        ) from exc
    if not values:
        raise ValueError(f"{path.name} holds no tensors")
    out: dict[str, Any] = {}
    for key, value in values.items():
        name = identifier(str(key))
        while name in out:
            name += "_"
        out[name] = _to_tensor(value)
    return out


def _load_with_core(path: Path) -> dict[str, Any] | None:
    """core.serialization.load where core has it (it knows its own formats), else None."""
    try:
        from core.serialization import load
    except ImportError:
        return None
    value = load(str(path))
    return value if isinstance(value, dict) else {path.stem: value}
