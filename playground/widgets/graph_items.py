"""The graph's drawn pieces: node boxes, arrow heads, the gradient-health legend."""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QFontMetricsF,
    QLinearGradient,
    QPainter,
    QPainterPath,
    QPen,
    QPolygonF,
)
from PySide6.QtWidgets import QGraphicsItem, QGraphicsSimpleTextItem, QStyleOptionGraphicsItem

from playground.graph import health

FILL = {
    "op": QColor("#eceff1"),
    "leaf": QColor("#cfe3ff"),
    "output": QColor("#d4f2c4"),
    "saved": QColor("#ffe3bf"),
    "group": QColor("#e6dcf5"),
}
CURRENT = QColor("#ff8f00")
SELECTED = QColor("#1e64c8")
DONE_TEXT = QColor("#222222")
TODO_TEXT = QColor("#555555")
BREAK = QColor("#d32f2f")


@dataclass
class NodeLook:
    executed: bool = False
    current: bool = False
    selected: bool = False
    breakpoint: bool = False
    health: tuple[int, int, int] | None = None
    tip: str = ""  # added to the node's tooltip (the gradient it received)


class NodeItem(QGraphicsItem):
    """A rounded box: title (op or tensor name) over a subtitle (shape)."""

    def __init__(self, vid: Hashable, kind: str, title: str, subtitle: str, size: QSize) -> None:
        super().__init__()
        self.vid, self.kind, self.title, self.subtitle = vid, kind, title, subtitle
        self.w, self.h = size.width(), size.height()
        self.look = NodeLook()
        self.setAcceptHoverEvents(True)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setZValue(2)

    def boundingRect(self) -> QRectF:
        return QRectF(-self.w / 2 - 4, -self.h / 2 - 4, self.w + 8, self.h + 8)

    def paint(self, p: QPainter, option: QStyleOptionGraphicsItem, widget: Any = None) -> None:
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        r = QRectF(-self.w / 2, -self.h / 2, self.w, self.h)
        fill = QColor(FILL.get(self.kind, FILL["op"]))
        border = QColor("#78909c")
        width = 1.2
        if self.look.health is not None:
            c = QColor(*self.look.health)
            border, width = c, 2.5
            fill = QColor(
                (fill.red() + c.red()) // 2,
                (fill.green() + c.green()) // 2,
                (fill.blue() + c.blue()) // 2,
            )
        if self.look.executed and self.look.health is None:
            border, width = QColor("#37474f"), 1.8
        if self.look.selected:
            border, width = SELECTED, 2.5
        if self.look.current:
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(QColor(255, 143, 0, 90))
            p.drawRoundedRect(r.adjusted(-4, -4, 4, 4), 9, 9)
            border, width = CURRENT, 3.0
        pen = QPen(border, width)
        if self.kind == "group":
            pen.setStyle(Qt.PenStyle.DashLine)
        p.setPen(pen)
        p.setBrush(fill)
        p.drawRoundedRect(r, 6, 6)
        p.setPen(DONE_TEXT if self.look.executed or self.kind == "output" else TODO_TEXT)
        p.setFont(title_font())
        p.drawText(r.adjusted(4, 3, -4, -self.h / 2), Qt.AlignmentFlag.AlignCenter, self.title)
        p.setFont(sub_font())
        p.setPen(QColor("#455a64"))
        p.drawText(
            r.adjusted(4, self.h / 2 - 2, -4, -3), Qt.AlignmentFlag.AlignCenter, self.subtitle
        )
        if self.look.breakpoint:
            p.setPen(QPen(QColor("white"), 1))
            p.setBrush(BREAK)
            p.drawEllipse(QPointF(-self.w / 2, -self.h / 2), 6, 6)


class EdgeLabel(QGraphicsSimpleTextItem):
    """A gradient label on an edge, on a faint white plate so crossing lines do not hide it."""

    def paint(self, p: QPainter, option: QStyleOptionGraphicsItem, widget: Any = None) -> None:
        if self.text():
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(QColor(255, 255, 255, 200))
            p.drawRoundedRect(self.boundingRect().adjusted(-2, 0, 2, 0), 3, 3)
        super().paint(p, option, widget)


_FONTS: dict[str, QFont] = {}


