"""The computation graph: Qt-free layout, snapshot of a ``grad_fn`` graph, step explanations."""

from playground.graph.collapse import Collapsed, Group, collapse
from playground.graph.layout import Layout, layered_layout

__all__ = ["Collapsed", "Group", "Layout", "collapse", "layered_layout"]
