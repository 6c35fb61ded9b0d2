"""A table model over a 2-D slice of a tensor that reads only the cells the view asks for.

Cells are fetched in tiles through `core.inspect.slice_2d`, so a 4096×4096 (or cuda) tensor opens
at once: scrolling copies a few tiles, never the tensor.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from typing import Any

import numpy as np
from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from core.inspect import slice_2d, view_shape

TILE_ROWS, TILE_COLS = 64, 16
MAX_TILES = 256

_Index = QModelIndex | QPersistentModelIndex


def format_value(v: Any) -> str:
    """A cell's text: booleans and integers as they are, floats with 4 decimals as torch prints."""
    if isinstance(v, (bool, np.bool_)):
        return "True" if v else "False"
    if isinstance(v, (int, np.integer)):
        return str(int(v))
    f = float(v)
    if math.isnan(f) or math.isinf(f):
        return str(f)
    if f != 0 and (abs(f) >= 1e5 or abs(f) < 1e-4):
        return f"{f:.4e}"
    return f"{f:.4f}"


class TensorTableModel(QAbstractTableModel):
    def __init__(self) -> None:
        super().__init__()
        self._tensor: Any = None
        self._axes: tuple[int, ...] = ()
        self._index: tuple[int, ...] = ()
        self._grad = False
        self._shape = (0, 0)
        self._tiles: OrderedDict[tuple[int, int], np.ndarray] = OrderedDict()
        self.fetches = 0  # tiles read so far (tests check that huge tensors stay cheap)
        self.bad_colour = QColor(220, 60, 60, 70)

    def set_source(
        self,
        tensor: Any,
        axes: tuple[int, ...] = (),
        index: tuple[int, ...] = (),
        grad: bool = False,
    ) -> None:
        """Show `tensor` (None: nothing) along `axes` at `index`."""
        self.beginResetModel()
        self._tensor, self._axes, self._index, self._grad = tensor, tuple(axes), tuple(index), grad
        self._tiles.clear()
        if tensor is None:
            self._shape = (0, 0)
        else:
            shape = tuple(tensor.shape)
            empty = any(n == 0 for n in shape)
            self._shape = (0, 0) if empty else view_shape(shape, self._axes)
        self.endResetModel()

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else self._shape[0]

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else self._shape[1]

    def value(self, row: int, col: int) -> Any:
        key = (row // TILE_ROWS, col // TILE_COLS)
        tile = self._tiles.get(key)
        if tile is None:
            r0, c0 = key[0] * TILE_ROWS, key[1] * TILE_COLS
            tile = slice_2d(
                self._tensor,
                self._axes,
                self._index,
                rows=slice(r0, r0 + TILE_ROWS),
                cols=slice(c0, c0 + TILE_COLS),
                grad=self._grad,
            )
            if tile is None:  # the gradient went away (e.g. zero_grad(set_to_none=True))
                tile = np.full((TILE_ROWS, TILE_COLS), np.nan)
            self.fetches += 1
            self._tiles[key] = tile
            if len(self._tiles) > MAX_TILES:
                self._tiles.popitem(last=False)
        else:
            self._tiles.move_to_end(key)
        return tile[row % TILE_ROWS, col % TILE_COLS]

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or self._tensor is None:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return format_value(self.value(index.row(), index.column()))
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.BackgroundRole:
            v = self.value(index.row(), index.column())
            if isinstance(v, np.floating) and not np.isfinite(v):
                return self.bad_colour
        return None

    def headerData(  # noqa: N802
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal and len(self._axes) < 2:
            return "value"
        return "" if len(self._axes) == 0 else str(section)
