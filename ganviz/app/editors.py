"""One editor per kind of setting, and the rule that a wheel over them scrolls the panel.

Every editor has the same small interface: ``setValue``/``value``, ``valueChanged`` when
the user settles on a new value, ``rejected`` with a message for a value out of range, and
``became_valid`` when the text being typed is an allowed value again (the panel clears the
field's error then).
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt, Signal
from PySide6.QtGui import QValidator
from PySide6.QtWidgets import (
    QAbstractScrollArea,
    QAbstractSpinBox,
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QLineEdit,
    QSpinBox,
    QWidget,
)

from ganviz.core import config

# Characters a number can still be in the middle of being typed with ("1e", "-", ".").
_PARTIAL_NUMBER_ENDINGS = ("e", "E", "e-", "E-", "e+", "E+", "-", "+", ".")


class _SettingEditorMixin:
    """Accept anything that parses; refuse out-of-range values with a message.

    Qt's own spin boxes silently refuse keystrokes that would leave the range; here a
    user who types 5 for a learning rate is told, in the status bar, which values are
    allowed, and the previous value stays.
    """

    rejected = Signal(str)
    became_valid = Signal()

    def _init_editor(self, setting: config.Setting) -> None:
        self.setting = setting
        self.setKeyboardTracking(False)  # valueChanged on Enter / focus out / arrows
        self.setCorrectionMode(QAbstractSpinBox.CorrectionMode.CorrectToPreviousValue)
        self.setToolTip(f"{setting.help}\nAllowed: {setting.allowed()}.")
        self.setAccelerated(True)
        self.lineEdit().textEdited.connect(self._typed)

    def _typed(self, text: str) -> None:
        if self.validate(text, 0)[0] == QValidator.State.Acceptable:
            self.became_valid.emit()

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
    became_valid = Signal()  # never emitted

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
    became_valid = Signal()  # never emitted

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
    became_valid = Signal()

    def __init__(self, setting: config.Setting) -> None:
        super().__init__()
        self.setting = setting
        self._value = setting.default
        self.setToolTip(f"{setting.help}\nAllowed: {setting.allowed()}.")
        self.setText(setting.format(self._value))
        self.editingFinished.connect(self._commit)
        self.textEdited.connect(self._typed)

    def _typed(self, text: str) -> None:
        try:
            self.setting.parse(text)
        except config.SettingError:
            return
        self.became_valid.emit()

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



class WheelGuard(QObject):
    """A wheel turned over a combo or spin box that has no focus scrolls the panel.

    Qt's combo and spin boxes take every wheel event under the pointer: scrolling the
    settings down changed the target or a learning rate whenever a field passed under the
    pointer. Guarded fields take the focus only from a click or Tab (not from the wheel),
    and a wheel event reaches them only while they have it; otherwise it goes to the scroll
    area around them. (Handed on explicitly: Qt passes an ignored wheel event on to the
    parents only when it came from the window system, not when sent by a program.)
    """

    def guard(self, field: QWidget) -> None:
        field.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        field.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() != QEvent.Type.Wheel or watched.hasFocus():
            return False
        area = watched.parentWidget()
        while area is not None and not isinstance(area, QAbstractScrollArea):
            area = area.parentWidget()
        if area is None:
            event.ignore()  # the parents may scroll
        else:
            QCoreApplication.sendEvent(area.viewport(), event)
        return True  # never for the field


def guard_wheel(panel: QWidget) -> WheelGuard:
    """Guards every combo and spin box in ``panel`` (see :class:`WheelGuard`)."""
    guard = WheelGuard(panel)
    for field in panel.findChildren(QWidget):
        if isinstance(field, (QComboBox, QAbstractSpinBox)):
            guard.guard(field)
    return guard
