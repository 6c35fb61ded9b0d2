"""The computation graph, Qt-free: layout, collapse, snapshot of a ``grad_fn`` graph, module
groups, the backward stepper, step explanations, numerical checks, gradient-health colours."""

from playground.graph.collapse import Collapsed, Group, collapse
from playground.graph.layout import Layout, layered_layout
from playground.graph.model import GraphEdge, GraphModel, GraphNode, build_graph
from playground.graph.stepper import Breakpoints, GradInfo, Step, Stepper

__all__ = [
    "Breakpoints",
    "Collapsed",
    "GradInfo",
    "GraphEdge",
    "GraphModel",
    "GraphNode",
    "Group",
    "Layout",
    "Step",
    "Stepper",
    "build_graph",
    "collapse",
    "layered_layout",
]
