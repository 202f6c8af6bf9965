"""The coach's line above the timeline: what is going wrong in plain words, with the
evidence in its tooltip, and a button that applies what it suggests (core/coach.py)."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSizePolicy, QWidget

from ganviz.core.coach import Diagnosis

# Text colour of each diagnosis: problems in orange or red, health in grey or green.
COLOURS = {"diverged": "#c62828", "vanishing-gradient": "#b35900",
           "mode-collapse": "#b35900", "oscillation": "#b35900", "lazy-d": "#b35900",
           "converged": "#2e7d32", "progressing": "#555555"}
WAITING = "Coach: waiting for the run's first numbers…"


def action_text(action: dict) -> str:
    """A suggestion's settings as the button names them ("loss = nonsaturating")."""
    def shown(value) -> str:
        return f"{value:.3g}" if isinstance(value, float) else str(value).lower()
    return ", ".join(f"{name} = {shown(value)}" for name, value in action.items())


class ElidedLabel(QLabel):
    """One line of text cut with "…" to the width the layout gives it (which the text
    never widens: a long headline must not push the button or the window)."""

    def __init__(self, text: str, parent=None) -> None:
        super().__init__(parent)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.full_text = ""
        self.set_full_text(text)

    def set_full_text(self, text: str) -> None:
        self.full_text = text
        self._elide()

    def _elide(self) -> None:
        self.setText(self.fontMetrics().elidedText(
            self.full_text, Qt.TextElideMode.ElideRight, max(40, self.width())))

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._elide()


class CoachLine(QWidget):
    """One line: the diagnosis's name and headline; Apply sends its settings."""

    apply_requested = Signal(dict)  # the settings to change

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.label = ElidedLabel(WAITING, self)
        self.apply_button = QPushButton(self)
        self.apply_button.clicked.connect(self._apply)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 0, 4, 0)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.apply_button)
        self.diagnosis: Diagnosis | None = None
        self.show_diagnosis(None)

    def show_diagnosis(self, diagnosis: Diagnosis | None) -> None:
        if diagnosis == self.diagnosis and diagnosis is not None:
            return
        self.diagnosis = diagnosis
        if diagnosis is None:
            self.label.set_full_text(WAITING)
            self.label.setStyleSheet("color: #777;")
            self.label.setToolTip("")
            self.apply_button.setVisible(False)
            return
        self.label.set_full_text(f"Coach · {diagnosis.name}: {diagnosis.headline}")
        self.label.setStyleSheet(f"color: {COLOURS.get(diagnosis.name, '#555')}; "
                                 "font-weight: 600;")
        self.label.setToolTip(diagnosis.text("\n"))
        self.apply_button.setVisible(bool(diagnosis.action))
        if diagnosis.action:
            self.apply_button.setText(f"Try {action_text(diagnosis.action)}")
            self.apply_button.setToolTip(diagnosis.suggestion)

    def _apply(self) -> None:
        if self.diagnosis is not None and self.diagnosis.action:
            self.apply_requested.emit(dict(self.diagnosis.action))
