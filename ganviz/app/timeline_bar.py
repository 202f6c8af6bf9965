"""The timeline under the plots: the run's iterations, a tick at each snapshot, the
verdict's colour along it, a triangle where settings were changed; drag it to see that
moment in every view while training goes on, and branch from it.

Keys when it has focus: Left/Right step from snapshot to snapshot, Home goes to the
first, End (or the Live button) back to the live run. What it shows comes from the
frames' TimelineView (core/protocol.py); it only sends requests (signals).
"""

from __future__ import annotations

import bisect

import numpy as np
from PySide6.QtCore import QPointF, QRectF, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QPainter, QPen, QPolygonF
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QToolTip,
    QWidget,
)

from ganviz.core.protocol import TimelineView

# The verdict's colours along the track (1-D): as the banner's.
# Keyed by the verdicts of core/toy1d/verdict.py.
VERDICT_COLOURS = {"converged": QColor(44, 160, 44), "not-converged": QColor(170, 170, 170),
                   "d-not-optimal": QColor(255, 127, 14), "diverged": QColor(214, 39, 40)}
TRACK = QColor(200, 200, 200)
TICK = QColor(90, 90, 90)
MARK = QColor(148, 103, 189)  # purple: a settings change
HANDLE = QColor(31, 119, 180)
# A drag asks for a moment at most this often: each one is a past view the trainer makes
# (~5 ms for a toy, ~150 ms for MNIST), and only the last one matters.
DRAG_INTERVAL_MS = 60


class TimelineTrack(QWidget):
    """The drawn track itself; TimelineBar holds it with its buttons."""

    moment_chosen = Signal(object)  # an iteration with a snapshot, or None: live

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setMouseTracking(True)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.steps: list[int] = [0]
        self.live_step = 0
        self.viewing: int | None = None
        self.marks: tuple = ()
        self.forks: list[int] = []
        self.verdicts: tuple[np.ndarray, list[str]] | None = None
        self._asked: object = "none"  # the last moment asked for (avoid repeats)
        self._pending: object = "none"
        self._drag_timer = QTimer(self, singleShot=True, interval=DRAG_INTERVAL_MS)
        self._drag_timer.timeout.connect(self._send_pending)

    def sizeHint(self) -> QSize:
        return QSize(400, max(22, self.fontMetrics().height() + 10))

    # ------------------------------------------------------------------------ geometry
    def _x(self, step: float) -> float:
        left, width = 6.0, max(1.0, self.width() - 12.0)
        return left + width * (step / max(1, self.live_step))

    def _step_at(self, x: float) -> int | None:
        """The snapshot nearest to ``x``, or None (live) past the last one's middle to
        the live end."""
        left, width = 6.0, max(1.0, self.width() - 12.0)
        step = (x - left) / width * max(1, self.live_step)
        if not self.steps:
            return None
        index = bisect.bisect_left(self.steps, step)
        candidates = self.steps[max(0, index - 1):index + 1]
        nearest = min(candidates, key=lambda s: abs(s - step))
        if step > nearest and abs(self.live_step - step) < abs(step - nearest):
            return None
        return nearest

    # ---------------------------------------------------------------------- requests
    def choose(self, step: int | None, now: bool = True) -> None:
        if step is not None and step >= self.live_step:
            step = None
        self._pending = step
        if now:
            self._send_pending()
        elif not self._drag_timer.isActive():
            self._drag_timer.start()

    def _send_pending(self) -> None:
        if self._pending != self._asked:
            self._asked = self._pending
            self.moment_chosen.emit(self._pending)

    def mousePressEvent(self, event) -> None:
        self.choose(self._step_at(event.position().x()), now=False)

    def mouseMoveEvent(self, event) -> None:
        x = event.position().x()
        if event.buttons() & Qt.MouseButton.LeftButton:
            self.choose(self._step_at(x), now=False)
        else:
            self._tooltip(event)

    def mouseReleaseEvent(self, event) -> None:
        self._drag_timer.stop()
        self.choose(self._step_at(event.position().x()))

    def keyPressEvent(self, event) -> None:
        key = event.key()
        current = self.viewing if self.viewing is not None else self.live_step
        if key == Qt.Key.Key_Left:
            earlier = [s for s in self.steps if s < current]
            if earlier:
                self.choose(earlier[-1])
        elif key == Qt.Key.Key_Right:
            later = [s for s in self.steps if s > current]
            self.choose(later[0] if later else None)
        elif key == Qt.Key.Key_Home and self.steps:
            self.choose(self.steps[0])
        elif key == Qt.Key.Key_End:
            self.choose(None)
        else:
            super().keyPressEvent(event)

    def _tooltip(self, event) -> None:
        x = event.position().x()
        for step, text in self.marks:
            if abs(self._x(step) - x) <= 5:
                QToolTip.showText(event.globalPosition().toPoint(),
                                  f"iteration {step:,}: {text}", self)
                return
        step = self._step_at(x)
        QToolTip.showText(event.globalPosition().toPoint(),
                          "live" if step is None else f"snapshot at iteration {step:,}", self)

    # ------------------------------------------------------------------------ drawing
    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        middle = self.height() / 2.0
        left, right = self._x(0), self._x(self.live_step)
        painter.fillRect(QRectF(left, middle - 3, right - left, 6), TRACK)
        if self.verdicts is not None:  # the verdict's colour, segment by segment
            at, states = self.verdicts
            for index, state in enumerate(states):
                start = self._x(at[index])
                end = self._x(at[index + 1]) if index + 1 < len(at) else right
                painter.fillRect(QRectF(start, middle - 3, max(1.0, end - start), 6),
                                 VERDICT_COLOURS.get(state, TRACK))
        painter.setPen(QPen(TICK, 1))
        for step in self.steps:
            x = self._x(step)
            painter.drawLine(QPointF(x, middle - 6), QPointF(x, middle + 6))
        painter.setPen(QPen(MARK, 2))
        for step in self.forks:
            x = self._x(step)
            painter.drawLine(QPointF(x, 1), QPointF(x, self.height() - 1))
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(MARK)
        for step, _ in self.marks:
            x = self._x(step)
            painter.drawPolygon(QPolygonF([QPointF(x - 4, 1), QPointF(x + 4, 1),
                                           QPointF(x, 8)]))
        shown = self.live_step if self.viewing is None else self.viewing
        painter.setBrush(HANDLE if self.viewing is not None else QColor(60, 60, 60))
        painter.drawEllipse(QPointF(self._x(shown), middle), 6, 6)
        if self.hasFocus():
            painter.setPen(QPen(HANDLE, 1, Qt.PenStyle.DotLine))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRect(self.rect().adjusted(0, 0, -1, -1))
        painter.end()


