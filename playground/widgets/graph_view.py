"""The graph's scene: node boxes, edge arrows with gradient labels, zoom/pan/fit, export.

Everything here draws; what to draw comes from ``playground.graph`` (model, layout, stepper).
Node ids in the scene are GraphNode keys (int) or ``Group`` objects for collapsed modules.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QEvent, QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QImage,
    QPainter,
    QPainterPath,
    QPalette,
    QPen,
)
from PySide6.QtWidgets import (
    QGraphicsPathItem,
    QGraphicsScene,
    QGraphicsView,
    QWidget,
)

from playground.graph import health
from playground.graph.collapse import Group, collapse
from playground.graph.layout import layered_layout
from playground.graph.model import GraphModel, GraphNode
from playground.graph.stepper import GradInfo
from playground.widgets.graph_items import (
    CURRENT,
    LEGEND_SIZE,
    EdgeLabel,
    LabelIndex,
    NodeItem,
    NodeLook,
    arrow_head,
    draw_legend,
    measure,
)
from playground.widgets.graph_pyside_guard import make_singletons_immortal

make_singletons_immortal()  # PySide6 6.12 on CPython 3.11: see graph_pyside_guard


@dataclass
class EdgeItem:
    path: QGraphicsPathItem
    head: QGraphicsPathItem
    label: EdgeLabel
    src: Hashable
    dst: Hashable
    model_edges: list[tuple[int, int]] = field(default_factory=list)  # (src key, slot)
    anchor: QPointF = field(default_factory=QPointF)
    left: bool = False  # label on the left of the anchor


class GraphView(QGraphicsView):
    """Zoom with the wheel, pan by dragging, click a node to select it."""

    nodeClicked = Signal(object)  # visible id: node key (int) or Group
    nodeDoubleClicked = Signal(object)
    nodeMenuRequested = Signal(object, object)  # visible id, global QPoint

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("graphView")
        self.setScene(QGraphicsScene(self))
        self.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self._follow_palette()
        self.nodes: dict[Hashable, NodeItem] = {}
        self.edges: list[EdgeItem] = []
        self.visible: dict[int, Hashable] = {}  # node key -> visible id
        self.tooltips: dict[Hashable, str] = {}
        self.members: dict[Group, list[int]] = {}
        self.show_legend = False
        self.auto_fit = True  # refit on resize until the user zooms
        self.readable = True

    def _follow_palette(self) -> None:
        """A light canvas in a light window, a dark one in a dark window (boxes stay pastel)."""
        dark = self.palette().color(QPalette.ColorRole.Base).lightness() < 128
        self.setBackgroundBrush(QColor("#26282b" if dark else "#fbfbfb"))

    def changeEvent(self, event: Any) -> None:  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.PaletteChange:
            self._follow_palette()
        super().changeEvent(event)

    # --- building -------------------------------------------------------------------------
    def set_graph(self, model: GraphModel | None, collapsed: set[str] | None = None) -> None:
        scene = self.scene()
        scene.clear()
        self.nodes.clear()
        self.edges.clear()
        self.visible, self.members, self.tooltips = {}, {}, {}
        if model is None:
            return
        groups = {n.key: n.group for n in model.nodes if n.group is not None}
        folded = collapse(
            [n.key for n in model.nodes],
            [(e.src, e.dst) for e in model.edges],
            groups,
            collapsed=collapsed or set(),
        )
        self.visible, self.members = dict(folded.visible), dict(folded.members)
        sizes: dict[Hashable, tuple[float, float]] = {}
        info: dict[Hashable, tuple[str, str, str]] = {}
        for vid in folded.nodes:
            if isinstance(vid, Group):
                label = model.groups.get(str(vid.id), str(vid.id))
                info[vid] = ("group", label, f"{len(folded.members[vid])} nodes, double-click")
            else:
                n = model.nodes[vid]
                info[vid] = (n.kind, n.title, n.subtitle)
            s = measure(info[vid][1], info[vid][2])
            sizes[vid] = (float(s.width()), float(s.height()))
        # One drawn edge per model edge between plain nodes; merged where a group is involved.
        drawn: dict[tuple, list[tuple[int, int]]] = {}
        for e in model.edges:
            s, t = folded.visible[e.src], folded.visible[e.dst]
            if s == t:
                continue
            plain = not isinstance(s, Group) and not isinstance(t, Group)
            drawn.setdefault((s, t, e.slot if plain else None, e.kind), []).append((e.src, e.slot))
        keys = list(drawn)
        lay = layered_layout(sizes, [(k[0], k[1]) for k in keys], layer_gap=58.0, node_gap=28.0)
        for vid in folded.nodes:
            kind, title, sub = info[vid]
            item = NodeItem(vid, kind, title, sub, QSize(int(sizes[vid][0]), int(sizes[vid][1])))
            item.setPos(*lay.positions[vid])
            self.tooltips[vid] = self._tooltip(model, vid)
            item.setToolTip(self.tooltips[vid])
            scene.addItem(item)
            self.nodes[vid] = item
        count: dict[tuple, int] = {}
        fan_out: dict[Hashable, int] = {}
        fan_in: dict[Hashable, int] = {}
        for k in keys:
            count[k[:2]] = count.get(k[:2], 0) + 1
            fan_out[k[0]] = fan_out.get(k[0], 0) + 1
            fan_in[k[1]] = fan_in.get(k[1], 0) + 1
        seen_pairs: dict[tuple, int] = {}
        for k, route in zip(keys, lay.routes):
            nth = seen_pairs.get(k[:2], 0)
            seen_pairs[k[:2]] = nth + 1
            bend = (nth - (count[k[:2]] - 1) / 2) * 26.0  # parallel edges (y * y) fan out
            # Where edges fan out, labels sit low (where the edges have parted); where they fan
            # in, high.
            at = 0.72 if fan_out[k[0]] > 1 else (0.3 if fan_in[k[1]] > 1 else 0.5)
            self.edges.append(self._edge(k, route, bend, drawn[k], at))
        rect = scene.itemsBoundingRect().adjusted(-40, -40, 40, 40)
        scene.setSceneRect(rect)

    def _edge(self, k: tuple, route: list, bend: float, model_edges: list, at: float) -> EdgeItem:
        pts = [QPointF(x, y) for x, y in route]
        left = bend < 0
        if len(pts) > 2:  # parallel long edges: shift the whole middle, not each segment
            pts = [pts[0], *(p + QPointF(bend, 0) for p in pts[1:-1]), pts[-1]]
            bend = 0.0
        path = QPainterPath(pts[0])
        for a, b in zip(pts, pts[1:]):
            mid_y = (a.y() + b.y()) / 2
            if a.x() == b.x() and not bend:
                path.lineTo(b)
            else:
                path.cubicTo(QPointF(a.x() + bend, mid_y), QPointF(b.x() + bend, mid_y), b)
        item = QGraphicsPathItem(path)
        style = Qt.PenStyle.DashLine if k[3] == "saved" else Qt.PenStyle.SolidLine
        item.setPen(QPen(QColor("#90a4ae"), 1.4, style))
        item.setZValue(1)
        end, before = pts[-1], pts[-2]
        head = QGraphicsPathItem(arrow_head(before, end))
        head.setBrush(QColor("#90a4ae"))
        head.setPen(Qt.PenStyle.NoPen)
        head.setZValue(1)
        label = EdgeLabel("")
        f = QFont()
        f.setPointSizeF(7.5)
        label.setFont(f)
        label.setBrush(QColor("#37474f"))
        label.setZValue(3)
        if len(pts) == 2:
            anchor = path.pointAtPercent(at)
        else:
            first = QPainterPath(pts[0])
            first.cubicTo(
                QPointF(pts[0].x() + bend, (pts[0].y() + pts[1].y()) / 2),
                QPointF(pts[1].x() + bend, (pts[0].y() + pts[1].y()) / 2),
                pts[1],
            )
            anchor = first.pointAtPercent(at)
        scene = self.scene()
        for it in (item, head, label):
            scene.addItem(it)
        return EdgeItem(item, head, label, k[0], k[1], model_edges, anchor, left)

    def _tooltip(self, model: GraphModel, vid: Hashable) -> str:
        if isinstance(vid, Group):
            names = ", ".join(model.nodes[m].name for m in self.members[vid][:8])
            return f"{model.groups.get(str(vid.id), vid.id)}\n{names}"
        n: GraphNode = model.nodes[vid]
        lines = [n.name if n.kind != "leaf" else f"{n.title} (AccumulateGrad)"]
        lines.append(f"shape: {n.subtitle.replace('AccumulateGrad ', '')}")
        lines.append(f"dtype: {n.dtype or '?'}")
        if n.group:
            lines.append(f"module: {model.groups.get(n.group, n.group)}")
        if n.doc and n.kind == "op":
            lines.append(n.doc)
        return "\n".join(lines)

    # --- state ----------------------------------------------------------------------------
    def vid_of(self, key: int) -> Hashable | None:
        return self.visible.get(key)

    def apply(
        self,
        looks: dict[Hashable, NodeLook],
        edge_grads: dict[tuple[int, int], GradInfo],
        hot_edges: set[tuple[int, int]],
        health_on: bool,
    ) -> None:
        for vid, item in self.nodes.items():
            look = looks.get(vid, NodeLook())
            if look.tip != item.look.tip:
                item.setToolTip(self.tooltips.get(vid, "") + look.tip)
            item.look = look
        self.scene().update()
        taken = LabelIndex()
        for item in self.nodes.values():
            taken.add(item.sceneBoundingRect())
        for e in self.edges:
            infos = [edge_grads[m] for m in e.model_edges if m in edge_grads]
            hot = any(m in hot_edges for m in e.model_edges)
            colour = QColor("#90a4ae")
            width = 1.4
            if infos:
                colour, width = QColor("#546e7a"), 1.8
                if health_on:
                    c = health.health_colour(infos[0].norm)
                    colour, width = QColor(*c) if c else colour, 2.4
            if hot:
                colour, width = CURRENT, 3.0
            pen = e.path.pen()
            pen.setColor(colour)
            pen.setWidthF(width)
            e.path.setPen(pen)
            e.head.setBrush(colour)
            text = infos[0].text if len(infos) == 1 else (f"{len(infos)} grads" if infos else "")
            e.label.setText(text)
            e.label.setBrush(CURRENT.darker(130) if hot else QColor("#37474f"))
            if text:
                box = e.label.boundingRect()
                dx = -box.width() - 6 if e.left else 6
                e.label.setPos(taken.place(e.anchor + QPointF(dx, -box.height() / 2), box))
        self.show_legend = health_on
        self.viewport().update()

    # --- navigation -----------------------------------------------------------------------
    def wheelEvent(self, event: Any) -> None:  # noqa: N802 - Qt's name
        factor = 1.0015 ** event.angleDelta().y()
        self.zoom(factor)

    def zoom(self, factor: float) -> None:
        self.auto_fit = False
        scale = self.transform().m11() * factor
        if 0.05 <= scale <= 8:
            self.scale(factor, factor)

    def resizeEvent(self, event: Any) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        if self.auto_fit:
            self.fit(self.readable)

    def fit(self, readable: bool = False) -> None:
        """Fit the graph in the view; ``readable``: a big graph is rather shown from its top at a
        readable zoom (and refits on resize the same way)."""
        self.auto_fit = True
        self.readable = readable
        rect = self.scene().sceneRect()
        if rect.isEmpty():
            return
        self.resetTransform()
        self.fitInView(rect, Qt.AspectRatioMode.KeepAspectRatio)
        if self.transform().m11() > 1.25:  # a tiny graph is not blown up
            self.resetTransform()
            self.scale(1.25, 1.25)
            self.centerOn(rect.center())
        elif self.transform().m11() < 0.4 and self.readable:  # a big one is shown from the top
            self.resetTransform()
            self.scale(0.7, 0.7)
            self.centerOn(rect.center().x(), rect.top() + self.viewport().height() / 1.4 / 2)

    def center_on(self, vid: Hashable) -> None:
        item = self.nodes.get(vid)
        if item is not None:
            self.centerOn(item)

    def mousePressEvent(self, event: Any) -> None:  # noqa: N802
        item = self._node_at(event.position().toPoint())
        if item is not None and event.button() == Qt.MouseButton.LeftButton:
            self.nodeClicked.emit(item.vid)
        super().mousePressEvent(event)

    def mouseDoubleClickEvent(self, event: Any) -> None:  # noqa: N802
        item = self._node_at(event.position().toPoint())
        if item is not None:
            self.nodeDoubleClicked.emit(item.vid)
            return
        super().mouseDoubleClickEvent(event)

    def contextMenuEvent(self, event: Any) -> None:  # noqa: N802
        item = self._node_at(event.pos())
        if item is not None:
            self.nodeMenuRequested.emit(item.vid, event.globalPos())
            event.accept()
            return
        super().contextMenuEvent(event)

    def _node_at(self, pos: Any) -> NodeItem | None:
        for it in self.items(pos):
            if isinstance(it, NodeItem):
                return it
        return None

    def drawForeground(self, painter: QPainter, rect: QRectF) -> None:  # noqa: N802
        if not self.show_legend:
            return
        painter.save()
        painter.resetTransform()
        w, h = LEGEND_SIZE.width(), LEGEND_SIZE.height()
        draw_legend(painter, QRectF(self.viewport().width() - w - 10, 10, w, h))
        painter.restore()

    # --- export ---------------------------------------------------------------------------
    def _export_size(self) -> tuple[float, float, float]:
        """(width, height, top) of an export: the scene, with the legend above it when shown."""
        rect = self.scene().sceneRect()
        top = LEGEND_SIZE.height() + 10.0 if self.show_legend else 0.0
        width = max(rect.width(), LEGEND_SIZE.width() + 20.0 if self.show_legend else 0.0)
        return width, rect.height() + top, top

    def _paint_export(self, p: QPainter, scale: float) -> None:
        rect = self.scene().sceneRect()
        width, _, top = self._export_size()
        p.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
        target = QRectF((width - rect.width()) / 2, top, rect.width(), rect.height())
        p.scale(scale, scale)
        self.scene().render(p, target, rect)
        if self.show_legend:
            w, h = LEGEND_SIZE.width(), LEGEND_SIZE.height()
            draw_legend(p, QRectF(width - w - 10, 10, w, h))

    def render_image(self, scale: float = 2.0) -> QImage:
        width, height, _ = self._export_size()
        img = QImage(
            max(1, int(width * scale)), max(1, int(height * scale)), QImage.Format.Format_ARGB32
        )
        img.fill(QColor("white"))
        p = QPainter(img)
        self._paint_export(p, scale)
        p.end()
        return img

    def export_svg(self, path: str) -> None:
        from PySide6.QtSvg import QSvgGenerator

        width, height, _ = self._export_size()
        gen = QSvgGenerator()
        gen.setFileName(path)
        gen.setSize(QSize(int(width), int(height)))
        gen.setViewBox(QRectF(0, 0, width, height))
        gen.setTitle("Computation graph")
        p = QPainter(gen)
        self._paint_export(p, 1.0)
        p.end()
