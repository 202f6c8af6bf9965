"""A progress dialog over a BackgroundThread: Cancel asks the thread to stop (it polls
``cancelled`` between two pieces of work), and closing the dialog cancels and waits."""

from __future__ import annotations

from PySide6.QtWidgets import QProgressDialog


class BackgroundProgressDialog(QProgressDialog):
    """Subclasses make ``self._thread`` (with a ``cancelled`` flag) and call
    :meth:`_close_after` with the thread's last word."""

    def __init__(self, label: str, maximum: int, parent=None,
                 shown_after_ms: int = 0) -> None:
        super().__init__(label, "Cancel", 0, maximum, parent)
        self.setMinimumDuration(shown_after_ms)
        self.setAutoClose(False)
        self.setAutoReset(False)
        self._thread = None
        self.canceled.connect(self._cancel)

    def _cancel(self) -> None:
        self._thread.cancelled = True

    def _close_after(self, *_last_word) -> None:
        """The thread has said its last word: wait for it to end, then go."""
        self._thread.wait()
        self.close()
        self.deleteLater()

    def closeEvent(self, event) -> None:  # closing the dialog cancels and waits
        self._thread.cancelled = True
        self._thread.wait()
        super().closeEvent(event)