class TimelineBar(QWidget):
    """The timeline's row: Live, the track, where the views are, Branch from here, and
    the branches to switch between."""

    moment_chosen = Signal(object)  # int or None (live)
    branch_requested = Signal(int)  # from this iteration's snapshot
    branch_switched = Signal(int)  # to the branch of this number

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.track = TimelineTrack(self)
        self.track.moment_chosen.connect(self.moment_chosen)
        self.live_button = QPushButton("Live", self)
        self.live_button.setToolTip("Show the live run again (L; End on the timeline)")
        self.live_button.clicked.connect(lambda: self.track.choose(None))
        self.where = QLabel(self)
        self.where.setMinimumWidth(self.fontMetrics().horizontalAdvance(
            "viewing iteration 000,000 · live at 000,000 "))
        self.branch_button = QPushButton("Branch from here", self)
        self.branch_button.setToolTip("Train on from the moment shown as a new branch; the "
                                      "run so far is kept and drawn faded")
        self.branch_button.clicked.connect(self._branch)
        self.branches = QComboBox(self)
        self.branches.setToolTip("Switch to another branch of this run")
        self.branches.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.branches.activated.connect(
            lambda index: self.branch_switched.emit(int(self.branches.itemData(index))))
        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 0, 4, 0)
        layout.addWidget(self.live_button)
        layout.addWidget(self.track, 1)
        layout.addWidget(self.where)
        layout.addWidget(self.branch_button)
        layout.addWidget(self.branches)
        self._branch_numbers: tuple = ()
        self.show_timeline(None)

    def _branch(self) -> None:
        if self.track.viewing is not None:
            self.branch_requested.emit(self.track.viewing)

    def set_verdicts(self, steps: np.ndarray, states: list[str]) -> None:
        """The verdict along the run (1-D): ``states[i]`` from iteration ``steps[i]``."""
        self.track.verdicts = (np.asarray(steps), list(states)) if len(states) else None
        self.track.update()

    def show_timeline(self, view: TimelineView | None) -> None:
        track = self.track
        if view is None:
            track.steps, track.live_step, track.viewing, track.marks = [0], 0, None, ()
            track.forks = []
            self.where.setText("")
            self.branch_button.setEnabled(False)
            self.live_button.setEnabled(False)
            self.branches.setVisible(False)
            track.update()
            return
        track.steps = [int(s) for s in view.steps]
        track.live_step, track.viewing, track.marks = view.live_step, view.viewing, view.marks
        track._asked = view.viewing  # what the trainer shows now is what was asked
        current = {b.number: b for b in view.branches}
        branch = current[view.current]
        track.forks = [branch.fork_step] if branch.parent is not None else []
        if view.viewing is None:
            self.where.setText(f"live · iteration {view.live_step:,}")
        else:
            self.where.setText(f"viewing iteration {view.viewing:,} · live at "
                               f"{view.live_step:,}")
        self.where.setStyleSheet("" if view.viewing is None else "color: rgb(31,119,180); "
                                 "font-weight: bold")
        self.branch_button.setEnabled(view.viewing is not None)
        self.live_button.setEnabled(view.viewing is not None)
        numbers = tuple((b.number, b.name, b.fork_step, b.changes) for b in view.branches)
        if numbers != self._branch_numbers:
            self._branch_numbers = numbers
            self.branches.clear()
            for b in view.branches:
                origin = "" if b.parent is None else f" (from {b.fork_step:,}" + (
                    f", {b.changes})" if b.changes else ")")
                self.branches.addItem(b.name + origin, b.number)
        self.branches.setVisible(len(view.branches) > 1)
        self.branches.setCurrentIndex(self.branches.findData(view.current))
        track.update()
