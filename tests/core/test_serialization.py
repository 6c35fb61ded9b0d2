"""core.save / core.load: round trips, formats, atomic writes, clear errors, never unpickling."""

from __future__ import annotations

import io
import json
import os
import pickle
import random
from collections import OrderedDict
from pathlib import Path

import numpy as np
import pytest

from core import serialization as ser
from core.serialization import SerializationError, load_numpy, save

FORMATS = ["safetensors", "npz"]
DTYPES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64"]


def _core_tensors_available() -> bool:
    import core

    return hasattr(core, "from_numpy") and ser._core_tensor_type() is not None


needs_core_tensors = pytest.mark.skipif(
    not _core_tensors_available(), reason="core's tensor layer is not importable yet"
)


def _state() -> dict:
    """A checkpoint shaped like a model + optimizer state dict, with every kind of value."""
    rng = np.random.default_rng(0)
    return {
        "model": OrderedDict(
            [
                ("fc1.weight", rng.standard_normal((4, 3)).astype(np.float32)),
                ("fc1.bias", rng.standard_normal(4).astype(np.float32)),
                ("bn.num_batches_tracked", np.array(7, dtype=np.int64)),
            ]
        ),
        "optimizer": {
            "state": {0: {"step": np.array(3.0, np.float32), "exp_avg": np.ones((4, 3))}},
            "param_groups": [
                {"lr": 1e-3, "betas": (0.9, 0.999), "amsgrad": False, "params": [0, 1]},
            ],
        },
        "epoch": 12,
        "best": float("inf"),
        "worst": float("-inf"),
        "missing": float("nan"),
        "note": "héllo, wörld",
        "none": None,
        "empty_list": [],
        "empty_dict": {},
        "layers": [np.arange(3, dtype=np.int32), [np.zeros((0, 2), np.float16), 2.5]],
    }


def _assert_same(a: object, b: object) -> None:
    """Equal values, container types, dtypes and shapes (NaN equals NaN)."""
    assert type(a) is type(b), (type(a), type(b))
    if isinstance(a, np.ndarray):
        assert a.dtype == b.dtype and a.shape == b.shape
        np.testing.assert_array_equal(a, b)
    elif isinstance(a, dict):
        assert list(a) == list(b)
        for key in a:
            _assert_same(a[key], b[key])
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b)
        for x, y in zip(a, b):
            _assert_same(x, y)
    elif isinstance(a, float) and a != a:
        assert b != b
    else:
        assert a == b


# ----------------------------------------------------------------------------- round trips


@pytest.mark.parametrize("fmt", FORMATS)
def test_nested_state_dict_round_trip(tmp_path: Path, fmt: str) -> None:
    path = tmp_path / f"ckpt.{fmt}"
    state = _state()
    save(state, path)
    _assert_same(state, load_numpy(path))


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("dtype", DTYPES)
def test_every_dtype_round_trips(tmp_path: Path, fmt: str, dtype: str) -> None:
    values = np.array([[0, 1, 2], [3, 250, 7]]).astype(dtype)
    state = {"m": values, "scalar": np.array(values[1, 1]), "empty": values[:0]}
    path = tmp_path / f"x.{fmt}"
    save(state, path)
    back = load_numpy(path)
    _assert_same(state, back)
    assert back["m"].flags.writeable and back["m"].flags.c_contiguous


@pytest.mark.parametrize("fmt", FORMATS)
def test_non_contiguous_and_big_endian_arrays(tmp_path: Path, fmt: str) -> None:
    base = np.arange(24, dtype=np.float32).reshape(4, 6)
    state = {"t": base.T, "s": base[::2, 1::3], "be": np.arange(5, dtype=">i4")}
    path = tmp_path / f"x.{fmt}"
    save(state, path)
    back = load_numpy(path)
    np.testing.assert_array_equal(back["t"], base.T)
    np.testing.assert_array_equal(back["s"], base[::2, 1::3])
    np.testing.assert_array_equal(back["be"], np.arange(5))
    assert back["be"].dtype == np.dtype("<i4")


@pytest.mark.parametrize("fmt", FORMATS)
def test_top_level_values_and_colliding_paths(tmp_path: Path, fmt: str) -> None:
    for obj in (
        np.arange(4.0),
        [np.ones(2), 3],
        5,
        None,
        {"a.b": np.ones(1), "a": {"b": np.zeros(1)}},
    ):
        path = tmp_path / f"x.{fmt}"
        save(obj, path)
        _assert_same(obj, load_numpy(path))


