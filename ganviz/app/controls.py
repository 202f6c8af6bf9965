"""The control panel: preset, run buttons, and one editor per setting of the schema."""

from __future__ import annotations

from PySide6.QtCore import QSignalBlocker, Signal
from PySide6.QtGui import QValidator
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QCheckBox,
    QComboBox,
    QDockWidget,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
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


class ChoiceEditor(QComboBox):
    """One of a setting's choices (the objective, an optimiser, the target's family)."""

    valueChanged = Signal(object)
    rejected = Signal(str)  # never emitted: a list cannot hold a bad value

    def __init__(self, setting: config.Setting) -> None:
        super().__init__()
        self.setting = setting
        self.addItems(list(setting.choices))
        self.setToolTip(f"{setting.help}\nAllowed: {setting.allowed()}.")
        self.currentTextChanged.connect(lambda text: self.valueChanged.emit(text))

    def setValue(self, value: str) -> None:
        self.setCurrentText(value)

    def value(self) -> str:
        return self.currentText()


class SwitchEditor(QCheckBox):
    valueChanged = Signal(object)
    rejected = Signal(str)  # never emitted

    def __init__(self, setting: config.Setting) -> None:
        super().__init__()
        self.setting = setting
        self.setToolTip(setting.help)
        self.toggled.connect(lambda checked: self.valueChanged.emit(checked))

    def setValue(self, value: bool) -> None:
        self.setChecked(bool(value))

    def value(self) -> bool:
        return self.isChecked()


class NumbersEditor(QLineEdit):
    """A comma-separated list of numbers (a mixture's means, say), checked on Enter."""

    valueChanged = Signal(object)
    rejected = Signal(str)

    def __init__(self, setting: config.Setting) -> None:
        super().__init__()
        self.setting = setting
        self._value = setting.default
        self.setToolTip(f"{setting.help}\nAllowed: {setting.allowed()}.")
        self.setText(setting.format(self._value))
        self.editingFinished.connect(self._commit)

    def _commit(self) -> None:
        try:
            value = self.setting.parse(self.text())
        except config.SettingError as error:
            reason = str(error).removeprefix(f"{self.setting.name}: ")
            self.rejected.emit(f"{self.setting.label}: {reason}")
            self.setText(self.setting.format(self._value))  # the previous value stays
            return
        self.setText(self.setting.format(value))
        if value != self._value:
            self._value = value
            self.valueChanged.emit(value)

    def setValue(self, value) -> None:
        self._value = tuple(value)
        self.setText(self.setting.format(self._value))

    def value(self):
        return self._value


def make_editor(setting: config.Setting):
    if setting.kind is str:
        return ChoiceEditor(setting)
    if setting.kind is bool:
        return SwitchEditor(setting)
    if setting.kind is tuple:
        return NumbersEditor(setting)
    if setting.kind is int:
        return IntEditor(setting)
    return LogEditor(setting) if setting.log_scale else FloatEditor(setting)


