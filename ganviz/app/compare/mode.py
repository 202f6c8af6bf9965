"""Compare mode in the window: View > Compare variants… (Ctrl+K) asks what to vary, pauses
the main run and shows the compare page in its place; Stop comparing (Esc) brings the main
run back as it was; a double-clicked variant becomes the main run, whole. While comparing,
Space pauses the variants (the window's Start routes it here), and what would act on the
hidden main run (steps, Reset, opening a session) is refused with one line."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtGui import QAction, QKeySequence

from ganviz.app.compare.chooser import CompareDialog
from ganviz.app.compare.page import ComparePage

if TYPE_CHECKING:
    from ganviz.app.main_window import MainWindow


class CompareMode:
    def __init__(self, window: MainWindow) -> None:
        self.window = window
        self.page: ComparePage | None = None  # built on first use
        # Where opened variants are written for the main trainer to read (it reads them
        # after the comparison has ended): removed when the window closes.
        self._folder: tempfile.TemporaryDirectory | None = None
        self._opened = 0
        self._docks_shown: dict = {}
        self.action = QAction("Compare variants…", window)
        self.action.setShortcut(QKeySequence("Ctrl+K"))
        self.action.setToolTip("Train variants of this run side by side: vary one or two "
                               "settings (Ctrl+K)")
        self.action.triggered.connect(self.choose)
        self.end_action = QAction("Stop comparing", window)
        self.end_action.setShortcut(QKeySequence("Esc"))
        self.end_action.triggered.connect(self.end)
        self.end_action.setEnabled(False)
        window.addAction(self.end_action)

    @property
    def active(self) -> bool:
        return self.page is not None and self.page.worker is not None

    def choose(self) -> None:
        window = self.window
        dialog = CompareDialog(window.preset, window.ledger.requested(), window)
        if dialog.exec() and dialog.chosen:
            self.start(dialog.chosen, dialog.axes(), dialog.columns())

    def start(self, variants, axes: list[str], columns: int) -> None:
        """Compare ``variants`` (core/sweep.Variant) of the main run's preset, from its
        settings; ``columns``: cells per row."""
        window = self.window
        window.set_running(False)
        if self.page is None:
            self.page = ComparePage()
            self.page.ended.connect(self.end)
            self.page.message.connect(window.show_message)
            self.page.open_variant.connect(self._open)
            self.page.open_requested.connect(self._write)
            window.central_pages.addWidget(self.page)
        if not self.active:
            # The main run's controls would act on a run that is not shown.
            self._docks_shown = {part: part.isVisible() for part in (
                window.controls_dock, window.game, window.run_toolbar)}
            for dock in self._docks_shown:
                dock.hide()
            window.status.set_shown(False)  # the page says how the variants train
        window.central_pages.setCurrentWidget(self.page)
        self.end_action.setEnabled(True)
        self.page.start(window.preset, variants, window.ledger.requested(), axes, columns,
                        custom=window.custom_points, data_dir=window.data_dir)

    def end(self) -> None:
        """Back to the main run, as it was (paused)."""
        if not self.active:
            return
        self.page.stop()
        window = self.window
        window.central_pages.setCurrentIndex(0)
        for dock, shown in self._docks_shown.items():
            dock.setVisible(shown)
        window.status.set_shown(True)
        self.end_action.setEnabled(False)

    def toggle_running(self) -> None:
        if self.active:
            self.page.set_running(not self.page.running)

    def refuses(self, what: str) -> bool:
        """True (and says why) while comparing: ``what`` would act on the hidden main run."""
        if self.active:
            self.window.show_message(f"{what}: not while comparing; Stop comparing (Esc) "
                                     f"first")
        return self.active

    def close(self) -> None:
        """The window closes: end the comparison, remove what it wrote."""
        self.end()
        if self._folder is not None:
            self._folder.cleanup()
            self._folder = None

    def _write(self, index: int) -> None:
        if self._folder is None:
            self._folder = tempfile.TemporaryDirectory(prefix="ganviz-variants-")
        self._opened += 1
        self.page.open_cell(index, str(Path(self._folder.name) / f"variant-{self._opened}"
                                                                  f".ganviz"))

    def _open(self, path: str, name: str, step: int) -> None:
        window = self.window
        if window.files.busy_opening():  # a session on its way: the comparison stays
            return
        self.end()
        window.files.load_session(path)
        window.show_message(f"Opening the variant {name} at iteration {step:,} as the main "
                            f"run: Start goes on training it")
