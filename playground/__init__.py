"""Tensor Playground: the Qt application on top of core. `Playground` is its scripting face."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from playground.scripting import Playground

__all__ = ["Playground"]


def __getattr__(name: str) -> Any:
    # Qt loads only when the face is asked for, so `playground --help` stays light
    if name == "Playground":
        from playground.scripting import Playground

        return Playground
    raise AttributeError(f"module 'playground' has no attribute {name!r}")
