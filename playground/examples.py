"""The example scripts in resources/examples/, listed for the File > Examples menu."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from playground.app import RESOURCES

EXAMPLES_DIR = RESOURCES / "examples"
WELCOME = "00_welcome.py"  # what the window opens with: the Blitz autograd example


@dataclass(frozen=True)
class Example:
    path: Path
    title: str


def _title(path: Path) -> str:
    """The first line of the file's docstring or comment, else the file name."""
    for line in path.read_text(encoding="utf-8").splitlines():
        text = line.strip().strip('"').strip("#").strip()
        if text:
            return text.rstrip(".")
    return path.stem


def examples() -> list[Example]:
    return [Example(p, _title(p)) for p in sorted(EXAMPLES_DIR.glob("*.py"))]


def welcome_code() -> str:
    return (EXAMPLES_DIR / WELCOME).read_text(encoding="utf-8")
