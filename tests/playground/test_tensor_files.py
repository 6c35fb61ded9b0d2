"""Opening .npy/.npz/.safetensors files: good ones become tensors, bad ones say why."""

import numpy as np
import pytest

import core
from playground.tensor_files import identifier, load_tensor_file


def test_npy_npz_and_safetensors(tmp_path):
    a = np.arange(6, dtype=np.float32).reshape(2, 3)
    np.save(tmp_path / "weights.npy", a)
    np.savez(tmp_path / "pair.npz", first=a, second=a.astype(np.int64))
    from safetensors.numpy import save_file

    save_file({"fc1.weight": a}, str(tmp_path / "model.safetensors"))
    one = load_tensor_file(tmp_path / "weights.npy")
    assert list(one) == ["weights"] and isinstance(one["weights"], core.Tensor)
    np.testing.assert_array_equal(one["weights"].numpy(), a)
    pair = load_tensor_file(tmp_path / "pair.npz")
    assert sorted(pair) == ["first", "second"] and pair["second"].dtype == core.int64
    model = load_tensor_file(tmp_path / "model.safetensors")
    assert list(model) == ["fc1_weight"]


@pytest.mark.parametrize("name", ["bad.npy", "bad.npz", "bad.safetensors"])
def test_corrupt_files_raise_a_readable_error(tmp_path, name):
    path = tmp_path / name
    path.write_bytes(b"\x00garbage" * 10)
    with pytest.raises(ValueError, match=f"{name} cannot be read"):
        load_tensor_file(path)


def test_unknown_and_missing_files(tmp_path):
    (tmp_path / "notes.txt").write_text("hi")
    with pytest.raises(ValueError, match="unknown kind of file"):
        load_tensor_file(tmp_path / "notes.txt")
    with pytest.raises(ValueError, match="no such file"):
        load_tensor_file(tmp_path / "gone.npy")


def test_pickled_npy_is_refused(tmp_path):
    np.save(tmp_path / "obj.npy", np.array([{"a": 1}], dtype=object), allow_pickle=True)
    with pytest.raises(ValueError, match="cannot be read"):
        load_tensor_file(tmp_path / "obj.npy")


def test_identifiers():
    assert identifier("fc1.weight") == "fc1_weight"
    assert identifier("1st") == "t_1st"
    assert identifier("class") == "t_class"