def test_file_objects(tmp_path: Path) -> None:
    for fmt in FORMATS:
        buffer = io.BytesIO()
        save(_state(), buffer, format=fmt)
        buffer.seek(0)
        _assert_same(_state(), load_numpy(buffer))


def test_numpy_scalars_are_stored_as_numbers(tmp_path: Path) -> None:
    save({"lr": np.float32(0.5), "n": np.int64(3), "ok": np.bool_(True)}, tmp_path / "x.st")
    assert load_numpy(tmp_path / "x.st") == {"lr": 0.5, "n": 3, "ok": True}


# ----------------------------------------------------------------------------- formats


def test_format_from_extension_and_argument(tmp_path: Path) -> None:
    state = {"w": np.ones(2, np.float32)}
    for name, fmt, magic in [
        ("a.npz", None, b"PK"),
        ("a.NPZ", None, b"PK"),
        ("a.safetensors", None, None),
        ("a.pt", None, None),
        ("noext", None, None),
        ("b.safetensors", "npz", b"PK"),
        ("b.npz", "safetensors", None),
    ]:
        path = tmp_path / name
        save(state, path, format=fmt)
        head = path.read_bytes()[:9]
        if magic:
            assert head.startswith(magic), name
        else:
            assert head[8:9] == b"{", name  # safetensors: u64 header size, then JSON
        _assert_same(state, load_numpy(path))
    with pytest.raises(ValueError, match="unknown format 'pickle'"):
        save(state, tmp_path / "c", format="pickle")  # type: ignore[arg-type]
    with pytest.raises(SerializationError, match="is a npz file, not safetensors"):
        load_numpy(tmp_path / "b.safetensors", format="safetensors")


def test_flat_state_dict_keeps_pytorch_key_names(tmp_path: Path) -> None:
    from safetensors.numpy import load_file

    state = OrderedDict([("fc1.weight", np.ones((2, 1), np.float32)), ("fc1.bias", np.zeros(2))])
    save(state, tmp_path / "m.safetensors")
    loaded = load_file(tmp_path / "m.safetensors")
    assert set(loaded) == {"fc1.weight", "fc1.bias"}
    np.testing.assert_array_equal(loaded["fc1.bias"], np.zeros(2))
    save(state, tmp_path / "m.npz")
    with np.load(tmp_path / "m.npz", allow_pickle=False) as npz:
        assert {"fc1.weight", "fc1.bias"} <= set(npz.files)


@pytest.mark.parametrize("dtype", DTYPES)
def test_safetensors_numpy_reads_every_dtype(tmp_path: Path, dtype: str) -> None:
    from safetensors.numpy import load_file

    state = _state()
    state["extra"] = np.array([1, 0, 1]).astype(dtype)
    save(state, tmp_path / "x.safetensors")
    loaded = load_file(tmp_path / "x.safetensors")
    np.testing.assert_array_equal(loaded["extra"], state["extra"])
    assert loaded["extra"].dtype == np.dtype(dtype)
    np.testing.assert_array_equal(loaded["model.fc1.weight"], state["model"]["fc1.weight"])
    np.testing.assert_array_equal(loaded["layers.1.0"], state["layers"][1][0])


def test_torch_loads_the_file_into_a_model(tmp_path: Path) -> None:
    torch = pytest.importorskip("torch")
    from safetensors.torch import load_file

    reference = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.ReLU(), torch.nn.Linear(4, 2))
    state = OrderedDict((k, v.detach().numpy().copy()) for k, v in reference.state_dict().items())
    state["flags"] = np.array([True, False])
    state["bytes"] = np.array([0, 255], np.uint8)
    state["half"] = np.array([0.5, -2], np.float16)
    save(state, tmp_path / "model.safetensors")
    loaded = load_file(tmp_path / "model.safetensors")
    assert set(loaded) == set(state)
    for key, value in state.items():
        assert loaded[key].dtype == getattr(torch, str(value.dtype))
        np.testing.assert_array_equal(loaded[key].numpy(), value)
    model = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.ReLU(), torch.nn.Linear(4, 2))
    model.load_state_dict({k: v for k, v in loaded.items() if k[0].isdigit()})
    x = torch.randn(5, 3)
    assert torch.equal(model(x), reference(x))


