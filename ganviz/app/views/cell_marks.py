"""Which digit of the MNIST grid a click is on, and the marks on the digits chosen for
the latent explorer (app/latent_explorer.py)."""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import QRectF
from PySide6.QtGui import QColor, QPen
from PySide6.QtWidgets import QGraphicsRectItem

from ganviz.core.mnist.state import GRID_GAP, GRID_SIDE

MARK_COLOURS = ((214, 39, 40), (31, 119, 180))  # first chosen, second chosen


def cell_side(grid_width: int) -> int:
    """The side of one image of a tiled grid GRID_SIDE images wide (28: a digit)."""
    return (grid_width + GRID_GAP) // GRID_SIDE - GRID_GAP


def cell_at(x: float, y: float, shape: tuple[int, ...]) -> int | None:
    """The grid cell (row * 8 + column) under image pixel (x, y) of a tiled grid of
    ``shape``, or None on a gap or outside."""
    side = cell_side(shape[1])
    pitch = side + GRID_GAP
    if not (0 <= x < shape[1] and 0 <= y < shape[0]):
        return None
    column, row = int(x // pitch), int(y // pitch)
    if x - column * pitch >= side or y - row * pitch >= side or column >= GRID_SIDE:
        return None
    return row * GRID_SIDE + column


class CellMarks:
    """Coloured frames around chosen cells of the grid ``image`` drawn in ``plot``."""

    def __init__(self, plot: pg.PlotItem, image) -> None:
        self.plot, self.image = plot, image
        self.items: list[QGraphicsRectItem] = []

    def show(self, cells: tuple[int, ...]) -> None:
        for item in self.items:
            self.plot.removeItem(item)
        self.items = []
        side = 28 if self.image.image is None else cell_side(self.image.image.shape[1])
        pitch = side + GRID_GAP
        for number, cell in enumerate(cells):
            row, column = divmod(cell, GRID_SIDE)
            item = QGraphicsRectItem(QRectF(column * pitch - 1, row * pitch - 1,
                                            side + 2, side + 2))
            pen = QPen(QColor(*MARK_COLOURS[number % 2]), 3)
            pen.setCosmetic(True)
            item.setPen(pen)
            item.setZValue(10)
            self.plot.addItem(item)
            self.items.append(item)
