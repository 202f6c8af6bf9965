"""MNIST's latent explorer (View > Latent explorer, or a click on a generated digit): a
dock at the right. Click two digits of the grid: the row of 12 digits between their
inputs (spherical interpolation of z). Click one: a pad that moves its z along two
random orthogonal directions; drag on it and the digit is redrawn as you drag. Both
follow training: redrawn from the averaged generator as new frames come. The trainer
draws them (core/mnist/latent.py); nothing of it changes training.

One request is in flight at a time; while it is, the newest wanted one waits (a drag
sends no backlog of stale points).
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QAction, QColor, QPainter, QPen
from PySide6.QtWidgets import QDockWidget, QLabel, QSizePolicy, QVBoxLayout, QWidget

from ganviz.core.mnist.state import INTERPOLATION_STEPS, PAD_RANGE

if TYPE_CHECKING:
    from ganviz.app.main_window import MainWindow

STRIP_COLUMNS = 4
DOCK_WIDTH = 320  # px, when the dock first shows: the MNIST view keeps its three columns
REFRESH_EVERY_S = 0.25  # a selection is redrawn from the training generator this often
HINT = ("Click a generated digit to move through the latent space around it; click a "
        "second one to see the digits between them.")


def tile_digits(digits: np.ndarray, columns: int, gap: int = 2) -> np.ndarray:
    """uint8 (N, S, S) grey or (N, S, S, 3) colour images in rows of ``columns``, grey
    gaps between them."""
    rows, side = -(-len(digits) // columns), digits.shape[1]
    pitch = side + gap
    tiled = np.full((rows * pitch - gap, columns * pitch - gap, *digits.shape[3:]), 64,
                    dtype=np.uint8)
    for index, digit in enumerate(digits):
        row, column = divmod(index, columns)
        tiled[row * pitch: row * pitch + side, column * pitch: column * pitch + side] = digit
    return tiled


class LatentPad(QWidget):
    """A square: drag in it to choose a point in -PAD_RANGE..PAD_RANGE on two axes."""

    moved = Signal(float, float)

    def __init__(self) -> None:
        super().__init__()
        self.point = (0.0, 0.0)
        self.setMinimumSize(140, 140)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setToolTip("Drag: z moves along two random directions, up to 3 each way")
        self.setCursor(Qt.CursorShape.CrossCursor)

    def _square(self) -> QRectF:
        side = min(self.width(), self.height()) - 8
        return QRectF((self.width() - side) / 2, (self.height() - side) / 2, side, side)

    def to_point(self, position: QPointF) -> tuple[float, float]:
        square = self._square()
        x = (position.x() - square.center().x()) / (square.width() / 2) * PAD_RANGE
        y = (square.center().y() - position.y()) / (square.height() / 2) * PAD_RANGE
        return (float(np.clip(x, -PAD_RANGE, PAD_RANGE)),
                float(np.clip(y, -PAD_RANGE, PAD_RANGE)))

    def mousePressEvent(self, event) -> None:
        self._move(event.position())

    def mouseMoveEvent(self, event) -> None:
        if event.buttons() & Qt.MouseButton.LeftButton:
            self._move(event.position())

    def _move(self, position: QPointF) -> None:
        self.point = self.to_point(position)
        self.update()
        self.moved.emit(*self.point)

    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        square = self._square()
        painter.fillRect(square, QColor(245, 245, 245))
        painter.setPen(QPen(QColor(180, 180, 180), 1, Qt.PenStyle.DashLine))
        centre = square.center()
        painter.drawLine(QPointF(square.left(), centre.y()), QPointF(square.right(), centre.y()))
        painter.drawLine(QPointF(centre.x(), square.top()), QPointF(centre.x(), square.bottom()))
        painter.setPen(QPen(QColor(120, 120, 120), 1))
        painter.drawRect(square)
        x, y = self.point
        at = QPointF(centre.x() + x / PAD_RANGE * square.width() / 2,
                     centre.y() - y / PAD_RANGE * square.height() / 2)
        painter.setPen(QPen(QColor(214, 39, 40), 2))
        painter.setBrush(QColor(214, 39, 40, 80))
        painter.drawEllipse(at, 6, 6)


class LatentExplorer(QWidget):
    """The selection (up to two grid cells), the digits the trainer drew for it, and the
    pad. ``request(cells, point)`` asks the trainer; :meth:`show_explored` takes its
    answer."""

    selection_changed = Signal(tuple)

    def __init__(self, request) -> None:
        super().__init__()
        self.request = request
        self.cells: tuple[int, ...] = ()
        self.point = (0.0, 0.0)
        self.in_flight: tuple | None = None  # (cells, point) asked, not answered yet
        self.wanted: tuple | None = None  # the newest asked for while one was in flight
        self.asked_at = 0.0
        self.answers = 0  # requests answered (tests, the benchmark)
        self.latencies: list[float] = []  # seconds from a request to its digits
        layout = QVBoxLayout(self)
        self.label = QLabel(HINT)
        self.label.setWordWrap(True)
        layout.addWidget(self.label)
        self.pictures = pg.GraphicsLayoutWidget()
        self.plot = self.pictures.addPlot()
        self.plot.hideAxis("left")
        self.plot.hideAxis("bottom")
        self.plot.invertY(True)
        self.plot.setAspectLocked(True)
        self.plot.setMouseEnabled(False, False)
        self.plot.hideButtons()
        self.image = pg.ImageItem(axisOrder="row-major")
        self.image.setLevels((0, 255))
        self.plot.addItem(self.image)
        layout.addWidget(self.pictures, 1)
        self.pad = LatentPad()
        self.pad.moved.connect(self.move_to)
        layout.addWidget(self.pad, 1)
        self._show_parts()

    # ------------------------------------------------------------------------ choosing
    def select(self, cell: int) -> None:
        """A click on grid cell ``cell``: chosen, or unchosen if it was; at most two."""
        cells = list(self.cells)
        if cell in cells:
            cells.remove(cell)
        else:
            cells = ([*cells, cell])[-2:]
        self.cells = tuple(cells)
        self.point = (0.0, 0.0)
        self.pad.point = self.point
        self.pad.update()
        self._show_parts()
        self.selection_changed.emit(self.cells)
        self._ask()

    def clear(self) -> None:
        """A new run or another preset: the grid's cells are other digits now."""
        self.cells, self.in_flight, self.wanted = (), None, None
        self.image.clear()
        self._show_parts()
        self.selection_changed.emit(self.cells)

    def move_to(self, x: float, y: float) -> None:
        self.point = (x, y)
        self._ask()

    def refresh(self) -> None:
        """A new frame: the generator changed; redraw the selection now and then."""
        if self.cells and self.in_flight is None and \
                time.perf_counter() - self.asked_at >= REFRESH_EVERY_S:
            self._ask()

    def _ask(self) -> None:
        if not self.cells:
            return
        wanted = (self.cells, self.point)
        if self.in_flight is not None:
            self.wanted = wanted
            return
        self.in_flight, self.wanted = wanted, None
        self.asked_at = time.perf_counter()
        self.request(*wanted)

    def show_explored(self, explored) -> None:
        if self.in_flight is not None:
            self.latencies = ([*self.latencies, time.perf_counter() - self.asked_at])[-50:]
        self.in_flight = None
        self.answers += 1
        if tuple(explored.cells) == self.cells:
            self._draw(explored)
        if self.wanted is not None and self.wanted[0] == self.cells:
            self.point = self.wanted[1]
            self._ask()

    # ------------------------------------------------------------------------- drawing
    def _draw(self, explored) -> None:
        digits = np.asarray(explored.digits)
        if len(self.cells) == 2:
            # In reading order, STRIP_COLUMNS a row: a dock's width holds 12 digits in one
            # row at a third of the size.
            self.image.setImage(tile_digits(digits, STRIP_COLUMNS), autoLevels=False)
            first, second = self.cells
            self.label.setText(f"From digit {first + 1} to digit {second + 1} of the grid, "
                               f"{INTERPOLATION_STEPS} steps on the great circle of z "
                               f"(iteration {explored.step:,}).")
        else:
            self.image.setImage(digits[0], autoLevels=False)
            x, y = self.point
            self.label.setText(f"Digit {self.cells[0] + 1} of the grid, z moved by "
                               f"({x:+.1f}, {y:+.1f}) along two random directions: drag on "
                               f"the pad (iteration {explored.step:,}).")
        self.plot.autoRange(padding=0.02)

    def _show_parts(self) -> None:
        self.pad.setVisible(len(self.cells) == 1)
        self.pictures.setVisible(bool(self.cells))
        if not self.cells:
            self.label.setText(HINT)


