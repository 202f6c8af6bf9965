"""The digit buttons above a conditional preset's grid (mnist-cgan): all, 0-9. A click
asks for that digit (the `digit` setting); the buttons show the one the run uses."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QButtonGroup, QHBoxLayout, QLabel, QToolButton, QWidget

CHOICES = ("all", *"0123456789")


class DigitBar(QWidget):
    chosen = Signal(str)  # "all" or "0".."9"

    def __init__(self) -> None:
        super().__init__()
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 2, 6, 0)
        layout.addWidget(QLabel("Digit asked for:"))
        self.group = QButtonGroup(self)
        self.buttons: dict[str, QToolButton] = {}
        for choice in CHOICES:
            button = QToolButton()
            button.setText(choice)
            button.setCheckable(True)
            button.setToolTip("The grid and the class bars ask for "
                              + ("every digit, 0-9" if choice == "all" else f"{choice}s only"))
            button.clicked.connect(lambda _=False, c=choice: self.chosen.emit(c))
            self.group.addButton(button)
            self.buttons[choice] = button
            layout.addWidget(button)
        layout.addStretch(1)
        self.show_digit("all")
        self.setVisible(False)

    def show_digit(self, digit: str) -> None:
        """The run's digit, as its frames say."""
        button = self.buttons.get(digit)
        if button is not None and not button.isChecked():
            button.setChecked(True)
