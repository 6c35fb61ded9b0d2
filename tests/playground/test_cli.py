"""The command line: --screenshot renders offscreen and exits; `train` is a lazy subcommand."""

import importlib.util
import os
import subprocess
import sys

import pytest

from playground.cli import main


def test_screenshot_offscreen(tmp_path):
    out = tmp_path / "shot.png"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run(
        [sys.executable, "-m", "playground", "--screenshot", str(out)],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.skipif(
    importlib.util.find_spec("playground.train_cli") is not None, reason="train CLI installed"
)
def test_train_without_its_module_says_so(capsys):
    assert main(["train"]) == 2
    assert "not installed" in capsys.readouterr().err
