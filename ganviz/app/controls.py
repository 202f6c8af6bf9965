"""The control panel: preset, run buttons, and one editor per setting of the schema; and
the ledger of the settings the trainer has, against those asked for."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QSignalBlocker, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import (
    QDockWidget,
    QFormLayout,
    QGroupBox,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from ganviz.app.editors import guard_wheel, make_editor
from ganviz.app.preset_box import PresetBox
from ganviz.core import config

PANEL_MIN_WIDTH = 300  # px: narrower, a preset's description wraps into a tall column
# A wrapped label's own minimum width grows with its text (a long preset description asked
# for a wider panel than a short one): wrapped text takes the width the rows give it.
WRAPPED_MIN_WIDTH = 100
ERROR_COLOUR = "#c62828"  # the message under a field that refused a value
# The field itself, tinted through its palette: a style sheet border would replace the
# style's spin box arrows and combo box button with plain drawings.
ERROR_FILL = QColor("#fbd5d5")
ERROR_TEXT = QColor("#8e0000")


def wrapped_label(text: str = "") -> QLabel:
    label = QLabel(text, wordWrap=True)
    label.setMinimumWidth(WRAPPED_MIN_WIDTH)
    return label


class ControlPanel(QWidget):
    """Preset choice and the settings; emits what the user changed.

    The panel keeps its own display: a change shows at once, and the window later shows
    the trainer's answer through :meth:`show_differences` (a refused value snaps back).
    A refused value is also shown at its field, until a valid value is entered there.
    """

    setting_changed = Signal(str, object)
    preset_chosen = Signal(str)
    pretrain_requested = Signal()
    message = Signal(str)

    def __init__(self, preset: str, settings: dict) -> None:
        super().__init__()
        self.scroll: QScrollArea | None = None  # around the panel, once in its dock
        layout = QVBoxLayout(self)
        self.preset_box = PresetBox()
        self.preset_combo = self.preset_box.combo
        self.preset_description = self.preset_box.description
        layout.addWidget(self.preset_box)

        self.editors: dict[str, QWidget] = {}
        self.errors: dict[str, QLabel] = {}  # under each field, shown while it has an error
        groups: dict[str, QFormLayout] = {}
        self._group_boxes: dict[str, QGroupBox] = {}
        for setting in config.SETTINGS:
            if setting.group not in groups:
                box = QGroupBox(setting.group)
                groups[setting.group] = QFormLayout(box)
                self._group_boxes[setting.group] = box
                layout.addWidget(box)
            self._add_field(groups[setting.group], setting)
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
        self.custom_data: str | None = None  # what the 2-D custom dataset is, if any

        self.pending_label = wrapped_label()
        self.pending_label.setStyleSheet("color: #a05a00;")
        note = wrapped_label("⟲ applies on Reset; all other settings apply at once, between "
                             "two iterations. The wheel scrolls the panel; click a field "
                             "first to change it with the wheel.")
        note.setStyleSheet("color: #666;")
        layout.addWidget(self.pending_label)
        layout.addWidget(note)
        layout.addStretch(1)
        self.wheel_guard = guard_wheel(self)

        self.set_preset(preset)
        self.show_settings(settings)
        self.preset_box.preset_chosen.connect(self.preset_chosen)

    def _add_field(self, form: QFormLayout, setting: config.Setting) -> None:
        name = setting.name
        editor = make_editor(setting)
        editor.valueChanged.connect(lambda value: self._edited(name, value))
        editor.rejected.connect(self.message)
        editor.rejected.connect(lambda text: self.show_error(
            name, text.removeprefix(f"{setting.label}: ")))
        editor.became_valid.connect(lambda: self.clear_error(name))
        form.addRow(setting.label if setting.live else f"{setting.label} ⟲", editor)
        error = wrapped_label()
        error.setStyleSheet(f"color: {ERROR_COLOUR};")
        form.addRow(error)
        form.setRowVisible(error, False)
        self.editors[name] = editor
        self.errors[name] = error

    def in_dock(self, parent) -> QDockWidget:
        """The panel in a fixed dock, scrolled (vertically only) when taller than the
        window, as wide as its widest rows need: a long preset description must wrap, not
        widen the panel, and no row may need a horizontal scroll bar."""
        self.scroll = QScrollArea(widgetResizable=True)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroll.setWidget(self)
        self.fit_width()
        dock = QDockWidget("Settings", parent)
        dock.setFeatures(QDockWidget.DockWidgetFeature.NoDockWidgetFeatures)
        dock.setWidget(self.scroll)
        return dock

    def fit_width(self) -> None:
        """The scroll area as wide as the rows and a vertical scroll bar."""
        self.scroll.setFixedWidth(self.needed_width() + 2 * self.scroll.frameWidth()
                                  + self.scroll.verticalScrollBar().sizeHint().width())

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        # A larger font (presentation mode) widens the rows: without a horizontal scroll
        # bar, the fields would be cut off at the right. Measured once every row has the
        # new font.
        if event.type() == QEvent.Type.FontChange and self.scroll is not None:
            QTimer.singleShot(0, self.fit_width)

    def needed_width(self) -> int:
        """The width every row of every mode fits in (measured with all of them shown)."""
        for form in self._forms.values():
            for row in range(form.rowCount()):
                form.setRowVisible(row, True)
        for box in self._group_boxes.values():
            box.setVisible(True)
        width = self.minimumSizeHint().width()
        self._update_rows()
        return max(PANEL_MIN_WIDTH, width)

    def set_preset(self, name: str) -> None:
        """Show ``name`` as the run's preset; errors shown at fields were about the run
        before it."""
        self.preset_box.set_preset(name)
        for setting_name in [n for n, label in self.errors.items() if label.text()]:
            self.clear_error(setting_name)

    def show_custom_data(self, description: str | None) -> None:
        """The 2-D custom dataset is now ``description``'s points (shown while used)."""
        self.custom_data = description
        self._show_data()

    def _show_data(self) -> None:
        custom = (self._mode == "2d" and self._values.get("dataset") == "custom"
                  and self.custom_data is not None)  # else the trainer refuses it
        self.preset_box.show_custom(self.custom_data if custom else None)

    def show_mode(self, mode: str) -> None:
        """Show only the settings that exist in ``mode`` (e.g. no target for MNIST)."""
        self._mode = mode
        self._update_rows()
        self._show_data()

    def _update_rows(self) -> None:
        """Show the settings of this mode that matter with the others as they are."""
        visible_groups = set()
        for setting in config.SETTINGS:
            shown = self._mode in setting.modes and config.relevant(setting.name, self._values,
                                                                    self._pending)
            form = self._forms[setting.group]
            form.setRowVisible(self.editors[setting.name], shown)
            form.setRowVisible(self.errors[setting.name],
                               shown and bool(self.errors[setting.name].text()))
            if shown:
                visible_groups.add(setting.group)
        self._forms["Stabilisers"].setRowVisible(self.pretrain_button, self._mode == "1d")
        for group, box in self._group_boxes.items():
            box.setVisible(group in visible_groups)

    def show_error(self, name: str, text: str) -> None:
        """``text`` (why a value was refused) under the field ``name``, framed in red."""
        self.errors[name].setText(text)
        self._mark(name, True)

    def clear_error(self, name: str) -> None:
        if self.errors[name].text():
            self.errors[name].setText("")
            self._mark(name, False)

    def show_refusal(self, message: str) -> bool:
        """A refusal worded "setting_name: reason" (the schema's, the trainer's) shown at
        that setting's field; False when it names no setting."""
        name, _, reason = message.partition(": ")
        if name not in self.editors or not reason:
            return False
        self.show_error(name, reason)
        return True

    def _mark(self, name: str, invalid: bool) -> None:
        editor = self.editors[name]
        palette = QPalette(self.palette())  # the panel's: what the field had before
        if invalid:
            for role in (QPalette.ColorRole.Base, QPalette.ColorRole.Button):
                palette.setColor(role, ERROR_FILL)
            for role in (QPalette.ColorRole.Text, QPalette.ColorRole.ButtonText):
                palette.setColor(role, ERROR_TEXT)
        editor.setPalette(palette)
        self._update_rows()

    def show_settings(self, settings: dict) -> None:
        """Show ``settings`` without sending them back as changes."""
        for name, value in settings.items():
            editor = self.editors[name]
            with QSignalBlocker(editor):
                editor.setValue(value)
        self._values.update(settings)
        self._update_rows()
        self._show_data()

    def _edited(self, name: str, value) -> None:
        """The user changed a setting: the panel shows it (rows that depend on it may show
        or hide) and asks for it; the trainer's answer may set it back."""
        self._values[name] = value
        self.clear_error(name)
        self._update_rows()
        self._show_data()
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
