"""Qt tests run offscreen, with settings in a temporary file (never the user's)."""

import os
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault(
    "PLAYGROUND_SETTINGS", str(Path(tempfile.mkdtemp(prefix="playground-test-")) / "settings.ini")
)

import pytest


@pytest.fixture(scope="module")
def pg(qapp):
    """One shown main window per test module (building one per test would be slow)."""
    from playground import Playground

    playground = Playground(show=True)
    yield playground
    if playground.window.runner.running:
        playground.stop()
        playground.wait_until(lambda: not playground.window.runner.running, 5)
    playground.window.close()


@pytest.fixture
def fresh(pg):
    """The module's window with an empty namespace and nothing inspected."""
    pg.window.reset_namespace()
    pg.window.inspector.clear()
    pg.window.console.clear()
    return pg
