"""Slow motion's panel: one iteration of the run told part by part, forward and back.

The iteration is the run's own next one, trained by the trainer and taken apart there
(core/narration.py); this panel only walks through what came back: ``.`` goes to the next
part (past the last, it asks for the next iteration), ``,`` back (into the iterations
before, the last MAX_KEPT of them), Auto advances at a chosen pace. Each part shown is
announced with :attr:`SlowMotionPanel.part_shown`, for the plots and the diagram.
"""

from __future__ import annotations

from collections import deque

import numpy as np
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

MAX_KEPT = 20  # narrated iterations one can go back through
PACES_S = (1.0, 2.0, 4.0, 8.0)  # Auto: seconds per part
DEFAULT_PACE_S = 4.0
STRIP_WIDTH = 256  # pixels: the digit rows fit the panel's 280 without widening it


def digit_strip(narrated) -> QPixmap | None:
    """MNIST: the real batch, D's fakes, G's fakes and the same z after G's update, a row
    of up to 8 digits each; None for the toys (their batches are drawn on the plots)."""
    if narrated.mode != "mnist":
        return None
    rows = [narrated.real, narrated.d_fake_batch, narrated.g_fake, narrated.moved]
    count = min(len(r) for r in rows)
    gap, side = 2, rows[0].shape[1]
    colour = rows[0].ndim == 4  # (count, S, S, 3): drawn as they are; digits inverted
    pitch = side + gap
    strip = np.full((4 * pitch, count * pitch, *rows[0].shape[3:]), 255, np.uint8)
    for r, row in enumerate(rows):
        for c in range(count):
            pixels = np.clip(row[c] * 255, 0, 255).astype(np.uint8)
            strip[r * pitch: r * pitch + side, c * pitch: c * pitch + side] = \
                pixels if colour else 255 - pixels
    strip = np.ascontiguousarray(strip)
    image = QImage(strip.data, strip.shape[1], strip.shape[0], strip.strides[0],
                   QImage.Format.Format_RGB888 if colour else
                   QImage.Format.Format_Grayscale8).copy()
    return QPixmap.fromImage(image).scaledToWidth(
        STRIP_WIDTH, Qt.TransformationMode.SmoothTransformation)


class SlowMotionPanel(QWidget):
    next_iteration_wanted = Signal()  # past the last part: train the next one, narrated
    part_shown = Signal(object, int)  # (Narrated, index of its part)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.kept: deque = deque(maxlen=MAX_KEPT)
        self.position: tuple[int, int] | None = None  # (index in kept, part)
        self.waiting = False  # the next iteration was asked for
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 4)
        self.heading = QLabel("Slow motion")
        self.heading.setStyleSheet("font-weight: bold")
        self.heading.setWordWrap(True)
        self.text = QLabel("The next iteration is being trained…")
        self.text.setWordWrap(True)
        self.text.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.text.setMinimumHeight(96)
        self.digits = QLabel()
        self.digits.setToolTip("Rows: real digits, D's fakes, G's fakes, and the same z after "
                               "G's update")
        self.digits.setVisible(False)
        self.digits_caption = QLabel("Rows: real · fakes D judged · G's fakes · the same z "
                                     "after G's step")
        self.digits_caption.setWordWrap(True)
        self.digits_caption.setStyleSheet("color: #555")
        self.digits_caption.setVisible(False)
        buttons = QHBoxLayout()
        self.back_button = QPushButton("◀ Back", toolTip="The part before (,)")
        self.next_button = QPushButton("Next ▶", toolTip="The next part; after the last, "
                                       "the next iteration is trained (.)")
        self.auto_box = QCheckBox("Auto", toolTip="Go on by itself, at this pace per part")
        self.pace = QComboBox(toolTip="Seconds per part in Auto")
        for seconds in PACES_S:
            self.pace.addItem(f"{seconds:g} s", seconds)
        self.pace.setCurrentIndex(PACES_S.index(DEFAULT_PACE_S))
        for widget in (self.back_button, self.next_button, self.auto_box, self.pace):
            buttons.addWidget(widget)
        buttons.addStretch(1)
        for widget in (self.heading, self.text, self.digits, self.digits_caption):
            layout.addWidget(widget)
        layout.addLayout(buttons)
        self.back_button.clicked.connect(self.back)
        self.next_button.clicked.connect(self.forward)
        self.timer = QTimer(self)
        self.timer.timeout.connect(self.forward)
        self.auto_box.toggled.connect(self._auto)
        self.pace.currentIndexChanged.connect(lambda _: self._auto(self.auto_box.isChecked()))

    # ------------------------------------------------------------------------- walking
    def take(self, narrated) -> None:
        """A narrated iteration came: show its first part."""
        self.waiting = False
        self.kept.append(narrated)
        self._show(len(self.kept) - 1, 0)

    def forward(self) -> None:
        if self.waiting:
            return
        if self.position is None:
            self._ask()
            return
        index, part = self.position
        if part + 1 < len(self.kept[index].parts):
            self._show(index, part + 1)
        elif index + 1 < len(self.kept):
            self._show(index + 1, 0)
        else:
            self._ask()

    def back(self) -> None:
        if self.position is None or self.waiting:
            return
        index, part = self.position
        if part > 0:
            self._show(index, part - 1)
        elif index > 0:
            self._show(index - 1, len(self.kept[index - 1].parts) - 1)

    def forget(self) -> None:
        """A new run (Reset, a session opened): its iterations are not these."""
        self.kept.clear()
        self.position = None
        self.waiting = False
        self.heading.setText("Slow motion")
        self.text.setText("Press Next (.) to train the next iteration in slow motion.")
        self.digits.setVisible(False)
        self.digits_caption.setVisible(False)

    def stop(self) -> None:
        self.auto_box.setChecked(False)
        self.waiting = False

    def _ask(self) -> None:
        self.waiting = True
        self.heading.setText("Slow motion · training the next iteration…")
        self.next_iteration_wanted.emit()

    def _auto(self, on: bool) -> None:
        self.timer.stop()
        if on:
            self.timer.start(int(1000 * self.pace.currentData()))

    def _show(self, index: int, part: int) -> None:
        self.position = (index, part)
        narrated = self.kept[index]
        told = narrated.parts[part]
        self.heading.setText(f"Iteration {narrated.step:,} · part {part + 1} of "
                             f"{len(narrated.parts)}: {told.title}")
        self.text.setText(told.text)
        strip = digit_strip(narrated)
        if strip is not None:
            self.digits.setPixmap(strip)
        self.digits.setVisible(strip is not None)
        self.digits_caption.setVisible(strip is not None)
        self.back_button.setEnabled(part > 0 or index > 0)
        self.part_shown.emit(narrated, part)
