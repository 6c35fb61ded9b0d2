"""Export one plot view as PNG or SVG (pyqtgraph.exporters) or CSV (its `csv_table()`).

Files are written to a temporary name in the target folder and renamed into place, so a failed
export never leaves a half-written file where a good one was.
"""

from __future__ import annotations

import csv
import os
import tempfile
from pathlib import Path
from typing import Any

import pyqtgraph as pg
import pyqtgraph.exporters  # noqa: F401  (registers ImageExporter, SVGExporter)
from PySide6.QtCore import QRectF, QSize
from PySide6.QtGui import QPainter
from PySide6.QtSvg import QSvgGenerator

FORMATS = ("png", "svg", "csv")


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _scene_of(view: Any) -> Any:
    canvas = getattr(view, "canvas", view)
    return canvas.scene()


def _export_png(view: Any, path: str) -> None:
    """pyqtgraph's ImageExporter; a grab of the widget where its scene has no size yet (a view
    not laid out), for which the exporter silently writes nothing."""
    scene = _scene_of(view)
    rect = scene.sceneRect()
    if rect.width() >= 10 and rect.height() >= 10:
        exporter = pg.exporters.ImageExporter(scene)
        exporter.parameters()["width"] = max(int(rect.width()), 200)
        exporter.export(path)
        if Path(path).stat().st_size:
            return
    if not getattr(view, "canvas", view).grab().save(path, "PNG"):
        raise OSError("the plot could not be rendered as PNG")


def _export_svg(scene: Any, path: str) -> None:
    """pyqtgraph's SVGExporter, or Qt's own SVG generator where pyqtgraph cannot parse the
    paths this Qt writes (closing 'Z' commands break its coordinate fix-up)."""
    try:
        pg.exporters.SVGExporter(scene).export(path)
        return
    except (ValueError, IndexError):
        pass
    rect = scene.sceneRect()
    generator = QSvgGenerator()
    generator.setFileName(path)
    generator.setSize(QSize(int(rect.width()), int(rect.height())))
    generator.setViewBox(QRectF(0, 0, rect.width(), rect.height()))
    generator.setTitle("Tensor Playground plot")
    painter = QPainter(generator)
    try:
        scene.render(painter, QRectF(0, 0, rect.width(), rect.height()), rect)
    finally:
        painter.end()


def export_view(view: Any, path: str | os.PathLike) -> Path:
    """Write `view` to `path`; the format is the suffix (.png, .svg, .csv)."""
    path = Path(path)
    fmt = path.suffix.lower().lstrip(".")
    if fmt not in FORMATS:
        raise ValueError(f"cannot export a plot as {path.suffix!r}: use .png, .svg or .csv")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}-", suffix=path.suffix, dir=path.parent)
    os.close(fd)
    try:
        if fmt == "csv":
            header, rows = view.csv_table()
            with open(tmp, "w", newline="", encoding="utf-8") as fh:
                writer = csv.writer(fh)
                writer.writerow(header)
                writer.writerows(rows)
        elif fmt == "png":
            _export_png(view, tmp)
        else:
            _export_svg(_scene_of(view), tmp)
        if not Path(tmp).stat().st_size:
            raise OSError(f"the {fmt.upper()} exporter wrote nothing")
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
