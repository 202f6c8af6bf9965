"""The window's size on the screen it opens on: never larger than the screen's free area.

A window larger than the screen has its bottom (the axes, the status bar) and its right
side cut off, on a 1366x768 laptop for instance, and the user cannot reach its edges to
shrink it. Qt gives the size of the window's contents; the frame (title bar, borders) the
window manager adds around them is known only once the window is shown.
"""

from __future__ import annotations

from PySide6.QtCore import QMargins, QRect, QSize
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget

PREFERRED_SIZE = QSize(1400, 860)  # the contents' size on a screen with room for it
# The frame allowed for while it is unknown: a typical title bar and borders.
FRAME_ALLOWANCE = QMargins(4, 36, 4, 4)


def available_geometry(widget: QWidget) -> QRect:
    """The free area (without task bars or docks) of the screen ``widget`` is on."""
    screen = widget.screen() or QGuiApplication.primaryScreen()
    return screen.availableGeometry()


def frame_margins(widget: QWidget) -> QMargins:
    """The window frame's width on each side: measured once shown, else the allowance."""
    if not widget.isVisible():
        return FRAME_ALLOWANCE
    frame, inner = widget.frameGeometry(), widget.geometry()
    return QMargins(inner.left() - frame.left(), inner.top() - frame.top(),
                    frame.right() - inner.right(), frame.bottom() - inner.bottom())


def starting_size(widget: QWidget, available: QRect | None = None) -> QSize:
    """PREFERRED_SIZE, or less where the screen's free area has no room for it (and the
    frame allowance)."""
    area = available_geometry(widget) if available is None else available
    if area.isEmpty():  # no screen to measure
        return PREFERRED_SIZE
    return fitted(QRect(area.topLeft(), PREFERRED_SIZE), FRAME_ALLOWANCE, area).size()


def fitted(contents: QRect, frame: QMargins, available: QRect) -> QRect:
    """``contents`` (a window's geometry without its frame) made no larger than fits, with
    ``frame`` around it, in ``available``, and moved (as little as possible) inside it."""
    width = min(contents.width(), available.width() - frame.left() - frame.right())
    height = min(contents.height(), available.height() - frame.top() - frame.bottom())
    left = min(contents.left(), available.right() - frame.right() - width + 1)
    top = min(contents.top(), available.bottom() - frame.bottom() - height + 1)
    left = max(left, available.left() + frame.left())
    top = max(top, available.top() + frame.top())
    return QRect(left, top, width, height)


def fit_to_screen(window: QWidget, available: QRect | None = None) -> None:
    """Shrink and move ``window`` into its screen's free area (``available``, if given);
    one in full screen or maximised is the window manager's to place."""
    if window.isFullScreen() or window.isMaximized():
        return
    area = available_geometry(window) if available is None else available
    if area.isEmpty():
        return
    geometry = fitted(window.geometry(), frame_margins(window), area)
    if geometry != window.geometry():
        window.setGeometry(geometry)