def title_font() -> QFont:
    if "t" not in _FONTS:
        f = QFont()
        f.setPointSizeF(9.5)
        f.setBold(True)
        _FONTS["t"] = f
    return _FONTS["t"]


def sub_font() -> QFont:
    if "s" not in _FONTS:
        f = QFont()
        f.setPointSizeF(8)
        _FONTS["s"] = f
    return _FONTS["s"]


def measure(title: str, subtitle: str) -> QSize:
    w = max(
        QFontMetricsF(title_font()).horizontalAdvance(title),
        QFontMetricsF(sub_font()).horizontalAdvance(subtitle),
    )
    return QSize(int(max(70.0, w + 22)), 40)


def arrow_head(a: QPointF, b: QPointF, size: float = 7.0) -> QPainterPath:
    d = b - a
    length = max(1e-6, (d.x() ** 2 + d.y() ** 2) ** 0.5)
    ux, uy = d.x() / length, d.y() / length
    base = QPointF(b.x() - ux * size * 1.4, b.y() - uy * size * 1.4)
    left = QPointF(base.x() - uy * size * 0.6, base.y() + ux * size * 0.6)
    right = QPointF(base.x() + uy * size * 0.6, base.y() - ux * size * 0.6)
    path = QPainterPath()
    path.addPolygon(QPolygonF([b, left, right, b]))
    return path


LEGEND_SIZE = QSize(230, 76)


def draw_legend(p: QPainter, r: QRectF) -> None:
    """The gradient-health scale: a log-scale colour bar with its ticks, and the NaN/Inf swatch."""
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.setPen(QPen(QColor("#b0bec5")))
    p.setBrush(QColor(255, 255, 255, 235))
    p.drawRoundedRect(r, 5, 5)
    f = QFont()
    f.setPointSizeF(7.5)
    p.setFont(f)
    p.setPen(QColor("#263238"))
    left = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
    p.drawText(QRectF(r.x() + 10, r.y() + 4, r.width() - 20, 14), left, "gradient norm (log scale)")
    bar = QRectF(r.x() + 18, r.y() + 21, r.width() - 36, 11)
    grad = QLinearGradient(bar.topLeft(), bar.topRight())
    for i in range(11):
        grad.setColorAt(i / 10, QColor(*health.colour_at(i / 10)))
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(QBrush(grad))
    p.drawRect(bar)
    p.setPen(QColor("#263238"))
    for lv, text in health.LEGEND_TICKS:
        x = bar.x() + (lv - health.LOW) / (health.HIGH - health.LOW) * bar.width()
        p.drawLine(QPointF(x, bar.bottom()), QPointF(x, bar.bottom() + 3))
        p.drawText(QRectF(x - 20, bar.bottom() + 3, 40, 12), Qt.AlignmentFlag.AlignCenter, text)
    y = bar.bottom() + 18
    p.drawText(QRectF(r.x() + 10, y, 150, 14), left, "vanishing ← → exploding")
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(QColor(*health.NONFINITE))
    p.drawRect(QRectF(r.right() - 62, y + 3, 9, 9))
    p.setPen(QColor("#263238"))
    p.drawText(QRectF(r.right() - 50, y, 46, 14), left, "NaN/Inf")


class LabelIndex:
    """Rectangles already on the scene, bucketed by rows, to keep labels from piling up."""

    ROW = 16.0

    def __init__(self) -> None:
        self.rows: dict[int, list[QRectF]] = {}

    def _rows(self, r: QRectF) -> range:
        return range(int(r.top() // self.ROW), int(r.bottom() // self.ROW) + 1)

    def add(self, r: QRectF) -> None:
        for i in self._rows(r):
            self.rows.setdefault(i, []).append(r)

    def free(self, r: QRectF) -> bool:
        return not any(o.intersects(r) for i in self._rows(r) for o in self.rows.get(i, ()))

    def place(self, pos: QPointF, box: QRectF) -> QPointF:
        """``pos``, or the nearest position up or down from it where the label is free."""
        h = box.height() + 1
        for dy in (0, h, -h, 2 * h, -2 * h, 3 * h):
            r = box.translated(pos + QPointF(0, dy))
            if self.free(r):
                self.add(r)
                return pos + QPointF(0, dy)
        self.add(box.translated(pos))
        return pos