def test_files_from_other_tools_load_as_flat_dicts(tmp_path: Path) -> None:
    from safetensors.numpy import save_file

    save_file({"b": np.ones(2, np.int8), "a.x": np.zeros((1, 2))}, tmp_path / "o.safetensors")
    back = load_numpy(tmp_path / "o.safetensors")
    assert set(back) == {"a.x", "b"} and back["b"].dtype == np.int8
    np.savez(tmp_path / "o.npz", w=np.arange(3), b=np.ones(1, np.float32))
    back = load_numpy(tmp_path / "o.npz")
    assert list(back) == ["w", "b"]
    np.testing.assert_array_equal(back["w"], np.arange(3))


def test_torch_written_safetensors_loads(tmp_path: Path) -> None:
    torch = pytest.importorskip("torch")
    from safetensors.torch import save_file

    layer = torch.nn.Linear(2, 3)
    save_file(layer.state_dict(), tmp_path / "t.safetensors")
    back = load_numpy(tmp_path / "t.safetensors")
    np.testing.assert_array_equal(back["weight"], layer.weight.detach().numpy())


# ----------------------------------------------------------------------------- save errors


@pytest.mark.parametrize(
    "obj, match",
    [
        ({"a": {"b": object()}}, "cannot save object at key 'a.b'"),
        ({"a": {1.5: 2}}, "dict key 1.5 at key 'a'"),
        ({"z": np.ones(2, np.complex64)}, "complex64 is not one of core's dtypes"),
        ({"o": np.array([{}], dtype=object)}, "dtype object"),
        ({1, 2}, "cannot save set at the top level"),
    ],
)
def test_unsavable_values_raise_and_write_nothing(tmp_path: Path, obj: object, match: str) -> None:
    path = tmp_path / "x.safetensors"
    with pytest.raises(TypeError, match=match):
        save(obj, path)
    assert list(tmp_path.iterdir()) == []


def test_self_containing_input_is_refused(tmp_path: Path) -> None:
    loop: dict = {"w": np.ones(1)}
    loop["again"] = [loop]
    with pytest.raises(ValueError, match="contains itself"):
        save(loop, tmp_path / "x.safetensors")
    shared = [1, 2]
    save({"a": shared, "b": shared}, tmp_path / "ok.safetensors")  # repeats are fine
    assert load_numpy(tmp_path / "ok.safetensors") == {"a": [1, 2], "b": [1, 2]}


def test_missing_parent_folder(tmp_path: Path) -> None:
    with pytest.raises(SerializationError, match="parent directory .* does not exist"):
        save({"a": 1}, tmp_path / "nope" / "x.safetensors")


# ----------------------------------------------------------------------------- atomic writes


def _old_file(tmp_path: Path, fmt: str) -> tuple[Path, bytes]:
    path = tmp_path / f"ckpt.{fmt}"
    save({"w": np.arange(4.0)}, path)
    return path, path.read_bytes()


