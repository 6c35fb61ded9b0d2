"""Errors of the training engine."""

from __future__ import annotations

__all__ = ["ConfigError"]


class ConfigError(ValueError):
    """A training config or model spec that cannot work: says which field, what and what to do."""
