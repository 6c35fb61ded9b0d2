"""Export: the folder's files, atomicity, and model.py in PyTorch giving the same loss."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import core
from core.training import TrainConfig, TrainingRun, export
from core.training.export import FILES

CFG = TrainConfig(dataset="moons", n=200, epochs=2, model="mlp:16:relu:bn")


@pytest.fixture(scope="module")
def trained() -> TrainingRun:
    run = TrainingRun(CFG)
    run.run_to_end()
    return run


def test_files_and_record(trained: TrainingRun, tmp_path: Path) -> None:
    out = export(trained, tmp_path / "out")
    assert sorted(p.name for p in out.iterdir()) == sorted(FILES)
    assert [p.name for p in tmp_path.iterdir()] == ["out"]  # no temporary left behind
    record = json.loads((out / "experiment.json").read_text())
    for key in ("config", "seed", "dataset", "device", "loss_history", "versions"):
        assert key in record
    assert record["dataset"] == "moons" and record["seed"] == 0 and record["device"] == "cpu"
    assert len(record["loss_history"]) == trained.step
    loss, acc = trained.evaluate("val")
    assert record["final_validation_loss"] == pytest.approx(loss)
    assert record["final_validation_accuracy"] == pytest.approx(acc)
    assert TrainConfig.from_dict(record["config"]).resolved() == trained.config
    state = core.load(out / "model.safetensors")
    assert set(state) == set(trained.model.state_dict())
    assert "bn1.running_mean" in state and "fc1.weight" in state
    npz = core.load(out / "model.npz")
    for k, v in state.items():
        np.testing.assert_array_equal(npz[k].numpy(), v.numpy())
    val = core.load(out / "validation.safetensors")
    assert val["inputs"].shape == (40, 2) and val["targets"].dtype == core.int64


def test_existing_folder_is_refused_or_replaced_whole(trained: TrainingRun, tmp_path: Path) -> None:
    dest = tmp_path / "out"
    dest.mkdir()
    (dest / "keep.txt").write_text("mine")
    with pytest.raises(FileExistsError, match="not empty"):
        export(trained, dest)
    assert (dest / "keep.txt").read_text() == "mine"
    with pytest.raises(FileExistsError, match="not from an export"):
        export(trained, dest, overwrite=True)  # never replaces a folder of other files
    assert (dest / "keep.txt").read_text() == "mine"
    (dest / "keep.txt").unlink()
    export(trained, dest)
    first = (dest / "experiment.json").read_text()
    export(trained, dest, overwrite=True)  # a previous export is replaced whole
    assert sorted(p.name for p in dest.iterdir()) == sorted(FILES)
    assert [p.name for p in tmp_path.iterdir()] == ["out"]
    assert json.loads(first)["steps"] == trained.step


def test_a_failure_leaves_nothing_half_written(
    trained: TrainingRun, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    save = core.save
    calls = []

    def failing_save(obj, f, format=None):  # noqa: A002
        calls.append(f)
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        return save(obj, f, format)

    monkeypatch.setattr(core, "save", failing_save)
    with pytest.raises(OSError, match="No space"):
        export(trained, tmp_path / "new")
    assert list(tmp_path.iterdir()) == []

    old = tmp_path / "old"
    old.mkdir()
    (old / "model.py").write_text("previous export")
    calls.clear()
    with pytest.raises(OSError):
        export(trained, old, overwrite=True)
    assert [p.name for p in tmp_path.iterdir()] == ["old"]
    assert (old / "model.py").read_text() == "previous export"


def test_model_py_prints_the_same_validation_loss(trained: TrainingRun, tmp_path: Path) -> None:
    pytest.importorskip("torch")
    pytest.importorskip("safetensors.torch")
    out = export(trained, tmp_path / "out")
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    proc = subprocess.run(
        [sys.executable, "model.py"], cwd=out, capture_output=True, text=True, env=env, timeout=120
    )
    assert proc.returncode == 0, proc.stderr
    lines = dict(line.split(": ", 1) for line in proc.stdout.strip().splitlines())
    record = json.loads((out / "experiment.json").read_text())
    assert float(lines["validation loss"]) == pytest.approx(
        record["final_validation_loss"], rel=1e-4
    )
    assert float(lines["validation accuracy"]) == pytest.approx(
        record["final_validation_accuracy"], abs=1e-4
    )


def test_torch_loads_the_weights_and_gives_the_same_outputs(
    trained: TrainingRun, tmp_path: Path
) -> None:
    torch = pytest.importorskip("torch")
    from safetensors.torch import load_file

    out = export(trained, tmp_path / "out")
    namespace: dict = {}
    exec(trained.spec.to_pytorch_code(trained.input_shape, trained.outputs), namespace)  # noqa: S102
    net = namespace["Net"]()
    net.load_state_dict(load_file(str(out / "model.safetensors")))
    X, _ = trained.data("val")
    with torch.no_grad():
        theirs = torch.softmax(net.eval()(torch.from_numpy(X)), 1).numpy()
    np.testing.assert_allclose(trained.predict(X), theirs, rtol=1e-4, atol=1e-6)


def test_regression_export(tmp_path: Path) -> None:
    run = TrainingRun(TrainConfig(dataset="linear", epochs=20))
    run.run_to_end()
    out = export(run, tmp_path / "lin")
    record = json.loads((out / "experiment.json").read_text())
    assert record["final_validation_accuracy"] is None
    assert "validation accuracy" not in (out / "model.py").read_text().split("__main__")[0]
