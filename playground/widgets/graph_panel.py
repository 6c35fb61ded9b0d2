"""The Graph panel: the ``grad_fn`` graph of a tensor and the backward stepper.

Tool bar (step, run, reset, breakpoints, find, collapse, health colours, export) over a splitter:
the graph view on the left, the "This step" pane on the right (derivative rule with the actual
shapes, gradients in and out, numerical check).
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QLabel,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from playground.graph.collapse import Group
from playground.graph.explain import explain
from playground.graph.model import GraphModel, GraphNode, build_graph
from playground.graph.numcheck import NumCheck, check_node
from playground.graph.stepper import Step, Stepper
from playground.widgets.graph_state import (
    NodeSelection,
    failure_html,
    hot_edges,
    node_looks,
    seed_for,
    status_text,
)
from playground.widgets.graph_step_pane import StepPane
from playground.widgets.graph_toolbar import build_toolbar, node_menu
from playground.widgets.graph_view import GraphView

NodeRef = Any  # a GraphNode, its key, a core grad_fn Node, or a node's title ("x", "MulBackward0")


class GraphPanel(QWidget):
    nodeSelected = Signal(object)  # NodeSelection
    stepped = Signal(object)  # core.autograd StepRecord of the step just taken
    finished = Signal()  # the backward pass is complete
    failed = Signal(str)  # the engine raised (e.g. a saved tensor modified in place)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("graphPanel")
        self.model: GraphModel | None = None
        self.stepper: Stepper | None = None
        self.selected: int | None = None
        self.collapsed: set[str] = set()
        self.health_on = False
        self.show_saved = False
        self._names: dict[int, str] = {}
        self._grad_tensor: Any = None
        self._find_text, self._find_at = "", 0
        self._modules: dict[str, str] = {}
        self.view = GraphView(self)
        self.step_pane = StepPane(self)
        self.pane = self.step_pane.text
        self.check_label = self.step_pane.check_label
        self.status = QLabel("No tensor shown. Select a tensor with a grad_fn.", self)
        self.status.setObjectName("graphStatus")
        self.toolbar = build_toolbar(self)
        self.step_pane.check_button.clicked.connect(self.check_current)
        split = QSplitter(Qt.Orientation.Horizontal, self)
        split.addWidget(self.view)
        split.addWidget(self.step_pane)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 1)
        split.setSizes([700, 280])
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.toolbar)
        outer.addWidget(split, 1)
        outer.addWidget(self.status)
        self.view.nodeClicked.connect(self._on_click)
        self.view.nodeDoubleClicked.connect(self._on_double_click)
        self.view.nodeMenuRequested.connect(lambda vid, pos: node_menu(self, vid).exec(pos))
        self._refresh()

    # --- showing a tensor -----------------------------------------------------------------
    def show_tensor(
        self,
        tensor: Any,
        names: Mapping[int, str] | None = None,
        grad_tensor: Any = None,
        modules: Mapping[str, str] | None = None,
    ) -> None:
        """Show ``tensor``'s graph. ``names``: {id(tensor): name} for leaves and the output;
        ``grad_tensor``: the gradient to start backward with (default: 1 for a scalar);
        ``modules``: {module path: class name} to label module groups ("fc1: Linear")."""
        self._abandon(self.stepper)
        self._names, self._grad_tensor = dict(names or {}), grad_tensor
        self._modules = dict(modules or {})
        if tensor is None:
            self.model = self.stepper = None
        else:
            try:
                self.model = build_graph(
                    tensor, self._names, show_saved=self.show_saved, modules=self._modules
                )
            except Exception as exc:  # noqa: BLE001 - a graph that cannot be read is reported
                self.model = self.stepper = None
                self.view.set_graph(None)
                self.pane.setHtml(failure_html(f"Cannot read this graph: {exc}"))
                self.status.setText(f"Cannot read this graph: {exc}")
                self._refresh()
                return
            seed = seed_for(tensor) if grad_tensor is None else grad_tensor
            self.stepper = Stepper(self.model, seed)
        self.selected = None
        self.collapsed = (
            set(self.model.groups) if self.model and self.act_collapse.isChecked() else set()
        )
        self.view.set_graph(self.model, self.collapsed)
        self.view.fit(readable=True)
        self.pane.setHtml(self._intro())
        self.check_label.clear()
        self._refresh()

    @staticmethod
    def _abandon(stepper: Stepper | None) -> None:
        """Leaving a pass: a half-done one gives the leaves their gradients back; a complete
        one keeps them, as ``backward()`` would have."""
        if stepper is not None and stepper.started and not stepper.finished:
            stepper.reset()

    def clear(self) -> None:
        self.show_tensor(None)

    def _intro(self) -> str:
        if self.model is None:
            return "<p>Select a tensor that has a <code>grad_fn</code> to see its graph.</p>"
        if len(self.model.nodes) == 1:
            return (
                "<p>This tensor has no <code>grad_fn</code> and does not require grad: no "
                "backward pass goes through it. Create it from tensors with "
                "<code>requires_grad=True</code>.</p>"
            )
        n = sum(1 for m in self.model.nodes if m.kind in ("op", "leaf"))
        seed = ""
        stepper = self.stepper
        if self._grad_tensor is None and stepper is not None and stepper.grad_tensor is not None:
            seed = (
                "<p>The output is not a scalar, so backward starts from a gradient of ones, as "
                "<code>out.backward(torch.ones_like(out))</code> would (PyTorch's plain "
                "<code>out.backward()</code> needs a scalar).</p>"
            )
        return (
            f"<p>{n} backward nodes. Press <b>Step</b> (F10) to run backward one node at a "
            "time; the node that just ran is outlined in orange, the edges show the gradient "
            "flowing along them (shape and norm ‖·‖).</p>" + seed
        )

    # --- stepping -------------------------------------------------------------------------
    def step(self) -> Any:
        """Execute one node; returns core's StepRecord, or None when the pass is complete."""
        return self._drive(lambda s: s.step())

    def run_to_end(self) -> Any:
        """Run until the end or a breakpoint; returns the last StepRecord (None if none ran)."""
        return self._drive(lambda s: s.run())

    def run_to_node(self, node: NodeRef) -> Any:
        key = self._key(node)
        if key is None or self.stepper is None:
            return None
        if key in self.stepper.executed():
            self.status.setText("That node has already run in this pass: Reset to run to it again.")
            return None
        return self._drive(lambda s: s.run(until=key))

    def _drive(self, how: Any) -> Any:
        if self.stepper is None or self.model is None or len(self.model.nodes) == 1:
            return None
        was_done = self.stepper.finished
        try:
            step = how(self.stepper)
        except Exception:  # noqa: BLE001 - shown in the pane, never a crash
            self.pane.setHtml(failure_html(self.stepper.error or ""))
            self._refresh()
            self.failed.emit(self.stepper.error or "")
            return None
        if step is not None:
            self.selected = step.key
            self._show_step(step)
            self.stepped.emit(step.record)
        self._refresh()
        if self.stepper.finished and not was_done:
            self.finished.emit()
        return None if step is None else step.record

    def reset(self) -> None:
        """Abandon the pass and restore the leaves' .grad of before it."""
        if self.stepper is not None:
            self.stepper.reset()
        self.pane.setHtml(self._intro())
        self.check_label.clear()
        self._refresh()

    def _show_step(self, step: Step) -> None:
        if self.model is None or step.key is None:
            return
        node = self.model.nodes[step.key]
        head = f"<p style='color:#e65100'>Stopped: {step.reason}</p>" if step.reason else ""
        self.pane.setHtml(head + explain(self.model, node, step))
        self.check_label.clear()
        vid = self.view.vid_of(step.key)
        if vid is not None:
            self.view.ensureVisible(self.view.nodes[vid], 40, 40)

    def current_step(self) -> Step | None:
        return None if self.stepper is None else self.stepper.current

    def check_current(self) -> NumCheck | None:
        """Finite differences vs the analytic gradient of the selected (or current) node."""
        if self.model is None:
            return None
        key = self.selected
        if key is None and self.current_step() is not None:
            key = self.current_step().key
        if key is None:
            return None
        result = check_node(self.model.nodes[key], self._step_of(key))
        colour = "#1b5e20" if result.ok else ("#b71c1c" if result.ok is False else "#555")
        self.check_label.setText(f"<span style='color:{colour}'>{result.message}</span>")
        return result

    # --- breakpoints ------------------------------------------------------------------------
    def set_breakpoint(self, node: NodeRef, on: bool = True) -> None:
        key = self._key(node)
        if self.stepper is None or key is None:
            return
        (self.stepper.breakpoints.nodes.add if on else self.stepper.breakpoints.nodes.discard)(key)
        self._refresh()

    def set_break_on_nonfinite(self, on: bool) -> None:
        if self.stepper is not None:
            self.stepper.breakpoints.nonfinite = bool(on)
        self.act_nan.setChecked(bool(on))

    def set_break_on_norm(self, threshold: float | None) -> None:
        if self.stepper is not None:
            self.stepper.breakpoints.norm_above = threshold

    def toggle_breakpoint(self) -> None:
        if self.stepper is not None and self.selected is not None:
            self.set_breakpoint(self.selected, self.selected not in self.stepper.breakpoints.nodes)

    # --- view options -----------------------------------------------------------------------
    def set_collapsed(self, on: bool) -> None:
        """Collapse (or expand) every module group."""
        self.act_collapse.setChecked(bool(on))
        self.collapsed = set(self.model.groups) if on and self.model else set()
        self._rebuild()

    def collapse_group(self, group: str, on: bool = True) -> None:
        (self.collapsed.add if on else self.collapsed.discard)(group)
        self._rebuild()

    def set_health(self, on: bool) -> None:
        self.health_on = bool(on)
        self.act_health.setChecked(self.health_on)
        self._refresh()

    def set_show_saved(self, on: bool) -> None:
        self.show_saved = bool(on)
        self.act_saved.setChecked(self.show_saved)
        if self.model is not None:
            keep = self.stepper
            self.model = build_graph(
                self.model.root, self._names, show_saved=self.show_saved, modules=self._modules
            )
            grad = seed_for(self.model.root) if self._grad_tensor is None else self._grad_tensor
            self.stepper = Stepper(self.model, grad)
            self._abandon(keep)
            self._rebuild()

    def _rebuild(self) -> None:
        self.view.set_graph(self.model, self.collapsed)
        self._refresh()

    def fit(self) -> None:
        self.view.fit()

    # --- finding, selecting ---------------------------------------------------------------------
    def find(self, text: str) -> GraphNode | None:
        """Select and centre the first node whose name contains ``text``; the same text again
        goes to the next match."""
        if self.model is None:
            return None
        hits = self.model.find(text)
        if not hits:
            self.status.setText(f"No node matches '{text}'.")
            return None
        i = self._find_at + 1 if text == self._find_text else 0
        self._find_text, self._find_at = text, i % len(hits)
        self.select(hits[self._find_at])
        self.status.setText(f"'{text}': match {self._find_at + 1} of {len(hits)}")
        return hits[self._find_at]

    def select(self, node: NodeRef) -> None:
        key = self._key(node)
        if key is None or self.model is None:
            return
        self.selected = key
        vid = self.view.vid_of(key)
        if vid is not None:
            self.view.center_on(vid)
        step = self._step_of(key)
        self.pane.setHtml(explain(self.model, self.model.nodes[key], step))
        self.check_label.clear()
        self._refresh()
        self.nodeSelected.emit(self._selection(key, step))

    def _selection(self, key: int, step: Step | None) -> NodeSelection:
        assert self.model is not None
        node = self.model.nodes[key]
        rec = step.record if step is not None else None
        return NodeSelection(
            node=node,
            tensor=node.tensor,
            grad=getattr(node.tensor, "grad", None) if node.tensor is not None else None,
            grads_in=tuple(rec.grad_outputs) if rec is not None else (),
            grads_out=tuple(rec.grad_inputs) if rec is not None else (),
            step=step,
        )

    def _on_click(self, vid: Hashable) -> None:
        if isinstance(vid, Group):
            members = self.view.members.get(vid, [])
            if members:
                self.select(members[0])
            return
        self.select(vid)

    def _on_double_click(self, vid: Hashable) -> None:
        if isinstance(vid, Group):
            self.collapse_group(str(vid.id), False)
        elif self.model is not None and self.model.nodes[vid].group is not None:
            self.collapse_group(self.model.nodes[vid].group, True)

    def _step_of(self, key: int) -> Step | None:
        if self.stepper is None:
            return None
        for s in reversed(self.stepper.steps):
            if s.key == key:
                return s
        return None

    def _key(self, node: NodeRef) -> int | None:
        if self.model is None or node is None:
            return None
        if isinstance(node, GraphNode):
            return node.key
        if isinstance(node, int) and 0 <= node < len(self.model.nodes):
            return node
        if isinstance(node, str):
            hits = self.model.find(node)
            return hits[0].key if hits else None
        found = self.model.node_for(node)
        return None if found is None else found.key

    # --- drawing the state --------------------------------------------------------------------
    def _refresh(self) -> None:
        has = self.stepper is not None and self.model is not None and len(self.model.nodes) > 1
        done = has and self.stepper.finished
        for a in (self.act_step, self.act_run, self.act_run_to):
            a.setEnabled(has and not done and self.stepper.error is None)
        self.act_reset.setEnabled(has and self.stepper.started)
        if not has or self.model is None or self.stepper is None:
            self.view.apply({}, {}, set(), False)
            if self.model is None:
                self.status.setText("No tensor shown. Select a tensor with a grad_fn.")
            return
        looks = node_looks(
            self.model, self.stepper, self.view.vid_of, self.selected, self.health_on
        )
        edges = self.stepper.edge_grads()
        self.view.apply(looks, edges, hot_edges(self.model, self.stepper), self.health_on)
        self.status.setText(status_text(self.model, self.stepper))

    # --- export -----------------------------------------------------------------------------
    def export(self, path: str) -> None:
        """Save the graph as SVG (``.svg``) or an image (PNG, by the suffix)."""
        if path.lower().endswith(".svg"):
            self.view.export_svg(path)
        elif not self.view.render_image().save(path):
            raise OSError(f"could not write the image to {path}")
