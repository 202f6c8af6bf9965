"""Prepare a folder of pictures (found, cropped, resized, cached) with a progress dialog;
the window stays usable, and Cancel stops between two pictures."""

from __future__ import annotations

from PySide6.QtCore import Signal

from ganviz.app.background import BackgroundThread
from ganviz.app.dialogs.background_progress import BackgroundProgressDialog
from ganviz.core.images import folder as pictures


class _PrepareThread(BackgroundThread):
    progressed = Signal(int, int)  # pictures done, pictures in all
    done = Signal(bool, str)  # success, one line

    def __init__(self, folder: str, size: int, channels: int, parent=None) -> None:
        super().__init__(parent, name="ganviz-pictures")
        self.folder, self.size, self.channels = folder, size, channels
        self.cancelled = False

    def run(self) -> None:
        try:
            _, report = pictures.prepare_folder(
                self.folder, self.size, self.channels,
                progress=lambda done, total: self.post(self.progressed.emit, done, total),
                cancel=lambda: self.cancelled)
        except pictures.PreparationCancelled:
            self.post(self.done.emit, False, "Cancelled; the folder was not prepared.")
        except pictures.DataError as error:
            self.post(self.done.emit, False, f"Not used: {error}")
        except Exception as error:  # a picture library failure must not kill the window
            self.post(self.done.emit, False, f"Not used: {type(error).__name__}: {error}")
        else:
            self.post(self.done.emit, True, report.line(self.folder))


class PrepareFolderDialog(BackgroundProgressDialog):
    """Shows pictures done out of all; ``prepared`` says how it ended (success, line)."""

    prepared = Signal(bool, str)

    def __init__(self, folder: str, size: int, channels: int, parent=None) -> None:
        # Shown only after 0.3 s: a folder already in the cache is ready before that.
        super().__init__(f"Reading the pictures in {folder}…", 1, parent, shown_after_ms=300)
        self.setWindowTitle(f"Preparing {size}x{size} pictures")
        self._thread = _PrepareThread(folder, size, channels, self)
        self._thread.progressed.connect(self._show_progress)
        self._thread.done.connect(self._finish)

    def start(self) -> None:
        self._thread.start()

    def _show_progress(self, done: int, total: int) -> None:
        self.setMaximum(total)
        self.setValue(done)
        self.setLabelText(f"Cropping and resizing pictures: {done:,} of {total:,}\n"
                          "(once: they are kept in your cache)")

    def _finish(self, success: bool, line: str) -> None:
        self._close_after()
        self.prepared.emit(success, line)
