"""The main window: controls on the left, live plots in the middle, rates below."""

from __future__ import annotations

import time

import pyqtgraph as pg
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QDockWidget,
    QFileDialog,
    QLabel,
    QMainWindow,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from ganviz.app.controls import ControlPanel
from ganviz.app.views.mnist import ImagesView
from ganviz.app.views.toy1d import Toy1DView
from ganviz.app.views.toy2d import Toy2DView
from ganviz.app.worker import FRAME_INTERVAL_S, EvaluationWorker, Frame, TrainingWorker
from ganviz.core import config, presets
from ganviz.core.history import EvaluationHistory
from ganviz.core.remote import KEEP_STATE_EVERY

# The verdict banner's colours: background, text.
VERDICT_COLOURS = {
    "converged": ("#dff3df", "#1b5e20"),
    "d-not-optimal": ("#fff1d6", "#8a4b00"),
    "not-converged": ("#eeeeee", "#333333"),
}

DEFAULT_SIZE = (1400, 860)
# The view redraws at most this often; newer data replaces older data that was never drawn.
MAX_DRAW_RATE_HZ = 60
MIN_DRAW_INTERVAL_S = 1.0 / MAX_DRAW_RATE_HZ


class MainWindow(QMainWindow):
    drawn = Signal(int)  # the step shown, after each frame drawn (for tests and benchmarks)

    def __init__(self, preset: str = presets.DEFAULT_PRESET, overrides: dict | None = None,
                 frame_interval: float = FRAME_INTERVAL_S, data_dir: str | None = None,
                 launched=None, custom_points: tuple | None = None) -> None:
        """``launched``: a :class:`~ganviz.core.remote.TrainerProcess` already started for
        this preset and these settings (``ganviz`` starts it before importing Qt)."""
        super().__init__()
        self.setWindowTitle("ganviz")
        self.resize(*DEFAULT_SIZE)
        self.preset = presets.get(preset).name
        self.mode = presets.get(preset).mode
        self.settings = presets.get(preset).settings()
        self.settings.update(overrides or {})
        self.data_dir = data_dir
        self.frame_interval = frame_interval
        self.running = False
        self.latest_frame: Frame | None = None
        self.latest_evaluation = None
        self.evaluation_history = EvaluationHistory()
        self._frame_dirty = False
        self._evaluation_dirty = False
        self._draw_times: list[float] = []
        self._last_draw_time = -MIN_DRAW_INTERVAL_S
        self._closing = False

        # The training process first: importing torch there (~2 s) is the longest wait
        # before the first frame, and it overlaps with building the window here.
        self.training_worker: TrainingWorker | None = None
        # The 2-D custom data, (points, description): given to every training process.
        self._custom_points: tuple | None = custom_points
        self.divergence_box = None  # the "Training diverged" dialog, while one is open
        # Between asking the trainer to open a session and its answer, the settings the
        # window shows are about to be replaced: changes wait (see _busy_opening).
        self._opening_session = False
        self._real_points_2d = None  # the 2-D real sample, sent with a dataset's first frame
        self._start_training_worker(launched)
        self._build_actions()
        self._build_plots()
        self._build_controls()
        self._build_status_bar()
        self._preview_target()

        # Drawing is asked for by what arrives (a frame, an evaluation), not polled: a timer
        # ticking at the draw rate woke the GUI thread ~40 times a second with nothing new,
        # and each wakeup can take a core from one of the trainer's two torch threads.
        self.draw_timer = QTimer(self, singleShot=True)
        self.draw_timer.timeout.connect(self._draw)
        self.evaluation_worker = EvaluationWorker(self)
        self.evaluation_worker.evaluated.connect(self._on_evaluation)
        self.evaluation_worker.failed.connect(self._on_failure)
        # Started with the first 1-D frame: its torch import would compete with the training
        # process's for the two cores while the window waits for that frame.
        self._evaluation_started = False

    # ------------------------------------------------------------------------- building
    def _build_actions(self) -> None:
        toolbar = self.addToolBar("Training")
        toolbar.setMovable(False)
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.start_action = QAction("Start", self, shortcut=QKeySequence(Qt.Key.Key_Space))
        self.start_action.setToolTip("Start or pause training (Space)")
        self.start_action.triggered.connect(self.toggle_running)
        self.step_action = QAction("Step", self, shortcut=QKeySequence(Qt.Key.Key_S))
        self.step_action.setToolTip("Exactly one iteration (k_d D steps, then k_g G steps), "
                                    "while paused (S)")
        self.step_action.triggered.connect(self.step_once)
        self.reset_action = QAction("Reset", self, shortcut=QKeySequence(Qt.Key.Key_R))
        self.reset_action.setToolTip("New weights from the seed, same settings; clears the "
                                     "curves (R)")
        self.reset_action.triggered.connect(self.reset)
        self.step_d_action = QAction("D step", self, shortcut=QKeySequence(Qt.Key.Key_D))
        self.step_d_action.setToolTip("One discriminator update alone, while paused (D); the "
                                      "iteration count does not move")
        self.step_d_action.triggered.connect(lambda: self.step_network("d"))
        self.step_g_action = QAction("G step", self, shortcut=QKeySequence(Qt.Key.Key_G))
        self.step_g_action.setToolTip("One generator update alone, while paused (G); the "
                                      "iteration count does not move")
        self.step_g_action.triggered.connect(lambda: self.step_network("g"))
        for action in (self.start_action, self.step_action, self.step_d_action,
                       self.step_g_action, self.reset_action):
            toolbar.addAction(action)
            self.addAction(action)
        toolbar.addSeparator()
        self.record_action = QAction("Record", self, checkable=True)
        self.record_action.setToolTip("Record the plots while training (10 frames/s by "
                                      "default, memory bounded); File > Save recording "
                                      "writes a GIF")
        self.record_action.toggled.connect(self.set_recording)
        toolbar.addAction(self.record_action)
        toolbar.addSeparator()
        self.real_digits_action = QAction("Real digits", self, checkable=True, checked=True)
        self.real_digits_action.setToolTip("Show a grid of real digits beside the generated "
                                           "ones, for comparison")
        self.real_digits_action.toggled.connect(lambda shown: self.images.show_real(shown))
        toolbar.addAction(self.real_digits_action)
        self.enable_actions(False)

        file_menu = self.menuBar().addMenu("&File")
        save = file_menu.addAction("Save session…", QKeySequence.StandardKey.Save)
        save.setToolTip("Save the whole run (settings, weights, optimisers, random state, "
                        "curves) to one file, to continue later")
        save.triggered.connect(self.save_session_as)
        open_session = file_menu.addAction("Open session…", QKeySequence.StandardKey.Open)
        open_session.setToolTip("Continue a saved run where it stopped")
        open_session.triggered.connect(self.open_session)
        self.session_actions = (save, open_session)
        for action in self.session_actions:
            self.addAction(action)
        file_menu.addSeparator()
        export_plot = file_menu.addAction("Export plot…")
        export_plot.setToolTip("One plot as PNG (at a chosen width) or SVG")
        export_plot.triggered.connect(self.export_plot_dialog)
        export_metrics = file_menu.addAction("Export metrics…")
        export_metrics.setToolTip("The curves as CSV or JSONL, with the names of ganviz "
                                  "train --metrics")
        export_metrics.triggered.connect(self.export_metrics_as)
        self.save_recording_action = file_menu.addAction("Save recording…")
        self.save_recording_action.setToolTip("The frames recorded with Record as an "
                                              "animated GIF (or MP4 with imageio-ffmpeg)")
        self.save_recording_action.triggered.connect(self.save_recording_as)
        self.save_recording_action.setEnabled(False)
        rate_menu = file_menu.addMenu("Recording frame rate")
        self.recording_rate_actions = {}
        for fps in (5, 10, 15, 25):
            action = rate_menu.addAction(f"{fps} frames/s")
            action.setCheckable(True)
            action.setChecked(fps == 10)
            action.triggered.connect(lambda _=False, f=fps: self.set_recording_rate(f))
            self.recording_rate_actions[fps] = action

        file_menu.addSeparator()
        defaults = file_menu.addAction("Restore defaults")
        defaults.setToolTip("Back to the preset's default settings and the default window "
                            "size; starts the run afresh")
        defaults.triggered.connect(lambda: self.restore_defaults())

        view_menu = self.menuBar().addMenu("&View")
        self.full_screen_action = view_menu.addAction("Full screen")
        self.full_screen_action.setCheckable(True)
        self.full_screen_action.setShortcut(QKeySequence(Qt.Key.Key_F11))
        self.full_screen_action.setToolTip("Fill the screen with the window (F11)")
        self.full_screen_action.toggled.connect(self.set_full_screen)
        self.addAction(self.full_screen_action)

        data_menu = self.menuBar().addMenu("&Data")
        download = data_menu.addAction("Download full MNIST (60,000 digits)…")
        download.setToolTip("Fetch the official training split into your cache; MNIST "
                            "presets use it from the next Reset")
        download.triggered.connect(self.download_mnist)
        open_folder = data_menu.addAction("Open MNIST folder…")
        open_folder.setToolTip("Train MNIST presets on IDX files (gzip'd or not) from a folder")
        open_folder.triggered.connect(self.open_mnist_folder)
        data_menu.addSeparator()
        draw = data_menu.addAction("Draw 2-D data…")
        draw.setToolTip("Draw the real data with the mouse; 2-D presets then train on it "
                        "(dataset 'custom')")
        draw.triggered.connect(self.draw_points)
        open_points = data_menu.addAction("Open 2-D points file…")
        open_points.setToolTip("Real 2-D data from a .csv with two columns or a .npy of "
                               "shape (N, 2)")
        open_points.triggered.connect(self.open_points_file)

    def _build_plots(self) -> None:
        pg.setConfigOptions(antialias=False, background="w", foreground=(40, 40, 40))
        # The verdict, always visible above the 1-D plots.
        self.verdict_label = QLabel("Verdict: waiting for the first evaluation…", wordWrap=True)
        self.verdict_label.setToolTip(
            "converged: p_g matches p_data (JS below the threshold) and D is at its "
            "equilibrium value. 'D is not optimal': D is flat although the generator is "
            "wrong; compare D with D*, the optimal D for the current generator.")
        self._show_verdict("not-converged", "Verdict: waiting for the first evaluation…")
        # Each mode's view is built the first time it is needed and then kept, so switching
        # presets only switches the page shown. Building all three at start-up cost ~0.4 s
        # before the window could first be drawn.
        self.views: dict[str, QWidget] = {}
        self.pages: dict[str, QWidget] = {}
        self.stack = QStackedWidget()
        self.setCentralWidget(self.stack)
        self._show_mode(self.mode)

    def _view(self, mode: str):
        """The view of ``mode`` ("1d", "2d", "mnist"), built on first use."""
        if mode not in self.views:
            view = {"1d": Toy1DView, "2d": Toy2DView, "mnist": ImagesView}[mode]()
            page = view
            if mode == "1d":
                page = QWidget()
                layout = QVBoxLayout(page)
                layout.setContentsMargins(0, 0, 0, 0)
                layout.setSpacing(0)
                layout.addWidget(self.verdict_label)
                layout.addWidget(view, 1)
            elif mode == "mnist":
                view.show_real(self.real_digits_action.isChecked())
            self.views[mode] = view
            self.pages[mode] = page
            self.stack.addWidget(page)
        return self.views[mode]

    toy1d = property(lambda self: self._view("1d"))
    toy2d = property(lambda self: self._view("2d"))
    images = property(lambda self: self._view("mnist"))
    # The 1-D view's plots, by the names tests and older code use.
    plots = property(lambda self: self.toy1d)
    densities = property(lambda self: self.toy1d.densities)
    losses = property(lambda self: self.toy1d.losses)
    d_outputs = property(lambda self: self.toy1d.d_outputs)

    def _preview_target(self) -> None:
        """Draw the 1-D target's density at once: the training process needs ~2 s to load
        torch before its first frame, and the data need no torch."""
        if self.mode != "1d":
            return
        import numpy as np

        from ganviz.core.metrics import rounded_range
        from ganviz.core.toy1d.data import make_target

        target = make_target(self.settings)
        low, high = rounded_range(*target.support(5.0))
        x = np.linspace(low, high, 401)
        self.densities.show_target(x, target.pdf(x))

    def _show_mode(self, mode: str) -> None:
        self.mode = mode
        self._view(mode)
        self.stack.setCurrentWidget(self.pages[mode])
        self.real_digits_action.setVisible(mode == "mnist")

    def _build_controls(self) -> None:
        self.controls = ControlPanel(self.preset, self.settings)
        self.controls.show_mode(self.mode)
        self.controls.setting_changed.connect(self.change_setting)
        self.controls.preset_chosen.connect(self.choose_preset)
        self.controls.message.connect(self.show_message)
        self.controls.pretrain_requested.connect(self.pretrain_discriminator)
        scroll = QScrollArea(widgetResizable=True)
        scroll.setWidget(self.controls)
        dock = QDockWidget("Settings", self)
        dock.setFeatures(QDockWidget.DockWidgetFeature.NoDockWidgetFeatures)
        dock.setWidget(scroll)
        # Fixed width: a long preset description must wrap, not widen the panel.
        dock.setFixedWidth(320)
        self.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, dock)

    def _build_status_bar(self) -> None:
        self.iteration_label = QLabel("Loading PyTorch…")
        self.rate_label = QLabel()
        self.fps_label = QLabel()
        self.device_label = QLabel()
        bar = self.statusBar()
        for label in (self.iteration_label, self.rate_label, self.fps_label, self.device_label):
            bar.addPermanentWidget(label)

    def _start_training_worker(self, launched=None) -> None:
        worker = TrainingWorker(self.preset, self.settings, self.frame_interval, self,
                                data_dir=self.data_dir, launched=launched,
                                custom=self._custom_points)
        worker.frame_ready.connect(self._on_frame)
        worker.settings_rejected.connect(self.show_message)
        worker.notice.connect(self.show_message)
        worker.diverged.connect(self._on_divergence)
        worker.session_loaded.connect(self._on_session_loaded)
        worker.session_failed.connect(self._on_session_failed)
        worker.failed.connect(self._on_failure)
        self.training_worker = worker
        worker.start()

    # -------------------------------------------------------------------------- intents
    def toggle_running(self) -> None:
        self.set_running(not self.running)

    def set_running(self, running: bool) -> None:
        self.running = running
        self.start_action.setText("Pause" if running else "Start")
        self._enable_steps()
        if self.training_worker is not None:
            self.training_worker.set_running(running)

    def _enable_steps(self) -> None:
        enabled = not self.running and self.latest_frame is not None
        for action in (self.step_action, self.step_d_action, self.step_g_action):
            action.setEnabled(enabled)

    def step_once(self) -> None:
        if not self.running:
            self.training_worker.request_step()

    def step_network(self, network: str) -> None:
        """One update of D ("d") or G ("g") alone: GAN Lab's single steps."""
        if not self.running:
            self.training_worker.request_network_step(network)

    def pretrain_discriminator(self) -> None:
        """S1's D_pre, now: fit D to the real pdf, then the game goes on."""
        steps = self.settings.get("d_pretrain_steps") or 1000
        self.training_worker.request_pretrain(steps)

    def reset(self) -> None:
        if self._busy_opening():
            return
        self._clear_curves()
        if not self.training_worker.isRunning():  # the trainer failed: start a new one
            self.training_worker.stop()
            self.latest_frame = None
            self.enable_actions(False)
            self.set_running(False)
            self._start_training_worker()
            return
        self.training_worker.request_reset(self.preset, self.settings, self.data_dir)

    def change_setting(self, name: str, value) -> None:
        if self._busy_opening():
            self.controls.show_settings({name: self.settings[name]})  # keep what was there
            return
        try:  # settings that must agree with each other (a mixture's lists)
            config.check_consistency({**self.settings, name: value})
            frame = self.latest_frame
            if name == "device" and frame is not None and value not in frame.available_devices:
                usable = ", ".join(frame.available_devices)
                raise config.SettingError(f"device: {value} is not available on this machine; "
                                          f"usable here: {usable}")
            if name == "dataset" and value == "custom" and self._custom_points is None:
                raise config.SettingError("dataset: custom needs points: draw them or open a "
                                          "points file first (Data menu)")
        except config.SettingError as error:
            self.show_message(str(error))
            self.controls.show_settings({name: self.settings[name]})  # keep what was there
            return
        self.settings[name] = value
        self.controls.show_settings({name: value})  # also when set by the program
        self.training_worker.request_settings({name: value})

    def choose_preset(self, name: str) -> None:
        if self._busy_opening():
            self.controls.set_preset(self.preset)
            return
        self._adopt_run(name, presets.get(name).settings())
        self.reset()
        # The view switches when the first frame of the new preset arrives.

    def _adopt_run(self, preset: str, settings: dict) -> None:
        """Show ``preset`` and ``settings`` as the run's (a preset chosen, a session opened)."""
        self.preset = preset
        self.settings = dict(settings)
        self.controls.set_preset(preset)
        self.controls.show_mode(presets.get(preset).mode)
        self.controls.show_settings(self.settings)
        self.latest_evaluation = None  # the old run's curves are not drawn again
        self._evaluation_dirty = False

    def _clear_curves(self) -> None:
        for mode in ("1d", "2d"):
            if mode in self.views:
                self.views[mode].clear_view()
        for view in self.views.values():  # the next history is drawn whatever it holds
            view.losses.forget_drawn()
            view.d_outputs.forget_drawn()
        self.evaluation_history.clear()

    def download_mnist(self) -> None:
        from ganviz.app.dialogs.download import DownloadDialog

        dialog = DownloadDialog(self)
        dialog.finished_with.connect(self.show_message)
        dialog.start()

    def open_mnist_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Folder with MNIST IDX files")
        if folder:
            self.use_mnist_folder(folder)

    def use_mnist_folder(self, folder: str) -> None:
        """Train MNIST presets on the IDX files in ``folder``, if they read correctly."""
        from ganviz.core.mnist import data as mnist

        try:
            data = mnist.load_dir(folder)
        except mnist.DataError as error:
            self.show_message(f"Not used: {error}")
            return
        self.data_dir = folder
        self.show_message(f"MNIST presets now train on {len(data):,} digits from {folder}")
        if self.mode == "mnist":
            self.reset()

    def draw_points(self) -> None:
        from ganviz.app.dialogs.draw import DrawDialog

        dialog = DrawDialog(self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.points_ready.connect(
            lambda points: self.use_points(points, f"{len(points):,} points drawn by hand"))
        dialog.open()

    def open_points_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "2-D points", "",
                                              "Points (*.csv *.npy);;All files (*)")
        if path:
            self.load_points_file(path)

    def load_points_file(self, path: str) -> None:
        """Train 2-D presets on the points in ``path``, if it reads correctly."""
        from ganviz.core.toy2d.points import PointsError, load_points

        try:
            points = load_points(path)
        except PointsError as error:
            self.show_message(f"Not used: {error}")
            return
        from pathlib import Path

        self.use_points(points, f"{len(points):,} points from {Path(path).name}")

    def use_points(self, points, description: str) -> None:
        """Make ``points`` the 2-D custom dataset and train on it (switching to ring8's
        game first when a 1-D or MNIST preset is shown)."""
        self._custom_points = (points, description)
        self.training_worker.request_points(points, description)
        if self.mode != "2d" and presets.get(self.preset).mode != "2d":
            self.choose_preset("ring8")
        self.change_setting("dataset", "custom")
        self.controls.show_settings({"dataset": "custom"})
        self.show_message(f"Custom 2-D data: {description}")

    def show_message(self, text: str) -> None:
        self.statusBar().showMessage(text, 8000)

    def enable_actions(self, enabled: bool) -> None:
        for action in (self.start_action, self.step_action, self.step_d_action,
                       self.step_g_action, self.reset_action):
            action.setEnabled(enabled)

    # ------------------------------------------------------------------ worker results
    def _on_frame(self, frame: Frame) -> None:
        self.training_worker.frame_consumed()
        first = self.latest_frame is None
        self.latest_frame = frame
        if first:
            self.enable_actions(True)
            self._enable_steps()
        self._frame_dirty = True
        self._request_draw()
        if frame.snapshot.mode != self.mode:
            self._show_mode(frame.snapshot.mode)
        if frame.snapshot.mode == "mnist" and frame.snapshot.view.real_grid is not None:
            self.images.set_real_grid(frame.snapshot.view.real_grid)  # once per run
        if frame.snapshot.mode == "2d":  # the real sample comes once per dataset: kept here
            view = frame.snapshot.view
            if view.real_points is not None:
                self._real_points_2d = view.real_points
            view.real_points = self._real_points_2d
        if frame.snapshot.mode in ("1d", "2d"):
            if not self._evaluation_started:
                self._evaluation_started = True
                self.evaluation_worker.start()
            self.evaluation_worker.submit(frame.snapshot.view)

    def _on_evaluation(self, evaluation) -> None:
        self.latest_evaluation = evaluation
        self.evaluation_history.add(evaluation)
        self._evaluation_dirty = True
        # While training, the next frame (normally within 1/30 s) draws it too: a draw of its
        # own would add up to 12 (1-D) or 25 (2-D) draws a second to the frames' 30. A trainer
        # that stops or fails sends no more frames: see _on_failure and pausing's last frame.
        if not (self.running and self.latest_frame is not None and self.latest_frame.running):
            self._request_draw()

    def _on_divergence(self, what: str, kept_step: int) -> None:
        """The trainer paused on a NaN/Inf: say so, and offer the last good state."""
        from PySide6.QtWidgets import QMessageBox

        self.set_running(False)
        self.show_message(f"Training paused: {what}")
        box = QMessageBox(QMessageBox.Icon.Warning, "Training diverged",
                          f"Training diverged: {what}. It is paused.", parent=self)
        box.setInformativeText(
            f"The run can go back to iteration {kept_step:,}, the last state kept while the "
            f"losses were finite (kept every {KEEP_STATE_EVERY:,} iterations). Lower a "
            f"learning rate first, or it may diverge again.")
        restore = box.addButton(f"Restore iteration {kept_step:,}",
                                QMessageBox.ButtonRole.AcceptRole)
        box.addButton("Keep as is", QMessageBox.ButtonRole.RejectRole)
        restore.clicked.connect(self.restore_last_good_state)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        if self.divergence_box is not None:  # one question at a time: the newest
            self.divergence_box.close()
        box.destroyed.connect(lambda _=None, b=box: self._forget_box(b))
        self.divergence_box = box
        box.open()

    def set_full_screen(self, on: bool) -> None:
        if on:
            self.showFullScreen()
        else:
            self.showNormal()

    def restore_defaults(self, confirm: bool = True) -> None:
        """The preset's default settings and the default window size, after a question
        when a run would be lost."""
        from PySide6.QtWidgets import QMessageBox

        from ganviz.app import remembered

        frame = self.latest_frame
        if confirm and frame is not None and frame.snapshot.step > 0:
            answer = QMessageBox.question(
                self, "Restore defaults",
                f"Restore the default settings of {self.preset}? The current run "
                f"(iteration {frame.snapshot.step:,}) starts afresh; save it first with "
                f"File > Save session to keep it.")
            if answer != QMessageBox.StandardButton.Yes:
                return
        remembered.forget()
        self.set_full_screen(False)
        self.full_screen_action.setChecked(False)
        self.resize(*DEFAULT_SIZE)
        self.choose_preset(self.preset)
        self.show_message(f"Default settings of {self.preset} restored")

    def save_session_as(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Save session", f"{self.preset}.ganviz",
                                              "ganviz sessions (*.ganviz)")
        if path:
            self.save_session(path)

    def save_session(self, path: str) -> None:
        if not path.endswith(".ganviz"):
            path += ".ganviz"
        self.training_worker.request_save(path)

    def open_session(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open session", "",
                                              "ganviz sessions (*.ganviz);;All files (*)")
        if path:
            self.load_session(path)

    def load_session(self, path: str) -> None:
        """Continue the run saved in ``path``; a bad file leaves the current run as it is."""
        if self._busy_opening():
            return
        self.set_running(False)
        self._opening_session = True
        self.training_worker.request_load(path)

    def _busy_opening(self) -> bool:
        """True (and says so) while a session is being opened: a change made now would be
        applied to the session's run but not shown, or the other way round."""
        if self._opening_session:
            self.show_message("Opening a session: try again in a moment")
        return self._opening_session

    def _on_session_failed(self, message: str) -> None:
        self._opening_session = False
        self.show_message(message)

    def _on_session_loaded(self, preset: str, settings: dict, custom) -> None:
        self._opening_session = False
        if custom is not None:
            self._custom_points = custom
        self._adopt_run(preset, settings)
        self._clear_curves()
        self.set_running(False)

    # -------------------------------------------------------------------------- exports
    def current_plots(self) -> dict:
        """The plots of the page shown, by title, for exports."""
        page = {"1d": self.toy1d, "2d": self.toy2d.graphics, "mnist": self.images}[self.mode]
        plots = {}
        for item in page.ci.items:
            if isinstance(item, pg.PlotItem):
                title = item.titleLabel.text or "plot"
                plots[title] = item
        return plots

    def export_plot_dialog(self) -> None:
        from ganviz.app.dialogs.export_plot import ExportPlotDialog

        dialog = ExportPlotDialog(list(self.current_plots()), self)
        if dialog.exec():
            title, width = dialog.choice()
            path, _ = QFileDialog.getSaveFileName(
                self, "Export plot", f"{self.preset}-plot.png", "PNG image (*.png);;SVG (*.svg)")
            if path:
                self.export_plot(title, path, width)

    def export_plot(self, title: str, path: str, width: int = 1600) -> None:
        from ganviz.app.exports import export_plot

        try:
            written = export_plot(self.current_plots()[title], path, width)
        except (OSError, KeyError, RuntimeError) as error:
            self.show_message(f"Not exported: {error}")
            return
        self.show_message(f"Exported '{title}' to {written.name}")

    def export_metrics_as(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Export metrics", f"{self.preset}.csv",
                                              "CSV (*.csv);;JSON lines (*.jsonl)")
        if path:
            self.export_metrics(path)

    def export_metrics(self, path: str) -> None:
        from ganviz.core.export import metrics_rows, write_metrics

        if self.latest_frame is None:
            self.show_message("Nothing to export yet: no iteration has run")
            return
        columns, rows = metrics_rows(self.latest_frame.snapshot.history,
                                     self.evaluation_history.as_arrays(), self.mode)
        try:
            written = write_metrics(path, columns, rows)
        except OSError as error:
            self.show_message(f"Not exported: {error.strerror or error}")
            return
        self.show_message(f"Exported {len(rows):,} rows of metrics to {written.name}")

    def _recorder(self):
        if getattr(self, "recorder", None) is None:
            from ganviz.app.exports import Recorder

            self.recorder = Recorder(self.stack)
            self.recorder.changed.connect(self._show_recording)
        return self.recorder

    def set_recording(self, on: bool) -> None:
        recorder = self._recorder()
        if on:
            recorder.start()
            self.show_message("Recording the plots…")
        else:
            recorder.stop()
            self._show_recording()

    def set_recording_rate(self, fps: int) -> None:
        for rate, action in self.recording_rate_actions.items():
            action.setChecked(rate == fps)
        self._recorder().set_fps(fps)

    def _show_recording(self) -> None:
        recorder = self.recorder
        self.save_recording_action.setEnabled(bool(recorder.frames))
        self.record_action.setText(
            f"Record ({len(recorder.frames)} frames, {recorder.memory_bytes() / 1e6:.0f} MB)"
            if recorder.frames else "Record")

    def save_recording_as(self) -> None:
        from ganviz.app.exports import mp4_available

        kinds = "GIF animation (*.gif)" + (";;MP4 video (*.mp4)" if mp4_available() else "")
        path, _ = QFileDialog.getSaveFileName(self, "Save recording", f"{self.preset}.gif",
                                              kinds)
        if path:
            self.save_recording(path)

    def save_recording(self, path: str) -> None:
        try:
            written = self._recorder().save(path)
        except (OSError, ValueError, RuntimeError) as error:
            self.show_message(f"Not saved: {error}")
            return
        self.show_message(f"Saved {len(self.recorder.frames)} frames to {written.name}")

    def _forget_box(self, box) -> None:
        if self.divergence_box is box:
            self.divergence_box = None

    def restore_last_good_state(self) -> None:
        self.training_worker.request_restore()

    def _on_failure(self, message: str) -> None:
        self._opening_session = False  # no answer will come from a stopped trainer
        self.set_running(False)
        self.show_message(f"Training stopped: {message}. Reset starts it again.")
        self.reset_action.setEnabled(True)
        self._request_draw()  # an evaluation left for a frame that will not come

    # -------------------------------------------------------------------------- drawing
    def _request_draw(self) -> None:
        """Draw what is new at once, or as soon as MAX_DRAW_RATE_HZ allows; what arrives
        before then is drawn together."""
        if self.draw_timer.isActive() or self._closing:
            return
        wait_s = self._last_draw_time + MIN_DRAW_INTERVAL_S - time.perf_counter()
        self.draw_timer.start(max(0, int(wait_s * 1000.0 + 0.999)))

    def _draw(self) -> None:
        self._last_draw_time = time.perf_counter()
        frame = self.latest_frame
        if frame is None or not (self._frame_dirty or self._evaluation_dirty):
            return
        evaluation = self.latest_evaluation
        if self._evaluation_dirty and evaluation is not None:
            if self.mode == "1d" == evaluation.mode:
                self.toy1d.show_evaluation(evaluation, self.evaluation_history.as_arrays())
                self._show_verdict(evaluation.verdict, evaluation.verdict_text)
            elif self.mode == "2d" == evaluation.mode:
                self.toy2d.show_evaluation(evaluation, self.evaluation_history.as_arrays())
        self._evaluation_dirty = False
        if self._frame_dirty:
            snapshot = frame.snapshot
            self.views[snapshot.mode].show_frame(snapshot, running=frame.running)
            self.controls.show_pending(snapshot.pending_on_reset)
            self._frame_dirty = False
        self._count_frame()
        self._show_status(frame)
        self.drawn.emit(frame.snapshot.step)

    def _show_verdict(self, verdict: str, text: str) -> None:
        if text == self.verdict_label.text():
            return
        background, colour = VERDICT_COLOURS[verdict]
        self.verdict_label.setStyleSheet(
            f"QLabel {{ background: {background}; color: {colour}; padding: 6px 10px; "
            f"font-size: 13px; font-weight: 600; }}")
        self.verdict_label.setText(text)
        self._fit_verdict()

    def _fit_verdict(self) -> None:
        # A wrapped label above a stretching plot widget is given one line's height by the
        # layout; a verdict of two or three lines was cut off. Its height follows its text.
        label = self.verdict_label
        label.setFixedHeight(label.heightForWidth(max(label.width(), 200)))

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if hasattr(self, "verdict_label"):
            self._fit_verdict()

    def _count_frame(self) -> None:
        now = time.perf_counter()
        self._draw_times.append(now)
        while self._draw_times and now - self._draw_times[0] > 1.0:
            self._draw_times.pop(0)

    def frames_per_second(self) -> float:
        times = self._draw_times
        if len(times) < 2:
            return 0.0
        return (len(times) - 1) / max(times[-1] - times[0], 1e-9)

    def _show_status(self, frame: Frame) -> None:
        snapshot = frame.snapshot
        self.iteration_label.setText(
            f"Iteration {snapshot.step:,}  (D updates {snapshot.d_updates:,}, "
            f"G updates {snapshot.g_updates:,})")
        rate = frame.iterations_per_second
        if not frame.running:
            self.rate_label.setText("paused")
        elif snapshot.mode == "mnist":
            images = rate * snapshot.settings["batch_size"]
            self.rate_label.setText(f"{rate:,.1f} it/s, {images:,.0f} images/s")
        else:
            self.rate_label.setText(f"{rate:,.0f} it/s")
        self.fps_label.setText(f"{self.frames_per_second():.0f} frames/s")
        threads = f"{frame.threads} torch thread{'s' if frame.threads > 1 else ''}"
        self.device_label.setText(f"{frame.device.upper()}, {threads}")

    # ------------------------------------------------------------------------- closing
    def closeEvent(self, event) -> None:
        from ganviz.app import remembered

        remembered.remember(self.preset, self.settings, self.saveGeometry())
        self._closing = True  # results still queued, or sent while the workers stop, are not drawn
        self.draw_timer.stop()
        if self.training_worker is not None:
            self.training_worker.stop()
        self.evaluation_worker.stop()
        super().closeEvent(event)
