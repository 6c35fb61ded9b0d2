"""``torch.autograd.graph`` names."""

from core.autograd.function import Node

__all__ = ["Node"]
