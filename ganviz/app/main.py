"""Start the window."""

from __future__ import annotations

import os
import sys


def prepare_qt() -> None:
    """Process-wide Qt settings, for before the QApplication is made.

    Qt's raster engine hands larger fills and image conversions to a pool of threads, one
    per core, and waits for them. Beside a trainer whose two torch threads wait for each
    other, each such hand-off takes a core from torch (every MNIST frame woke a pool thread
    on each core), and the frames paint no faster with the pool.
    ``QT_NO_GUI_THREADPOOL`` keeps that work in the GUI thread.
    Qt only asks whether the variable exists, so any value turns the pool off; one
    already set is left as it is.
    """
    os.environ.setdefault("QT_NO_GUI_THREADPOOL", "1")


def run_app(preset: str, overrides: dict, start: bool = False, data_dir=None,
            launched=None, custom_points=None, example=None, compare=None,
            asked_for=None) -> int:
    """``launched``: the training process, if the caller started it already;
    ``custom_points``: (points, description) of the 2-D custom dataset (``--points``);
    ``example``: the session file of ``--example``, opened as the window shows;
    ``compare``: (variants, their ``--compare`` texts), shown in compare mode at once;
    ``asked_for``: a preset that trains on pictures, chosen once the user gives a folder."""
    from PySide6.QtWidgets import QApplication

    from ganviz.app.main_window import MainWindow

    prepare_qt()
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("ganviz")
    app.setOrganizationName("ganviz")
    window = MainWindow(preset, overrides, data_dir=None if data_dir is None else str(data_dir),
                        launched=launched, custom_points=custom_points)
    from ganviz.app import remembered

    geometry = remembered.geometry()
    if geometry is not None:
        window.restoreGeometry(geometry)
    window.show()
    # A window closed in full screen comes back so: the F11 action must say so.
    window.full_screen_action.setChecked(window.isFullScreen())
    if example is not None:
        window.files.load_session(str(example))
    if asked_for is not None:
        window.choose_preset(asked_for)
    if compare is not None:
        from ganviz.app.compare.chooser import columns_for

        variants, axes = compare
        window.compare.start(variants, axes, columns_for(axes, len(variants)))
    elif start:
        window.set_running(True)
    return app.exec()
