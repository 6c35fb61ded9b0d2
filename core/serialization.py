"""`core.save` / `core.load`: state dicts in safetensors (default) or `.npz`, never pickle.

What can be saved: tensors (core tensors, or NumPy arrays, which come back as tensors), dicts
(str or int keys, OrderedDict kept), lists, tuples, and int/float/bool/str/None.

Layout on disk:
- Every tensor is stored under a flat dotted key built from its path (``{"fc1": {"weight": t}}``
  and ``{"fc1.weight": t}`` both store ``fc1.weight``), so a flat PyTorch state dict keeps its key
  names and ``safetensors.torch.load_file`` loads it straight into a torch model.
- Everything else (nesting, container types, numbers, strings, devices) is one JSON document kept
  in the safetensors header metadata, or in a ``__metadata__`` string entry of the `.npz`.
  Files without that document (written by other tools) load as a flat ``{key: tensor}`` dict.

Writes are atomic (temporary file in the same folder, fsync, rename). Reading checks the layout
first and raises `SerializationError` naming the file, the problem and what to do.
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import os
import tempfile
import zipfile
from collections import OrderedDict
from pathlib import Path
from typing import IO, Any, Literal, NamedTuple

import numpy as np

__all__ = ["FORMATS", "SerializationError", "load", "load_numpy", "save"]

FileLike = str | os.PathLike | IO[bytes]
Format = Literal["safetensors", "npz"]
FORMATS: tuple[str, ...] = ("safetensors", "npz")

_META_KEY = "__metadata__"  # reserved by safetensors for its metadata; reused in npz
_STRUCT_KEY = "tensor_playground"  # metadata entry holding our JSON structure
_STRUCT_VERSION = 1

# The dtypes core has, by NumPy name and safetensors code.
_NUMPY_DTYPES = {
    "bool": "BOOL",
    "uint8": "U8",
    "int8": "I8",
    "int16": "I16",
    "int32": "I32",
    "int64": "I64",
    "float16": "F16",
    "float32": "F32",
    "float64": "F64",
}
_SAFETENSORS_DTYPES = {code: name for name, code in _NUMPY_DTYPES.items()}

_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
_NEVER_UNPICKLED = "nothing is ever unpickled, because unpickling a file can run arbitrary code"


class SerializationError(RuntimeError, ValueError):
    """A file that cannot be saved or loaded: says which file, what is wrong and what to do."""


# ============================================================================ public API


def save(obj: Any, f: FileLike, format: Format | None = None) -> None:
    """Save a tensor or a (nested) state dict to `f` as safetensors or npz.

    The format is `format` if given, else ``npz`` for a ``.npz`` path and safetensors otherwise.
    A path is written atomically: on any failure the previous file at `f` is left untouched.
    """
    fmt = _save_format(f, format)
    arrays, structure = _flatten(obj)
    meta_json = json.dumps({"version": _STRUCT_VERSION, "root": structure}, separators=(",", ":"))
    encode = _encode_safetensors if fmt == "safetensors" else _encode_npz
    payload = encode(arrays, meta_json)
    if hasattr(f, "write"):
        f.write(payload)  # type: ignore[union-attr]
        return
    _atomic_write(Path(os.fspath(f)), payload)  # type: ignore[arg-type]


def load(
    f: FileLike,
    map_location: Any = None,
    format: Format | None = None,
    *,
    weights_only: bool | None = None,
) -> Any:
    """Load what `save` wrote (or any safetensors / plain npz file), tensors as core tensors.

    `map_location` ('cpu', 'cuda', 'cuda:1', a core.device, or a dict mapping saved device names
    to new ones) says where tensors go; by default each returns to the device it was saved from.
    `weights_only` is accepted for PyTorch compatibility: loading is always weights-only here.
    """
    del weights_only  # always true: no code objects can be stored in the first place
    _check_map_location(map_location)
    name = _name_of(f)

    def make_tensor(leaf: _Leaf) -> Any:
        device = _target_device(leaf.info.get("device", "cpu"), map_location, name)
        return _to_tensor(leaf.array, device, bool(leaf.info.get("requires_grad")), name)

    # Everything is read and checked before the first tensor is built: a bad file fails early.
    return _map_leaves(_read(f, format), make_tensor)


def load_numpy(f: FileLike, format: Format | None = None) -> Any:
    """Like `load`, but tensors come back as NumPy arrays (no core tensors involved)."""
    return _map_leaves(_read(f, format), lambda leaf: leaf.array)


# ============================================================================ flatten / rebuild


def _flatten(obj: Any) -> tuple[dict[str, np.ndarray], Any]:
    """Split `obj` into flat tensor arrays and a JSON-ready structure that refers to their keys."""
    arrays: dict[str, np.ndarray] = {}
    open_containers: set[int] = set()  # ids on the current path, to refuse self-containing input

    def visit(value: Any, path: list[str]) -> Any:
        tensor = _tensor_array(value, path)
        if tensor is not None:
            array, info = tensor
            key = _unique_key(".".join(path), arrays)
            arrays[key] = array
            return {"T": key, **info}
        if not isinstance(value, (dict, list, tuple)):
            return _scalar_node(value, path)
        if id(value) in open_containers:
            raise ValueError(f"cannot save a container that contains itself ({_where(path)})")
        open_containers.add(id(value))
        if isinstance(value, dict):
            items = [[_check_key(k, path), visit(v, [*path, str(k)])] for k, v in value.items()]
            node = {"OD" if isinstance(value, OrderedDict) else "D": items}
        else:
            items = [visit(v, [*path, str(i)]) for i, v in enumerate(value)]
            node = {"U" if isinstance(value, tuple) else "L": items}
        open_containers.discard(id(value))
        return node

    return arrays, visit(obj, [])


class _Leaf(NamedTuple):
    """A stored array and its saved info (device, requires_grad), before it becomes a tensor."""

    array: np.ndarray
    info: dict[str, Any]


def _rebuild(node: Any, arrays: dict[str, np.ndarray]) -> Any:
    """Inverse of `_flatten`, with a `_Leaf` where each tensor goes."""
    if not isinstance(node, dict) or len(node) == 0:
        raise ValueError(f"unexpected structure entry {node!r}")
    if "T" in node:
        key = node["T"]
        if not isinstance(key, str) or key not in arrays:
            raise ValueError(f"the structure refers to tensor {key!r}, which the file lacks")
        return _Leaf(arrays[key], node)
    (kind, payload), *rest = node.items()
    if rest:
        raise ValueError(f"unexpected structure entry {node!r}")
    if kind == "V":
        if payload is not None and not isinstance(payload, (bool, int, float, str)):
            raise ValueError(f"unexpected value {payload!r}")
        return payload
    if kind == "F":
        return float(payload)  # "nan", "inf", "-inf"
    if kind in ("D", "OD"):
        pairs = ((k, _rebuild(v, arrays)) for k, v in payload)
        return OrderedDict(pairs) if kind == "OD" else dict(pairs)
    if kind in ("L", "U"):
        items = [_rebuild(v, arrays) for v in payload]
        return tuple(items) if kind == "U" else items
    raise ValueError(f"unknown structure kind {kind!r}")


def _map_leaves(tree: Any, fn: Any) -> Any:
    if isinstance(tree, _Leaf):
        return fn(tree)
    if isinstance(tree, dict):
        return type(tree)((k, _map_leaves(v, fn)) for k, v in tree.items())
    if isinstance(tree, (list, tuple)):
        return type(tree)(_map_leaves(v, fn) for v in tree)
    return tree


def _tensor_array(value: Any, path: list[str]) -> tuple[np.ndarray, dict[str, Any]] | None:
    """(little-endian contiguous array, device/requires_grad info) for a tensor, else None."""
    info: dict[str, Any] = {}
    if isinstance(value, np.ndarray):
        array = value
    else:
        tensor_type = _core_tensor_type()
        if tensor_type is None or not isinstance(value, tensor_type):
            return None
        from core import backend

        array = backend.to_numpy(value._data)  # copies from the GPU when needed
        if str(value.device) != "cpu":
            info["device"] = str(value.device)
        if value.requires_grad:
            info["requires_grad"] = True
    if array.dtype.name not in _NUMPY_DTYPES:
        raise TypeError(
            f"cannot save the array at {_where(path)}: dtype {array.dtype} is not one of core's "
            f"dtypes ({', '.join(_NUMPY_DTYPES)})"
        )
    # asarray, not ascontiguousarray: the latter turns 0-d arrays into 1-d ones.
    return np.asarray(array, dtype=array.dtype.newbyteorder("<"), order="C"), info


def _scalar_node(value: Any, path: list[str]) -> dict[str, Any]:
    if isinstance(value, np.generic) and value.dtype.name in _NUMPY_DTYPES:
        value = value.item()  # NumPy scalars are stored as the Python number they hold
    if value is None or isinstance(value, (bool, int, str)):
        return {"V": value}
    if isinstance(value, float):
        return {"V": value} if math.isfinite(value) else {"F": repr(value)}
    raise TypeError(
        f"cannot save {type(value).__name__} at {_where(path)}: only tensors, dicts, lists, "
        f"tuples and int/float/bool/str/None can be saved ({_NEVER_UNPICKLED})"
    )


def _check_key(key: Any, path: list[str]) -> str | int:
    if isinstance(key, str) or (isinstance(key, int) and not isinstance(key, bool)):
        return key
    raise TypeError(f"cannot save dict key {key!r} at {_where(path)}: keys must be str or int")


def _unique_key(key: str, taken: dict[str, np.ndarray]) -> str:
    # Paths can collide ({"a.b": x, "a": {"b": y}}); the structure records whichever key is used.
    key = key or "tensor"
    candidate, i = key, 1
    while candidate in taken or candidate == _META_KEY:
        candidate, i = f"{key}#{i}", i + 1
    return candidate


def _where(path: list[str]) -> str:
    return f"key {'.'.join(path)!r}" if path else "the top level"


# ============================================================================ encoding


def _save_format(f: FileLike, format: str | None) -> Format:
    if format is not None:
        fmt = str(format).lower().lstrip(".")
        if fmt not in FORMATS:
            raise ValueError(f"unknown format {format!r}; use 'safetensors' or 'npz'")
        return fmt  # type: ignore[return-value]
    if not hasattr(f, "write") and Path(os.fspath(f)).suffix.lower() == ".npz":  # type: ignore[arg-type]
        return "npz"
    return "safetensors"


def _encode_safetensors(arrays: dict[str, np.ndarray], meta_json: str) -> bytes:
    from safetensors.numpy import save as st_save

    # "format": "pt" marks the file as PyTorch-compatible for tools that check it (transformers).
    return st_save(arrays, metadata={"format": "pt", _STRUCT_KEY: meta_json})


def _encode_npz(arrays: dict[str, np.ndarray], meta_json: str) -> bytes:
    buffer = io.BytesIO()
    # A unicode array is plain data: np.load reads it with allow_pickle=False.
    np.savez(buffer, **arrays, **{_META_KEY: np.array(json.dumps({_STRUCT_KEY: meta_json}))})
    return buffer.getvalue()


# ============================================================================ atomic write


def _atomic_write(path: Path, payload: bytes) -> None:
    """Write `payload` so that `path` holds either the old or the new bytes, never half."""
    folder = path.parent
    if not folder.is_dir():
        raise SerializationError(
            f"cannot save to '{path}': parent directory '{folder}' does not exist; create it first"
        )
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as fh:
            _write_all(fh, payload)
            fh.flush()
            os.fsync(fh.fileno())  # the bytes are on disk before the rename makes them visible
        os.chmod(tmp, _new_file_mode(path))  # mkstemp creates 0600; give the usual permissions
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    _fsync_folder(folder)


def _write_all(fh: IO[bytes], payload: bytes) -> None:
    fh.write(payload)


def _new_file_mode(path: Path) -> int:
    try:
        return path.stat().st_mode & 0o777  # keep the mode of the file being replaced
    except OSError:
        return 0o666 & ~_UMASK


def _fsync_folder(folder: Path) -> None:
    # Makes the rename itself durable; best effort (not possible on Windows).
    with contextlib.suppress(OSError, AttributeError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _read_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


_UMASK = _read_umask()  # read once at import: os.umask can only be read by setting it


# ============================================================================ reading


def _read(f: FileLike, format: str | None) -> Any:
    """The saved object, with a `_Leaf` for each tensor; every check on the file happens here."""
    name = _name_of(f)
    data = _read_bytes(f)
    fmt = _sniff(data, name)
    if format is not None and str(format).lower().lstrip(".") != fmt:
        raise SerializationError(
            f"'{name}' is a {fmt} file, not {format}; call load without format= to detect it"
        )
    reader = _read_safetensors if fmt == "safetensors" else _read_npz
    arrays, meta = reader(data, name)
    structure = _structure(meta, name)
    if structure is None:  # a file from another tool: a flat {key: tensor} dict
        return {key: _Leaf(array, {}) for key, array in arrays.items()}
    try:
        return _rebuild(structure, arrays)
    except (ValueError, TypeError, KeyError, AttributeError, RecursionError) as exc:
        raise _corrupt(name, f"its structure metadata is invalid ({exc})") from None


def _read_bytes(f: FileLike) -> bytes:
    if hasattr(f, "read"):
        return f.read()  # type: ignore[union-attr]
    with open(os.fspath(f), "rb") as fh:  # type: ignore[arg-type]
        return fh.read()


def _sniff(data: bytes, name: str) -> str:
    if not data:
        raise SerializationError(f"'{name}' is empty (0 bytes): the save that wrote it failed")
    if data.startswith(_ZIP_MAGIC):
        return "npz"
    # Checked before pickle: a header of 128 + 256k bytes also starts with b"\x80".
    if len(data) >= 9 and data[8:9] == b"{":
        return "safetensors"
    if data[:1] == b"\x80" or data[:2] in (b"(d", b"}q", b"(l", b"]q"):
        raise SerializationError(
            f"'{name}' is a pickle file (torch.save's legacy format); it is not loaded: "
            f"{_NEVER_UNPICKLED}. In PyTorch, convert it with safetensors.torch.save_file."
        )
    raise SerializationError(
        f"'{name}' is neither a safetensors nor an npz file (it starts with {data[:8]!r}); "
        "load only files written by core.save, safetensors or numpy.savez"
    )


def _read_safetensors(data: bytes, name: str) -> tuple[dict[str, np.ndarray], dict | None]:
    header = _safetensors_header(data, name)
    meta = header.pop(_META_KEY, None)
    for key, entry in header.items():
        code = entry.get("dtype") if isinstance(entry, dict) else None
        if code not in _SAFETENSORS_DTYPES:
            raise SerializationError(
                f"'{name}': tensor {key!r} has dtype {code}, which core does not support "
                f"({', '.join(_SAFETENSORS_DTYPES)}); convert it in PyTorch (e.g. t.float()) "
                "and save again"
            )
    from safetensors.numpy import load as st_load

    try:
        arrays = st_load(data)
    except Exception as exc:  # the Rust parser's own errors (SafetensorError and others)
        raise _corrupt(name, f"the safetensors reader rejected it ({exc})") from None
    return {key: _writable(arrays[key]) for key in header}, meta


def _safetensors_header(data: bytes, name: str) -> dict[str, Any]:
    """Parse and check the header so that truncation and corruption get precise messages."""
    size = int.from_bytes(data[:8], "little")
    if size > len(data) - 8:
        raise _truncated(name, f"its header needs {size} bytes but only {len(data) - 8} follow")
    try:
        header = json.loads(data[8 : 8 + size])
        entries = [entry for key, entry in header.items() if key != _META_KEY]
        needed = 8 + size + max((int(e["data_offsets"][1]) for e in entries), default=0)
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise _corrupt(name, f"its header is not valid JSON ({exc!r})") from None
    except (AttributeError, TypeError, KeyError, IndexError, ValueError) as exc:
        raise _corrupt(name, f"its header does not describe tensors ({exc!r})") from None
    if needed > len(data):
        raise _truncated(name, f"its tensors need {needed} bytes but the file has {len(data)}")
    return header


def _read_npz(data: bytes, name: str) -> tuple[dict[str, np.ndarray], dict | None]:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.namelist()
    except Exception as exc:  # zipfile raises many kinds (BadZipFile, NotImplementedError, ...)
        raise _truncated(name, f"its zip archive is damaged ({exc!r})") from None
    if any(m.endswith(".pkl") for m in members):
        raise SerializationError(
            f"'{name}' is a PyTorch pickle checkpoint (torch.save); it is not loaded: "
            f"{_NEVER_UNPICKLED}. In PyTorch, convert it with safetensors.torch.save_file."
        )
    if not all(m.endswith(".npy") for m in members):
        raise SerializationError(
            f"'{name}' is a zip archive but not an npz file (it holds {members[:3]}); "
            "load only files written by core.save or numpy.savez"
        )
    arrays: dict[str, np.ndarray] = {}
    try:
        with np.load(io.BytesIO(data), allow_pickle=False) as npz:
            for key in npz.files:
                arrays[key] = npz[key]
    except ValueError as exc:
        if "pickle" in str(exc):
            raise SerializationError(
                f"'{name}' holds pickled Python objects (an object array); it is not loaded: "
                f"{_NEVER_UNPICKLED}. Save plain numeric arrays instead."
            ) from None
        raise _corrupt(name, f"an array in it is damaged ({exc})") from None
    except Exception as exc:  # any failure to decode a member means the archive is damaged
        raise _truncated(name, f"an array in it is damaged ({exc!r})") from None
    meta = _npz_metadata(arrays.pop(_META_KEY, None), name)
    for key, array in arrays.items():
        if array.dtype.name not in _NUMPY_DTYPES:
            raise SerializationError(
                f"'{name}': array {key!r} has dtype {array.dtype}, which core does not support "
                f"({', '.join(_NUMPY_DTYPES)}); convert it and save again"
            )
    return arrays, meta


def _npz_metadata(entry: np.ndarray | None, name: str) -> dict | None:
    if entry is None:
        return None
    try:
        meta = json.loads(str(entry[()]))
    except (json.JSONDecodeError, IndexError, ValueError, RecursionError) as exc:
        raise _corrupt(name, f"its {_META_KEY} entry is not valid JSON ({exc})") from None
    if not isinstance(meta, dict):
        raise _corrupt(name, f"its {_META_KEY} entry is not a JSON object")
    return meta


def _structure(meta: dict | None, name: str) -> Any:
    """The root structure node from the metadata, or None for files from other tools."""
    if not meta or _STRUCT_KEY not in meta:
        return None
    try:
        doc = json.loads(meta[_STRUCT_KEY])
        version, root = doc["version"], doc["root"]
    except (json.JSONDecodeError, TypeError, KeyError, RecursionError) as exc:
        raise _corrupt(name, f"its structure metadata is not valid ({exc!r})") from None
    if not isinstance(version, int) or version > _STRUCT_VERSION:
        raise SerializationError(
            f"'{name}' was written by a newer Tensor Playground (format version {version}, this "
            f"one reads up to {_STRUCT_VERSION}); update Tensor Playground to load it"
        )
    return root


def _writable(array: np.ndarray) -> np.ndarray:
    # Loaded tensors are modified in place by training; never hand out read-only buffers.
    return array if array.flags.writeable else array.copy()


def _truncated(name: str, detail: str) -> SerializationError:
    return SerializationError(
        f"'{name}' is truncated or damaged: {detail}. The save that wrote it was probably "
        "interrupted or the copy is incomplete; save or copy it again"
    )


def _corrupt(name: str, detail: str) -> SerializationError:
    return SerializationError(
        f"'{name}' is corrupted: {detail}. Save it again with core.save, or check where it "
        "came from"
    )


def _name_of(f: FileLike) -> str:
    if hasattr(f, "read") or hasattr(f, "write"):
        return str(getattr(f, "name", f"<{type(f).__name__}>"))
    return os.fspath(f)  # type: ignore[arg-type]


# ============================================================================ core tensors


def _core_tensor_type() -> type | None:
    """core.Tensor, or None while core's tensor layer is not importable."""
    try:
        from core.tensor import Tensor
    except ImportError:
        return None
    return Tensor


