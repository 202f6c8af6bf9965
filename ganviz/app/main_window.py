"""The main window: controls on the left, live plots in the middle, rates below."""

from __future__ import annotations

import time

import pyqtgraph as pg
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDockWidget, QLabel, QMainWindow, QScrollArea

from ganviz.app.controls import ControlPanel
from ganviz.app.densities_view import DensitiesPlot
from ganviz.app.history_view import DiscriminatorOutputPlot, LossesPlot
from ganviz.app.worker import FRAME_INTERVAL_S, EvaluationWorker, Frame, TrainingWorker
from ganviz.core import presets

# The view redraws at most this often; newer data replaces older data that was never drawn.
MAX_DRAW_RATE_HZ = 60


class MainWindow(QMainWindow):
    drawn = Signal(int)  # the step shown, after each frame drawn (for tests and benchmarks)

    def __init__(self, preset: str = presets.DEFAULT_PRESET, overrides: dict | None = None,
                 frame_interval: float = FRAME_INTERVAL_S) -> None:
        super().__init__()
        self.setWindowTitle("ganviz")
        self.resize(1400, 860)
        self.preset = presets.get(preset).name
        self.settings = presets.get(preset).settings()
        self.settings.update(overrides or {})
        self.frame_interval = frame_interval
        self.running = False
        self.latest_frame: Frame | None = None
        self.latest_evaluation = None
        self._frame_dirty = False
        self._evaluation_dirty = False
        self._draw_times: list[float] = []

        self._build_actions()
        self._build_plots()
        self._build_controls()
        self._build_status_bar()

        self.draw_timer = QTimer(self, interval=int(1000 / MAX_DRAW_RATE_HZ))
        self.draw_timer.timeout.connect(self._draw)
        self.draw_timer.start()
        self.training_worker: TrainingWorker | None = None
        self.evaluation_worker = EvaluationWorker(self)
        self.evaluation_worker.evaluated.connect(self._on_evaluation)
        self.evaluation_worker.failed.connect(self._on_failure)
        self.evaluation_worker.start()
        self._start_training_worker()

    # ------------------------------------------------------------------------- building
    def _build_actions(self) -> None:
        toolbar = self.addToolBar("Training")
        toolbar.setMovable(False)
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.start_action = QAction("Start", self, shortcut=QKeySequence(Qt.Key.Key_Space))
        self.start_action.setToolTip("Start or pause training (Space)")
        self.start_action.triggered.connect(self.toggle_running)
        self.step_action = QAction("Step", self, shortcut=QKeySequence(Qt.Key.Key_S))
        self.step_action.setToolTip("Exactly one iteration (k D steps + 1 G step), "
                                    "while paused (S)")
        self.step_action.triggered.connect(self.step_once)
        self.reset_action = QAction("Reset", self, shortcut=QKeySequence(Qt.Key.Key_R))
        self.reset_action.setToolTip("New weights from the seed, same settings; clears the "
                                     "curves (R)")
        self.reset_action.triggered.connect(self.reset)
        for action in (self.start_action, self.step_action, self.reset_action):
            toolbar.addAction(action)
            self.addAction(action)
        self.enable_actions(False)

    def _build_plots(self) -> None:
        pg.setConfigOptions(antialias=False, background="w", foreground=(40, 40, 40))
        self.plots = pg.GraphicsLayoutWidget()
        self.densities = DensitiesPlot()
        self.losses = LossesPlot()
        self.d_outputs = DiscriminatorOutputPlot()
        self.plots.addItem(self.densities, row=0, col=0, colspan=2)
        self.plots.addItem(self.losses, row=1, col=0)
        self.plots.addItem(self.d_outputs, row=1, col=1)
        self.plots.ci.layout.setRowStretchFactor(0, 3)
        self.plots.ci.layout.setRowStretchFactor(1, 2)
        self.densities.attach()
        self.setCentralWidget(self.plots)

    def _build_controls(self) -> None:
        self.controls = ControlPanel(self.preset, self.settings)
        self.controls.setting_changed.connect(self.change_setting)
        self.controls.preset_chosen.connect(self.choose_preset)
        self.controls.message.connect(self.show_message)
        scroll = QScrollArea(widgetResizable=True)
        scroll.setWidget(self.controls)
        dock = QDockWidget("Settings", self)
        dock.setFeatures(QDockWidget.DockWidgetFeature.NoDockWidgetFeatures)
        dock.setWidget(scroll)
        dock.setMinimumWidth(300)
        self.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, dock)

    def _build_status_bar(self) -> None:
        self.iteration_label = QLabel("Loading PyTorch…")
        self.rate_label = QLabel()
        self.fps_label = QLabel()
        self.device_label = QLabel()
        bar = self.statusBar()
        for label in (self.iteration_label, self.rate_label, self.fps_label, self.device_label):
            bar.addPermanentWidget(label)

    def _start_training_worker(self) -> None:
        worker = TrainingWorker(self.preset, self.settings, self.frame_interval, self)
        worker.frame_ready.connect(self._on_frame)
        worker.settings_rejected.connect(self.show_message)
        worker.failed.connect(self._on_failure)
        self.training_worker = worker
        worker.start()

    # -------------------------------------------------------------------------- intents
    def toggle_running(self) -> None:
        self.set_running(not self.running)

    def set_running(self, running: bool) -> None:
        self.running = running
        self.start_action.setText("Pause" if running else "Start")
        self.step_action.setEnabled(not running and self.latest_frame is not None)
        self.training_worker.set_running(running)

    def step_once(self) -> None:
        if not self.running:
            self.training_worker.request_step()

    def reset(self) -> None:
        self.training_worker.request_reset(self.preset, self.settings)
        self.densities.clear_view()

    def change_setting(self, name: str, value) -> None:
        self.settings[name] = value
        self.training_worker.request_settings({name: value})

    def choose_preset(self, name: str) -> None:
        self.preset = name
        self.settings = presets.get(name).settings()
        self.controls.set_preset(name)
        self.controls.show_settings(self.settings)
        self.reset()

    def show_message(self, text: str) -> None:
        self.statusBar().showMessage(text, 8000)

    def enable_actions(self, enabled: bool) -> None:
        for action in (self.start_action, self.step_action, self.reset_action):
            action.setEnabled(enabled)

    # ------------------------------------------------------------------ worker results
    def _on_frame(self, frame: Frame) -> None:
        self.training_worker.frame_consumed()
        if self.latest_frame is None:
            self.enable_actions(True)
            self.step_action.setEnabled(not self.running)
        self.latest_frame = frame
        self._frame_dirty = True
        self.evaluation_worker.submit(frame.snapshot.model)

    def _on_evaluation(self, evaluation) -> None:
        self.latest_evaluation = evaluation
        self._evaluation_dirty = True

    def _on_failure(self, message: str) -> None:
        self.set_running(False)
        self.show_message(f"Training stopped: {message}")

    # -------------------------------------------------------------------------- drawing
    def _draw(self) -> None:
        if not (self._frame_dirty or self._evaluation_dirty):
            return
        if self._evaluation_dirty:
            self.densities.show_evaluation(self.latest_evaluation)
            self._evaluation_dirty = False
        frame = self.latest_frame
        if self._frame_dirty:
            snapshot = frame.snapshot
            if len(snapshot.history["step"]):
                self.losses.show_history(snapshot.history)
                self.d_outputs.show_history(snapshot.history)
            else:
                for curve in (self.losses.loss_d, self.losses.loss_g,
                              self.d_outputs.d_real, self.d_outputs.d_fake):
                    curve.setData([], [])
            self.controls.show_pending(snapshot.pending_on_reset)
            self._frame_dirty = False
        self._count_frame()
        self._show_status(frame)
        self.drawn.emit(frame.snapshot.step)

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
        rate = frame.iterations_per_second if frame.running else 0.0
        self.rate_label.setText(f"{rate:,.0f} it/s" if frame.running else "paused")
        self.fps_label.setText(f"{self.frames_per_second():.0f} frames/s")
        threads = f"{frame.threads} torch thread{'s' if frame.threads > 1 else ''}"
        self.device_label.setText(f"{frame.device.upper()}, {threads}")

    # ------------------------------------------------------------------------- closing
    def closeEvent(self, event) -> None:
        self.draw_timer.stop()
        if self.training_worker is not None:
            self.training_worker.stop()
        self.evaluation_worker.stop()
        super().closeEvent(event)
