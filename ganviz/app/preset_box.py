"""The preset chooser: the presets grouped by what they train, and what the run trains on."""

from __future__ import annotations

from PySide6.QtCore import QSignalBlocker, Qt, Signal
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QComboBox, QGroupBox, QLabel, QVBoxLayout

from ganviz.core import presets

# The combo box's groups, in order: (mode, header). A header is neither enabled nor
# selectable, so the arrow keys, the wheel and the mouse pass over it; its text is no
# preset's name, so choosing a preset by its name never lands on a header.
GROUPS = (("1d", "1-D: densities on a line"),
          ("2d", "2-D: points in a plane"),
          ("mnist", "Images: digits, clothes, photos, your pictures"))
TITLE = "Preset"
CUSTOM_TITLE = "Preset: your own data"


class PresetBox(QGroupBox):
    """Emits ``preset_chosen`` with a preset's name when the user picks one."""

    preset_chosen = Signal(str)

    def __init__(self) -> None:
        super().__init__(TITLE)
        self.combo = QComboBox()
        model = QStandardItemModel(self.combo)
        for mode, header_text in GROUPS:
            header = QStandardItem(header_text)
            header.setFlags(Qt.ItemFlag.NoItemFlags)
            font = header.font()
            font.setBold(True)
            header.setFont(font)
            model.appendRow(header)
            for name, preset in presets.PRESETS.items():
                if preset.mode == mode:
                    model.appendRow(QStandardItem(name))
        self.combo.setModel(model)
        self.combo.setMaxVisibleItems(model.rowCount())  # all at once: no scrolling list
        self.combo.setToolTip("A starting point: the data and the settings that differ from "
                              "the defaults. Choosing one resets training.")
        self.description = QLabel(wordWrap=True)
        # Its own minimum width grows with the text: the text wraps in the panel's instead.
        self.description.setMinimumWidth(100)
        self.description.setStyleSheet("color: #444;")
        layout = QVBoxLayout(self)
        layout.addWidget(self.combo)
        layout.addWidget(self.description)
        self._preset = presets.DEFAULT_PRESET
        self._custom: str | None = None  # what the user's own data is, while trained on
        self.combo.currentTextChanged.connect(self._picked)
        self.combo.textActivated.connect(self._picked_again)

    def _picked(self, text: str) -> None:
        if text in presets.PRESETS:
            self.preset_chosen.emit(text)

    def _picked_again(self, text: str) -> None:
        """The preset already shown, picked while its data is replaced by the user's: its
        data again. (Any other pick changed the text: _picked has chosen it, and the run's
        data is the new preset's by now.)"""
        if self._custom is not None and text == self._preset:
            self.preset_chosen.emit(text)

    def set_preset(self, name: str) -> None:
        """Show ``name`` as the run's preset (no signal)."""
        self._preset = name
        with QSignalBlocker(self.combo):
            self.combo.setCurrentText(name)
        self._describe()

    def show_custom(self, description: str | None) -> None:
        """The run trains on the user's own 2-D points (``description`` says which), or,
        with None, on its preset's data. The box says so: its title and description were
        the preset's alone, and read as if the preset's data were still used."""
        self._custom = description
        self._describe()

    def showing_custom(self) -> bool:
        return self._custom is not None

    def _describe(self) -> None:
        if self._custom is None:
            self.setTitle(TITLE)
            self.description.setText(presets.get(self._preset).description)
            return
        self.setTitle(CUSTOM_TITLE)
        self.description.setText(
            f"Your own points ({self._custom}), trained with the networks and settings of "
            f"{self._preset}. Choose a preset to train on its data again.")
