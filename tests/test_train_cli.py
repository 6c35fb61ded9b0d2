"""`playground train`: flags, TOML configs, errors that say what to fix, export."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from playground.train_cli import main


def run_cli(capsys: pytest.CaptureFixture, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_list_datasets(capsys: pytest.CaptureFixture) -> None:
    code, out, _ = run_cli(capsys, "--list-datasets")
    assert code == 0
    for name in ("linear", "moons", "digits"):
        assert name in out


@pytest.mark.parametrize(
    "argv, words",
    [
        (["--dataset", "mnist"], "unknown dataset 'mnist'"),
        (["--lr", "-1"], "lr must be"),
        (["--model", "mlp:x"], "widths must be integers"),
        (["--optimizer", "lbfgs"], "unknown optimizer"),
        (["--loss", "mse"], "loss 'mse' does not fit"),
        (["--epochs", "0"], "epochs must be"),
        (["--val-fraction", "1.5"], "val_fraction"),
        (["--config", "does-not-exist.toml"], "does not exist"),
    ],
)
def test_bad_arguments_exit_2_with_a_message(
    capsys: pytest.CaptureFixture, argv: list[str], words: str
) -> None:
    code, _, err = run_cli(capsys, *argv)
    assert code == 2
    assert words in err


def test_argparse_errors_exit_2(capsys: pytest.CaptureFixture) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["--epochs", "two"])
    assert exc.value.code == 2
    assert "invalid int value" in capsys.readouterr().err


def test_bad_config_files(capsys: pytest.CaptureFixture, tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("dataset = moons\n")
    code, _, err = run_cli(capsys, "--config", str(bad))
    assert code == 2 and "not valid TOML" in err
    unknown = tmp_path / "unknown.toml"
    unknown.write_text('dataset = "moons"\nlearning_rate = 0.1\n')
    code, _, err = run_cli(capsys, "--config", str(unknown))
    assert code == 2 and "learning_rate" in err and "valid keys" in err
    wrong_type = tmp_path / "type.toml"
    wrong_type.write_text('epochs = "ten"\n')
    code, _, err = run_cli(capsys, "--config", str(wrong_type))
    assert code == 2 and "epochs must be an integer" in err


def test_config_file_with_flags_on_top(capsys: pytest.CaptureFixture, tmp_path: Path) -> None:
    cfg = tmp_path / "run.toml"
    cfg.write_text(
        'dataset = "blobs"\nn = 120\nepochs = 50\nlr = 0.02\n'
        '[model]\nlayers = [{type = "linear", out = 8}, {type = "activation", name = "tanh"}]\n'
    )
    code, out, _ = run_cli(capsys, "--config", str(cfg), "--epochs", "2", "--quiet")
    assert code == 0
    assert "final: validation loss" in out and "(6 steps" in out


def test_train_and_export(capsys: pytest.CaptureFixture, tmp_path: Path) -> None:
    dest = tmp_path / "out"
    code, out, err = run_cli(
        capsys, "--dataset", "moons", "--n", "200", "--epochs", "2", "--export", str(dest)
    )
    assert code == 0, err
    assert "epoch 1/2" in out and "epoch 2/2" in out and "val_accuracy" in out
    assert "100%" in err  # the progress bar
    record = json.loads((dest / "experiment.json").read_text())
    assert record["config"]["epochs"] == 2
    # a second export into the same folder is refused before training
    code, _, err = run_cli(capsys, "--dataset", "moons", "--export", str(dest))
    assert code == 2 and "--overwrite" in err


def test_nan_exits_1(capsys: pytest.CaptureFixture) -> None:
    code, _, err = run_cli(capsys, "--dataset", "linear", "--lr", "20", "--epochs", "50", "-q")
    assert code == 1 and "training failed" in err and "step" in err


def test_python_dash_m_playground_train(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "playground", "train", "--dataset", "nope"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2 and "unknown dataset" in proc.stderr


def test_cuda_without_a_device_says_why(capsys: pytest.CaptureFixture) -> None:
    import core

    if core.cuda.is_available():
        pytest.skip("a CUDA device is present")
    code, _, err = run_cli(capsys, "--device", "cuda", "--epochs", "1")
    assert code == 2 and "cannot move training to cuda" in err


def test_config_in_a_train_table(capsys: pytest.CaptureFixture, tmp_path: Path) -> None:
    cfg = tmp_path / "run.toml"
    cfg.write_text('[train]\ndataset = "xor"\nn = 100\nepochs = 1\nmodel = "mlp:4:tanh"\n')
    code, out, _ = run_cli(capsys, "--config", str(cfg), "--quiet")
    assert code == 0 and "(3 steps" in out


def test_ctrl_c_stops_at_a_step_boundary() -> None:
    import signal

    from core.training import TrainConfig, TrainingRun
    from core.training.cli import _stop_on_interrupt

    run = TrainingRun(TrainConfig(dataset="moons", n=100, epochs=2))
    seen = _stop_on_interrupt(run)
    try:
        for r in run.steps():
            if r.step == 3:
                signal.raise_signal(signal.SIGINT)
    finally:
        seen.restore()
    assert seen and run.state == "stopped" and run.step == 3
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_no_validation_split(capsys: pytest.CaptureFixture) -> None:
    code, out, _ = run_cli(capsys, "--dataset", "blobs", "--epochs", "2", "--val-fraction", "0")
    assert code == 0 and "epoch 2/2  loss" in out and "val_loss" not in out
    assert "no validation split" in out
