"""The window's toolbar, menus and shortcuts.

:func:`install` builds them on a :class:`~ganviz.app.main_window.MainWindow` and keeps each
action the window enables, checks or relabels later as one of its attributes (as Qt
Designer's ``setupUi`` does). Every action says what it does in its tooltip.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence

from ganviz.app.views.presentation import Presentation

if TYPE_CHECKING:
    from ganviz.app.main_window import MainWindow

RECORDING_RATES = (5, 10, 15, 25)  # frames per second offered for recordings
DEFAULT_RECORDING_RATE = 10


def _action(window, text: str, tip: str, slot, key=None, checkable: bool = False,
            checked: bool = False) -> QAction:
    # Checked before the slot is connected: the slot runs on changes only, not at start-up.
    action = QAction(text, window, checkable=checkable, checked=checked)
    if key is not None:
        action.setShortcut(QKeySequence(key))
    action.setToolTip(tip)
    (action.toggled if checkable else action.triggered).connect(slot)
    return action


def install(window: MainWindow) -> None:
    """The toolbar (run controls, Record, Real images) and the File, View, Data and Help
    menus."""
    _install_toolbar(window)
    _install_file_menu(window)
    _install_view_menu(window)
    _install_data_menu(window)
    _install_help_menu(window)


def _install_toolbar(window: MainWindow) -> None:
    toolbar = window.addToolBar("Training")
    window.run_toolbar = toolbar  # hidden in compare mode, whose page has its own buttons
    toolbar.setMovable(False)
    toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
    window.start_action = _action(window, "Start", "Start or pause training (Space)",
                                  window.toggle_running, Qt.Key.Key_Space)
    window.step_action = _action(
        window, "Step", "Exactly one iteration (k_d D steps, then k_g G steps), while paused "
        "(S)", window.step_once, Qt.Key.Key_S)
    window.reset_action = _action(
        window, "Reset", "New weights from the seed, same settings; clears the curves (R)",
        window.reset, Qt.Key.Key_R)
    window.step_d_action = _action(
        window, "D step", "One discriminator update alone, while paused (D); the iteration "
        "count does not move", lambda: window.step_network("d"), Qt.Key.Key_D)
    window.step_g_action = _action(
        window, "G step", "One generator update alone, while paused (G); the iteration "
        "count does not move", lambda: window.step_network("g"), Qt.Key.Key_G)
    for action in _run_actions(window):
        toolbar.addAction(action)
        window.addAction(action)  # the shortcuts work wherever the focus is
    toolbar.addSeparator()
    window.record_action = _action(
        window, "Record", f"Record the plots while training ({DEFAULT_RECORDING_RATE} "
        "frames/s by default, memory bounded); File > Save recording writes a GIF",
        window.files.set_recording, checkable=True)
    toolbar.addAction(window.record_action)
    toolbar.addSeparator()
    window.real_digits_action = _action(
        window, "Real images", "Show a grid of real images (digits, clothes, pictures) beside "
        "the generated ones, for comparison", window.stack.show_real_digits, checkable=True,
        checked=True)
    toolbar.addAction(window.real_digits_action)
    window.enable_actions(False)


def _install_file_menu(window: MainWindow) -> None:
    files = window.files
    menu = window.menuBar().addMenu("&File")
    save = menu.addAction("Save session…", QKeySequence.StandardKey.Save)
    save.setToolTip("Save the whole run (settings, weights, optimisers, random state, "
                    "curves, the timeline's snapshots) to one file, to continue later")
    save.triggered.connect(lambda: files.save_session_as())
    save_small = menu.addAction("Save session without the timeline…")
    save_small.setToolTip("The run as it is now, without its past snapshots and branches: "
                          "a much smaller file")
    save_small.triggered.connect(lambda: files.save_session_as(with_timeline=False))
    open_session = menu.addAction("Open session…", QKeySequence.StandardKey.Open)
    open_session.setToolTip("Continue a saved run where it stopped")
    open_session.triggered.connect(files.open_session)
    window.session_actions = (save, save_small, open_session)
    for action in window.session_actions:
        window.addAction(action)
    _install_examples_menu(window, menu.addMenu("Open example"))
    menu.addSeparator()
    export_plot = menu.addAction("Export plot…")
    export_plot.setToolTip("One plot as PNG (at a chosen width) or SVG")
    export_plot.triggered.connect(files.export_plot_dialog)
    export_metrics = menu.addAction("Export metrics…")
    export_metrics.setToolTip("The curves as CSV or JSONL, with the names of ganviz train "
                              "--metrics")
    export_metrics.triggered.connect(files.export_metrics_as)
    window.save_recording_action = menu.addAction("Save recording…")
    window.save_recording_action.setToolTip("The frames recorded with Record as an animated "
                                            "GIF (or MP4 with imageio-ffmpeg)")
    window.save_recording_action.triggered.connect(files.save_recording_as)
    window.save_recording_action.setEnabled(False)
    replay = menu.addAction("Export timeline replay…")
    replay.setToolTip("Every snapshot of the timeline's branch drawn in turn, as an animated "
                      "GIF (or MP4): the run replayed without training again")
    replay.triggered.connect(files.export_replay_as)
    rate_menu = menu.addMenu("Recording frame rate")
    window.recording_rate_actions = {}
    for fps in RECORDING_RATES:
        action = rate_menu.addAction(f"{fps} frames/s")
        action.setCheckable(True)
        action.setChecked(fps == DEFAULT_RECORDING_RATE)
        action.triggered.connect(lambda _=False, f=fps: files.set_recording_rate(f))
        window.recording_rate_actions[fps] = action
    menu.addSeparator()
    defaults = menu.addAction("Restore defaults")
    defaults.setToolTip("Back to the preset's default settings and the default window "
                        "size; starts the run afresh")
    defaults.triggered.connect(lambda: files.restore_defaults())
    menu.addSeparator()
    # Ctrl+Q (Cmd+Q on macOS) everywhere: QKeySequence.Quit is empty on Windows, and on X11
    # it adds the multimedia Exit key, which only cluttered the shortcuts list.
    window.quit_action = menu.addAction("Quit", QKeySequence("Ctrl+Q"))
    window.quit_action.setToolTip("Close the window and stop training (Ctrl+Q)")
    window.quit_action.triggered.connect(window.close)
    window.addAction(window.quit_action)


def _install_examples_menu(window: MainWindow, menu) -> None:
    """One action per shipped converged example (core/examples.py), 1-D then 2-D."""
    from ganviz.core import examples, presets

    menu.setToolTipsVisible(True)
    window.example_actions = {}
    for mode, title in (("1d", "1-D"), ("2d", "2-D")):
        menu.addSection(title)
        for name in examples.available():
            preset = presets.get(name)
            if preset.mode != mode:
                continue
            action = menu.addAction(name)
            plan = examples.PLAN[name]
            action.setToolTip(f"{name} trained {plan.steps:,} iterations from its seed, "
                              f"opened paused at the end; Reset trains it afresh")
            action.triggered.connect(
                lambda _=False, n=name: window.files.load_session(str(examples.path_of(n))))
            window.example_actions[name] = action


def _install_view_menu(window: MainWindow) -> None:
    menu = window.menuBar().addMenu("&View")
    window.full_screen_action = menu.addAction("Full screen")
    window.full_screen_action.setCheckable(True)
    window.full_screen_action.setShortcut(QKeySequence(Qt.Key.Key_F11))
    window.full_screen_action.setToolTip("Fill the screen with the window (F11)")
    window.full_screen_action.toggled.connect(window.set_full_screen)
    window.addAction(window.full_screen_action)
    # Larger text and lines for a projector (F5; Ctrl + and Ctrl − size them), remembered.
    window.presentation = Presentation(window, window.stack, window.presenter.verdict)
    menu.addAction(window.presentation.action)
    menu.addSeparator()
    menu.addAction(window.game.diagram_action)
    menu.addAction(window.game.slow_action)
    menu.addAction(window.compare.action)
    menu.addAction(window.latent.action)
    menu.addSeparator()
    # Wherever the focus is (a field keeps the letters typed into it): the bar's own
    # Left/Right/Home/End need the bar focused.
    window.live_action = menu.addAction("Back to live", QKeySequence(Qt.Key.Key_L))
    window.live_action.setToolTip("Show the live run again after viewing a past moment (L)")
    window.live_action.triggered.connect(lambda: window.timeline_bar.track.choose(None))
    window.addAction(window.live_action)


def _install_data_menu(window: MainWindow) -> None:
    files = window.files
    menu = window.menuBar().addMenu("&Data")
    download = menu.addAction("Download full MNIST (60,000 digits)…")
    download.setToolTip("Fetch the official training split into your cache; MNIST presets "
                        "use it from the next Reset")
    download.triggered.connect(files.download_mnist)
    fashion = menu.addAction("Download Fashion-MNIST…")
    fashion.setToolTip("Fetch Fashion-MNIST (31 MB) into your cache; the fashion-mnist preset "
                       "trains on it")
    fashion.triggered.connect(lambda: files.download_dataset("fashion-mnist"))
    cifar = menu.addAction("Download CIFAR-10…")
    cifar.setToolTip("Fetch CIFAR-10 (170 MB) into your cache; the cifar10-dcgan preset "
                     "trains on it")
    cifar.triggered.connect(lambda: files.download_dataset("cifar10"))
    open_folder = menu.addAction("Open MNIST folder…")
    open_folder.setToolTip("Train MNIST presets on IDX files (gzip'd or not) from a folder")
    open_folder.triggered.connect(files.open_mnist_folder)
    open_pictures = menu.addAction("Open image folder…")
    open_pictures.setToolTip("Train the s5-dcgan and s5-wgan-gp presets on your own PNG or JPEG "
                             "pictures (a folder and its subfolders; CelebA's faces in the "
                             "tutorial)")
    open_pictures.triggered.connect(lambda: files.open_image_folder())
    menu.addSeparator()
    draw = menu.addAction("Draw 2-D data…")
    draw.setToolTip("Draw the real data with the mouse; 2-D presets then train on it "
                    "(dataset 'custom')")
    draw.triggered.connect(files.draw_points)
    open_points = menu.addAction("Open 2-D points file…")
    open_points.setToolTip("Real 2-D data from a .csv with two columns or a .npy of shape "
                           "(N, 2)")
    open_points.triggered.connect(files.open_points_file)


def _install_help_menu(window: MainWindow) -> None:
    from ganviz.app.dialogs import help as dialogs

    menu = window.menuBar().addMenu("&Help")
    window.explain_action = menu.addAction("What am I looking at?",
                                           QKeySequence.StandardKey.HelpContents)
    window.explain_action.setToolTip("What each plot of this mode shows, in plain words (F1)")
    window.explain_action.triggered.connect(
        lambda: _show(dialogs.ExplanationDialog(window, window.mode)))
    window.addAction(window.explain_action)
    shortcuts = menu.addAction("Keyboard shortcuts")
    shortcuts.setToolTip("Every key the window answers to, and what it does")
    shortcuts.triggered.connect(lambda: _show(dialogs.ShortcutsDialog(window)))
    menu.addSeparator()
    about = menu.addAction("About ganviz")
    about.setToolTip("Versions of ganviz, PyTorch, Qt and Python, and the training device")
    about.triggered.connect(lambda: dialogs.show_about(window))


def _show(dialog) -> None:
    """A help window beside the main one (not modal: the plots stay usable), gone when
    closed."""
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.show()


def _run_actions(window: MainWindow) -> tuple[QAction, ...]:
    return (window.start_action, window.step_action, window.step_d_action,
            window.step_g_action, window.reset_action)


def enable_run_actions(window: MainWindow, enabled: bool) -> None:
    """Start, the steps and Reset: disabled until the trainer's first frame."""
    for action in _run_actions(window):
        action.setEnabled(enabled)


def show_running(window: MainWindow, running: bool, have_frame: bool) -> None:
    """Start reads Pause while training; single steps exist only while paused, once the
    trainer has sent a frame."""
    window.start_action.setText("Pause" if running else "Start")
    for action in (window.step_action, window.step_d_action, window.step_g_action):
        action.setEnabled(not running and have_frame)
