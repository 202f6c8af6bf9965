"""Draw your own 2-D distribution with the mouse, as in GAN Lab.

The user drags strokes on a square canvas in data units; the real data are then points
spaced evenly along the strokes (``points.strokes_to_points``), which training samples
with a little Gaussian jitter. Clicks without moving add single points.
"""

from __future__ import annotations

import math

import numpy as np
from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QFontMetricsF,
    QKeySequence,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPen,
    QPolygonF,
    QShortcut,
)
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from ganviz.core.toy2d import points as points_module

STROKE_COLOUR = QColor(31, 119, 180)  # the views' colour for real data
STROKE_WIDTH = 3.0
DOT_RADIUS = 3.5
EDGE_SLACK = 4.0  # pixels outside the drawing area where a press still starts a stroke
BACKGROUND = QColor(246, 247, 249)  # around the drawing area, under the tick labels
PLOT_BACKGROUND = QColor(255, 255, 255)
GRID = QColor(228, 230, 234)
AXIS = QColor(168, 172, 180)
FRAME = QColor(190, 194, 200)
TICK_TEXT = QColor(90, 94, 102)


class StrokeCanvas(QWidget):
    """A square area in data coordinates (x right, y up) on which the mouse draws strokes.

    A left-button press, drag and release makes one stroke: the polyline of the mouse
    positions in data units. A click without moving makes a one-point stroke. In a widget
    that is not square the drawing area is letterboxed, so one data unit is as long on
    both axes.
    """

    changed = Signal()  # after a stroke is added, undone or cleared

    def __init__(self, bounds: tuple[float, float, float, float] = (-3.0, 3.0, -3.0, 3.0),
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        x_min, x_max, y_min, y_max = (float(value) for value in bounds)
        if not (x_max > x_min and y_max > y_min):
            raise ValueError(f"bounds must be (x_min, x_max, y_min, y_max), got {bounds}")
        self.bounds = (x_min, x_max, y_min, y_max)
        self._strokes: list[np.ndarray] = []
        self._current: list[tuple[float, float]] | None = None  # the stroke being drawn
        self.setMinimumSize(360, 360)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setCursor(Qt.CursorShape.CrossCursor)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self._tick_font = QFont(self.font())
        self._tick_font.setPointSizeF(max(self.font().pointSizeF() * 0.85, 7.5))

    # --- strokes ---------------------------------------------------------------------

    def strokes(self) -> list[np.ndarray]:
        """The finished strokes, each a float64 (k, 2) array of (x, y) in data units."""
        return [stroke.copy() for stroke in self._strokes]

    def clear(self) -> None:
        """Remove every stroke."""
        self._current = None
        if self._strokes:
            self._strokes.clear()
            self.update()
            self.changed.emit()

    def undo(self) -> None:
        """Remove the most recent stroke, if any."""
        if self._strokes:
            self._strokes.pop()
            self.update()
            self.changed.emit()

    def is_drawing(self) -> bool:
        """Whether a stroke is being dragged now (it joins ``strokes()`` on release)."""
        return self._current is not None

    # --- geometry --------------------------------------------------------------------

    def sizeHint(self) -> QSize:
        return QSize(480, 480)

    def plot_rect(self) -> QRectF:
        """The square drawing area in widget pixels, centred in the space the tick labels
        leave."""
        metrics = QFontMetricsF(self._tick_font)
        labels = [self._tick_label(v) for v in self._ticks(self.bounds[2], self.bounds[3])]
        label_width = max((metrics.horizontalAdvance(text) for text in labels), default=0.0)
        left = label_width + 12.0
        bottom = metrics.height() + 10.0
        top = right = 12.0
        width = self.width() - left - right
        height = self.height() - top - bottom
        side = max(min(width, height), 1.0)
        return QRectF(left + (width - side) / 2.0, top + (height - side) / 2.0, side, side)

    def to_data(self, position: QPointF) -> tuple[float, float]:
        """Data coordinates (x, y up) of a point in widget pixels (y down)."""
        rect = self.plot_rect()
        x_min, x_max, y_min, y_max = self.bounds
        x = x_min + (position.x() - rect.left()) / rect.width() * (x_max - x_min)
        y = y_max - (position.y() - rect.top()) / rect.height() * (y_max - y_min)
        return x, y

    def to_pixel(self, x: float, y: float) -> QPointF:
        """Widget pixel position of the data point (x, y)."""
        rect = self.plot_rect()
        x_min, x_max, y_min, y_max = self.bounds
        return QPointF(rect.left() + (x - x_min) / (x_max - x_min) * rect.width(),
                       rect.top() + (y_max - y) / (y_max - y_min) * rect.height())

    def _clamped(self, position: QPointF) -> tuple[float, float]:
        x, y = self.to_data(position)
        x_min, x_max, y_min, y_max = self.bounds
        return min(max(x, x_min), x_max), min(max(y, y_min), y_max)

    # --- mouse -----------------------------------------------------------------------

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() != Qt.MouseButton.LeftButton or self._current is not None:
            event.ignore()
            return
        # A press just outside the frame still starts a stroke (clamped to the edge), so
        # the edge can be drawn on; a press on the tick labels draws nothing.
        slack = EDGE_SLACK
        if not self.plot_rect().adjusted(-slack, -slack, slack, slack).contains(
                event.position()):
            event.ignore()
            return
        self._current = [self._clamped(event.position())]
        self.update()
        event.accept()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._current is None:
            event.ignore()
            return
        self._extend(event.position())
        event.accept()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() != Qt.MouseButton.LeftButton or self._current is None:
            event.ignore()
            return
        self._extend(event.position())
        stroke = np.asarray(self._current, dtype=np.float64).reshape(-1, 2)
        self._current = None
        self._strokes.append(stroke)
        self.update()
        event.accept()
        self.changed.emit()

    def _extend(self, position: QPointF) -> None:
        point = self._clamped(position)
        if point != self._current[-1]:
            self._current.append(point)
            self.update()

    # --- painting --------------------------------------------------------------------

    @staticmethod
    def _ticks(low: float, high: float) -> list[int]:
        return list(range(math.ceil(low - 1e-9), math.floor(high + 1e-9) + 1))

    @staticmethod
    def _tick_label(value: int) -> str:
        return "\u2212" + str(-value) if value < 0 else str(value)  # a true minus sign

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), BACKGROUND)
        rect = self.plot_rect()
        painter.fillRect(rect, PLOT_BACKGROUND)
        self._paint_grid(painter, rect)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        painter.save()
        painter.setClipRect(rect)
        self._paint_strokes(painter)
        painter.restore()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        painter.setPen(QPen(FRAME, 1.0))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRect(rect.adjusted(0.0, 0.0, -1.0, -1.0))
        painter.end()

    def _paint_grid(self, painter: QPainter, rect: QRectF) -> None:
        x_min, x_max, y_min, y_max = self.bounds
        x_ticks = self._ticks(x_min, x_max)
        y_ticks = self._ticks(y_min, y_max)
        for value in x_ticks:
            px = self.to_pixel(value, y_min).x()
            painter.setPen(QPen(AXIS if value == 0 else GRID, 1.0))
            painter.drawLine(QPointF(px, rect.top()), QPointF(px, rect.bottom()))
        for value in y_ticks:
            py = self.to_pixel(x_min, value).y()
            painter.setPen(QPen(AXIS if value == 0 else GRID, 1.0))
            painter.drawLine(QPointF(rect.left(), py), QPointF(rect.right(), py))
        painter.setFont(self._tick_font)
        painter.setPen(TICK_TEXT)
        metrics = QFontMetricsF(self._tick_font)
        for value in x_ticks:
            text = self._tick_label(value)
            px = self.to_pixel(value, y_min).x()
            box = QRectF(px - 20.0, rect.bottom() + 4.0, 40.0, metrics.height())
            painter.drawText(box, Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop,
                             text)
        for value in y_ticks:
            text = self._tick_label(value)
            py = self.to_pixel(x_min, value).y()
            box = QRectF(0.0, py - metrics.height() / 2.0, rect.left() - 6.0, metrics.height())
            painter.drawText(box, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                             text)

    def _paint_strokes(self, painter: QPainter) -> None:
        strokes = [stroke.tolist() for stroke in self._strokes]
        if self._current is not None:
            strokes.append(self._current)
        line_pen = QPen(STROKE_COLOUR, STROKE_WIDTH, Qt.PenStyle.SolidLine,
                        Qt.PenCapStyle.RoundCap, Qt.PenJoinStyle.RoundJoin)
        for stroke in strokes:
            pixels = [self.to_pixel(x, y) for x, y in stroke]
            if len(pixels) == 1:
                painter.setPen(Qt.PenStyle.NoPen)
                painter.setBrush(QBrush(STROKE_COLOUR))
                painter.drawEllipse(pixels[0], DOT_RADIUS, DOT_RADIUS)
            else:
                painter.setPen(line_pen)
                painter.setBrush(Qt.BrushStyle.NoBrush)
                painter.drawPolyline(QPolygonF(pixels))


