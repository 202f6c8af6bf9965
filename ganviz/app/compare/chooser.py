"""View > Compare variants…: choose one or two settings to vary and their values.

The values are checked as ``ganviz sweep --vary`` checks them (core/sweep.variants), as
they are typed: one line says what is wrong, naming the field and what is allowed, and
Start stays off until the choice is valid.
"""

from __future__ import annotations

import math

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
)

from ganviz.core import config, presets
from ganviz.core import sweep_axes as sweep

# Where the variants train is not a variant (they train in one process on the CPU); lists
# of numbers (the mixtures') are left out below: their commas are the value separator.
NOT_VARIED = frozenset({"device"})


def suggested_values(setting: config.Setting, current) -> str:
    """A first guess at values worth comparing, around the current one."""
    if setting.kind is bool:
        return "false,true"
    if setting.kind in (int, float) and current == 0:  # off: off against two strengths
        values = [0, 1, 10] if setting.kind is int else [0.0, 0.1, 1.0]
        return ",".join(f"{v:g}" for v in values if setting.minimum <= v <= setting.maximum)
    if setting.kind is str:
        return ",".join(setting.choices[:4])
    if setting.log_scale:
        values = [current / 10, current / 3, current, current * 3]
        values = [v for v in values if setting.minimum <= v <= setting.maximum] or [current]
        return ",".join(f"{v:.2g}" for v in values)
    if setting.kind is int:
        values = sorted({int(current), int(current) + 1, 2 * int(current) + 1})
        values = [v for v in values if setting.minimum <= v <= setting.maximum]
        return ",".join(str(v) for v in values)
    return ",".join(f"{v:g}" for v in (current / 2, current, current * 2)
                    if setting.minimum <= v <= setting.maximum)


def columns_for(axes: list[str], count: int) -> int:
    """Cells per row: one per value of the second setting (a row per value of the first);
    for one setting, as square a grid as the count allows."""
    if len(axes) == 2:
        return len(axes[1].partition("=")[2].split(","))
    return math.ceil(math.sqrt(count))


class CompareDialog(QDialog):
    def __init__(self, preset: str, settings: dict, parent=None) -> None:
        super().__init__(parent)
        self.preset = preset
        self.settings = settings
        mode = presets.get(preset).mode
        self.setWindowTitle("Compare variants")
        self.choices = [s for s in config.settings_for(mode)
                        if s.name not in NOT_VARIED and s.kind is not tuple]
        self.mode = mode
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(
            f"Train variants of <b>{preset}</b> together, side by side, from the current "
            f"settings.<br>Vary one or two settings: every combination is a variant "
            f"(2 to {sweep.MAX_TOY_VARIANTS if mode != 'mnist' else sweep.MAX_MNIST_VARIANTS}"
            f"; 16 or fewer draw best)."))
        form = QFormLayout()
        self.names, self.values = [], []
        self.second = QCheckBox("and vary")
        self.second.setChecked(True)
        defaults = ("lr_d", "k")
        for axis in range(2):
            name = QComboBox()
            name.addItems([f"{s.name} — {s.label}" for s in self.choices])
            values = QLineEdit()
            values.setPlaceholderText("values, separated by commas")
            index = next((i for i, s in enumerate(self.choices) if s.name == defaults[axis]),
                         axis)
            name.setCurrentIndex(index)
            self.names.append(name)
            self.values.append(values)
            self._suggest(axis)
            name.currentIndexChanged.connect(lambda _, a=axis: self._suggest(a))
            values.textChanged.connect(self._check)
            if axis == 1:
                self.second.toggled.connect(self._check)
                form.addRow(self.second)
            form.addRow("Setting", name)
            form.addRow("Values", values)
        layout.addLayout(form)
        self.verdict = QLabel()
        self.verdict.setWordWrap(True)
        layout.addWidget(self.verdict)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.start = self.buttons.addButton("Start comparing",
                                            QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.chosen: list[sweep.Variant] = []
        self._check()

    def _setting(self, axis: int) -> config.Setting:
        return self.choices[self.names[axis].currentIndex()]

    def _suggest(self, axis: int) -> None:
        setting = self._setting(axis)
        self.values[axis].setText(suggested_values(setting, self.settings.get(
            setting.name, setting.default)))

    def axes(self) -> list[str]:
        """The choice as ``--vary`` texts."""
        count = 2 if self.second.isChecked() else 1
        return [f"{self._setting(a).name}={self.values[a].text()}" for a in range(count)]

    def columns(self) -> int:
        return columns_for(self.axes(), max(len(self.chosen), 1))

    def _check(self) -> None:
        second = self.second.isChecked()
        self.names[1].setEnabled(second)
        self.values[1].setEnabled(second)
        try:
            self.chosen = sweep.checked_variants(self.axes(), self.preset, self.settings,
                                                 "Compare")
        except config.SettingError as error:
            self.chosen = []
            self.verdict.setText(f"<span style='color:#b00020'>{error}</span>")
        else:
            self.verdict.setText(f"{len(self.chosen)} variants: "
                                 + ", ".join(v.name for v in self.chosen[:4])
                                 + (", …" if len(self.chosen) > 4 else ""))
        self.start.setEnabled(bool(self.chosen))