def _check_map_location(map_location: Any) -> None:
    # core.device (or torch.device) is accepted by name: core's tensor layer may not import yet.
    if map_location is None or isinstance(map_location, (str, dict)):
        return
    if type(map_location).__name__ != "device":
        raise TypeError(
            "map_location must be None, a device string ('cpu', 'cuda:0'), a core.device or a "
            f"dict mapping saved devices to new ones, got {type(map_location).__name__}"
        )


def _target_device(saved: str, map_location: Any, name: str) -> str:
    if map_location is None:
        device = saved
    elif isinstance(map_location, dict):
        device = str(map_location.get(saved, saved))
    else:
        device = str(map_location)
    if device != "cpu" and map_location is None:
        from core import backend

        if not backend.cuda_available():
            raise SerializationError(
                f"'{name}': Attempting to deserialize object on a CUDA device but "
                "torch.cuda.is_available() is False. If you are running on a CPU-only machine, "
                "please use torch.load with map_location=torch.device('cpu') to map your "
                "storages to the CPU."
            )
    return device


def _to_tensor(array: np.ndarray, device: str, requires_grad: bool, name: str) -> Any:
    try:
        from core import from_numpy
    except ImportError as exc:
        raise ImportError(
            f"cannot build core tensors from '{name}' ({exc}); use core.serialization.load_numpy"
        ) from exc
    tensor = from_numpy(array)
    if device != "cpu":
        tensor = tensor.to(device)
    if requires_grad:
        tensor.requires_grad_(True)
    return tensor