class DrawDialog(QDialog):
    """Draw 2-D data by hand; "Use these data" emits the points and accepts.

    ``points_ready`` carries a float32 (N, 2) array of points spaced evenly along the
    strokes, in data units; ``points()`` returns the same array afterwards.
    """

    points_ready = Signal(object)  # np.ndarray, float32 (N, 2)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Draw 2-D data")
        self._points: np.ndarray | None = None

        instructions = QLabel(
            "Drag to draw strokes; the real data are points along them plus a little noise. "
            "Click without moving to add a single point. Ctrl+Z undoes the last stroke.")
        instructions.setWordWrap(True)
        instructions.setStyleSheet("color: #333;")

        self.canvas = StrokeCanvas(parent=self)
        self.canvas.setToolTip("Drag with the left mouse button to draw; click to add a point.")

        self.status_label = QLabel()
        self.status_label.setStyleSheet("color: #555;")

        self.undo_button = QPushButton("Undo")
        self.undo_button.setToolTip("Remove the last stroke (Ctrl+Z)")
        self.clear_button = QPushButton("Clear")
        self.clear_button.setToolTip("Remove every stroke")
        self.use_button = QPushButton("Use these data")
        self.use_button.setToolTip("Train on points spaced evenly along the strokes")
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setToolTip("Close without changing the data (Esc)")
        for button in (self.undo_button, self.clear_button, self.use_button,
                       self.cancel_button):
            button.setAutoDefault(False)
        self.use_button.setDefault(True)

        buttons = QHBoxLayout()
        buttons.setSpacing(8)
        buttons.addWidget(self.undo_button)
        buttons.addWidget(self.clear_button)
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.use_button)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 14, 16, 14)
        layout.setSpacing(10)
        layout.addWidget(instructions)
        layout.addWidget(self.canvas, 1)
        layout.addWidget(self.status_label)
        layout.addLayout(buttons)

        self.undo_button.clicked.connect(self.canvas.undo)
        self.clear_button.clicked.connect(self.canvas.clear)
        self.use_button.clicked.connect(self.use_points)
        self.cancel_button.clicked.connect(self.reject)
        self.canvas.changed.connect(self._update_state)
        self._undo_shortcut = QShortcut(QKeySequence(QKeySequence.StandardKey.Undo), self)
        self._undo_shortcut.activated.connect(self.canvas.undo)
        self._update_state()

    def points(self) -> np.ndarray | None:
        """The points last emitted by ``points_ready``, or None before "Use these data"."""
        return self._points

    def use_points(self) -> None:
        """Turn the strokes into points, emit ``points_ready`` and accept the dialog."""
        try:
            points = points_module.strokes_to_points(self.canvas.strokes())
        except points_module.PointsError as error:
            self.status_label.setText(str(error).capitalize() + ".")
            return
        self._points = points
        self.points_ready.emit(points)
        self.accept()

    def _update_state(self) -> None:
        strokes = self.canvas.strokes()
        has_strokes = bool(strokes)
        self.undo_button.setEnabled(has_strokes)
        self.clear_button.setEnabled(has_strokes)
        self.use_button.setEnabled(has_strokes)
        if not has_strokes:
            self.status_label.setText("No strokes yet: draw on the canvas above.")
            return
        count = len(points_module.strokes_to_points(strokes))
        stroke_word = "stroke" if len(strokes) == 1 else "strokes"
        point_word = "point" if count == 1 else "points"
        self.status_label.setText(f"{len(strokes)} {stroke_word} \u2192 {count:,} {point_word}")
