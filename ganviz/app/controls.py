"""The control panel: preset, run buttons, and one editor per setting of the schema."""

from __future__ import annotations

from PySide6.QtCore import QSignalBlocker, Signal
from PySide6.QtGui import QValidator
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ganviz.core import config, presets

# Characters a number can still be in the middle of being typed with ("1e", "-", ".").
_PARTIAL_NUMBER_ENDINGS = ("e", "E", "e-", "E-", "e+", "E+", "-", "+", ".")


class _SettingEditorMixin:
    """Accept anything that parses; refuse out-of-range values with a message.

    Qt's own spin boxes silently refuse keystrokes that would leave the range; here a
    user who types 5 for a learning rate is told, in the status bar, which values are
    allowed, and the previous value stays.
    """

    rejected = Signal(str)

    def _init_editor(self, setting: config.Setting) -> None:
        self.setting = setting
        self.setKeyboardTracking(False)  # valueChanged on Enter / focus out / arrows
        self.setCorrectionMode(QAbstractSpinBox.CorrectionMode.CorrectToPreviousValue)
        self.setToolTip(f"{setting.help}\nAllowed: {setting.allowed()}.")
        self.setAccelerated(True)

    def validate(self, text: str, pos: int):
        stripped = text.strip()
        try:
            self.setting.parse(stripped)
            state = QValidator.State.Acceptable
        except config.SettingError:
            if not stripped or stripped.endswith(_PARTIAL_NUMBER_ENDINGS):
                state = QValidator.State.Intermediate
            else:
                try:
                    float(stripped)
                    state = QValidator.State.Intermediate  # a number, but not allowed
                except ValueError:
                    state = QValidator.State.Invalid
        return state, text, pos

    def fixup(self, text: str) -> str:
        try:
            self.setting.parse(text)
        except config.SettingError as error:
            reason = str(error).removeprefix(f"{self.setting.name}: ")
            self.rejected.emit(f"{self.setting.label}: {reason}")
        return text


class FloatEditor(_SettingEditorMixin, QDoubleSpinBox):
    def __init__(self, setting: config.Setting) -> None:
        super().__init__()
        self.setting = setting  # before anything that makes Qt call validate()
        self.setDecimals(10)  # display is ours (textFromValue); keep full precision inside
        self.setRange(setting.minimum, setting.maximum)
        self._init_editor(setting)
        self.setSingleStep(0.1 if setting.maximum - setting.minimum > 2 else 0.01)

    def textFromValue(self, value: float) -> str:
        return f"{value:.6g}"

    def valueFromText(self, text: str) -> float:
        return float(text)


class LogEditor(FloatEditor):
    """Edited on a log scale: each arrow step multiplies or divides by 10^(1/4)."""

    STEP_FACTOR = 10 ** 0.25

    def textFromValue(self, value: float) -> str:
        return f"{value:.3g}"

    def stepBy(self, steps: int) -> None:
        self.setValue(self.value() * self.STEP_FACTOR**steps)


class IntEditor(_SettingEditorMixin, QSpinBox):
    def __init__(self, setting: config.Setting) -> None:
        super().__init__()
        self.setting = setting
        self.setRange(int(setting.minimum), int(setting.maximum))
        self._init_editor(setting)


def make_editor(setting: config.Setting):
    if setting.kind is int:
        return IntEditor(setting)
    return LogEditor(setting) if setting.log_scale else FloatEditor(setting)


class ControlPanel(QWidget):
    """Preset choice and the settings; emits what the user changed."""

    setting_changed = Signal(str, object)
    preset_chosen = Signal(str)
    message = Signal(str)

    def __init__(self, preset: str, settings: dict) -> None:
        super().__init__()
        layout = QVBoxLayout(self)

        preset_box = QGroupBox("Preset")
        preset_layout = QVBoxLayout(preset_box)
        self.preset_combo = QComboBox()
        self.preset_combo.addItems(list(presets.PRESETS))
        self.preset_combo.setToolTip("A starting point: the data and the settings that differ "
                                     "from the defaults. Choosing one resets training.")
        self.preset_description = QLabel(wordWrap=True)
        self.preset_description.setStyleSheet("color: #444;")
        preset_layout.addWidget(self.preset_combo)
        preset_layout.addWidget(self.preset_description)
        layout.addWidget(preset_box)

        self.editors: dict[str, QAbstractSpinBox] = {}
        groups: dict[str, QFormLayout] = {}
        self._group_boxes: dict[str, QGroupBox] = {}
        for setting in config.SETTINGS:
            if setting.group not in groups:
                box = QGroupBox(setting.group)
                groups[setting.group] = QFormLayout(box)
                self._group_boxes[setting.group] = box
                layout.addWidget(box)
            editor = make_editor(setting)
            editor.valueChanged.connect(
                lambda value, name=setting.name: self.setting_changed.emit(name, value))
            editor.rejected.connect(self.message)
            label = setting.label if setting.live else f"{setting.label} ⟲"
            groups[setting.group].addRow(label, editor)
            self.editors[setting.name] = editor
        self._forms = groups

        self.pending_label = QLabel(wordWrap=True)
        self.pending_label.setStyleSheet("color: #a05a00;")
        note = QLabel("⟲ applies on Reset; all other settings apply at once, between two "
                      "iterations.", wordWrap=True)
        note.setStyleSheet("color: #666;")
        layout.addWidget(self.pending_label)
        layout.addWidget(note)
        layout.addStretch(1)

        self.set_preset(preset)
        self.show_settings(settings)
        self.preset_combo.currentTextChanged.connect(self.preset_chosen)

    def set_preset(self, name: str) -> None:
        with QSignalBlocker(self.preset_combo):
            self.preset_combo.setCurrentText(name)
        self.preset_description.setText(presets.get(name).description)

    def show_mode(self, mode: str) -> None:
        """Show only the settings that exist in ``mode`` (e.g. no target for MNIST)."""
        visible_groups = set()
        for setting in config.SETTINGS:
            shown = mode in setting.modes
            self._forms[setting.group].setRowVisible(self.editors[setting.name], shown)
            if shown:
                visible_groups.add(setting.group)
        for group, box in self._group_boxes.items():
            box.setVisible(group in visible_groups)

    def show_settings(self, settings: dict) -> None:
        """Show ``settings`` without sending them back as changes."""
        for name, value in settings.items():
            editor = self.editors[name]
            with QSignalBlocker(editor):
                editor.setValue(value)

    def show_pending(self, names: tuple[str, ...]) -> None:
        labels = [config.lookup(n).label for n in names]
        self.pending_label.setText(f"Changed, waiting for Reset: {', '.join(labels)}"
                                   if labels else "")
