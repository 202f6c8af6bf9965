"""Presentation mode: larger text and thicker lines, for a projector in a lecture hall.

One scale applies everywhere: the window's font (settings panel, toolbar, status bar, the
2-D layer switches), the verdict banner, and every view's plots through
:meth:`~ganviz.app.views.View.set_scale`. F5 turns the mode on and off (as a slide show
starts); Ctrl + and Ctrl − (Ctrl = too) change its scale, and turn it on if it is off. The
mode and its scale are remembered across launches.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, QSettings, Qt, Signal
from PySide6.QtGui import QAction, QFont, QKeySequence
from PySide6.QtWidgets import QMainWindow

from ganviz.app import remembered

DEFAULT_SCALE = 1.4  # readable from the back of a lecture hall, and fits a 720p projector
MIN_SCALE, MAX_SCALE, SCALE_STEP = 1.0, 3.0, 0.2
MESSAGE_TIMEOUT_MS = 6000
# QSettings keys, in the window's remembered INI file (see ganviz.app.remembered).
ENABLED_KEY, SCALE_KEY = "presentation/enabled", "presentation/scale"
TOGGLE_KEY = Qt.Key.Key_F5
# Besides the platform's zoom keys (read once a QApplication exists: the platform's key
# bindings are unknown before, and asking for them crashed at import).
LARGER_KEYS, SMALLER_KEYS = ("Ctrl+=", "Ctrl++"), ("Ctrl+-",)


def clamp_scale(value) -> float:
    """A stored or asked-for scale within [MIN_SCALE, MAX_SCALE], to 0.1 (anything
    unreadable is the default: a hand-edited file must not break start-up)."""
    try:
        scale = float(value)
    except (TypeError, ValueError):
        return DEFAULT_SCALE
    if scale != scale:  # NaN
        return DEFAULT_SCALE
    return round(min(MAX_SCALE, max(MIN_SCALE, scale)), 1)


class Presentation(QObject):
    """The mode's actions, its remembered state, and the scale it applies.

    ``pages`` has ``set_scale(scale)`` (the views); ``banner`` too (the 1-D verdict).
    """

    applied = Signal(float)  # the scale now applied (1.0 with the mode off)

    def __init__(self, window: QMainWindow, pages, banner,
                 store: Callable[[], QSettings] = remembered.store) -> None:
        super().__init__(window)
        self.window, self.pages, self.banner, self.store = window, pages, banner, store
        values = store()
        self.enabled = str(values.value(ENABLED_KEY, "false")).lower() == "true"
        self.scale = clamp_scale(values.value(SCALE_KEY, DEFAULT_SCALE))
        self.base_font = QFont(window.font())
        self.action = QAction("Presentation mode", window, checkable=True,
                              checked=self.enabled)
        self.action.setShortcut(QKeySequence(TOGGLE_KEY))
        self.action.setToolTip("Larger text and thicker lines for a projector (F5); "
                               "Ctrl + and Ctrl − change their size")
        self.action.toggled.connect(self.set_enabled)
        window.addAction(self.action)  # the key works wherever the focus is
        self.larger = self._shortcut(
            "Larger text and lines", QKeySequence.StandardKey.ZoomIn, LARGER_KEYS, SCALE_STEP,
            "Presentation mode a step larger (turns it on)")
        self.smaller = self._shortcut(
            "Smaller text and lines", QKeySequence.StandardKey.ZoomOut, SMALLER_KEYS,
            -SCALE_STEP, "Presentation mode a step smaller")
        if self.enabled:
            self.apply()

    def _shortcut(self, text: str, standard: QKeySequence.StandardKey, extra: tuple[str, ...],
                  step: float, tip: str) -> QAction:
        action = QAction(text, self.window, toolTip=tip)
        keys = [*QKeySequence.keyBindings(standard), *map(QKeySequence, extra)]
        unique = {key.toString(): key for key in keys if not key.isEmpty()}
        action.setShortcuts(list(unique.values()))
        action.triggered.connect(lambda: self.change_scale(step))
        self.window.addAction(action)
        return action

    def applied_scale(self) -> float:
        return self.scale if self.enabled else 1.0

    def set_enabled(self, enabled: bool) -> None:
        if self.action.isChecked() != enabled:
            self.action.setChecked(enabled)  # its toggled signal comes back here
            return
        if enabled != self.enabled:
            self.enabled = enabled
            self._remember()
            self.apply()
            self._say()

    def change_scale(self, step: float) -> None:
        """A larger or smaller scale; the mode turns on if it was off."""
        self.scale = clamp_scale(self.scale + step)
        self._remember()
        if not self.enabled:
            self.action.setChecked(True)  # set_enabled applies it
        else:
            self.apply()
            self._say()

    def apply(self) -> None:
        scale = self.applied_scale()
        font = QFont(self.base_font)
        font.setPointSizeF(self.base_font.pointSizeF() * scale)
        self.window.setFont(font)  # every widget that has no font of its own
        self.banner.set_scale(scale)
        self.pages.set_scale(scale)
        self.applied.emit(scale)

    def _remember(self) -> None:
        values = self.store()
        values.setValue(ENABLED_KEY, "true" if self.enabled else "false")
        values.setValue(SCALE_KEY, self.scale)
        values.sync()

    def _say(self) -> None:
        text = (f"Presentation mode: text and lines at {self.scale:.0%} (Ctrl + / Ctrl − "
                "change it, F5 turns it off)" if self.enabled else "Presentation mode off")
        self.window.statusBar().showMessage(text, MESSAGE_TIMEOUT_MS)
