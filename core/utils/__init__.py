"""``core.utils``: ``core.utils.data`` (datasets, samplers, DataLoader)."""

from core.utils import data

__all__ = ["data"]
