"""`playground train`: the headless trainer (the engine and its CLI live in core.training)."""

from __future__ import annotations

from collections.abc import Sequence

from core.training.cli import main as _main

__all__ = ["main"]


def main(argv: Sequence[str] | None = None) -> int:
    """Run the headless trainer with `argv` (without the 'train' word); returns the exit code."""
    return _main(argv)


if __name__ == "__main__":
    raise SystemExit(main())