class ControlPanel(QWidget):
    """Preset choice and the settings; emits what the user changed.

    The panel keeps its own display: a change shows at once, and the window later shows
    the trainer's answer through :meth:`show_differences` (a refused value snaps back).
    """

    setting_changed = Signal(str, object)
    preset_chosen = Signal(str)
    pretrain_requested = Signal()
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

        self.editors: dict[str, QWidget] = {}
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
                lambda value, name=setting.name: self._edited(name, value))
            editor.rejected.connect(self.message)
            label = setting.label if setting.live else f"{setting.label} ⟲"
            groups[setting.group].addRow(label, editor)
            self.editors[setting.name] = editor
        self._forms = groups
        self.pretrain_button = QPushButton("Pre-train D now")
        self.pretrain_button.setToolTip(
            "S1's D_pre, at once: fit D(x) to the real pdf by mean squared error for 'D "
            "pre-training steps' iterations (1,000 if that is 0), then go on training. "
            "Watch the D curve take the shape of the real density.")
        self.pretrain_button.clicked.connect(self.pretrain_requested)
        groups["Stabilisers"].addRow(self.pretrain_button)
        self._mode = "1d"
        self._values: dict = dict(settings)
        self._pending: tuple[str, ...] = ()  # settings waiting for Reset (see show_pending)

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

    def in_dock(self, parent) -> QDockWidget:
        """The panel in a fixed dock, scrolled when taller than the window."""
        scroll = QScrollArea(widgetResizable=True)
        scroll.setWidget(self)
        dock = QDockWidget("Settings", parent)
        dock.setFeatures(QDockWidget.DockWidgetFeature.NoDockWidgetFeatures)
        dock.setWidget(scroll)
        dock.setFixedWidth(320)  # a long preset description must wrap, not widen the panel
        return dock

    def set_preset(self, name: str) -> None:
        with QSignalBlocker(self.preset_combo):
            self.preset_combo.setCurrentText(name)
        self.preset_description.setText(presets.get(name).description)

    def show_mode(self, mode: str) -> None:
        """Show only the settings that exist in ``mode`` (e.g. no target for MNIST)."""
        self._mode = mode
        self._update_rows()

    def _update_rows(self) -> None:
        """Show the settings of this mode that matter with the others as they are."""
        visible_groups = set()
        for setting in config.SETTINGS:
            shown = self._mode in setting.modes and config.relevant(setting.name, self._values,
                                                                    self._pending)
            self._forms[setting.group].setRowVisible(self.editors[setting.name], shown)
            if shown:
                visible_groups.add(setting.group)
        self._forms["Stabilisers"].setRowVisible(self.pretrain_button, self._mode == "1d")
        for group, box in self._group_boxes.items():
            box.setVisible(group in visible_groups)

    def show_settings(self, settings: dict) -> None:
        """Show ``settings`` without sending them back as changes."""
        for name, value in settings.items():
            editor = self.editors[name]
            with QSignalBlocker(editor):
                editor.setValue(value)
        self._values.update(settings)
        self._update_rows()

    def _edited(self, name: str, value) -> None:
        """The user changed a setting: the panel shows it (rows that depend on it may show
        or hide) and asks for it; the trainer's answer may set it back."""
        self._values[name] = value
        self._update_rows()
        self.setting_changed.emit(name, value)

    def show_differences(self, settings: dict) -> list[str]:
        """Show the values of ``settings`` the panel does not show already (a refused value
        snaps back); returns their names. Editors left alone keep what is being typed."""
        changed = {name: value for name, value in settings.items()
                   if name in self.editors and _comparable(value) != _comparable(
                       self._values.get(name))}
        if changed:
            self.show_settings(changed)
        return list(changed)

    def show_pending(self, names: tuple[str, ...]) -> None:
        if names != self._pending:  # rows of the run's model stay while it keeps them
            self._pending = tuple(names)
            self._update_rows()
        labels = [config.lookup(n).label for n in names]
        self.pending_label.setText(f"Changed, waiting for Reset: {', '.join(labels)}"
                                   if labels else "")


def _comparable(value):
    """A setting's value as it compares: a list of numbers equals the same tuple."""
    return tuple(value) if isinstance(value, list) else value


class SettingsLedger:
    """The run's settings as the trainer has them, and the changes sent it has not answered.

    The trainer is the one source of truth: it validates every change (ranges, the device,
    the custom points) and counts the settings commands it handled in each frame
    (``Frame.settings_handled``). Only a frame that has answered every command sent tells
    what the run uses; an older one may predate a change still on its way.
    """

    def __init__(self, settings: dict) -> None:
        self.settings = dict(settings)  # what the trainer uses, as it last said
        # A preset's whole settings sent with a Reset, replacing the run's (a 1-D run's
        # settings are not a 2-D preset's), until the trainer answers.
        self.replacement: dict | None = None
        self.unanswered: dict = {}  # changes asked for, not answered yet
        self.sent = 0  # settings commands sent to this training process

    def requested(self) -> dict:
        """The settings the run will have if the trainer accepts what was asked: what a
        Reset or a new process is given, and what a further change must agree with."""
        base = self.settings if self.replacement is None else self.replacement
        return {**base, **self.unanswered}

    def asked(self, changes: dict) -> None:
        """A settings command with ``changes`` was sent."""
        self.unanswered.update(changes)
        self.sent += 1

    def ask_all(self, settings: dict) -> None:
        """A Reset to these settings will be sent (a preset chosen): they replace the run's."""
        self.replacement = dict(settings)
        self.unanswered.clear()

    def answered_by(self, frame) -> bool:
        return frame.settings_handled == self.sent

    def settle(self, settings: dict) -> None:
        """The trainer said what it uses: nothing asked is left unanswered."""
        self.settings = dict(settings)
        self.replacement = None
        self.unanswered.clear()

    def restart(self) -> None:
        """A new training process, given :meth:`requested`: it counts from zero."""
        self.settle(self.requested())
        self.sent = 0