@pytest.mark.parametrize("fmt", FORMATS)
def test_failure_mid_write_keeps_old_file(tmp_path: Path, fmt: str, monkeypatch) -> None:
    path, before = _old_file(tmp_path, fmt)

    def half_then_disk_full(fh, payload: bytes) -> None:
        fh.write(payload[: len(payload) // 2])
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(ser, "_write_all", half_then_disk_full)
    with pytest.raises(OSError, match="No space left"):
        save(_state(), path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == [path.name]  # no temporary file left


@pytest.mark.parametrize("where", ["fsync", "replace", "interrupt"])
def test_failure_at_each_step_keeps_old_file(tmp_path: Path, where: str, monkeypatch) -> None:
    path, before = _old_file(tmp_path, "safetensors")
    if where == "interrupt":  # a Ctrl+C in the middle is cleaned up too

        def boom(*args: object) -> None:
            raise KeyboardInterrupt

        monkeypatch.setattr(ser, "_write_all", boom)
        error: type[BaseException] = KeyboardInterrupt
    else:

        def boom(*args: object) -> None:
            raise OSError(5, f"{where} failed")

        monkeypatch.setattr(ser.os, where, boom)
        error = OSError
    with pytest.raises(error):
        save(_state(), path)
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == [path.name]


def test_new_file_gets_normal_permissions_and_old_mode_is_kept(tmp_path: Path) -> None:
    path = tmp_path / "x.safetensors"
    save({"a": 1}, path)
    assert path.stat().st_mode & 0o777 == 0o666 & ~ser._UMASK
    os.chmod(path, 0o640)
    save({"a": 2}, path)
    assert path.stat().st_mode & 0o777 == 0o640
    assert load_numpy(path) == {"a": 2}


# ----------------------------------------------------------------------------- load errors


def _expect_error(path: Path, *fragments: str) -> SerializationError:
    with pytest.raises(SerializationError) as info:
        load_numpy(path)
    message = str(info.value)
    assert str(path) in message
    for fragment in fragments:
        assert fragment in message, message
    assert isinstance(info.value, RuntimeError) and isinstance(info.value, ValueError)
    return info.value


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_truncation_is_a_clear_error(tmp_path: Path, fmt: str) -> None:
    buffer = io.BytesIO()
    save(_state(), buffer, format=fmt)
    data = buffer.getvalue()
    path = tmp_path / f"cut.{fmt}"
    cuts = {0, 1, 7, 8, 9, len(data) - 1, *np.linspace(10, len(data) - 2, 60).astype(int)}
    for cut in sorted(cuts):
        path.write_bytes(data[:cut])
        _expect_error(path, "empty" if cut == 0 else "")
    path.write_bytes(data[: len(data) // 2])
    _expect_error(path, "truncated", "save or copy it again")


@pytest.mark.parametrize("fmt", FORMATS)
def test_corrupted_bytes_load_or_raise_the_clear_error(tmp_path: Path, fmt: str) -> None:
    # Flipping any byte either still loads (e.g. inside tensor data) or gives SerializationError.
    buffer = io.BytesIO()
    save(_state(), buffer, format=fmt)
    data = buffer.getvalue()
    rng = random.Random(1)
    for _ in range(400):
        corrupted = bytearray(data)
        corrupted[rng.randrange(len(data))] = rng.randrange(256)
        try:
            load_numpy(io.BytesIO(bytes(corrupted)))
        except SerializationError:
            pass


def test_garbage_and_wrong_formats(tmp_path: Path) -> None:
    path = tmp_path / "g.safetensors"
    path.write_bytes(os.urandom(64).replace(b"\x80", b"\x00"))
    _expect_error(path, "neither a safetensors nor an npz file")
    path.write_text("name,value\n1,2\n")
    _expect_error(path, "neither a safetensors nor an npz file")
    path.write_bytes(b"\x10\x00\x00\x00\x00\x00\x00\x00{not json at all")
    _expect_error(path, "not valid JSON", "corrupted")
    path.write_bytes(_safetensors_with({"a": 5}))
    _expect_error(path, "does not describe tensors", "corrupted")
    zip_path = tmp_path / "other.zip"
    import zipfile

    with zipfile.ZipFile(zip_path, "w") as archive:
        archive.writestr("readme.txt", "hello")
    _expect_error(zip_path, "not an npz file")


def _safetensors_with(header: dict, data: bytes = b"") -> bytes:
    raw = json.dumps(header).encode()
    return len(raw).to_bytes(8, "little") + raw + data


def test_bad_structure_metadata(tmp_path: Path) -> None:
    path = tmp_path / "m.safetensors"
    tensor = {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}
    for meta, expected in [
        ('{"version": 1, "root": {"T": "missing"}}', "lacks"),
        ('{"version": 1, "root": {"Q": 1}}', "unknown structure kind"),
        ('{"version": 1, "root": {"V": [1]}}', "unexpected value"),
        ('{"version": 1, "root": {"D": [[[1], {"V": 1}]]}}', "unhashable"),
        ('{"version": 1, "root": {"F": "many"}}', "could not convert"),
        ("{oops", "not valid"),
        ('{"version": 99, "root": {}}', "newer Tensor Playground"),
    ]:
        header = {"__metadata__": {"tensor_playground": meta}, "w": tensor}
        path.write_bytes(_safetensors_with(header, b"\x00" * 4))
        _expect_error(path, expected)


def test_header_length_starting_like_a_pickle(tmp_path: Path) -> None:
    # A 128-byte header makes the file start with b"\x80", the pickle protocol marker.
    header = {"w": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}}
    raw = json.dumps(header).encode()
    raw += b" " * (128 - len(raw))
    path = tmp_path / "h.safetensors"
    path.write_bytes(len(raw).to_bytes(8, "little") + raw + b"\x00\x00\x80?")
    assert path.read_bytes()[:1] == b"\x80"
    assert load_numpy(path)["w"].tolist() == [1.0]


def test_deeply_nested_metadata_is_a_clear_error(tmp_path: Path) -> None:
    meta = "[" * 100_000 + "]" * 100_000
    path = tmp_path / "deep.safetensors"
    path.write_bytes(_safetensors_with({"__metadata__": {"tensor_playground": meta}}))
    _expect_error(path, "corrupted")


def test_unsupported_dtype_in_file(tmp_path: Path) -> None:
    path = tmp_path / "bf16.safetensors"
    path.write_bytes(
        _safetensors_with(
            {"w": {"dtype": "BF16", "shape": [2], "data_offsets": [0, 4]}}, b"\x80?\x80?"
        )
    )
    _expect_error(path, "'w' has dtype BF16", "t.float()")


class _Sentinel:
    """Unpickling this would create a file: proof that nothing was unpickled."""

    def __init__(self, target: Path) -> None:
        self.target = target

    def __reduce__(self):
        return (Path.touch, (self.target,))


def test_pickle_files_are_refused_not_executed(tmp_path: Path) -> None:
    sentinel = tmp_path / "pwned"
    path = tmp_path / "evil.pt"
    for protocol in (0, 2, pickle.HIGHEST_PROTOCOL):
        path.write_bytes(pickle.dumps({"w": _Sentinel(sentinel)}, protocol=protocol))
        _expect_error(path, "pickle", "nothing is ever unpickled")
    npz = tmp_path / "evil.npz"
    np.savez(npz, w=np.array([_Sentinel(sentinel)], dtype=object))
    _expect_error(npz, "pickled Python objects", "nothing is ever unpickled")
    assert not sentinel.exists()


def test_torch_pickle_checkpoint_is_refused(tmp_path: Path) -> None:
    torch = pytest.importorskip("torch")
    path = tmp_path / "model.pt"
    torch.save(torch.nn.Linear(2, 2).state_dict(), path)
    _expect_error(path, "PyTorch pickle checkpoint", "safetensors.torch.save_file")


def test_missing_file_is_file_not_found(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        load_numpy(tmp_path / "nope.safetensors")


def test_bad_map_location_type(tmp_path: Path) -> None:
    save({"a": 1}, tmp_path / "x.safetensors")
    with pytest.raises(TypeError, match="map_location"):
        ser.load(tmp_path / "x.safetensors", map_location=3)


# ----------------------------------------------------------------------------- core tensors


@needs_core_tensors
@pytest.mark.parametrize("fmt", FORMATS)
def test_core_tensors_round_trip(tmp_path: Path, fmt: str) -> None:
    import core

    state = {
        "w": core.from_numpy(np.arange(6, dtype=np.float32).reshape(2, 3)),
        "t": core.from_numpy(np.arange(6, dtype=np.float32).reshape(2, 3).T),  # strided
        "mask": core.from_numpy(np.array([True, False])),
        "h": core.from_numpy(np.array([1.5], np.float16)),
        "groups": [{"lr": 0.1, "ids": core.from_numpy(np.array([1, 2], np.uint8))}],
    }
    path = tmp_path / f"c.{fmt}"
    ser.save(state, path)
    back = ser.load(path)
    assert isinstance(back["w"], core.Tensor) and back["w"].device.type == "cpu"
    assert back["groups"][0]["lr"] == 0.1
    for key in ("w", "t", "mask", "h"):
        assert back[key].dtype == state[key].dtype
        np.testing.assert_array_equal(back[key].numpy(), state[key].numpy())
    assert back["groups"][0]["ids"].dtype == core.uint8
    back = ser.load(path, map_location="cpu")
    back = ser.load(path, map_location=core.device("cpu"))
    assert back["w"].device == core.device("cpu")


@needs_core_tensors
def test_requires_grad_is_kept(tmp_path: Path) -> None:
    import core

    w = core.from_numpy(np.ones(2, np.float32)).requires_grad_()
    ser.save({"w": w}, tmp_path / "x.safetensors")
    assert ser.load(tmp_path / "x.safetensors")["w"].requires_grad


@needs_core_tensors
def test_cuda_saved_file_needs_map_location_without_cuda(tmp_path: Path) -> None:
    from core import backend

    if backend.cuda_available():
        pytest.skip("CUDA is available here")
    meta = json.dumps({"version": 1, "root": {"T": "w", "device": "cuda:0"}})
    header = {"__metadata__": {"tensor_playground": meta}}
    header["w"] = {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}
    path = tmp_path / "gpu.safetensors"
    path.write_bytes(_safetensors_with(header, b"\x00\x00\x80?"))
    with pytest.raises(SerializationError, match="map_location=torch.device\\('cpu'\\)"):
        ser.load(path)
    assert ser.load(path, map_location="cpu").tolist() == [1.0]
    assert ser.load(path, map_location={"cuda:0": "cpu"}).tolist() == [1.0]
