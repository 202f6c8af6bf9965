"""The "Training diverged" question: keep the run as it is, or go back to its last good state."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from ganviz.core.run_guard import KEEP_STATE_EVERY


def divergence_box(what: str, kept_step: int, on_restore, parent=None) -> QMessageBox:
    """An open-able, self-deleting box saying what diverged; its first button (calling
    ``on_restore``) goes back to iteration ``kept_step``."""
    box = QMessageBox(QMessageBox.Icon.Warning, "Training diverged",
                      f"Training diverged: {what}. It is paused.", parent=parent)
    box.setInformativeText(
        f"The run can go back to iteration {kept_step:,}, the last state kept while the "
        f"losses were finite (kept every {KEEP_STATE_EVERY:,} iterations). Lower a "
        f"learning rate first, or it may diverge again.")
    restore = box.addButton(f"Restore iteration {kept_step:,}",
                            QMessageBox.ButtonRole.AcceptRole)
    box.addButton("Keep as is", QMessageBox.ButtonRole.RejectRole)
    restore.clicked.connect(on_restore)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    return box


def ask_about_divergence(window, what: str, kept_step: int) -> None:
    """Open the question over ``window``, kept as its ``divergence_box`` while open: one
    question at a time, the newest (an older one is closed)."""
    box = divergence_box(what, kept_step, window.restore_last_good_state, window)
    if window.divergence_box is not None:
        window.divergence_box.close()

    def forget(_=None) -> None:
        if window.divergence_box is box:
            window.divergence_box = None

    box.destroyed.connect(forget)
    window.divergence_box = box
    box.open()