class LatentDock(QDockWidget):
    """The explorer in a dock at the right, for MNIST runs."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__("Latent space", window)
        self.window_ = window
        self.setObjectName("latent")
        self.setAllowedAreas(Qt.DockWidgetArea.RightDockWidgetArea
                             | Qt.DockWidgetArea.LeftDockWidgetArea)
        self.setMinimumWidth(260)
        self.explorer = LatentExplorer(
            lambda cells, point: window.training_worker.request_explore(cells, point))
        self.setWidget(self.explorer)
        self.setVisible(False)
        self.action = QAction("Latent explorer", window, checkable=True)
        self.action.setToolTip("MNIST: click digits of the grid to walk the latent space "
                               "between and around them")
        self.action.toggled.connect(self.setVisible)
        self.visibilityChanged.connect(self.action.setChecked)
        self.action.setEnabled(False)
        self.connected = False  # to the MNIST view's clicks (the view is built on demand)

    def show_mode(self, mode: str) -> None:
        self.action.setEnabled(mode == "mnist")
        if mode != "mnist":
            self.setVisible(False)

    def cell_clicked(self, cell: int) -> None:
        if not self.isVisible():
            self.setVisible(True)
            self.window_.resizeDocks([self], [DOCK_WIDTH], Qt.Orientation.Horizontal)
        self.explorer.select(cell)
