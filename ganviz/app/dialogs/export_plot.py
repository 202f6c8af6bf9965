"""The "Export plot" dialog: which plot, and how wide."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QDialog, QDialogButtonBox, QFormLayout, QSpinBox


class ExportPlotDialog(QDialog):
    def __init__(self, titles: list[str], parent=None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Export plot")
        layout = QFormLayout(self)
        self.plot_combo = QComboBox()
        self.plot_combo.addItems(titles)
        self.plot_combo.setToolTip("The plot to export, from the page shown")
        self.width_spin = QSpinBox(minimum=200, maximum=8000, value=1600, suffix=" px",
                                   singleStep=100)
        self.width_spin.setToolTip("Width of a PNG; its height follows the plot's shape. "
                                   "SVG is vector graphics and has no pixel size.")
        layout.addRow("Plot", self.plot_combo)
        layout.addRow("PNG width", self.width_spin)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addRow(buttons)

    def choice(self) -> tuple[str, int]:
        return self.plot_combo.currentText(), self.width_spin.value()
